"""Schedule runs: validate, start, execute in the background, cancel, fail when stale."""

import dataclasses
import datetime as dt
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from scheduling.announcements import announce_run_finished
from scheduling.compliance import version_report
from scheduling.engine.problem import Problem
from scheduling.engine.scenarios import scenario_problem
from scheduling.engine.shedding import CLINIC, needs_shedding, shed_service, uncovered
from scheduling.engine.solution import Progress, Solution
from scheduling.engine_io import person_key, person_pk, problem_for, problem_with_wishes, rotation_key, solution_write
from scheduling.models import (
    AcademicYear,
    Block,
    Person,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
)
from tenants.background import background_cancel
from tenants.errors import ConflictError, DomainError
from tenants.permissions import Action, can

logger = logging.getLogger(__name__)


CANCELLABLE_RUN_STATUSES = frozenset({ScheduleRun.Status.QUEUED, ScheduleRun.Status.RUNNING})


@transaction.atomic
def schedule_run_cancel(*, run: ScheduleRun, user) -> ScheduleRun:
    """Ask a queued or running schedule run to stop (the solver keeps its best solution); idempotent.

    A queued run ends cancelled at once. Only the program's admins and coordinators may; a finished run
    is refused with a ConflictError.
    """
    locked = ScheduleRun.objects.select_for_update(of=("self",)).select_related("program").get(pk=run.pk)
    return background_cancel(
        locked,
        allowed=can(user, Action.GENERATE, locked, locked.program),
        denied="Only the program's admins and coordinators can cancel a schedule run.",
        active=locked.status in CANCELLABLE_RUN_STATUSES,
        not_begun="Cancelled before it started.",
        finished="; there is nothing to cancel",
    )


ACTIVE_RUN_STATUSES = CANCELLABLE_RUN_STATUSES
# The bounds of a run's inputs, shared by the API serializer, the page form, the admin form and the check below.
TIME_LIMIT_RANGE = (1, 3600)
WORK_LIMIT_RANGE = (0.01, 3600)  # CP-SAT deterministic time (scheduling/engine/limits.py)
WORKERS_RANGE = (1, 32)
SEED_RANGE = (0, 2**31 - 1)  # OR-Tools' random_seed is a 32-bit signed int; larger seeds crash the solve
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


SCENARIO_KEY = "scenario"


@dataclasses.dataclass(frozen=True, slots=True)
class RunScenario:
    """A failure scenario a run solves for (a fallback schedule): `lost` people (Person ids) absent from `start` to
    `end`, and the services it may cut, first first, while coverage stays short (`shed_order`: rotation ids, or
    None for the continuity clinic). Its `label` becomes the draft's note."""

    label: str
    lost: tuple[int, ...]
    start: dt.date
    end: dt.date
    shed_order: tuple[int | None, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "lost": list(self.lost),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "shed_order": list(self.shed_order),
        }

    @classmethod
    def from_parameters(cls, parameters: dict[str, Any] | None) -> "RunScenario | None":
        data = (parameters or {}).get(SCENARIO_KEY)
        if not data:
            return None
        return cls(
            label=data["label"],
            lost=tuple(data["lost"]),
            start=dt.date.fromisoformat(data["start"]),
            end=dt.date.fromisoformat(data["end"]),
            shed_order=tuple(data.get("shed_order") or ()),
        )

    def service_key(self, rotation_id: int | None) -> str:
        return CLINIC if rotation_id is None else rotation_key(rotation_id)


def _check_scenario(academic_year: AcademicYear, scenario: RunScenario, first_block: int, last_block: int) -> None:
    """Refuse a scenario naming nobody, someone not active in the program, a window outside the run's blocks or a
    service the program does not have."""
    program = academic_year.program
    if not scenario.label.strip():
        raise DomainError("Name the scenario.")
    if not scenario.lost:
        raise DomainError("A scenario loses at least one person.")
    found = set(
        Person.objects.for_program(program).filter(pk__in=scenario.lost, is_active=True).values_list("pk", flat=True)
    )
    if missing := [pk for pk in scenario.lost if pk not in found]:
        raise DomainError(f"The scenario names people who are not active in {program}: ids {missing}.")
    blocks = Block.objects.filter(academic_year=academic_year, number__in=(first_block, last_block)).order_by("number")
    low, high = blocks.first().start_date, blocks.last().end_date
    if not (low <= scenario.start <= scenario.end <= high):
        raise DomainError(f"The people are lost from {scenario.start} to {scenario.end}: keep it within {low}-{high}.")
    rotations = {pk for pk in scenario.shed_order if pk is not None}
    if rotations - set(
        RotationTemplate.objects.for_program(program).filter(pk__in=rotations).values_list("pk", flat=True)
    ):
        raise DomainError(f"The load-shedding order names a service {program} does not have.")


