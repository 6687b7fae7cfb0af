"""Load shedding on a Problem (resilience tier 3): a service's staffing relaxed so that a fallback can cover the rest.

Pure functions of the engine's dataclasses (no Django): a fallback run loses its people (`scenarios.scenario_problem`),
solves, and while the schedule leaves coverage short it sheds the next service of the program's load-shedding order
and solves again.
"""

from __future__ import annotations

from dataclasses import replace

from scheduling.engine.problem import Problem
from scheduling.engine.solution import Conflict, Solution

CLINIC = "clinic"  # the continuity clinic, the one service that is not a rotation
SHORTFALL_PREFIXES = ("staffing:", "call:", "fmit:")  # the engine's soft coverage requirements (docs/engine.md)


def shed_service(problem: Problem, service: str) -> Problem:
    """The problem with `service` cut: a rotation ("rot12") loses its minimum staffing and its required blocks,
    the continuity clinic ("clinic") its weekly half-days; anything else is returned unchanged."""
    req = problem.requirements
    if service == CLINIC:
        return replace(problem, requirements=replace(req, clinic_sessions_per_week={}))
    staffing = tuple(replace(s, min_residents=0) if s.rotation == service else s for s in req.staffing)
    required = tuple(replace(r, min_blocks=0) if r.rotation == service else r for r in req.required_rotations)
    return replace(problem, requirements=replace(req, staffing=staffing, required_rotations=required))


def uncovered(solution: Solution) -> list[Conflict]:
    """What the solution leaves short: its coverage shortfalls (staffing, call nights, FMIT weeks), or, with no
    schedule at all, the conflicts that stopped it."""
    conflicts = list(solution.statistics.conflicts)
    if not solution.has_schedule:
        return conflicts
    return [c for c in conflicts if c.requirement.startswith(SHORTFALL_PREFIXES)]


def needs_shedding(solution: Solution) -> bool:
    """A fallback sheds another service when the engine found no schedule or left coverage short (not when
    the run was cancelled: the coordinator stopped it)."""
    if solution.statistics.status == "cancelled":
        return False
    return not solution.has_schedule or bool(uncovered(solution))
