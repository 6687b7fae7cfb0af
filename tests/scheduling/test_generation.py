"""Schedule runs: start (rules, permissions, queueing), execute with the real engine, cancel, failures, workers."""

import datetime as dt
import logging
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from config.celery import app as celery_app
from scheduling import engine_io, tasks
from scheduling.engine import model as engine_model
from scheduling.engine.solution import Solution, Statistics
from scheduling.models import (
    BlockAssignment,
    CallAssignment,
    RotationRequirement,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.services import (
    INTERNAL_ERROR_MESSAGE,
    academic_year_create,
    schedule_run_cancel,
    schedule_run_execute,
    schedule_run_start,
    schedule_runs_fail_stale,
    scheduling_settings_update,
)
from tenants.errors import ConflictError, DomainError
from tenants.models import Role
from tests.scheduling.factories import (
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleRunFactory,
    ScheduleVersionFactory,
)

pytestmark = pytest.mark.django_db

Status = ScheduleRun.Status
TIME_LIMIT = 20  # seconds; the tiny program solves to optimality in well under that
WAIT = 240  # generous wall-clock bound for background runs


def tiny_program(program, user):
    """Six residents, two faculty, wards (call) and clinic: a problem the engine solves in seconds."""
    no_fmit = {"min_attendings": 0, "max_attendings": 0}
    year = academic_year_create(program=program, start_date=dt.date(2026, 7, 1), make_current=True, fmit=no_fmit)
    for pgy in (1, 1, 2, 2, 3, 3):
        ResidentFactory(program=program, pgy=pgy)
    for _ in range(2):
        FacultyFactory(program=program, fmit_target_weeks=None, clinic_min_per_week=0)
    wards = RotationTemplateFactory(
        program=program, name="Wards", abbreviation="W", min_residents=2, max_residents=4, call_eligible=True
    )
    RotationTemplateFactory(
        program=program, name="Clinic", abbreviation="C", kind=RotationTemplate.Kind.OUTPATIENT_CLINIC
    )
    settings = {
        "requirements": {
            "clinic_sessions_per_week": {"1": 1, "2": 1, "3": 1},
            "clinic_capacity": 6,
            "call": [{"per_night": 1}],
        }
    }
    scheduling_settings_update(program=program, user=user, settings=settings)
    return year, wards


@pytest.fixture
def tiny(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    return year


def start(year, user, **options):
    return schedule_run_start(academic_year=year, user=user, time_limit=TIME_LIMIT, **options)


# Starting


def test_schedule_run_start_queues_the_run_after_commit(
    tiny, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    dispatched = []
    monkeypatch.setattr(tasks, "schedule_run_dispatch", dispatched.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = start(tiny, coordinator, first_block=2, last_block=3, seed=7, workers=1)
    assert dispatched == []  # nothing runs before the run is committed
    for callback in callbacks:
        callback()

    assert dispatched == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.first_block, run.last_block, run.created_by) == (Status.QUEUED, 2, 3, coordinator)
    assert run.parameters == {"time_limit": TIME_LIMIT, "seed": 7, "workers": 1}


def test_schedule_run_start_defaults_to_the_whole_year(tiny, coordinator):
    run = start(tiny, coordinator)

    assert (run.first_block, run.last_block) == (1, 13)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_schedule_run_start_is_refused_to_non_managers(tiny, member, role):
    with pytest.raises(PermissionDenied, match="Only the admins and coordinators"):
        start(tiny, member(role))

    assert not ScheduleRun.objects.exists()


def test_coordinator_of_another_program_cannot_start_cancel_or_publish(tiny, member, other_program, coordinator):
    stranger = member(Role.COORDINATOR, in_program=other_program)
    run = start(tiny, coordinator)
    draft = ScheduleVersionFactory(academic_year=tiny, number=1)

    from scheduling.services import schedule_version_publish

    with pytest.raises(PermissionDenied):
        start(tiny, stranger)
    with pytest.raises(PermissionDenied):
        schedule_run_cancel(run=run, user=stranger)
    with pytest.raises(PermissionDenied):
        schedule_version_publish(version=draft, user=stranger)

    run.refresh_from_db()
    draft.refresh_from_db()
    assert (run.status, run.cancel_requested, draft.status) == (Status.QUEUED, False, "draft")
    assert ScheduleRun.objects.count() == 1


def test_schedule_run_start_refuses_a_second_active_run_of_the_year(tiny, coordinator):
    first = start(tiny, coordinator)

    with pytest.raises(ConflictError, match=rf"already has a schedule run in progress \(Run #{first.pk} \(Queued\)"):
        start(tiny, coordinator, first_block=4, last_block=4)

    assert ScheduleRun.objects.count() == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"first_block": 5, "last_block": 2}, r"^Blocks 5-2: the first block comes after the last\.$"),
        ({"first_block": 1, "last_block": 99}, r"^Block 99 does not exist: 2026-2027 has blocks 1-13\.$"),
        ({"first_block": 0}, r"^Block 0 does not exist"),
        ({"time_limit": 0}, r"time limit must be from 1 to 3600 seconds"),
        ({"work_limit": 0}, r"work limit must be from 0.01 to 3600"),
        ({"workers": 0}, r"number of solver workers must be from 1 to 32"),
        ({"seed": -1}, r"seed must not be negative"),
    ],
)
def test_schedule_run_start_refuses_bad_options_readably(tiny, coordinator, options, message):
    with pytest.raises(DomainError, match=message):
        schedule_run_start(academic_year=tiny, user=coordinator, **{"time_limit": 10, **options})

    assert not ScheduleRun.objects.exists()