# Scheduling settings.


def _year_blocks(academic_year: AcademicYear) -> list[int]:
    return list(Block.objects.filter(academic_year=academic_year).order_by("number").values_list("number", flat=True))


def _refuse_active_run(academic_year: AcademicYear) -> None:
    active = ScheduleRun.objects.filter(academic_year=academic_year, status__in=ACTIVE_RUN_STATUSES).first()
    if active is not None:
        raise ConflictError(
            f"{academic_year} already has a schedule run in progress ({active}, blocks "
            f"{active.first_block}-{active.last_block}); wait for it to finish or cancel it first."
        )


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_limits(*, time_limit: float, seed: int, workers: int, work_limit: float | None = None) -> None:
    """Refuse a time limit, work limit, seed or worker count outside the bounds above, before anything is stored."""
    low, high = TIME_LIMIT_RANGE
    if not (_number(time_limit) and low <= time_limit <= high):
        raise DomainError(f"The time limit must be from {low} to {high} seconds (got {time_limit}).")
    low, high = WORK_LIMIT_RANGE
    if work_limit is not None and not (_number(work_limit) and low <= work_limit <= high):
        raise DomainError(f"The work limit must be from {low} to {high} (got {work_limit}).")
    low, high = WORKERS_RANGE
    if not (_whole(workers) and low <= workers <= high):
        raise DomainError(f"The number of solver workers must be from {low} to {high} (got {workers}).")
    low, high = SEED_RANGE
    if not _whole(seed):
        raise DomainError(f"The seed must be a whole number (got {seed!r}).")
    if seed < low:
        raise DomainError(f"The seed must not be negative (got {seed}).")
    if seed > high:
        raise DomainError(f"The seed must be at most {high}, the largest the solver takes (got {seed}).")


