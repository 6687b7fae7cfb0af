"""Resilience tier 1: utilisation levels, the level from real coverage, redundancy and the 90-day forecast."""

import datetime as dt

import pytest

from absences.models import Absence
from analytics.utilisation import (
    Level,
    defense_level,
    forecast,
    program_level,
    service_days,
    utilisation_level,
)
from scheduling.models import BlockAssignment, SessionAssignment
from tenants.errors import DomainError
from tests.absences.factories import AbsenceFactory
from tests.analytics.utilisation_data import MONDAY, Ward
from tests.scheduling.factories import ResidentFactory, RotationTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("utilisation", "level"),
    [
        (0.0, Level.GREEN),
        (0.699, Level.GREEN),
        (0.70, Level.YELLOW),
        (0.799, Level.YELLOW),
        (0.80, Level.ORANGE),
        (0.90, Level.RED),
        (0.949, Level.RED),
        (0.95, Level.BLACK),
        (1.4, Level.BLACK),
        (None, Level.BLACK),
    ],
)
def test_levels_change_at_the_exact_thresholds(utilisation, level):
    assert utilisation_level(utilisation) is level


def test_seventy_percent_computed_from_people_is_yellow_not_green(program):
    # 14 required of 25 available: 14 / (25 x 0.8) = 70% exactly, despite 0.8 not being exact in binary.
    ward = Ward(program, residents=25, need=14)
    (row,) = service_days(program=program, start=MONDAY, end=MONDAY).rows
    assert row.service.key == f"rot{ward.ward.pk}"
    assert row.utilisation == pytest.approx(0.70)
    assert row.level is Level.YELLOW


def test_a_schedule_at_75_percent_with_full_coverage_is_not_an_emergency(program):
    ward = Ward(program, residents=10, need=6)  # 6 / (10 x 0.8) = 75%
    ward.staff(MONDAY, 14, count=6)
    report = program_level(program=program, day=MONDAY)
    assert report.utilisation == pytest.approx(0.75)
    assert report.coverage == 1.0
    assert report.level is Level.YELLOW
    assert report.level < Level.RED
    assert "Emergency" not in report.words and "Critical" not in report.words
    assert [w.label for w in report.worst][:1] == ["Inpatient ward (WARD)"]


def test_uncovered_places_raise_the_level_whatever_the_utilisation(program):
    ward = Ward(program, residents=10, need=6)
    ward.staff(MONDAY, 14, count=6)
    # Wednesday of the second week: two of the six on the ward are away, and the schedule was not repaired.
    gap = MONDAY + dt.timedelta(days=9)
    for person in ward.people[:2]:
        ward.away(person, gap)
    report = program_level(program=program, day=MONDAY)
    assert report.level is Level.BLACK  # 4 of 6 places covered: 67%, and 6 needed of 8 x 0.8 = 94% (RED)
    assert [(w.date, w.coverage) for w in report.worst] == [(gap, pytest.approx(4 / 6))]
    assert report.coverage == pytest.approx(1 - 2 / 60)


def test_full_coverage_keeps_a_strained_program_at_orange(program):
    ward = Ward(program, residents=8, need=7)  # 7 / 6.4 = 109%: BLACK by utilisation alone
    ward.staff(MONDAY, 14, count=7)
    report = program_level(program=program, day=MONDAY)
    assert report.utilisation == pytest.approx(7 / 6.4)
    assert report.level is Level.ORANGE


def test_without_a_published_schedule_utilisation_alone_gives_the_level(program):
    ward = Ward(program, residents=8, need=7)
    ward.version.delete()
    report = program_level(program=program, day=MONDAY)
    assert report.coverage is None
    assert report.level is Level.BLACK


def test_defense_level_comes_from_coverage():
    assert defense_level(1.0) is Level.GREEN
    assert defense_level(0.96) is Level.ORANGE
    assert defense_level(0.85) is Level.RED
    assert defense_level(0.5) is Level.BLACK
    assert defense_level(None) is None


@pytest.mark.parametrize(("absent", "label"), [(0, "N+2"), (2, "N+2"), (3, "N+1"), (4, "N+0"), (5, "below")])
def test_redundancy_counts_available_people_beyond_the_need(program, absent, label):
    ward = Ward(program, residents=10, need=6)
    for person in ward.people[:absent]:
        ward.away(person, MONDAY)
    (row,) = service_days(program=program, start=MONDAY, end=MONDAY).rows
    assert row.available == 10 - absent
    assert row.redundancy == label


