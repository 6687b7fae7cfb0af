"""Writes that carry the scheduling rules: academic years and blocks, day types, session times,
scheduling settings, schedule runs (start, execute, cancel) and publishing a schedule version.
"""

import dataclasses
import datetime as dt
import json
import logging
import math
import threading
import time
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import holidays
from django.conf import settings as django_settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from scheduling.announcements import announce_change, announce_published, announce_run_finished
from scheduling.compliance import (
    FREE_ACTIVITIES,
    RULE_LABELS,
    CallChange,
    Changes,
    activities_with_changes,
    block_changes,
    call_nights,
    call_period,
    calls_with_changes,
    person_report,
)
from scheduling.engine.calendar import BlockDates, academic_year_end, block_dates
from scheduling.engine.problem import Problem
from scheduling.engine.solution import Progress, Solution
from scheduling.engine_io import problem_for, solution_write
from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    Person,
    ScheduleRun,
    ScheduleVersion,
    Session,
    SessionAssignment,
    SessionTime,
    Source,
)
from scheduling.program_settings import (
    SETTINGS_KEY,
    SchedulingSettings,
    scheduling_settings,
    settings_from_json,
    settings_to_json,
)
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action, can

logger = logging.getLogger(__name__)

DEFAULT_SESSION_TIMES = {
    Session.AM: (dt.time(7, 0), dt.time(12, 0)),
    Session.PM: (dt.time(13, 0), dt.time(17, 0)),
}
OBSERVED_SUFFIX = " (observed)"


def _require_program(program: Organization) -> None:
    if not program.is_program:
        raise DomainError(f"{program} is an institution; choose one of its programs.")


def _validated(instance: models.Model) -> None:
    """Run the model's own checks and turn their complaints into one readable DomainError."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        parts = []
        for field, messages in exc.message_dict.items():
            label = "" if field == NON_FIELD_ERRORS else f"{capfirst(instance._meta.get_field(field).verbose_name)}: "
            parts.extend(f"{label}{message}" for message in messages)
        raise DomainError(" ".join(parts)) from exc


def _year_name(start: dt.date, end: dt.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


def academic_year_plan(
    *,
    program: Organization,
    start_date: dt.date,
    name: str | None = None,
    block_count: int = 13,
    block_length_days: int = 28,
    block_start_weekday: int | None = None,
    orientation_days: int = 0,
) -> tuple[AcademicYear, list[BlockDates]]:
    """Check a new academic year without writing: the unsaved year and its block dates, or a DomainError.

    The year ends the day before the same date next year; one that overlaps or is named like an
    existing year of the program is refused, and so are blocks that cannot fit.
    """
    _require_program(program)
    end_date = academic_year_end(start_date)
    name = name or _year_name(start_date, end_date)
    clash = (
        AcademicYear.objects.for_program(program)
        .filter(Q(name=name) | Q(start_date__lte=end_date, end_date__gte=start_date))
        .first()
    )
    if clash is not None:
        raise ConflictError(
            f"{program} already has the academic year {clash.name} ({clash.start_date} to {clash.end_date}); "
            f"a new year {name} ({start_date} to {end_date}) would duplicate or overlap it."
        )
    try:
        dates = block_dates(
            start_date,
            end_date,
            block_count=block_count,
            block_length_days=block_length_days,
            block_start_weekday=block_start_weekday,
            orientation_days=orientation_days,
        )
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    year = AcademicYear(
        program=program,
        name=name,
        start_date=start_date,
        end_date=end_date,
        block_count=block_count,
        block_length_days=block_length_days,
        block_start_weekday=block_start_weekday,
        orientation_days=orientation_days,
    )
    _validated(year)
    return year, dates


@transaction.atomic
def academic_year_create(
    *,
    program: Organization,
    start_date: dt.date,
    name: str | None = None,
    block_count: int = 13,
    block_length_days: int = 28,
    block_start_weekday: int | None = None,
    orientation_days: int = 0,
    make_current: bool = False,
) -> AcademicYear:
    """Create a program's academic year and its blocks, as checked by `academic_year_plan`.

    `make_current` moves the program's current flag to the new year.
    """
    plan = {
        "program": program,
        "start_date": start_date,
        "name": name,
        "block_count": block_count,
        "block_length_days": block_length_days,
        "block_start_weekday": block_start_weekday,
        "orientation_days": orientation_days,
    }
    year, dates = academic_year_plan(**plan)
    if make_current:
        _current_flag_clear(program_id=year.program_id)
        year.is_current = True
    year.save()
    for block in dates:
        Block.objects.create(
            program=year.program, academic_year=year, number=block.number, start_date=block.start, end_date=block.end
        )
    return year


@transaction.atomic
def academic_year_make_current(*, academic_year: AcademicYear) -> AcademicYear:
    """Make this the program's current academic year; the previously current one stops being current."""
    _current_flag_clear(program_id=academic_year.program_id, keep=academic_year)
    if not academic_year.is_current:
        academic_year.is_current = True
        academic_year.save(update_fields=["is_current"])
    return academic_year