def test_a_work_limit_is_kept_with_the_run_and_stops_the_engine(tiny, coordinator, monkeypatch):
    received = []
    real = engine_model.solve

    def solve(problem, **options):
        received.append(options["work_limit"])
        return real(problem, **options)

    monkeypatch.setattr(engine_model, "solve", solve)
    run = start(tiny, coordinator, first_block=1, last_block=1, work_limit=0.5, workers=1)
    schedule_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.parameters == {"time_limit": TIME_LIMIT, "seed": 0, "workers": 1, "work_limit": 0.5}
    assert received == [0.5] and run.status == Status.SUCCEEDED, run.message


def test_stale_running_run_is_failed_and_stops_blocking_new_runs(tiny, coordinator):
    dead = ScheduleRunFactory(
        academic_year=tiny,
        status=Status.RUNNING,
        parameters={"time_limit": 60},
        started_at=timezone.now() - dt.timedelta(minutes=7),
    )
    alive = ScheduleRunFactory(
        academic_year=tiny, status=Status.RUNNING, parameters={"time_limit": 600}, started_at=timezone.now()
    )
    alive.status = Status.SUCCEEDED  # finished meanwhile, so it does not block the new run either
    alive.save()

    run = start(tiny, coordinator)

    dead.refresh_from_db()
    assert dead.status == Status.FAILED
    assert "its worker probably stopped" in dead.message
    assert run.status == Status.QUEUED