def test_an_approved_absence_lowers_forecast_capacity_on_its_days_only(program):
    ward = Ward(program, residents=10, need=6)
    ward.away(ward.people[0], MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=3))
    days = forecast(program=program, start=MONDAY, days=7)
    capacity = {row.date: row.safe_capacity for row in days.for_service(f"rot{ward.ward.pk}")}
    assert capacity == {
        MONDAY: pytest.approx(8.0),
        MONDAY + dt.timedelta(days=1): pytest.approx(8.0),
        MONDAY + dt.timedelta(days=2): pytest.approx(7.2),
        MONDAY + dt.timedelta(days=3): pytest.approx(7.2),
        MONDAY + dt.timedelta(days=4): pytest.approx(8.0),
    }  # the weekend is no ward day


def test_a_requested_absence_shows_separately_from_approved_ones(program):
    ward = Ward(program, residents=10, need=6)
    ward.away(ward.people[0], MONDAY, status=Absence.Status.REQUESTED)
    ward.away(ward.people[1], MONDAY, status=Absence.Status.REJECTED)
    (row,) = forecast(program=program, start=MONDAY, days=1).rows
    assert row.available == 10
    assert row.available_if_requested == 9
    assert row.utilisation_if_requested == pytest.approx(6 / 7.2)
    assert row.level_if_requested is Level.ORANGE


def test_a_half_day_absence_counts_half_a_person_on_the_ward(program):
    ward = Ward(program, residents=10, need=6)
    ward.away(ward.people[0], MONDAY, half="am")
    (row,) = service_days(program=program, start=MONDAY, end=MONDAY).rows
    assert row.available == 9.5
    assert row.redundancy == "N+2"


def test_in_house_call_is_covered_by_the_calls_of_the_published_schedule(program):
    program.settings = {"scheduling": {"requirements": {"call": [{"per_night": 1, "min_pgy": 2}]}}}
    program.save()
    ward = Ward(program, residents=4, need=0)
    senior = ResidentFactory(program=program, pgy=2)
    ward.call(senior, MONDAY)
    ward.call(ward.people[0], MONDAY + dt.timedelta(days=1))  # a PGY-1 does not count for PGY 2+ call
    ward.away(senior, MONDAY + dt.timedelta(days=2), half="pm")  # a half-day away takes the night out
    rows = {
        row.date: row for row in service_days(program=program, start=MONDAY, end=MONDAY + dt.timedelta(days=2)).rows
    }
    assert [r.service.label for r in rows.values()] == ["In-house call (PGY 2+)"] * 3
    assert rows[MONDAY].coverage == 1.0
    assert rows[MONDAY + dt.timedelta(days=1)].coverage == 0.0
    assert rows[MONDAY].eligible == 1
    assert rows[MONDAY + dt.timedelta(days=2)].available == 0
    assert rows[MONDAY + dt.timedelta(days=2)].level is Level.BLACK


def test_another_programs_people_rotations_and_absences_are_not_counted(program, other_program):
    ward = Ward(program, residents=10, need=6)
    RotationTemplateFactory(program=other_program, name="Their ward", min_residents=3)
    stranger = ResidentFactory(program=other_program, pgy=1)

    AbsenceFactory(program=other_program, person=stranger, start_date=MONDAY, end_date=MONDAY, status="approved")
    ResidentFactory(program=other_program, pgy=1)
    rows = service_days(program=program, start=MONDAY, end=MONDAY).rows
    assert [(r.service.label, r.eligible, r.available) for r in rows] == [("Inpatient ward (WARD)", 10, 10)]
    assert ward.program == program


@pytest.mark.parametrize("days", [0, -1, 181])
def test_a_forecast_outside_1_to_180_days_is_refused(program, days):
    with pytest.raises(DomainError, match="1 to 180 days"):
        forecast(program=program, start=MONDAY, days=days)


def test_post_call_and_clinic_half_days_still_count_as_on_the_rotation(program):
    ward = Ward(program, residents=10, need=6)
    ward.staff(MONDAY, 14, count=6)
    SessionAssignment.objects.filter(version=ward.version, date=MONDAY, person=ward.people[0]).update(
        activity=SessionAssignment.Activity.POST_CALL
    )
    SessionAssignment.objects.filter(version=ward.version, date=MONDAY, person=ward.people[1], session="PM").update(
        activity=SessionAssignment.Activity.CLINIC, rotation=None
    )
    ward.away(ward.people[2], MONDAY, half="am")  # half a day away: still on the ward that day
    (row,) = service_days(program=program, start=MONDAY, end=MONDAY).rows
    assert (row.covered, row.coverage, row.defense) == (6, 1.0, Level.GREEN)


def test_residents_on_the_ward_for_the_other_half_of_the_block_do_not_cover_it(program):

    ward = Ward(program, residents=10, need=6)
    ward.staff(MONDAY, 1, count=6)
    BlockAssignment.objects.filter(version=ward.version, person__in=ward.people[:3]).update(
        half=BlockAssignment.Half.SECOND  # block 2 starts 29 July: 3 August lies in its first half
    )
    (row,) = service_days(program=program, start=MONDAY, end=MONDAY).rows
    assert row.covered == 3
