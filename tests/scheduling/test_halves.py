"""Half-day absences and half-block rotations through a schedule run: stored and shown (issue 12, point 5)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from absences.models import Absence, AbsenceKind
from scheduling.absence_impact import absence_repair_start
from scheduling.day_view import session_grid
from scheduling.models import (
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.services import schedule_run_execute
from tenants.errors import DomainError
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import RotationTemplateFactory
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


def test_halves_chosen_by_a_run_are_stored_and_shown_as_split_cells(client, program, coordinator):
    year, _ = tiny_program(program, coordinator)
    sports = RotationTemplateFactory(
        program=program, name="Sports Medicine", abbreviation="SPM", kind=RotationTemplate.Kind.ELECTIVE,
        allows_half_block=True, leave_allowed=False, min_residents=1, max_residents=1,
    )  # fmt: skip
    elective = RotationTemplateFactory(
        program=program, name="Elective", abbreviation="ELE", kind=RotationTemplate.Kind.ELECTIVE,
        allows_half_block=True,
    )  # fmt: skip
    residents = list(Person.objects.for_program(program).filter(kind=Person.Kind.RESIDENT).order_by("pk"))
    first, second = residents[0], residents[1]
    away = {first: [dt.date(2026, 7, 20)], second: [dt.date(2026, 7, 3)]}  # one in each half of block 1
    away |= {  # the others a day in both halves, on different days (someone is left for each night's call)
        person: [dt.date(2026, 7, 2 + j), dt.date(2026, 7, 22 + j)] for j, person in enumerate(residents[2:])
    }
    for person, days in away.items():
        for day in days:
            AbsenceFactory(program=program, person=person, start_date=day, end_date=day, status=Absence.Status.APPROVED)

    version = run_block_one(year, coordinator)

    rows = {
        (row.person_id, row.half): row.rotation_id
        for row in BlockAssignment.objects.filter(version=version, person__in=[first, second])
    }
    assert rows == {
        (first.pk, 1): sports.pk, (first.pk, 2): elective.pk, (second.pk, 1): elective.pk, (second.pk, 2): sports.pk,
    }  # fmt: skip
    assert not BlockAssignment.objects.filter(version=version, rotation=sports, half=0).exists()
    client.force_login(coordinator)
    grid = client.get(reverse("schedule-grid"), {"version": "draft"}).content.decode()
    label = re.escape(f"Edit block 1 of {first.full_name}")
    cell = re.search(rf'<td class="cell split"><a [^>]*aria-label="{label}">(.*?)</td>', grid, re.S)
    assert cell is not None, "the first resident's block 1 cell is split"
    assert 'title="Sports Medicine (first half), 1 Jul – 14 Jul 2026"' in cell.group(1)
    assert 'title="Elective (second half), 15 Jul – 28 Jul 2026; 1 day of vacation (leave)"' in cell.group(1)
    assert cell.group(1).index(">SPM<") < cell.group(1).index(">ELE+LV<")  # both codes in one cell, in order
    page = client.get(reverse("person-schedule", args=[second.pk]), {"version": "draft"}).content.decode()
    assert "Elective (first half), 1 Jul – 14 Jul 2026" in page
    assert "Sports Medicine (second half), 15 Jul – 28 Jul 2026" in page
    block = year.blocks.get(number=1)
    edit = client.get(reverse("edit-block", kwargs={"pk": version.pk, "person": first.pk, "block": block.pk}))
    assert "Split in halves: a change here sets one rotation for the whole block" in edit.content.decode()
    csv = client.get(reverse("export-assignments-csv"), {"version": "draft"}).getvalue().decode()
    rows = [line for line in csv.splitlines() if line.startswith("block,") and first.full_name in line]
    assert any("1 (First half)" in line and ",SPM," in line for line in rows)
    assert any("1 (Second half)" in line and ",ELE," in line for line in rows)


def test_a_half_day_absence_is_not_repaired_by_a_run_and_says_how_instead(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    ada = Person.objects.for_program(program).filter(kind=Person.Kind.RESIDENT).first()
    day = dt.date(2026, 7, 7)
    absence = AbsenceFactory(
        program=program, person=ada, start_date=day, end_date=day, half_day="pm", status=Absence.Status.APPROVED
    )

    with pytest.raises(DomainError, match="editing its half-day cell .* the next schedule run plans around it"):
        absence_repair_start(absence=absence, user=coordinator)
    assert not ScheduleRun.objects.filter(academic_year=year).exists()