def _current_flag_clear(*, program_id: int, keep: AcademicYear | None = None) -> None:
    """Unset the program's current year (saving each row, so the change is in the history)."""
    current = AcademicYear.objects.select_for_update().filter(program_id=program_id, is_current=True)
    for year in current.exclude(pk=keep.pk) if keep else current:
        year.is_current = False
        year.save(update_fields=["is_current"])


def _federal_holidays(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Each US federal holiday between the dates, on the day it is observed (weekend ones move to Friday or Monday)."""
    years = range(start.year - 1, end.year + 2)
    actual = holidays.US(years=years, observed=False, language="en_US")
    substitutes = {day: name for day, name in holidays.US(years=years, language="en_US").items() if day not in actual}
    found: dict[dt.date, str] = {}
    for day, name in actual.items():
        moved = (other for other, label in substitutes.items() if label == f"{name}{OBSERVED_SUFFIX}")
        day_off = next((other for other in moved if abs(other - day).days <= 3), day)
        if start <= day_off <= end:
            found[day_off] = substitutes.get(day_off, name)
    return dict(sorted(found.items()))


@transaction.atomic
def calendar_holidays_load(*, academic_year: AcademicYear) -> int:
    """Mark the year's US federal holidays (observed dates) as federal-holiday days with no clinic; idempotent.

    A date the program already gave another special day type (closure, training holiday...) keeps it.
    Returns how many dates are marked as federal holidays.
    """
    marked = 0
    for day, name in _federal_holidays(academic_year.start_date, academic_year.end_date).items():
        wanted = {"day_type": CalendarDay.DayType.FEDERAL_HOLIDAY, "name": name, "capacity_factor": Decimal(0)}
        row, created = CalendarDay.objects.get_or_create(program_id=academic_year.program_id, date=day, defaults=wanted)
        if not created:
            if row.day_type not in (CalendarDay.DayType.NORMAL, CalendarDay.DayType.FEDERAL_HOLIDAY):
                continue
            if any(getattr(row, field) != value for field, value in wanted.items()):
                for field, value in wanted.items():
                    setattr(row, field, value)
                row.save(update_fields=list(wanted))
        marked += 1
    return marked


@transaction.atomic
def session_times_ensure_defaults(*, program: Organization) -> list[SessionTime]:
    """Give the program AM 07:00-12:00 and PM 13:00-17:00 sessions where it has none; existing times are kept."""
    _require_program(program)
    return [
        SessionTime.objects.get_or_create(
            program=program, session=session, defaults={"start_time": start, "end_time": end}
        )[0]
        for session, (start, end) in DEFAULT_SESSION_TIMES.items()
    ]


# Schedule runs.

CANCELLABLE_RUN_STATUSES = frozenset({ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING})


@transaction.atomic
def schedule_run_cancel(*, run: ScheduleRun, user) -> ScheduleRun:
    """Ask a queued or running schedule run to stop (the solver keeps its best solution); idempotent.

    A queued run ends cancelled at once. Only the program's admins and coordinators may; a finished run
    is refused with a ConflictError.
    """
    locked = ScheduleRun.objects.select_for_update(of=("self",)).select_related("program").get(pk=run.pk)
    if not can(user, Action.GENERATE, locked, locked.program):
        raise PermissionDenied("Only the program's admins and coordinators can cancel a schedule run.")
    if locked.status not in CANCELLABLE_RUN_STATUSES:
        status = locked.get_status_display().lower()
        raise ConflictError(f"{locked} has already finished ({status}); there is nothing to cancel.")
    changed = [] if locked.cancel_requested else ["cancel_requested"]
    locked.cancel_requested = True
    if locked.status == ScheduleRun.Status.QUEUED:
        locked.status, locked.finished_at = ScheduleRun.Status.CANCELLED, timezone.now()
        locked.message = "Cancelled before it started."
        changed += ["status", "finished_at", "message"]
    if changed:
        locked.save(update_fields=changed)
    return locked


ACTIVE_RUN_STATUSES = CANCELLABLE_RUN_STATUSES
TIME_LIMIT_RANGE = (1, 3600)
WORKERS_RANGE = (1, 32)
PROGRESS_WRITE_SECONDS = 1.0  # progress reaches the database at most once a second
CANCEL_POLL_SECONDS = 0.5  # the cancel flag is read from the database this often
STOP_GRACE_SECONDS = 30.0  # past its time limit the engine is told to stop ...
ABANDON_GRACE_SECONDS = 120.0  # ... and past this it is given up on
STALE_RUN_GRACE = dt.timedelta(minutes=5)
STALE_QUEUED_WITH_BROKER = dt.timedelta(hours=24)
INTERNAL_ERROR_MESSAGE = (
    "The schedule could not be generated because of an internal error (logged with run #{pk}). "
    "The published schedule is unchanged."
)


# Scheduling settings.


@transaction.atomic
def scheduling_settings_update(
    *, program: Organization, user, settings: SchedulingSettings | dict
) -> SchedulingSettings:
    """Validate and store the program's scheduling settings (Organization.settings["scheduling"]).

    Admins and coordinators may; a SettingsError names the setting at fault and nothing is stored.
    """
    _require_program(program)
    if not can(user, Action.CHANGE, "schedule", program):
        raise PermissionDenied("Only the program's admins and coordinators can change its scheduling settings.")
    value = settings if isinstance(settings, SchedulingSettings) else settings_from_json(settings)
    locked = Organization.objects.select_for_update().get(pk=program.pk)
    locked.settings = {**(locked.settings or {}), SETTINGS_KEY: settings_to_json(value)}
    locked.save(update_fields=["settings"])
    program.settings = locked.settings
    return value


# Schedule runs: validate, start, execute, fail stale ones.


def _year_blocks(academic_year: AcademicYear) -> list[int]:
    return list(Block.objects.filter(academic_year=academic_year).order_by("number").values_list("number", flat=True))


def _refuse_active_run(academic_year: AcademicYear) -> None:
    active = ScheduleRun.objects.filter(academic_year=academic_year, status__in=ACTIVE_RUN_STATUSES).first()
    if active is not None:
        raise ConflictError(
            f"{academic_year} already has a schedule run in progress ({active}, blocks "
            f"{active.first_block}-{active.last_block}); wait for it to finish or cancel it first."
        )


def schedule_run_validate(
    *,
    academic_year: AcademicYear,
    user,
    first_block: int = 1,
    last_block: int | None = None,
    time_limit: float = 60,
    seed: int = 0,
    workers: int = 2,
) -> tuple[int, int]:
    """Check a run before starting it: the user may generate, no other run of the year is active (stale ones
    are failed first), the blocks exist, the limits are sane and the program's data makes a valid problem.
    Returns the block range; raises PermissionDenied or DomainError.

    `user` None is an operator at the command line (manage.py), who has shell access anyway.
    """
    program = academic_year.program
    if user is not None and not can(user, Action.GENERATE, "schedule", program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can generate its schedule.")
    schedule_runs_fail_stale(academic_year=academic_year)
    _refuse_active_run(academic_year)
    numbers = _year_blocks(academic_year)
    if not numbers:
        raise DomainError(f"{academic_year} has no blocks to schedule.")
    last_block = numbers[-1] if last_block is None else last_block
    if first_block > last_block:
        raise DomainError(f"Blocks {first_block}-{last_block}: the first block comes after the last.")
    for number in (first_block, last_block):
        if number not in numbers:
            raise DomainError(f"Block {number} does not exist: {academic_year} has blocks {numbers[0]}-{numbers[-1]}.")
    low, high = TIME_LIMIT_RANGE
    if not (isinstance(time_limit, int | float) and low <= time_limit <= high):
        raise DomainError(f"The time limit must be from {low} to {high} seconds (got {time_limit}).")
    low, high = WORKERS_RANGE
    if not low <= workers <= high:
        raise DomainError(f"The number of solver workers must be from {low} to {high} (got {workers}).")
    if seed < 0:
        raise DomainError(f"The seed must not be negative (got {seed}).")
    problem_for(academic_year=academic_year, blocks=range(first_block, last_block + 1))
    return first_block, last_block


def schedule_run_start(
    *,
    academic_year: AcademicYear,
    user,
    first_block: int = 1,
    last_block: int | None = None,
    time_limit: float = 60,
    seed: int = 0,
    workers: int = 2,
    queue: bool = True,
) -> ScheduleRun:
    """Create a queued run for the year's blocks and queue its solve after commit (the solver queue).

    Checked as by `schedule_run_validate`; a second active run of the same year is refused with a
    ConflictError. `queue=False` leaves the run for the caller to execute (the generate_schedule command).
    """
    first_block, last_block = schedule_run_validate(
        academic_year=academic_year,
        user=user,
        first_block=first_block,
        last_block=last_block,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
    )
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=academic_year.pk).exists()  # one start at a time
        _refuse_active_run(academic_year)
        run = ScheduleRun.objects.create(
            program_id=academic_year.program_id,
            academic_year=academic_year,
            first_block=first_block,
            last_block=last_block,
            parameters={"time_limit": time_limit, "seed": seed, "workers": workers},
            created_by=user,
        )
        if queue:
            from scheduling.tasks import schedule_run_dispatch  # tasks import this module

            transaction.on_commit(lambda: schedule_run_dispatch(run.pk))
    return run


def _run_claim(run_id: int) -> ScheduleRun | None:
    """Move a queued run to running (idempotent: a run in any other state is returned untouched)."""
    with transaction.atomic():
        run = (
            ScheduleRun.objects.select_for_update(of=("self",))
            .select_related("academic_year__program", "created_by")
            .filter(pk=run_id)
            .first()
        )
        if run is None:
            logger.warning("Schedule run %s does not exist; nothing to do.", run_id)
            return None
        if run.status != ScheduleRun.Status.QUEUED:
            logger.info("Schedule run %s is already %s; nothing to do.", run_id, run.status)
            return run
        run.status, run.started_at = ScheduleRun.Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
        return run


def schedule_run_execute(*, run_id: int, on_progress: Callable[[Progress], None] | None = None) -> ScheduleRun | None:
    """Solve a queued run (the body of the Celery task and of generate_schedule) and record the outcome.

    Progress goes to the run at most once a second and to `on_progress`; the cancel flag is read every
    0.5 s. A schedule becomes a new draft version; infeasible, cancelled and failed runs say why.
    """
    run = _run_claim(run_id)
    if run is None or run.status != ScheduleRun.Status.RUNNING:
        return run
    try:
        published = ScheduleVersion.objects.filter(
            academic_year_id=run.academic_year_id, status=ScheduleVersion.Status.PUBLISHED
        ).first()
        problem = problem_for(
            academic_year=run.academic_year,
            blocks=range(run.first_block, run.last_block + 1),
            reference_version=published,
        )
        solution = _solve_watched(run, problem, on_progress)
        return _run_finish(run, solution)
    except DomainError as exc:
        logger.warning("Schedule run %s failed: %s", run.pk, exc)
        return _run_fail(run, str(exc))
    except Exception:
        logger.exception("Schedule run %s failed.", run.pk)
        return _run_fail(run, INTERNAL_ERROR_MESSAGE.format(pk=run.pk))


def _solve_watched(run: ScheduleRun, problem: Problem, on_progress: Callable[[Progress], None] | None) -> Solution:
    """Solve in a helper thread while this thread (the one holding the database connection) writes progress
    and polls the cancel flag; Ctrl-C in the foreground asks for a cancel too.
    """
    from scheduling.engine import model as engine  # OR-Tools loads only where a solve runs

    params = run.parameters or {}
    time_limit = float(params.get("time_limit", 60))
    stop = threading.Event()
    latest: list[Progress] = []
    outcome: dict[str, Any] = {}

    def solve() -> None:
        try:
            outcome["solution"] = engine.solve(
                problem,
                time_limit=time_limit,
                workers=int(params.get("workers", 2)),
                seed=int(params.get("seed", 0)),
                on_progress=latest.append,
                should_stop=stop.is_set,
            )
        except BaseException as exc:  # handed to the waiting thread, which records the failure
            outcome["error"] = exc

    solver = threading.Thread(target=solve, name=f"schedule-run-{run.pk}-solver", daemon=True)
    started = time.monotonic()
    solver.start()
    written: Progress | None = None
    written_at = 0.0
    while solver.is_alive():
        try:
            solver.join(CANCEL_POLL_SECONDS)
            elapsed = time.monotonic() - started
            current = latest[-1] if latest else None
            if (
                current is not None
                and current is not written
                and time.monotonic() - written_at >= PROGRESS_WRITE_SECONDS
            ):
                _progress_write(run.pk, current)
                written, written_at = current, time.monotonic()
                if on_progress is not None:
                    on_progress(current)
            if not stop.is_set() and (
                elapsed > time_limit + STOP_GRACE_SECONDS
                or ScheduleRun.objects.filter(pk=run.pk, cancel_requested=True).exists()
            ):
                stop.set()
            if elapsed > time_limit + ABANDON_GRACE_SECONDS:
                raise DomainError(
                    f"The engine did not stop within {time_limit + ABANDON_GRACE_SECONDS:.0f} s of a "
                    f"{time_limit:.0f} s time limit; the run was abandoned."
                )
        except KeyboardInterrupt:
            ScheduleRun.objects.filter(pk=run.pk).update(cancel_requested=True)
            stop.set()
        except BaseException:
            stop.set()  # the run fails here; do not leave the engine searching in the background
            raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["solution"]


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _progress_write(run_id: int, progress: Progress) -> None:
    """Live progress, written with update() (no history row, no signal) so the page can poll it."""
    gap = _finite(progress.gap)
    ScheduleRun.objects.filter(pk=run_id, status=ScheduleRun.Status.RUNNING).update(
        solutions_found=progress.solutions,
        objective=_finite(progress.objective),
        best_bound=_finite(progress.best_bound),
        gap=None if gap is None else max(0.0, gap),
        elapsed_seconds=progress.elapsed_seconds,
    )


def _json_safe(value: Any) -> Any:
    """Plain JSON (no NaN or infinity, which PostgreSQL refuses): odd values become strings or null."""

    def clean(item: Any) -> Any:
        if isinstance(item, float):
            return _finite(item)
        if isinstance(item, dict):
            return {str(key): clean(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [clean(inner) for inner in item]
        return item

    return clean(json.loads(json.dumps(value, default=str)))


def _acgme_verdict(solution: Solution) -> dict[str, Any] | None:
    """The ACGME checker's verdict on the duties derived from the schedule (None without duties)."""
    if not solution.duties:
        return None
    from scheduling.engine.acgme import check
    from scheduling.engine.duties import parse_duties

    report = check(parse_duties(solution.duties))
    violations = [v for v in report.violations if v.severity == "violation"]
    return {
        "compliant": report.compliant,
        "violations": len(violations),
        "warnings": len(report.violations) - len(violations),
        "people_checked": report.people_checked,
        "first_violations": [
            {"rule": v.rule, "person": v.person, "start": v.start.isoformat(), "value": v.value, "limit": v.limit}
            for v in violations[:10]
        ],
    }


def _run_statistics(solution: Solution) -> dict[str, Any]:
    stats = solution.statistics
    return _json_safe(
        {
            "status": stats.status,
            "objective": stats.objective,
            "best_bound": stats.best_bound,
            "gap": stats.gap,
            "wall_seconds": stats.wall_seconds,
            "first_solution_seconds": stats.first_solution_seconds,
            "best_solution_seconds": getattr(stats, "best_solution_seconds", None),
            "solutions_found": stats.solutions_found,
            "soft_costs": dict(stats.soft_costs),
            "fairness": stats.fairness,
            "conflicts": [dataclasses.asdict(conflict) for conflict in stats.conflicts],
            "message": stats.message,
            "counts": {
                "rotations": len(solution.rotations),
                "sessions": len(solution.sessions),
                "calls": len(solution.calls),
                "fmit_weeks": len(solution.fmit_weeks),
            },
        }
    )


def _run_outcome(run: ScheduleRun, solution: Solution) -> tuple[str, str, bool]:
    """The run's status, its message and whether the schedule is kept as a draft, from the engine's answer."""
    stats = solution.statistics
    status, Status = stats.status, ScheduleRun.Status
    has_schedule = solution.has_schedule
    if status in ("optimal", "feasible", "timeout") and has_schedule:
        return Status.SUCCEEDED, stats.message, True
    if status == "cancelled":
        if has_schedule:
            return (
                Status.CANCELLED,
                stats.message or "Cancelled; the best schedule found so far is kept as a draft.",
                True,
            )
        return Status.CANCELLED, stats.message or "Cancelled before the engine found a schedule.", False
    if status == "infeasible":
        explanation = stats.message or "; ".join(conflict.message for conflict in stats.conflicts)
        return Status.INFEASIBLE, explanation or "No schedule meets every requirement.", False
    if status == "timeout":
        limit = (run.parameters or {}).get("time_limit", 60)
        return (
            Status.FAILED,
            f"No schedule was found within the time limit of {limit:g} s; try a longer time limit.",
            False,
        )
    return Status.FAILED, stats.message or f"The engine gave up ({status}).", False


def _run_finish(run: ScheduleRun, solution: Solution) -> ScheduleRun:
    """Record the engine's answer; the draft version and the run's final state are written together."""
    status, message, keep = _run_outcome(run, solution)
    statistics = _run_statistics(solution)
    if keep:
        statistics["acgme"] = _json_safe(_acgme_verdict(solution))
    stats = solution.statistics
    with transaction.atomic():
        version = solution_write(run=run, solution=solution) if keep else None
        statistics["version_id"] = version.pk if version else None
        statistics["version_number"] = version.number if version else None
        gap = _finite(stats.gap)
        run.status, run.message, run.statistics = status, message, statistics
        run.solutions_found = stats.solutions_found
        run.objective, run.best_bound = _finite(stats.objective), _finite(stats.best_bound)
        run.gap = None if gap is None else max(0.0, gap)
        run.elapsed_seconds = stats.wall_seconds
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "status",
                "message",
                "statistics",
                "solutions_found",
                "objective",
                "best_bound",
                "gap",
                "elapsed_seconds",
                "finished_at",
            ]
        )
        announce_run_finished(run=run)
    return run


