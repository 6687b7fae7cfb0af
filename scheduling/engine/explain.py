"""Why a problem is infeasible: the smallest set of conflicting requirements found, in plain words.

Each hard requirement group of the model (a resident's ACGME limits, a block's maximum staffing, a PGY's
required rotation, a lock, a session's clinic capacity or supervision, a faculty member's FMIT rules...) is
enforced only under its own assumption literal. CP-SAT returns a sufficient subset of those assumptions;
we then drop members one at a time while the rest stays infeasible (deletion filter), time permitting.
"""

from __future__ import annotations

import time as clock

from ortools.sat.python import cp_model

from scheduling.engine.facts import Facts
from scheduling.engine.model import ScheduleModel
from scheduling.engine.problem import Problem
from scheduling.engine.solution import Conflict


def explain(problem: Problem, facts: Facts | None = None, *, time_limit: float = 30.0, seed: int = 0) -> list[Conflict]:
    """The conflicting requirements of an infeasible problem ([] when none was found in time)."""
    started = clock.monotonic()
    facts = facts or Facts(problem)
    built = ScheduleModel(facts, explain=True)
    keys = sorted(built.guards)
    if not keys:
        return []

    def infeasible(subset: list[str]) -> list[str] | None:
        """The sufficient core of `subset` if assuming it is infeasible, else None."""
        remaining = time_limit - (clock.monotonic() - started)
        if remaining <= 0.05:
            return None
        built.m.ClearAssumptions()
        built.m.AddAssumptions([built.guards[key] for key in subset])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = remaining
        if solver.Solve(built.m) != cp_model.INFEASIBLE:
            return None
        found = set(solver.SufficientAssumptionsForInfeasibility())
        core = [key for key in subset if built.guards[key].Index() in found]
        return core or subset

    core = infeasible(keys)
    if core is None:
        return []
    for key in list(core):
        if key not in core or len(core) == 1:
            continue
        smaller = infeasible([k for k in core if k != key])
        if smaller is not None:
            core = smaller
    return [Conflict(key, built.messages[key]) for key in core]
