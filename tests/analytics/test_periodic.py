"""Periodic jobs: the nightly snapshot of every program's fairness and level, the managers told once when the level
rises to ORANGE or worse, and the beat schedule that runs them."""

import datetime as dt

import pytest
from django.conf import settings

from analytics.models import ProgramSnapshot
from analytics.periodic import program_snapshot_take, snapshots_take_all
from analytics.tasks_periodic import analytics_snapshots_nightly_task
from analytics.utilisation import Level
from notifications.events import Event
from notifications.models import Notification
from tenants.models import Role
from tests.analytics.utilisation_data import MONDAY, Ward

pytestmark = pytest.mark.django_db


def _rises(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event=Event.RESILIENCE_LEVEL))


@pytest.fixture
def ward(program):
    """Ten residents, a ward needing six a day and staffed by six for four weeks: 75% utilisation, YELLOW."""
    ward = Ward(program, residents=10, need=6)
    ward.staff(MONDAY, 28, count=6)
    return ward


def test_a_rise_to_orange_tells_the_managers_once(ward, program, coordinator, member, other_program):
    admin = member(Role.ADMIN)
    resident = member(Role.RESIDENT)
    stranger = member(Role.COORDINATOR, in_program=other_program)

    first = program_snapshot_take(program=program, day=MONDAY)
    assert first.snapshot.level_name == "YELLOW" and first.told == 0
    assert _rises(coordinator) == []

    for person in ward.people[8:]:  # two residents off the ward away for three weeks: 6 of 8 x 0.8 = 94%
        ward.away(person, MONDAY, MONDAY + dt.timedelta(days=20))
    second = program_snapshot_take(program=program, day=MONDAY + dt.timedelta(days=1))

    assert second.snapshot.level == Level.ORANGE  # fully covered: strained, not an emergency
    assert second.previous == first.snapshot
    (told,) = _rises(coordinator)
    assert told.title == "Resilience level ORANGE: Family Medicine"
    assert "rose from YELLOW to ORANGE" in told.body and "Inpatient ward" in told.body
    assert len(_rises(admin)) == 1
    assert _rises(resident) == [] and _rises(stranger) == []

    program_snapshot_take(program=program, day=MONDAY + dt.timedelta(days=1))  # the job runs again that night
    program_snapshot_take(program=program, day=MONDAY + dt.timedelta(days=2))  # still ORANGE the next night
    assert len(_rises(coordinator)) == 1
    assert ProgramSnapshot.objects.filter(program=program).count() == 3


def test_the_nightly_job_writes_a_snapshot_of_each_program_with_its_fairness(ward, program, other_program):
    assert analytics_snapshots_nightly_task() >= 2

    mine = ProgramSnapshot.objects.get(program=program, day=program.today())
    theirs = ProgramSnapshot.objects.get(program=other_program, day=other_program.today())
    assert mine.version_number == ward.version.number
    assert "PGY-1" in mine.fairness and 0.0 <= mine.fairness_min <= 1.0
    assert mine.level_name in {level.name for level in Level}
    assert theirs.version_number is None and theirs.fairness == {}  # nothing published there
    assert len(snapshots_take_all()) >= 2  # again the same night: the day's rows updated, not doubled
    assert ProgramSnapshot.objects.filter(program=program).count() == 1


def test_the_beat_schedule_runs_the_jobs_nightly_and_weekly():
    nightly = settings.CELERY_BEAT_SCHEDULE["analytics-snapshots-nightly"]
    weekly = settings.CELERY_BEAT_SCHEDULE["analytics-contingency-weekly"]
    assert nightly["task"] == "analytics.tasks_periodic.analytics_snapshots_nightly_task"
    assert weekly["task"] == "analytics.tasks_periodic.analytics_contingency_weekly_task"
    assert weekly["schedule"].day_of_week == {0}
    assert "analytics.tasks_periodic" in settings.CELERY_IMPORTS