def _run_fail(run: ScheduleRun, message: str) -> ScheduleRun:
    """End a running run as failed with a message safe to show; whatever it wrote was rolled back."""
    with transaction.atomic():
        locked = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        locked.status, locked.message, locked.finished_at = ScheduleRun.Status.FAILED, message, timezone.now()
        if locked.started_at:
            locked.elapsed_seconds = (locked.finished_at - locked.started_at).total_seconds()
        locked.save(update_fields=["status", "message", "finished_at", "elapsed_seconds"])
        announce_run_finished(run=locked)
    return locked


def schedule_runs_fail_stale(*, academic_year: AcademicYear | None = None, now: dt.datetime | None = None) -> int:
    """Fail the runs a dead worker left behind, so they do not block new runs forever; returns how many.

    Running: started more than its time limit + 5 minutes ago. Queued: created that long ago when runs are
    dispatched in-process (a restart loses them), or 24 hours ago with a broker (which redelivers them).
    """
    now = now or timezone.now()
    eager = bool(getattr(django_settings, "CELERY_TASK_ALWAYS_EAGER", False))
    runs = ScheduleRun.objects.filter(status__in=ACTIVE_RUN_STATUSES)
    if academic_year is not None:
        runs = runs.filter(academic_year=academic_year)
    failed = 0
    with transaction.atomic():
        for run in runs.select_for_update():
            allowed = dt.timedelta(seconds=float((run.parameters or {}).get("time_limit", 60))) + STALE_RUN_GRACE
            if run.status == ScheduleRun.Status.RUNNING:
                stale = run.started_at is not None and run.started_at + allowed < now
                why = f"It stopped reporting: no result {allowed.total_seconds() / 60:.0f} minutes after it started"
            else:
                stale = run.created_at + (allowed if eager else STALE_QUEUED_WITH_BROKER) < now
                why = "No worker picked it up"
            if stale:
                run.status, run.finished_at = ScheduleRun.Status.FAILED, now
                run.message = f"{why} (its worker probably stopped). Start a new run."
                run.save(update_fields=["status", "finished_at", "message"])
                failed += 1
    if failed:
        logger.warning("Marked %s stale schedule run(s) as failed.", failed)
    return failed


