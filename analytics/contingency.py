"""Contingency analysis (DESIGN.md section 9, tier 2): N-1 and N-2 over a block range of the published schedule.

`contingency_start` checks and stores an analysis with the engine's Problem of its blocks (the published schedule as
the reference and the context around them), and queues it after commit (analytics/tasks.py: a Celery chord on the
solver queue, or a background thread in the embedded default). N-1 loses each person in turn over the blocks;
depth 2 then loses pairs among the most critical people that survived N-1 (at most MAX_PAIRS pairs). Each scenario
is one `contingency_scenario_run` (the engine's `feasible`, short time limit); `contingency_finish` then writes the
summary: people the program cannot lose, sole providers, fatal pairs and each requirement's redundancy.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from analytics.models import ContingencyAnalysis, ContingencyFinding
from scheduling.engine.problem import Problem, problem_from_json, problem_to_json
from scheduling.engine.scenarios import ScenarioChecker, people_ids, redundancy
from scheduling.engine_io import person_key, person_pk, problem_for
from scheduling.models import AcademicYear, Block, Person, ScheduleVersion
from tenants.background import background_cancel
from tenants.errors import ConflictError, DomainError
from tenants.permissions import Action, Resource, can

logger = logging.getLogger(__name__)

DEPTHS = (1, 2)
MAX_PAIRS = 40  # N-2 pairs checked at most, among the most critical people
MAX_CANDIDATES = 10  # the most critical people N-2 pairs are drawn from
SCENARIO_TIME_LIMIT = 20.0  # seconds one scenario's feasibility search may take (most take one or two)
STALE_AFTER = timedelta(minutes=10)  # beyond every scenario's time limit, a running analysis is given up on
ACTIVE = (ContingencyAnalysis.Status.QUEUED, ContingencyAnalysis.Status.RUNNING)
Status = ContingencyAnalysis.Status


def contingency_validate(
    *, academic_year: AcademicYear, first_block: object, last_block: object, depth: object
) -> None:
    """Refuse a depth other than 1 or 2 and a block range that is not the year's, before anything is stored."""
    if isinstance(depth, bool) or depth not in DEPTHS:
        raise DomainError(f"The depth must be 1 (each person lost) or 2 (also pairs of people); got {depth!r}.")
    numbers = list(
        Block.objects.filter(academic_year=academic_year).order_by("number").values_list("number", flat=True)
    )
    if not numbers:
        raise DomainError(f"{academic_year} has no blocks to analyse.")
    for value in (first_block, last_block):
        if isinstance(value, bool) or not isinstance(value, int) or value not in numbers:
            raise DomainError(f"Block {value} does not exist: {academic_year} has blocks {numbers[0]}-{numbers[-1]}.")
    if first_block > last_block:  # type: ignore[operator]
        raise DomainError(f"Blocks {first_block}-{last_block}: the first block comes after the last.")


def contingency_start(
    *, academic_year: AcademicYear, first_block: int, last_block: int, depth: int, user
) -> ContingencyAnalysis:
    """Check and queue a contingency analysis of the blocks against the published schedule (after commit).

    Only the program's admins and coordinators may (`user` None: the periodic job); a second active analysis of
    the year is refused with a ConflictError (stale ones are failed first).
    """
    program = academic_year.program
    if user is not None and not can(user, Action.CHANGE, Resource.ANALYTICS, program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can start a contingency analysis.")
    contingency_validate(academic_year=academic_year, first_block=first_block, last_block=last_block, depth=depth)
    contingency_fail_stale(academic_year=academic_year)
    published = ScheduleVersion.objects.filter(
        academic_year=academic_year, status=ScheduleVersion.Status.PUBLISHED
    ).first()
    problem = problem_for(
        academic_year=academic_year, blocks=range(first_block, last_block + 1), reference_version=published
    )
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=academic_year.pk).exists()  # one start at a time
        active = ContingencyAnalysis.objects.filter(academic_year=academic_year, status__in=ACTIVE).first()
        if active is not None:
            raise ConflictError(
                f"{academic_year} already has a contingency analysis in progress ({active}); wait for it to finish "
                "or cancel it first."
            )
        analysis = ContingencyAnalysis.objects.create(
            program_id=academic_year.program_id,
            academic_year=academic_year,
            version=published,
            first_block=first_block,
            last_block=last_block,
            depth=depth,
            total=len(people_ids(problem)),
            time_limit=SCENARIO_TIME_LIMIT,
            problem=problem_to_json(problem),
            created_by=user,
        )
        from analytics.tasks import contingency_dispatch  # tasks import this module

        transaction.on_commit(lambda: contingency_dispatch(analysis.pk))
    return analysis


