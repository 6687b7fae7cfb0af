"""Half-day absences and half-block rotations through a schedule run: stored and shown (issue 12, point 5)."""

import datetime as dt

import pytest
from django.urls import reverse

from absences.models import Absence, AbsenceKind
from scheduling.day_view import session_grid
from scheduling.models import CallAssignment, Person, ScheduleRun, ScheduleVersion, SessionAssignment
from scheduling.services import schedule_run_execute
from tests.absences.factories import AbsenceFactory
from tests.scheduling.test_generation import start, tiny_program

pytestmark = pytest.mark.django_db

Activity = SessionAssignment.Activity
WEEK = [dt.date(2026, 7, 6) + dt.timedelta(days=k) for k in range(5)]  # Monday to Friday of block 1


def run_block_one(year, user) -> ScheduleVersion:
    run = start(year, user, first_block=1, last_block=1)
    schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.SUCCEEDED, run.message
    return ScheduleVersion.objects.get(pk=run.statistics["version_id"])


def test_a_half_day_absence_is_leave_in_the_stored_schedule_and_on_the_week_page(client, program, coordinator):
    year, _ = tiny_program(program, coordinator)
    ada = Person.objects.for_program(program).filter(kind=Person.Kind.RESIDENT).order_by("pk").first()
    for day in WEEK:  # every morning of the week at a conference: clinic and call must go elsewhere
        AbsenceFactory(
            program=program, person=ada, kind=AbsenceKind.CONFERENCE, start_date=day, end_date=day, half_day="am",
            status=Absence.Status.APPROVED,
        )  # fmt: skip

    version = run_block_one(year, coordinator)

    rows = {
        (row.date, row.session): row.activity
        for row in SessionAssignment.objects.filter(version=version, person=ada, date__in=WEEK)
    }
    assert {rows[day, "AM"] for day in WEEK} == {Activity.LEAVE}
    assert all(rows[day, "PM"] != Activity.LEAVE for day in WEEK)  # only the morning is away
    zone = program.zone
    nights = {start.astimezone(zone).date() for start in CallAssignment.objects.filter(version=version, person=ada)
              .values_list("start", flat=True)}  # fmt: skip
    assert not nights & (set(WEEK) | {day - dt.timedelta(days=1) for day in WEEK})
    grid = session_grid(version=version, start=WEEK[0], end=WEEK[-1], person_ids=[ada.pk])
    assert {grid.halves[ada.pk, day, "AM"].code for day in WEEK} == {"LV-CNF"}
    client.force_login(coordinator)
    body = client.get(reverse("schedule-week"), {"start": "2026-07-06", "version": "draft"}).content.decode()
    assert "LV-CNF" in body