# Schedule versions.


def schedule_version_publish(
    *, version: ScheduleVersion, user, academic_year: AcademicYear | None = None
) -> ScheduleVersion:
    """Publish a draft: the year's previously published version is archived (and stays readable).

    Admins and coordinators only (`user` None: an operator at the command line). A version that is not a
    draft, or not of `academic_year` when given, is refused.
    """
    program = Organization.objects.get(pk=version.program_id)
    if user is not None and not can(user, Action.PUBLISH, version, program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can publish its schedule.")
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=version.academic_year_id).exists()
        locked = (
            ScheduleVersion.objects.select_for_update(of=("self",)).select_related("academic_year").get(pk=version.pk)
        )
        if academic_year is not None and locked.academic_year_id != academic_year.pk:
            raise DomainError(f"Version {locked.number} belongs to {locked.academic_year}, not to {academic_year}.")
        if locked.status != ScheduleVersion.Status.DRAFT:
            raise ConflictError(f"{locked} is {locked.get_status_display().lower()}; only a draft can be published.")
        now = timezone.now()
        previous = ScheduleVersion.objects.select_for_update().filter(
            academic_year_id=locked.academic_year_id, status=ScheduleVersion.Status.PUBLISHED
        )
        for old in previous:
            old.status = ScheduleVersion.Status.ARCHIVED
            old.save(update_fields=["status"])
        locked.status, locked.published_at = ScheduleVersion.Status.PUBLISHED, now
        locked.published_by = user
        locked.save(update_fields=["status", "published_at", "published_by"])
        announce_published(version=locked)
    return locked