@transaction.atomic
def contingency_cancel(*, analysis: ContingencyAnalysis, user) -> ContingencyAnalysis:
    """Ask a queued or running analysis to stop: scenarios not yet begun are skipped, the findings so far kept.
    Managers only; a finished analysis is refused with a ConflictError."""
    locked = ContingencyAnalysis.objects.select_for_update().select_related("program").get(pk=analysis.pk)
    return background_cancel(
        locked,
        allowed=can(user, Action.CHANGE, Resource.ANALYTICS, locked.program),
        denied="Only the program's admins and coordinators can cancel a contingency analysis.",
        active=locked.status in ACTIVE,
    )


def contingency_fail_stale(*, academic_year: AcademicYear | None = None) -> int:
    """Fail the analyses a dead worker or a restarted process left active past every scenario's time limit."""
    now = timezone.now()
    failed = 0
    rows = ContingencyAnalysis.objects.filter(status__in=ACTIVE)
    if academic_year is not None:
        rows = rows.filter(academic_year=academic_year)
    for analysis in rows:
        allowed = STALE_AFTER + timedelta(seconds=analysis.time_limit * max(analysis.total, 1))
        if (analysis.started_at or analysis.created_at) + allowed < now:
            failed += ContingencyAnalysis.objects.filter(pk=analysis.pk, status__in=ACTIVE).update(
                status=Status.FAILED, finished_at=now, message="It stopped reporting (its worker probably stopped)."
            )
    return failed


# ---------------------------------------------------------------------------------------------
# Running (the bodies of the Celery tasks and of the embedded thread)


def contingency_claim(analysis_id: int) -> ContingencyAnalysis | None:
    """Move a queued analysis to running; None when it is not queued any more (idempotent)."""
    with transaction.atomic():
        analysis = ContingencyAnalysis.objects.select_for_update().filter(pk=analysis_id).first()
        if analysis is None or analysis.status != Status.QUEUED:
            return None
        analysis.status, analysis.started_at = Status.RUNNING, timezone.now()
        analysis.save(update_fields=["status", "started_at"])
        return analysis


def n1_scenarios(analysis: ContingencyAnalysis) -> list[list[str]]:
    """Every person of the analysis's problem, each lost alone (residents then faculty)."""
    return [[person] for person in people_ids(_problem(analysis.pk))]


_PROBLEMS: dict[int, Problem] = {}


def _problem(analysis_id: int, document: dict[str, Any] | None = None) -> Problem:
    """The analysis's Problem, parsed once per process (every scenario a worker runs starts from it); the stored
    document is read only when this process has not parsed it yet."""
    cached = _PROBLEMS.get(analysis_id)
    if cached is None:
        if document is None:
            document = ContingencyAnalysis.objects.values_list("problem", flat=True).get(pk=analysis_id)
        if len(_PROBLEMS) >= 4:
            _PROBLEMS.clear()
        cached = _PROBLEMS[analysis_id] = problem_from_json(document)
    return cached


_CHECKERS: dict[int, ScenarioChecker] = {}


def _checker(analysis_id: int) -> ScenarioChecker:
    """The analysis's scenario checker (its joint model built once per process, shared by every scenario)."""
    cached = _CHECKERS.get(analysis_id)
    if cached is None:
        if len(_CHECKERS) >= 2:
            _CHECKERS.clear()
        cached = _CHECKERS[analysis_id] = ScenarioChecker(_problem(analysis_id))
    return cached


def contingency_scenario_run(*, analysis_id: int, lost: list[str]) -> ContingencyFinding | None:
    """Decide one scenario and record its finding and the progress; idempotent (a scenario already decided, or one
    of an analysis that is not running or asked to stop, is left alone)."""
    analysis = ContingencyAnalysis.objects.defer("problem", "summary").filter(pk=analysis_id).first()
    if analysis is None or analysis.status != Status.RUNNING or analysis.cancel_requested:
        return None
    person, partner = _pks(lost)
    existing = ContingencyFinding.objects.filter(analysis=analysis, person_id=person, partner_id=partner).first()
    if existing is not None:
        return existing
    try:
        answer = _checker(analysis.pk).check(lost, time_limit=analysis.time_limit, workers=1)
        result, seconds = answer.result, answer.seconds
        uncoverable = [{"requirement": c.requirement, "message": c.message} for c in answer.conflicts]
    except Exception:  # one scenario's failure must not stop the others (nor the chord waiting on it)
        logger.exception("Contingency scenario %s of analysis %s failed.", lost, analysis_id)
        result, seconds, uncoverable = (
            ContingencyFinding.Result.UNKNOWN,
            0.0,
            [{"requirement": "error", "message": "The engine failed on this scenario (logged)."}],
        )
    try:
        with transaction.atomic():
            finding = ContingencyFinding.objects.create(
                analysis=analysis,
                person_id=person,
                partner_id=partner,
                result=result,
                uncoverable=uncoverable,
                seconds=seconds,
            )
            ContingencyAnalysis.objects.filter(pk=analysis.pk, done__lt=F("total")).update(done=F("done") + 1)
    except IntegrityError:  # the same scenario delivered twice: the first one's finding stands
        return ContingencyFinding.objects.filter(analysis=analysis, person_id=person, partner_id=partner).first()
    return finding