def test_schedule_runs_fail_stale_keeps_runs_within_their_time_limit(tiny, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    now = timezone.now()
    running = ScheduleRunFactory(
        academic_year=tiny, status=Status.RUNNING, parameters={"time_limit": 600}, started_at=now
    )
    queued = ScheduleRunFactory(academic_year=tiny, status=Status.QUEUED, parameters={"time_limit": 60})

    assert schedule_runs_fail_stale(now=now + dt.timedelta(minutes=14)) == 0
    assert schedule_runs_fail_stale(now=now + dt.timedelta(minutes=16)) == 1  # 600 s + 5 min
    assert schedule_runs_fail_stale(now=now + dt.timedelta(hours=25)) == 1  # queued with a broker: a day

    running.refresh_from_db()
    queued.refresh_from_db()
    assert (running.status, queued.status) == (Status.FAILED, Status.FAILED)
    assert queued.message.startswith("No worker picked it up")


# Executing with the engine


def test_run_goes_queued_running_succeeded_writing_progress_and_a_draft(tiny, coordinator):
    run = start(tiny, coordinator, first_block=1, last_block=1)
    seen = []

    def watch(progress):
        row = ScheduleRun.objects.get(pk=run.pk)
        seen.append((row.status, row.solutions_found, row.objective, progress.solutions))

    result = schedule_run_execute(run_id=run.pk, on_progress=watch)

    run.refresh_from_db()
    assert result == run
    assert run.status == Status.SUCCEEDED, run.message
    assert seen and all(status == Status.RUNNING for status, *_ in seen)
    assert all(found == solutions and objective is not None for _, found, objective, solutions in seen)
    assert run.solutions_found >= 1 and run.objective is not None and run.best_bound is not None
    assert run.gap is not None and run.gap >= 0
    assert run.started_at <= run.finished_at and run.elapsed_seconds > 0
    stats = run.statistics
    assert stats["status"] in ("optimal", "feasible")
    assert set(stats["soft_costs"]) >= {"coverage_shortfall", "call_fairness", "change"}
    assert "call_nights" in stats["fairness"]
    assert stats["acgme"]["compliant"] is True and stats["acgme"]["people_checked"] == 6
    version = ScheduleVersion.objects.get(pk=stats["version_id"])
    assert (version.status, version.run, version.number, stats["version_number"]) == ("draft", run, 1, 1)
    assert BlockAssignment.objects.filter(version=version).count() == 6  # six residents, one block
    assert SessionAssignment.objects.filter(version=version).count() == 8 * 28 * 2  # everyone, every session
    calls = CallAssignment.objects.filter(version=version)
    assert calls.count() == 28 and {call.source for call in calls} == {"solver"}
    statuses = list(run.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == [Status.QUEUED, Status.RUNNING, Status.SUCCEEDED]


def test_run_execute_is_idempotent(tiny, coordinator):
    run = start(tiny, coordinator, first_block=1, last_block=1)
    schedule_run_execute(run_id=run.pk)

    again = schedule_run_execute(run_id=run.pk)

    assert again.status == Status.SUCCEEDED
    assert ScheduleVersion.objects.count() == 1
    assert schedule_run_execute(run_id=run.pk + 1000) is None


def test_run_keeps_the_published_version_as_its_reference(tiny, coordinator):
    first = start(tiny, coordinator, first_block=1, last_block=1)
    schedule_run_execute(run_id=first.pk)
    from scheduling.services import schedule_version_publish

    published = schedule_version_publish(version=ScheduleVersion.objects.get(), user=coordinator)
    again = start(tiny, coordinator, first_block=1, last_block=1)
    schedule_run_execute(run_id=again.pk)

    again.refresh_from_db()
    assert again.status == Status.SUCCEEDED
    assert again.statistics["soft_costs"]["change"] == 0  # nothing changed, so the same schedule came back
    published.refresh_from_db()
    assert published.status == "published"


def test_cancel_mid_run_keeps_the_best_schedule_as_a_draft(tiny, coordinator):
    run = start(tiny, coordinator)  # the whole year: found in seconds, far from proven optimal when cancelled
    run.parameters = {**run.parameters, "time_limit": 600}
    run.save()

    def cancel_at_first_schedule(progress):
        if progress.solutions and not ScheduleRun.objects.get(pk=run.pk).cancel_requested:
            schedule_run_cancel(run=run, user=coordinator)

    schedule_run_execute(run_id=run.pk, on_progress=cancel_at_first_schedule)

    run.refresh_from_db()
    assert run.status == Status.CANCELLED, (run.status, run.message)
    assert run.statistics["status"] == "cancelled"
    assert run.elapsed_seconds < 300
    version = ScheduleVersion.objects.get(pk=run.statistics["version_id"])
    assert version.status == "draft"
    assert BlockAssignment.objects.filter(version=version).count() == 6 * 13
    assert "best schedule found so far is kept" in run.message


def test_cancel_of_a_queued_run_ends_it_before_it_starts(tiny, coordinator):
    run = start(tiny, coordinator)

    schedule_run_cancel(run=run, user=coordinator)
    schedule_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert (run.status, run.cancel_requested, run.message) == (Status.CANCELLED, True, "Cancelled before it started.")
    assert run.started_at is None and not ScheduleVersion.objects.exists()


def test_infeasible_run_stores_the_engines_explanation(program, coordinator):
    year, wards = tiny_program(program, coordinator)
    clinic = RotationTemplate.objects.get(program=program, abbreviation="C")
    # Every PGY-1 must spend the whole year on wards and the whole year in clinic: impossible in any block.
    RotationRequirement.objects.create(program=program, pgy=1, rotation=wards, min_blocks=13)
    RotationRequirement.objects.create(program=program, pgy=1, rotation=clinic, min_blocks=13)
    run = start(year, coordinator, first_block=1, last_block=1)

    schedule_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == Status.INFEASIBLE
    assert run.message.startswith("No schedule meets every hard rule")
    assert run.statistics["status"] == "infeasible"
    assert run.statistics["conflicts"] and all(c["message"] for c in run.statistics["conflicts"])
    assert run.statistics["version_id"] is None
    assert not ScheduleVersion.objects.exists()


@pytest.fixture
def published(tiny):
    version = ScheduleVersionFactory(
        academic_year=tiny, number=1, status="published", published_at=timezone.now(), note="the live one"
    )
    return version


def assert_untouched(published):
    published.refresh_from_db()
    assert list(ScheduleVersion.objects.all()) == [published]
    assert (published.status, published.note) == ("published", "the live one")


def test_failed_run_keeps_the_published_version_and_logs_the_traceback(
    tiny, coordinator, published, monkeypatch, caplog
):
    def crash(problem, **options):
        raise RuntimeError("connection string postgres://secret")

    monkeypatch.setattr(engine_model, "solve", crash)
    run = start(tiny, coordinator, first_block=1, last_block=1)

    with caplog.at_level(logging.ERROR, logger="scheduling.services"):
        schedule_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.message == INTERNAL_ERROR_MESSAGE.format(pk=run.pk)
    assert "secret" not in run.message
    assert "Traceback" in caplog.text and "postgres://secret" in caplog.text
    assert_untouched(published)


def test_run_whose_draft_cannot_be_written_fails_and_leaves_nothing(tiny, coordinator, published, monkeypatch):
    real = engine_io.bulk_create_with_history

    def crash_on_calls(objs, model, **kwargs):
        if model is CallAssignment:
            raise RuntimeError("disk full")
        return real(objs, model, **kwargs)

    monkeypatch.setattr(engine_io, "bulk_create_with_history", crash_on_calls)
    run = start(tiny, coordinator, first_block=1, last_block=1)

    schedule_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert not BlockAssignment.objects.exists() and not SessionAssignment.objects.exists()
    assert_untouched(published)


def test_run_without_a_schedule_in_time_fails_readably(tiny, coordinator, monkeypatch):
    monkeypatch.setattr(engine_model, "solve", lambda problem, **options: Solution(Statistics(status="timeout")))
    run = start(tiny, coordinator, first_block=1, last_block=1)

    schedule_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.message == f"No schedule was found within the time limit of {TIME_LIMIT} s; try a longer time limit."


# Background execution


def wait_for(thread: threading.Thread) -> None:
    thread.join(WAIT)
    assert not thread.is_alive(), "the background run did not finish in time"


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_solves_in_a_background_thread_not_in_the_request(program, coordinator, monkeypatch):
    year, _ = tiny_program(program, coordinator)
    threads = []
    real_dispatch = tasks.schedule_run_dispatch
    monkeypatch.setattr(tasks, "schedule_run_dispatch", lambda run_id: threads.append(real_dispatch(run_id)))
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)

    run = start(year, coordinator, first_block=1, last_block=1)  # autocommit: dispatched on return

    assert len(threads) == 1
    thread = threads[0]
    assert thread is not threading.current_thread() and thread.daemon and thread.name == f"schedule-run-{run.pk}"
    wait_for(thread)
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.message
    assert ScheduleVersion.objects.filter(run=run).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_on_the_solver_queue_runs_the_schedule(program, coordinator):
    """No eager mode: the task goes through the configured broker (Redis in CI, memory:// otherwise)."""
    year, _ = tiny_program(program, coordinator)
    finished = threading.Event()

    def on_postrun(sender=None, **kwargs):
        if getattr(sender, "name", None) == tasks.schedule_run_execute_task.name:
            finished.set()  # waiting on the signal keeps this thread off the database while the worker writes

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    task_postrun.connect(on_postrun, weak=False)
    try:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_declare(queue=tasks.SOLVER_QUEUE, durable=True, auto_delete=False)
            connection.default_channel.queue_purge(tasks.SOLVER_QUEUE)  # leftovers of earlier sessions
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, queues=[tasks.SOLVER_QUEUE], shutdown_timeout=WAIT
        ):
            run = start(year, coordinator, first_block=1, last_block=1)
            assert finished.wait(WAIT), "the worker did not finish the run in time"
    finally:
        task_postrun.disconnect(on_postrun)
        celery_app.conf.task_always_eager = eager
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.message
    assert ScheduleVersion.objects.get(run=run).status == "draft"