# Editing a version's cells (issue 4). A change is checked before it is saved: the ACGME checker on the
# version with the change applied (only what the change newly breaks counts) and the program's rules.
# Breaking a rule needs a reason; the rows are then saved with it and the acknowledging user.
# Drafts and the published version may be edited (a coordinator fixes the live schedule this way; every
# row change is in the history); archived versions may not.


@dataclasses.dataclass(frozen=True, slots=True)
class RuleFinding:
    """A rule an edit would break: an ACGME rule (the checker's id and clause) or a program rule."""

    rule: str
    clause: str
    severity: str
    message: str


class RuleBreachError(DomainError):
    """The edit breaks rules and no reason was given; nothing was saved. `findings` lists each rule."""

    code = "rule_breach"

    def __init__(self, findings: list[RuleFinding]) -> None:
        rules = ", ".join(dict.fromkeys(f"{finding.rule} ({finding.clause})" for finding in findings))
        super().__init__(f"This change breaks {rules}. Give a reason to save it anyway.")
        self.findings = findings


PROGRAM_RULE = "program rule"


def _edit_allowed(*, version: ScheduleVersion, person, user) -> None:
    """The user may change the schedule, the version is not archived and the person is of its program."""
    program = Organization.objects.get(pk=version.program_id)
    if not can(user, Action.CHANGE, "schedule", program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can change its schedule.")
    if version.status == ScheduleVersion.Status.ARCHIVED:
        raise ConflictError(f"{version} is archived; edit the draft or the published schedule instead.")
    if person.program_id != version.program_id:
        raise DomainError(f"{person.full_name} is not in {program}.")


def _acgme_findings(*, version: ScheduleVersion, person, changes) -> list[RuleFinding]:
    """The ACGME violations and warnings the change adds for the person (none for non-residents)."""
    if person.kind != Person.Kind.RESIDENT:
        return []
    before = person_report(version=version, person_ids=[person.pk])
    known = {(v.rule, v.start, v.end, v.value) for v in before.violations}
    after = person_report(version=version, person_ids=[person.pk], changes=changes)
    return [
        RuleFinding(
            rule=v.rule,
            clause=v.clause,
            severity=v.severity,
            message=f"{RULE_LABELS.get(v.rule, v.rule)}: {v.value:g} against a limit of {v.limit:g} "
            f"({v.start:%a %d %b %H:%M} to {v.end:%a %d %b %H:%M}).",
        )
        for v in after.violations
        if (v.rule, v.start, v.end, v.value) not in known
    ]


def _call_spacing_findings(*, version: ScheduleVersion, person, changes) -> list[RuleFinding]:
    """Pairs of in-house call nights the change brings closer than the program allows."""
    program = Organization.objects.get(pk=version.program_id)
    rules = scheduling_settings(program).rules
    gap = max(1, rules.min_days_between_calls)
    zone = zoneinfo.ZoneInfo(program.time_zone)

    def close_pairs(nights: list[dt.date]) -> set[tuple[dt.date, dt.date]]:
        return {(a, b) for a, b in zip(nights, nights[1:], strict=False) if (b - a).days <= gap}

    before = close_pairs(call_nights(calls_with_changes(version, [person.pk], None), zone))
    after = close_pairs(call_nights(calls_with_changes(version, [person.pk], changes), zone))
    findings = []
    for a, b in sorted(after - before):
        what = "consecutive call nights" if (b - a).days == 1 else f"call nights {(b - a).days} days apart"
        findings.append(
            RuleFinding(
                rule="call_spacing",
                clause=PROGRAM_RULE,
                severity="violation",
                message=f"{a:%a %d %b} and {b:%a %d %b} are {what}; the program needs at least {gap} "
                f"night(s) off call after a call (at most {rules.max_consecutive_calls} in a row).",
            )
        )
    return findings


def _refuse_without_reason(findings: list[RuleFinding], reason: str) -> dict[str, Any]:
    """The override fields to save, or RuleBreachError when rules are broken and no reason was given."""
    if not findings:
        return {"override_reason": "", "acknowledged_by": None}
    if not reason.strip():
        raise RuleBreachError(findings)
    return {"override_reason": reason.strip(), "acknowledged_by": None}


def _changes_save(*, version: ScheduleVersion, changes, override: dict[str, Any], reason: str) -> None:
    """Write a Changes (sessions set or removed, calls removed and added) as manual rows, each in the history."""
    change_reason = reason.strip() or "Manual edit"
    existing = {
        (row.person_id, row.date, row.session): row
        for row in SessionAssignment.objects.filter(
            version=version,
            person_id__in={key[0] for key in changes.sessions},
            date__in={key[1] for key in changes.sessions},
        )
    }
    for key, value in changes.sessions.items():
        row = existing.get(key)
        if value is None:
            if row is not None:
                row._change_reason = change_reason
                row.delete()
            continue
        if row is None:
            row = SessionAssignment(program_id=version.program_id, version=version, person_id=key[0], date=key[1])
            row.session = key[2]
        row.activity, row.rotation_id = value
        row.source = Source.MANUAL
        row.override_reason, row.acknowledged_by = override["override_reason"], override["acknowledged_by"]
        row._change_reason = change_reason
        row.save()
    for call in CallAssignment.objects.filter(version=version, pk__in=changes.calls_removed):
        call._change_reason = change_reason
        call.delete()
    for added in changes.calls_added:
        call = CallAssignment(
            program_id=version.program_id,
            version=version,
            person_id=added.person_id,
            kind=added.kind,
            start=added.start,
            end=added.end,
            worked_hours=None if added.worked_hours is None else Decimal(str(added.worked_hours)),
            source=Source.MANUAL,
            **override,
        )
        call._change_reason = change_reason
        call.save()


@transaction.atomic
def block_assignment_change(
    *, version: ScheduleVersion, person, block: Block, rotation, user, reason: str = ""
) -> BlockAssignment:
    """Give a resident `rotation` for the whole `block` of the version; their half-days and call times in the
    block are re-derived as the engine would. Checked first: PGY eligibility, the rotation's maximum residents,
    and the ACGME rules; breaking any needs a `reason` (saved with the user who acknowledged it).
    """
    _edit_allowed(version=version, person=person, user=user)
    if person.kind != Person.Kind.RESIDENT or not person.is_active:
        raise DomainError(f"Block rotations are for active residents; {person.full_name} is not one.")
    if block.academic_year_id != version.academic_year_id:
        raise DomainError(f"Block {block.number} is not a block of {version.academic_year}.")
    if rotation.program_id != version.program_id or not rotation.is_active:
        raise DomainError(f"{rotation.name} is not an active rotation of this program.")
    findings: list[RuleFinding] = []
    if not rotation.min_pgy <= person.pgy <= rotation.max_pgy:
        findings.append(
            RuleFinding(
                "pgy_eligibility",
                PROGRAM_RULE,
                "violation",
                f"{rotation.name} takes PGY {rotation.min_pgy}-{rotation.max_pgy}; "
                f"{person.full_name} is PGY-{person.pgy}.",
            )
        )
    others = (
        BlockAssignment.objects.filter(version=version, block=block, rotation=rotation)
        .exclude(person=person)
        .values("person_id")
        .distinct()
        .count()
    )
    if rotation.max_residents is not None and others + 1 > rotation.max_residents:
        findings.append(
            RuleFinding(
                "rotation_max_residents",
                PROGRAM_RULE,
                "violation",
                f"{rotation.name} takes at most {rotation.max_residents} residents in block {block.number}; "
                f"this makes {others + 1}.",
            )
        )
    changes = block_changes(version=version, person=person, block=block, rotation=rotation)
    findings += _acgme_findings(version=version, person=person, changes=changes)
    override = _refuse_without_reason(findings, reason)
    if override["override_reason"]:
        override["acknowledged_by"] = user
    rows = BlockAssignment.objects.filter(version=version, person=person, block=block)
    for row in rows.exclude(half=BlockAssignment.Half.WHOLE):
        row._change_reason = reason.strip() or "Manual edit"
        row.delete()
    before = ", ".join(sorted({row.rotation.name for row in rows.select_related("rotation")}))
    assignment = rows.first() or BlockAssignment(
        program_id=version.program_id, version=version, person=person, block=block
    )
    assignment.rotation, assignment.source = rotation, Source.MANUAL
    assignment.override_reason, assignment.acknowledged_by = override["override_reason"], override["acknowledged_by"]
    assignment._change_reason = reason.strip() or "Manual edit"
    assignment.save()
    _changes_save(version=version, changes=changes, override=override, reason=reason)
    announce_change(version=version, person=person, when=f"Block {block.number}", old=before, new=rotation.name)
    return assignment


@transaction.atomic
def session_assignment_change(
    *, version: ScheduleVersion, person, date: dt.date, session: str, activity: str, user, reason: str = ""
) -> SessionAssignment:
    """Set what the person does in one half-day of the version, checked against the ACGME rules first
    (breaking one needs a `reason`). A duty half-day keeps the row's rotation; off, leave, post-call and
    continuity clinic have none.
    """
    _edit_allowed(version=version, person=person, user=user)
    year = version.academic_year
    if not year.start_date <= date <= year.end_date:
        raise DomainError(f"{date:%d %b %Y} is outside {year} ({year.start_date} to {year.end_date}).")
    if session not in Session.values:
        raise DomainError(f"The session must be AM or PM (got {session!r}).")
    if activity not in SessionAssignment.Activity.values:
        raise DomainError(f"Unknown activity {activity!r}.")
    current = SessionAssignment.objects.filter(version=version, person=person, date=date, session=session).first()
    if current is not None and current.activity == activity:
        return current
    keep = current is not None and activity not in FREE_ACTIVITIES and activity != SessionAssignment.Activity.CLINIC
    changes = Changes(sessions={(person.pk, date, session): (activity, current.rotation_id if keep else None)})
    findings = _acgme_findings(version=version, person=person, changes=changes)
    override = _refuse_without_reason(findings, reason)
    if override["override_reason"]:
        override["acknowledged_by"] = user
    _changes_save(version=version, changes=changes, override=override, reason=reason)
    announce_change(
        version=version,
        person=person,
        when=f"{date:%a %d %b %Y} {session}",
        old=current.get_activity_display() if current is not None else "",
        new=SessionAssignment.Activity(activity).label,
    )
    return SessionAssignment.objects.get(version=version, person=person, date=date, session=session)


CALL_ACTIONS = ("add", "remove", "move")


@transaction.atomic
def call_assignment_change(
    *,
    version: ScheduleVersion,
    person,
    date: dt.date,
    action: str,
    user,
    to_date: dt.date | None = None,
    post_call: bool = True,
    reason: str = "",
) -> CallAssignment | None:
    """Add, remove or move (to `to_date`) the person's in-house call starting on the night of `date`.

    A new call runs as the engine derives it (after the day's work, else 24 h from the AM start, to the
    call end next morning); `post_call` makes the duty half-days of the next day post-call. Checked first
    against the ACGME rules and the program's call spacing; breaking one needs a `reason`.
    Returns the new call (None when removed).
    """
    _edit_allowed(version=version, person=person, user=user)
    if person.kind != Person.Kind.RESIDENT:
        raise DomainError(f"In-house call is for residents; {person.full_name} is not one.")
    if action not in CALL_ACTIONS:
        raise DomainError(f"Choose to add, remove or move the call (got {action!r}).")
    year = version.academic_year
    target = to_date if action == "move" else date
    for day in (date, target):
        if day is None:
            raise DomainError("Give the date to move the call to.")
        if not year.start_date <= day <= year.end_date:
            raise DomainError(f"{day:%d %b %Y} is outside {year} ({year.start_date} to {year.end_date}).")
    if action == "move" and target == date:
        raise DomainError("The call already starts on that date; choose another date to move it to.")
    zone = zoneinfo.ZoneInfo(Organization.objects.get(pk=version.program_id).time_zone)
    calls = CallAssignment.objects.filter(version=version, person=person, kind=CallAssignment.Kind.IN_HOUSE)
    on_date = [call for call in calls if call.start.astimezone(zone).date() == date]
    if action == "add" and on_date:
        raise ConflictError(f"{person.full_name} already has an in-house call on {date:%a %d %b}.")
    if action in ("remove", "move") and not on_date:
        raise DomainError(f"{person.full_name} has no in-house call on {date:%a %d %b} to {action}.")
    removed = frozenset(call.pk for call in on_date) if action != "add" else frozenset()
    if action == "move" and any(call.start.astimezone(zone).date() == target for call in calls):
        raise ConflictError(f"{person.full_name} already has an in-house call on {target:%a %d %b}.")
    added: tuple[CallChange, ...] = ()
    sessions: dict[tuple[int, dt.date, str], tuple[str, int | None] | None] = {}
    if action in ("add", "move"):
        start, end = call_period(version=version, person=person, day=target, changes=Changes(calls_removed=removed))
        added = (CallChange(person.pk, CallAssignment.Kind.IN_HOUSE, start, end),)
        if post_call:
            after = target + dt.timedelta(days=1)
            for session, activity in (
                activities_with_changes(version, [person.pk], None).get((person.pk, after), {}).items()
            ):
                if activity not in FREE_ACTIVITIES:
                    sessions[(person.pk, after, session)] = (SessionAssignment.Activity.POST_CALL, None)
    changes = Changes(sessions=sessions, calls_removed=removed, calls_added=added)
    findings = _acgme_findings(version=version, person=person, changes=changes)
    findings += _call_spacing_findings(version=version, person=person, changes=changes)
    override = _refuse_without_reason(findings, reason)
    if override["override_reason"]:
        override["acknowledged_by"] = user
    _changes_save(version=version, changes=changes, override=override, reason=reason)
    announce_change(
        version=version,
        person=person,
        when="In-house call",
        old=f"the night of {date:%a %d %b}" if removed else "",
        new=f"the night of {target:%a %d %b}" if added else "",
    )
    if not added:
        return None
    return CallAssignment.objects.get(version=version, person=person, start=added[0].start)
