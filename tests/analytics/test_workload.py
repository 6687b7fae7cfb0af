"""The workload report: hours per week as the compliance checker counts them, the 80-hour flags, clinic
continuity and the checker's findings per block."""

import datetime as dt
import zoneinfo

import pytest

from absences.models import Absence
from analytics.workload import PersonRef, clinic_dates, continuity_row, person_hours, workload_report
from scheduling.compliance import hours_table, version_report
from scheduling.day_view import session_grid
from scheduling.models import Person
from tests.absences.factories import AbsenceFactory
from tests.analytics.workload_data import WEEK, known_year

pytestmark = pytest.mark.django_db

ZONE = zoneinfo.ZoneInfo("America/New_York")
RESIDENT = PersonRef(1, "Ann Able", Person.Kind.RESIDENT, 1)


def _days(first: dt.date, count: int, start: str, end: str) -> list[dict]:
    """One work period a day from `start` to `end` (HH:MM) on `count` days from `first`."""
    return [
        {
            "start": f"{first + dt.timedelta(days=d)}T{start}",
            "end": f"{first + dt.timedelta(days=d)}T{end}",
            "kind": "work",
        }
        for d in range(count)
    ]


def test_weekly_hours_are_the_compliance_pages_and_a_week_over_80_is_flagged(program):
    setup = known_year(program)

    report = workload_report(version=setup.version)

    rita = report.hours_of(setup.rita.pk)
    week = next(w for w in rita.weeks if w.start == WEEK)
    assert week.hours == 88.0 and week.over  # 6 days of 10 h and two 14-h calls
    assert rita.max_week == 88.0 and rita.weeks_over == 1 and rita.flag == "over"
    _, rows, limit = hours_table(version=setup.version, start=setup.year.start_date, end=setup.year.end_date)
    page = next(row for row in rows if row.person == setup.rita)
    assert [(w.start, w.hours, w.over) for w in rita.weeks] == page.weeks
    assert report.limit == limit == 80.0
    assert report.people_over == 1  # Paul works one half-day: nowhere near


def test_rolling_average_within_5_hours_of_80_is_flagged_near():
    entry = {"duties": _days(WEEK, 28, "07:00", "18:00"), "leave": []}  # 11 h a day: 77 h a week

    row = person_hours(RESIDENT, entry, zone=ZONE, monday=WEEK, weeks=5, limit=80.0)

    assert [w.hours for w in row.weeks] == [77.0, 77.0, 77.0, 77.0, 0.0]
    assert [w.average for w in row.weeks] == [None, None, None, 77.0, pytest.approx(57.75, abs=0.06)]
    assert row.weeks[3].average_flag == "near" and row.weeks[4].average_flag == ""
    assert row.weeks_over == 0 and row.averages_near == 1 and row.flag == "near"


def test_rolling_average_leaves_leave_out_as_the_checker_does():
    duties = _days(WEEK, 7, "07:00", "19:00") + _days(WEEK + dt.timedelta(days=14), 14, "07:00", "19:00")
    leave = [{"start": str(WEEK + dt.timedelta(days=7)), "end": str(WEEK + dt.timedelta(days=13))}]

    row = person_hours(RESIDENT, {"duties": duties, "leave": leave}, zone=ZONE, monday=WEEK, weeks=4, limit=80.0)

    assert [w.hours for w in row.weeks] == [84.0, 0.0, 84.0, 84.0]
    assert row.weeks[3].average == 84.0 and row.weeks[3].average_flag == "over"  # 252 h over 21 working days
    assert row.weeks_over == 3 and row.leave_days == 7


def test_faculty_hours_come_from_their_half_days_without_a_limit(program):
    setup = known_year(program)

    fay = workload_report(version=setup.version).hours_of(setup.fay.pk)

    assert fay.person.cohort == "Faculty" and fay.max_week == 10.0  # supervising AM and PM on 4 August
    assert fay.weeks_over == 0 and fay.flag == ""


def test_continuity_is_the_share_of_clinics_on_the_usual_weekday(program):
    setup = known_year(program)

    report = workload_report(version=setup.version)

    rita = next(row for row in report.continuity if row.person.id == setup.rita.pk)
    assert (rita.sessions, rita.on_usual, rita.share, rita.usual_weekday_name) == (4, 3, 0.75, "Tuesday")
    cohorts = {c.cohort: c.average_share for c in report.cohorts}
    assert cohorts == {"PGY-1": 1.0, "PGY-2": 0.75, "All residents": 0.875}


def test_approved_leave_takes_a_clinic_out_as_the_schedule_pages_show_it(program):
    setup = known_year(program)
    AbsenceFactory(
        program=program,
        person=setup.rita,
        start_date=dt.date(2026, 8, 18),
        end_date=dt.date(2026, 8, 18),
        status=Absence.Status.APPROVED,
    )

    rita = next(r for r in workload_report(version=setup.version).continuity if r.person.id == setup.rita.pk)

    assert (rita.sessions, rita.on_usual, rita.share) == (3, 2, pytest.approx(0.667))
    grid = session_grid(version=setup.version, start=setup.year.start_date, end=setup.year.end_date)
    shown = sorted(
        h.date
        for h in grid.halves.values()
        if h.person_id == setup.rita.pk and h.activity == "clinic" and not h.rotation
    )
    assert sorted(clinic_dates(setup.version, [setup.rita])[setup.rita.pk]) == shown


def test_continuity_ties_go_to_the_earliest_weekday_and_no_clinic_has_no_share():
    tuesday, thursday = dt.date(2026, 8, 4), dt.date(2026, 8, 6)

    tie = continuity_row(RESIDENT, [thursday, tuesday])

    assert tie.usual_weekday_name == "Tuesday" and tie.share == 0.5
    assert continuity_row(RESIDENT, []).share is None


def test_findings_per_block_add_up_to_the_compliance_pages(program):
    setup = known_year(program)

    report = workload_report(version=setup.version)

    checker = version_report(version=setup.version)
    assert sum(b.violations for b in report.blocks) == report.violations
    assert report.violations == sum(1 for v in checker.violations if v.severity == "violation") > 0
    assert sum(b.warnings for b in report.blocks) == report.warnings
    first = report.blocks[0]
    assert first.number == 1 and first.violations and not first.clean
    assert any("Continuous duty" in title for title, _ in first.rules)
    assert report.blocks[-1].clean and len(report.blocks) == 13


def test_the_report_is_cached_until_the_schedule_changes(program, django_assert_num_queries):
    setup = known_year(program)
    workload_report(version=setup.version)

    with django_assert_num_queries(0):  # the program's generation stamp and the report are in the cache
        first = workload_report(version=setup.version)
    setup.rita.first_name = "Rosa"
    setup.rita.save()

    assert first.hours_of(setup.rita.pk).person.name == "Rita Resident"
    assert workload_report(version=setup.version).hours_of(setup.rita.pk).person.name == "Rosa Resident"