def schedule_run_validate(
    *,
    academic_year: AcademicYear,
    user,
    first_block: int = 1,
    last_block: int | None = None,
    time_limit: float = 60,
    seed: int = 0,
    workers: int = 2,
    work_limit: float | None = None,
    scenario: RunScenario | None = None,
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
    _check_limits(time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit)
    if scenario is not None:
        _check_scenario(academic_year, scenario, first_block, last_block)
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
    work_limit: float | None = None,
    queue: bool = True,
    scenario: RunScenario | None = None,
) -> ScheduleRun:
    """Create a queued run for the year's blocks and queue its solve after commit (the solver queue).

    Checked as by `schedule_run_validate`; a second active run of the same year is refused with a
    ConflictError. `queue=False` leaves the run for the caller to execute (the generate_schedule command).
    A `work_limit` (engine.solve's) makes the run reproducible: with one worker, the same data, seed and work
    limit give the same draft however busy the machine; the time limit then only guards the wall clock.
    A `scenario` makes the run a fallback: its people are absent for its window, and services are shed in its
    order while coverage stays short (each attempt within the time limit).
    """
    first_block, last_block = schedule_run_validate(
        academic_year=academic_year,
        user=user,
        first_block=first_block,
        last_block=last_block,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        work_limit=work_limit,
        scenario=scenario,
    )
    parameters: dict[str, Any] = {"time_limit": time_limit, "seed": seed, "workers": workers}
    if work_limit is not None:
        parameters["work_limit"] = work_limit
    if scenario is not None:
        parameters[SCENARIO_KEY] = scenario.as_json()
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=academic_year.pk).exists()  # one start at a time
        _refuse_active_run(academic_year)
        run = ScheduleRun.objects.create(
            program_id=academic_year.program_id,
            academic_year=academic_year,
            first_block=first_block,
            last_block=last_block,
            parameters=parameters,
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
        problem, wish_ids = problem_with_wishes(
            academic_year=run.academic_year,
            blocks=range(run.first_block, run.last_block + 1),
            reference_version=published,
        )
        scenario = RunScenario.from_parameters(run.parameters)
        if scenario is None:
            solution = _solve_watched(run, problem, on_progress)
            return _run_finish(run, solution, wish_ids=wish_ids)
        solution, outcome = _solve_scenario(run, problem, scenario, on_progress)
        return _run_finish(run, solution, wish_ids=wish_ids, scenario=outcome)
    except DomainError as exc:
        logger.warning("Schedule run %s failed: %s", run.pk, exc)
        return _run_fail(run, str(exc))
    except Exception:
        logger.exception("Schedule run %s failed.", run.pk)
        return _run_fail(run, INTERNAL_ERROR_MESSAGE.format(pk=run.pk))


def _solve_scenario(
    run: ScheduleRun, problem: Problem, scenario: RunScenario, on_progress: Callable[[Progress], None] | None
) -> tuple[Solution, dict[str, Any]]:
    """Solve with the scenario's people lost; while the schedule leaves coverage short (or none is found), cut the
    next service of its load-shedding order and solve again. Returns the last solution and what was shed."""
    problem = scenario_problem(problem, [person_key(pk) for pk in scenario.lost], scenario.start, scenario.end)
    solution = _solve_watched(run, problem, on_progress)
    shed: list[int | None] = []
    for service in scenario.shed_order:
        if not needs_shedding(solution) or ScheduleRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
            break
        problem = shed_service(problem, scenario.service_key(service))
        shed.append(service)
        solution = _solve_watched(run, problem, on_progress)
    outcome = {
        **scenario.as_json(),
        "shed": shed,
        "uncovered": [conflict.message for conflict in uncovered(solution)][:50],
        "attempts": len(shed) + 1,
    }
    return solution, outcome


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
                work_limit=params.get("work_limit"),
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


def _acgme_verdict(version: ScheduleVersion) -> dict[str, Any]:
    """The ACGME checker's verdict on the draft as it will be published: the whole year, the blocks the run solved
    and the published rest it kept, checked as the compare and compliance pages check it (`version_report`)."""
    report = version_report(version=version)
    violations = [v for v in report.violations if v.severity == "violation"]
    return {
        "compliant": report.compliant,
        "violations": len(violations),
        "warnings": len(report.violations) - len(violations),
        "people_checked": report.people_checked,
        "first_violations": [
            {"rule": v.rule, "person": v.person, "start": v.start.isoformat(), "value": v.value, "limit": v.limit}
            | ({"site": v.site, "session": v.session} if v.site else {})  # a session's finding names no person
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
                "calls": sum(1 for call in solution.calls if call.kind != "attending"),
                "attending_calls": sum(1 for call in solution.calls if call.kind == "attending"),
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


def _wish_statistics(solution: Solution, wish_ids: tuple[int, ...]) -> dict[str, Any]:
    """What the schedule made of each wish, by wish id ({person, kind, weight, granted, reason}), and the engine's
    summary of the shares granted (overall, per cohort, per person): the engine's own `statistics.wishes`, keyed
    by our ids; {} when the run had no wishes."""
    engine = solution.statistics.wishes or {}
    outcomes = engine.get("outcomes") or []
    if not outcomes:
        return {}
    stored = {
        str(wish_ids[o["index"]]): {
            "person": person_pk(o["person"]),
            "kind": o["kind"],
            "weight": o["weight"],
            "granted": o["granted"],
            "reason": o["reason"],
        }
        for o in outcomes
    }
    return _json_safe({"outcomes": stored, "summary": engine.get("summary") or {}})


def _run_finish(
    run: ScheduleRun, solution: Solution, *, wish_ids: tuple[int, ...] = (), scenario: dict[str, Any] | None = None
) -> ScheduleRun:
    """Record the engine's answer; the draft version and the run's final state are written together, with the
    outcome of each wish the run was given (`statistics.wishes`) and, for a fallback, what it shed and left
    uncovered (`statistics.scenario`; its draft's note names the scenario)."""
    status, message, keep = _run_outcome(run, solution)
    statistics = _run_statistics(solution)
    if keep and wish_ids:
        statistics["wishes"] = _wish_statistics(solution, wish_ids)
    if scenario is not None:
        statistics[SCENARIO_KEY] = _json_safe(scenario)
    note = f"Fallback: {scenario['label']}"[:200] if scenario is not None else None
    stats = solution.statistics
    with transaction.atomic():
        version = solution_write(run=run, solution=solution, note=note) if keep else None
        if version is not None:
            verdict = statistics["acgme"] = _json_safe(_acgme_verdict(version))
            if not verdict["compliant"]:
                count = verdict["violations"]
                message = (
                    f"{message} The draft (with the published rest of the year) has {count} ACGME "
                    f"violation{'s' if count != 1 else ''}: see its compliance page before publishing."
                ).strip()
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
            parameters = run.parameters or {}
            attempts = 1 + len((parameters.get(SCENARIO_KEY) or {}).get("shed_order") or ())  # a fallback solves again
            allowed = dt.timedelta(seconds=attempts * float(parameters.get("time_limit", 60))) + STALE_RUN_GRACE
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


# Editing a version's cells (issue 4). A change is checked before it is saved: the ACGME checker on the
# version with the change applied (only what the change newly breaks counts) and the program's rules.
# Breaking a rule needs a reason; the rows are then saved with it and the acknowledging user.
# Drafts and the published version may be edited (a coordinator fixes the live schedule this way; every
# row change is in the history); archived versions may not.
