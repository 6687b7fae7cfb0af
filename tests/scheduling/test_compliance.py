"""Compliance of a stored version: its duties read back as the engine derived them; the report; hours per week."""

import datetime as dt

import pytest

from scheduling.compliance import CallChange, Changes, version_duties, version_report, weekly_hours
from scheduling.engine import model as engine
from scheduling.engine.duties import parse_duties
from scheduling.engine_io import problem_for, solution_write
from scheduling.models import SessionAssignment
from scheduling.services import session_assignment_change
from tests.scheduling.factories import (
    CallAssignmentFactory,
    ResidentFactory,
    ScheduleRunFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)
from tests.scheduling.manager_pages import small_schedule
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 7, 6)


@pytest.fixture
def solved(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    problem = problem_for(academic_year=year, blocks=range(1, 3))
    solution = engine.solve(problem, time_limit=20, workers=1, seed=1)
    version = solution_write(run=ScheduleRunFactory(academic_year=year, first_block=1, last_block=2), solution=solution)
    return version, solution


def test_version_duties_of_a_generated_version_equal_the_engines(solved):
    version, solution = solved

    ours = parse_duties(version_duties(version=version))

    assert ours == parse_duties(solution.duties)
    assert len(ours.people) == 6 and all(person.duties for person in ours.people)
    assert version_report(version=version).compliant


@pytest.fixture
def week(program):
    """One resident: Monday-Friday clinic all day, an in-house call on Monday night, leave on the weekend."""
    version = ScheduleVersionFactory(program=program, academic_year__program=program)
    resident = ResidentFactory(program=program, pgy=1)
    for offset in range(7):
        day = MONDAY + dt.timedelta(days=offset)
        activity = SessionAssignment.Activity.CLINIC if offset < 5 else SessionAssignment.Activity.LEAVE
        for session in ("AM", "PM"):
            SessionAssignmentFactory(version=version, person=resident, date=day, session=session, activity=activity)
    CallAssignmentFactory(
        version=version,
        person=resident,
        start=dt.datetime(2026, 7, 6, 21, 0, tzinfo=dt.UTC),  # 17:00 New York time
        end=dt.datetime(2026, 7, 7, 12, 0, tzinfo=dt.UTC),  # 08:00
    )
    return version, resident


def test_version_duties_reads_sessions_with_real_clock_times_calls_and_leave(week):
    version, resident = week

    document = version_duties(version=version)

    (person,) = document["people"]
    assert (person["id"], person["pgy"]) == (f"p{resident.pk}", 1)
    assert person["duties"][:3] == [
        {"start": "2026-07-06T07:00", "end": "2026-07-06T17:00", "kind": "work"},
        {"start": "2026-07-06T17:00", "end": "2026-07-07T08:00", "kind": "inhouse_call"},
        {"start": "2026-07-07T07:00", "end": "2026-07-07T17:00", "kind": "work"},
    ]
    assert len(person["duties"]) == 6
    assert person["leave"] == [{"start": "2026-07-11", "end": "2026-07-12"}]
    assert document["timezone"] == "America/New_York"


def test_half_day_and_off_sessions_use_their_own_clock(week):
    version, resident = week
    changes = Changes(sessions={(resident.pk, MONDAY + dt.timedelta(days=1), "PM"): ("off", None)})

    duties = version_duties(version=version, changes=changes)["people"][0]["duties"]

    assert {"start": "2026-07-07T07:00", "end": "2026-07-07T12:00", "kind": "work"} in duties


def test_weekly_hours_sums_merged_periods_per_week(week):
    version, resident = week

    hours = weekly_hours(version=version, person=resident, start=MONDAY, end=MONDAY + dt.timedelta(days=13))

    # 5 days of 10 h and a 15-h call whose first hour overlaps the next day's work: 50 + 15 - 1
    assert hours == [(MONDAY, 64.0), (MONDAY + dt.timedelta(days=7), 0.0)]


def test_changes_are_evaluated_without_saving(week):
    version, resident = week
    extra = CallChange(
        resident.pk,
        "in_house",
        dt.datetime(2026, 7, 8, 21, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 9, 12, 0, tzinfo=dt.UTC),
    )

    changed = version_duties(version=version, changes=Changes(calls_added=(extra,)))

    kinds = [d["kind"] for d in changed["people"][0]["duties"]]
    assert kinds.count("inhouse_call") == 2
    assert version.program.pk and len(version_duties(version=version)["people"][0]["duties"]) == 6


def test_program_limits_travel_with_the_duties(week, program, coordinator):
    from scheduling.services import scheduling_settings_update

    scheduling_settings_update(program=program, user=coordinator, settings={"acgme": {"weekly_hours": 60}})
    version, resident = week

    assert version_duties(version=version)["rules"] == {"weekly_hours": 60}
    hours = weekly_hours(version=version, person=resident, start=MONDAY, end=MONDAY)
    assert hours == [(MONDAY, 64.0)]


def test_version_report_is_cached_until_the_version_changes(program, coordinator, django_assert_max_num_queries):
    setup = small_schedule(program, coordinator)
    first = version_report(version=setup.version)
    assert first.compliant

    with django_assert_max_num_queries(5):  # the change stamp only
        assert version_report(version=setup.version) == first

    session_assignment_change(
        version=setup.version,
        person=setup.resident,
        date=dt.date(2026, 7, 2),  # the post-call day after the call of 1 July
        session="AM",
        activity="inpatient",
        user=coordinator,
        reason="Short-staffed ward",
    )
    after = version_report(version=setup.version)
    assert not after.compliant
    assert {v.rule for v in after.violations} >= {"continuous_duty"}