def _pks(lost: list[str]) -> tuple[int, int | None]:
    pks = [person_pk(key) for key in lost]
    if not pks or None in pks or len(pks) > 2:
        raise DomainError(f"A scenario loses one or two people of the program (got {lost!r}).")
    return pks[0], (pks[1] if len(pks) == 2 else None)  # type: ignore[return-value]


def contingency_pairs(analysis: ContingencyAnalysis) -> list[list[str]]:
    """The N-2 scenarios: pairs among the most critical people whose N-1 scenario was covered (a person the
    program cannot lose alone makes every pair fatal). Critical first: the providers of the requirements with the
    least redundancy, then the people whose N-1 search was hardest (longest). At most MAX_PAIRS pairs."""
    candidates = critical_people(analysis)[:MAX_CANDIDATES]
    pairs = [[a, b] for i, a in enumerate(candidates) for b in candidates[i + 1 :]]
    pairs.sort(key=lambda pair: candidates.index(pair[0]) + candidates.index(pair[1]))
    return pairs[:MAX_PAIRS]


def critical_people(analysis: ContingencyAnalysis) -> list[str]:
    """People (engine ids) whose N-1 scenario was covered, most critical first (see `contingency_pairs`)."""
    findings = {
        person_key(f.person_id): f
        for f in ContingencyFinding.objects.filter(analysis=analysis, partner__isnull=True).only(
            "person_id", "result", "seconds"
        )
    }
    survived = [p for p, f in findings.items() if f.result == ContingencyFinding.Result.FEASIBLE]
    margin: dict[str, int] = {}
    for item in redundancy(_problem(analysis.pk)):
        for person in item.providers:
            margin[person] = min(margin.get(person, item.margin), item.margin)
    return sorted(survived, key=lambda p: (margin.get(p, 99), -findings[p].seconds, p))


def contingency_add_pairs(analysis_id: int) -> list[list[str]]:
    """Choose the N-2 pairs after the N-1 phase and count them in the total; [] when none is to be checked."""
    analysis = ContingencyAnalysis.objects.defer("problem").filter(pk=analysis_id).first()
    if analysis is None or analysis.depth < 2 or analysis.status != Status.RUNNING or analysis.cancel_requested:
        return []
    if ContingencyFinding.objects.filter(analysis=analysis, partner__isnull=False).exists():
        return []  # already chosen (a callback delivered twice)
    pairs = contingency_pairs(analysis)
    ContingencyAnalysis.objects.filter(pk=analysis_id).update(total=F("total") + len(pairs))
    return pairs


def contingency_finish(analysis_id: int) -> ContingencyAnalysis | None:
    """End a running analysis: succeeded (or cancelled when asked), with its summary; idempotent."""
    with transaction.atomic():
        analysis = ContingencyAnalysis.objects.select_for_update().filter(pk=analysis_id).first()
        if analysis is None or analysis.status != Status.RUNNING:
            return analysis
        try:
            analysis.summary = contingency_summary(analysis)
        except Exception:
            logger.exception("The summary of contingency analysis %s failed.", analysis_id)
            analysis.status, analysis.message = Status.FAILED, "The summary could not be computed (logged)."
        else:
            if analysis.cancel_requested:
                analysis.status, analysis.message = Status.CANCELLED, "Cancelled; the scenarios decided are kept."
            else:
                analysis.status, analysis.message = Status.SUCCEEDED, _headline(analysis.summary)
        analysis.finished_at = timezone.now()
        analysis.save(update_fields=["status", "message", "summary", "finished_at"])
        return analysis


def contingency_fail(analysis_id: int, message: str) -> None:
    ContingencyAnalysis.objects.filter(pk=analysis_id, status__in=ACTIVE).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )


