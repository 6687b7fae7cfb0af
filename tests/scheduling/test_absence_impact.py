"""An absence against the published schedule: conflicts, the conflict page, and a minimal-change repair."""

import datetime as dt

import pytest
from django.urls import reverse

from absences.models import Absence, AbsenceKind
from absences.services import absence_request_approve
from scheduling.absence_impact import absence_conflicts, absence_repair_runs, absence_repair_start
from scheduling.engine import model as engine_model
from scheduling.engine_io import problem_for, solution_write
from scheduling.models import (
    Block,
    BlockAssignment,
    CallAssignment,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.selectors import version_changes
from scheduling.services import (
    academic_year_create,
    schedule_run_execute,
    schedule_run_start,
    schedule_version_publish,
)
from tenants.models import Role
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import (
    BlockAssignmentFactory,
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

D = dt.date
Activity = SessionAssignment.Activity
# The engine's solves here stop on a work limit (CP-SAT deterministic time), not on the wall clock: the published
# schedule, the repair and the fresh schedule are the same on an idle or a loaded machine (the time limit only guards).
WORK_LIMIT = 1.0
SAFETY_TIME_LIMIT = 600


@pytest.fixture
def published(program, coordinator):
    """A year with a published version: Ana and Ben on ICU (no leave, needs 2) in block 2, Ana's sessions and a call."""
    year = academic_year_create(program=program, start_date=D(2026, 7, 1), make_current=True)
    version = ScheduleVersionFactory(academic_year=year, program=program, number=1)
    schedule_version_publish(version=version, user=coordinator)
    version.refresh_from_db()
    block2 = Block.objects.get(academic_year=year, number=2)
    icu = RotationTemplateFactory(program=program, name="ICU", leave_allowed=False, min_residents=2)
    ana = ResidentFactory(program=program, first_name="Ana", pgy=2)
    ben = ResidentFactory(program=program, first_name="Ben", pgy=2)
    for person in (ana, ben):
        BlockAssignmentFactory(program=program, version=version, block=block2, person=person, rotation=icu)
    day = block2.start_date + dt.timedelta(days=2)
    for session in ("AM", "PM"):
        SessionAssignmentFactory(
            program=program, version=version, person=ana, date=day, session=session, activity=Activity.INPATIENT
        )
    SessionAssignmentFactory(
        program=program, version=version, person=ana, date=day + dt.timedelta(days=1), activity=Activity.CLINIC
    )
    SessionAssignmentFactory(
        program=program, version=version, person=ana, date=day + dt.timedelta(days=60), activity=Activity.CLINIC
    )
    CallAssignmentFactory(
        program=program,
        version=version,
        person=ana,
        start=dt.datetime(day.year, day.month, day.day, 21, tzinfo=dt.UTC),
        end=dt.datetime(day.year, day.month, day.day, 21, tzinfo=dt.UTC) + dt.timedelta(hours=14),
    )
    return year, version, block2, ana, day


def test_conflicts_list_the_published_assignments_hit_and_a_rotation_without_leave(program, published):
    year, version, block2, ana, day = published
    absence = AbsenceFactory(program=program, person=ana, start_date=day, end_date=day + dt.timedelta(days=3))

    impact = absence_conflicts(absence=absence)

    [hit] = impact.years
    assert hit.version == version and [b.number for b in hit.blocks] == [2]
    assert [(r.block.number, r.rotation.name, r.days, r.leave_allowed) for r in hit.rotations] == [(2, "ICU", 4, False)]
    assert hit.no_leave_rotations and hit.session_count == 3
    assert dict(hit.sessions) == {"Inpatient": 2, "Clinic": 1}
    assert len(hit.calls) == 1
    assert [(s.block.number, s.rotation.name, s.left, s.minimum) for s in hit.shortfalls] == [(2, "ICU", 1, 2)]
    assert hit.acgme_after is not None and hit.acgme_after.compliant
    assert impact.has_conflicts and impact.repairable_year is hit


def test_a_half_day_absence_hits_only_its_session(program, published):
    year, version, block2, ana, day = published
    absence = AbsenceFactory(program=program, person=ana, start_date=day, end_date=day, half_day="pm")

    [hit] = absence_conflicts(absence=absence).years

    assert dict(hit.sessions) == {"Inpatient": 1} and hit.calls == [] and hit.shortfalls == []


def test_faculty_absence_lists_fmit_weeks(program, published):
    year, version, block2, ana, day = published
    doc = FacultyFactory(program=program)
    friday = D(2026, 8, 7)
    for offset in range(3):
        SessionAssignmentFactory(
            program=program,
            version=version,
            person=doc,
            date=friday + dt.timedelta(days=offset),
            activity=Activity.FMIT,
        )
    absence = AbsenceFactory(
        program=program, person=doc, kind=AbsenceKind.CONFERENCE, start_date=D(2026, 8, 8), end_date=D(2026, 8, 12)
    )

    [hit] = absence_conflicts(absence=absence).years

    assert hit.fmit_weeks == [friday]  # the program's FMIT weeks start on Friday
    assert hit.acgme_after is None  # the ACGME rules are for residents


def test_without_a_published_schedule_nothing_is_hit_and_repair_is_refused(program, coordinator):
    academic_year_create(program=program, start_date=D(2026, 7, 1), make_current=True)
    RotationTemplateFactory(program=program)
    absence = AbsenceFactory(program=program, status=Absence.Status.APPROVED)

    impact = absence_conflicts(absence=absence)

    assert impact.years[0].version is None and not impact.has_conflicts
    with pytest.raises(Exception, match="No published schedule"):
        absence_repair_start(absence=absence, user=coordinator)


def test_conflict_page_shows_the_hits_and_approve_and_repair_starts_a_run(
    client, program, published, coordinator, django_capture_on_commit_callbacks
):
    year, version, block2, ana, day = published
    absence = AbsenceFactory(program=program, person=ana, start_date=day, end_date=day + dt.timedelta(days=3))
    client.force_login(coordinator)

    page = client.get(reverse("absence-impact", args=[absence.pk])).content.decode()
    assert "ICU" in page and "allows no leave" in page and "1 resident left, needs 2" in page
    assert 'value="approve_repair"' in page

    with django_capture_on_commit_callbacks(execute=False):  # the solve is not started here
        response = client.post(reverse("absence-impact", args=[absence.pk]), {"action": "approve_repair"})

    run = ScheduleRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("run-detail", args=[run.pk])
    # block 2 and the blocks sharing an ACGME window with the absence's days
    assert (run.first_block, run.last_block, run.parameters["absence_id"]) == (1, 3, absence.pk)
    absence.refresh_from_db()
    assert absence.status == "approved"
    assert absence_repair_runs(absence=absence) == [run]


def test_conflict_page_is_for_managers_of_the_program(client, program, published, member, other_program):
    year, version, block2, ana, day = published
    absence = AbsenceFactory(program=program, person=ana, start_date=day, end_date=day)

    client.force_login(member(Role.RESIDENT))
    assert client.get(reverse("absence-impact", args=[absence.pk])).status_code == 403
    client.force_login(member(Role.COORDINATOR, in_program=other_program))
    assert client.get(reverse("absence-impact", args=[absence.pk])).status_code == 404


# Repair with the real engine.


def _changed_cells(draft: ScheduleVersion, base: ScheduleVersion) -> int:
    changes = version_changes(version=draft, base=base)
    return changes.block_count + changes.session_count + changes.call_count


def test_repair_after_a_deployment_is_compliant_and_changes_less_than_a_fresh_schedule(program, coordinator):
    year, wards = tiny_program(program, coordinator)
    first = schedule_run_start(
        academic_year=year,
        user=coordinator,
        first_block=1,
        last_block=3,
        time_limit=SAFETY_TIME_LIMIT,
        work_limit=WORK_LIMIT,
        seed=1,
        workers=1,
    )
    schedule_run_execute(run_id=first.pk)
    first.refresh_from_db()
    assert first.status == "succeeded", first.message
    published = schedule_version_publish(version=ScheduleVersion.objects.get(run=first), user=coordinator)
    block2 = Block.objects.get(academic_year=year, number=2)
    # by id: the rows' own ordering goes by the person's (random) name, which made the deployed resident vary
    deployed = BlockAssignment.objects.filter(version=published, block=block2).order_by("person_id").first().person
    deployment = AbsenceFactory(
        program=program,
        person=deployed,
        kind=AbsenceKind.DEPLOYMENT,
        orders_reference="ORD-2026-17",
        start_date=block2.start_date,
        end_date=block2.end_date,
    )
    deployment = absence_request_approve(absence=deployment, user=coordinator)

    run = absence_repair_start(
        absence=deployment, user=coordinator, time_limit=SAFETY_TIME_LIMIT, work_limit=WORK_LIMIT, seed=0, workers=1
    )
    schedule_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    assert run.statistics["acgme"]["compliant"] is True
    repaired = ScheduleVersion.objects.get(pk=run.statistics["version_id"])
    assert repaired.status == "draft"
    away = (block2.start_date, block2.end_date)
    worked = SessionAssignment.objects.filter(version=repaired, person=deployed, date__range=away).exclude(
        activity__in=(Activity.LEAVE, Activity.OFF)
    )
    assert not worked.exists()
    assert not CallAssignment.objects.filter(version=repaired, person=deployed, start__date__range=away).exists()
    assert (run.first_block, run.last_block) == (1, 3)  # block 2 and the blocks sharing its ACGME windows
    for number in (1, 3):  # the blocks around the absence keep the published rotations (minimal change)
        block = Block.objects.get(academic_year=year, number=number)
        kept = set(BlockAssignment.objects.filter(version=repaired, block=block).values_list("person", "rotation"))
        assert kept == set(
            BlockAssignment.objects.filter(version=published, block=block).values_list("person", "rotation")
        )

    # a fresh schedule of the same blocks the repair re-solves, from scratch (no reference)
    fresh_run = ScheduleRun.objects.create(
        program=program, academic_year=year, first_block=1, last_block=3, created_by=coordinator
    )
    problem = problem_for(academic_year=year, blocks=range(1, 4))
    assert [a.person for a in problem.absences] == [f"p{deployed.pk}"]
    solution = engine_model.solve(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=WORK_LIMIT, workers=1, seed=7)
    fresh = solution_write(run=fresh_run, solution=solution)
    ScheduleRun.objects.filter(pk=fresh_run.pk).update(status="succeeded", statistics={"version_id": fresh.pk})
    fresh_run.refresh_from_db()

    repaired_changes, fresh_changes = _changed_cells(repaired, published), _changed_cells(fresh, published)
    assert 0 < repaired_changes < fresh_changes, (repaired_changes, fresh_changes)
    assert RotationTemplate.objects.get(pk=wards.pk).leave_allowed