def _headline(summary: dict[str, Any]) -> str:
    fatal = len(summary.get("critical", []))
    pairs = len(summary.get("fatal_pairs", []))
    words = f"{fatal} {'person' if fatal == 1 else 'people'} the program cannot lose"
    if summary.get("depth") == 2:
        words += f"; {pairs} fatal pair{'s' if pairs != 1 else ''} of {summary.get('pairs_checked', 0)} checked"
    return words + "."


def _seconds(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median": 0.0, "p95": 0.0, "max": 0.0, "total": 0.0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(ordered), 2),
        "p95": round(p95, 2),
        "max": round(ordered[-1], 2),
        "total": round(sum(ordered), 1),
    }


def contingency_summary(analysis: ContingencyAnalysis) -> dict[str, Any]:
    """What a director reads: people the program cannot lose alone (N-1 not covered), sole providers (a requirement
    only one person can meet: uncovered when that person alone is lost), undecided scenarios, fatal pairs, and each
    requirement's redundancy (N+2, N+1, N+0, below), with the scenario times."""
    findings = list(ContingencyFinding.objects.filter(analysis=analysis).select_related("person", "partner"))
    names = {f.person_id: f.person.full_name for f in findings} | {
        f.partner_id: f.partner.full_name for f in findings if f.partner_id
    }
    singles = [f for f in findings if f.partner_id is None]
    pairs = [f for f in findings if f.partner_id is not None]
    critical = [
        {"person": f.person_id, "name": names[f.person_id], "uncoverable": [u["message"] for u in f.uncoverable]}
        for f in singles
        if f.result == ContingencyFinding.Result.INFEASIBLE
    ]
    sole: dict[str, dict[str, Any]] = {}
    for f in singles:
        if f.result != ContingencyFinding.Result.INFEASIBLE:
            continue
        for item in f.uncoverable:
            entry = sole.setdefault(
                item["requirement"], {"requirement": item["requirement"], "message": item["message"], "people": []}
            )
            entry["people"].append(names[f.person_id])
    problem = _problem(analysis.pk)
    who = {person_key(pk): name for pk, name in names.items()}
    missing = {pk for key in people_ids(problem) if key not in who and (pk := person_pk(key)) is not None}
    if missing:
        who |= {person_key(p.pk): p.full_name for p in Person.objects.filter(pk__in=missing)}
    levels = [
        {
            "requirement": item.requirement,
            "label": item.label,
            "needed": item.needed,
            "able": item.able,
            "level": item.level,
            "providers": [who.get(p, p) for p in item.providers],
        }
        for item in redundancy(problem)
    ]
    return {
        "depth": analysis.depth,
        "people": len(singles),
        "critical": critical,
        "sole_providers": sorted(
            (entry for entry in sole.values() if len(entry["people"]) == 1), key=lambda e: e["message"]
        ),
        "undecided": [names[f.person_id] for f in singles if f.result == ContingencyFinding.Result.UNKNOWN],
        "fatal_pairs": [
            {
                "people": [names[f.person_id], names[f.partner_id]],
                "uncoverable": [u["message"] for u in f.uncoverable],
            }
            for f in pairs
            if f.result == ContingencyFinding.Result.INFEASIBLE
        ],
        "pairs_checked": len(pairs),
        "pair_cap": MAX_PAIRS,
        "candidates": MAX_CANDIDATES,
        "redundancy": levels,
        "seconds": _seconds([f.seconds for f in findings]),
    }


def contingency_run_in_process(analysis_id: int) -> ContingencyAnalysis | None:
    """The whole analysis one scenario after another in this process (the embedded default, and tests)."""
    analysis = contingency_claim(analysis_id)
    if analysis is None:
        return None
    try:
        for lost in n1_scenarios(analysis):
            if _stopping(analysis_id):
                break
            contingency_scenario_run(analysis_id=analysis_id, lost=lost)
        for lost in contingency_add_pairs(analysis_id):
            if _stopping(analysis_id):
                break
            contingency_scenario_run(analysis_id=analysis_id, lost=lost)
    except Exception:
        logger.exception("Contingency analysis %s failed.", analysis_id)
        contingency_fail(analysis_id, f"The analysis failed because of an internal error (logged with #{analysis_id}).")
        return None
    return contingency_finish(analysis_id)


def _stopping(analysis_id: int) -> bool:
    return ContingencyAnalysis.objects.filter(pk=analysis_id, cancel_requested=True).exists()


def analyses_for(program) -> Iterable[ContingencyAnalysis]:
    """The program's analyses, newest first (without their stored problem)."""
    return (
        ContingencyAnalysis.objects.for_program(program).select_related("academic_year", "created_by").defer("problem")
    )
