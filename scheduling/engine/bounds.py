"""Proven lower bounds on each person's own soft costs, from a one-person relaxation of the model.

A preference can collide with a requirement of the same person: a resident who blocks a week still owes that
week's continuity clinic, a faculty member who keeps a week free still has a clinic minimum in it. One of the
two costs is then certain, but CP-SAT's LP does not see it (the costs are single literals joined by clauses,
which its default linearization leaves out), so its bound stays below the optimum and the gap never closes.

For each person with a preference we build the model of a Problem holding only that person (`relaxed`: no
ACGME windows, no supervision ratio, no fairness), minimise their preference and continuity costs and take
the proven bound (rotations needing a credentialed supervisor stay open: there is no faculty to check it
with). Every constraint of the small model is a constraint of the joint model restricted to the
person (others' assignments, coverage and the coupling rules are dropped), so the joint model's restriction
to the person is feasible in it and these costs are at least the bound there too. The costs of different
persons are different objective terms, so the bounds add up: the joint model gets one redundant constraint,
preferences + continuity >= the sum, which CP-SAT's bound then includes. No schedule is excluded.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from ortools.sat.python import cp_model

from scheduling.engine.facts import Facts
from scheduling.engine.limits import limit_search
from scheduling.engine.problem import Problem

PERSONAL_TERMS = ("preferences", "clinic_continuity")


def one_person(problem: Problem, person: str) -> Problem:
    """The Problem restricted to one resident or faculty member (their absences, preferences and locks).

    Without the other faculty no rotation could have its credentialed supervisor, so that rule is dropped too.
    """
    return replace(
        problem,
        rotations=tuple(replace(rot, supervisor_credentials=frozenset()) for rot in problem.rotations),
        residents=tuple(r for r in problem.residents if r.id == person),
        faculty=tuple(f for f in problem.faculty if f.id == person),
        absences=tuple(a for a in problem.absences if a.person == person),
        preferences=tuple(p for p in problem.preferences if p.person == person),
        locks=tuple(lock for lock in problem.locks if lock.person == person),
        reference=None,
    )


def personal_bound(
    problem: Problem, person: str, *, time_limit: float, seed: int = 0, work_limit: float | None = None
) -> int:
    """A proven lower bound of the person's weighted preference and continuity costs (0 when none is found)."""
    from scheduling.engine.model import ScheduleModel

    built = ScheduleModel(Facts(one_person(problem, person)), relaxed=True)
    weights = problem.weights
    objective = sum(getattr(weights, name) * built.cost_expr[name] for name in PERSONAL_TERMS)
    built.m.Minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    limit_search(solver, seconds=max(0.05, time_limit), work=None if work_limit is None else max(0.05, work_limit))
    code = solver.Solve(built.m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    return max(0, math.ceil(solver.BestObjectiveBound() - 1e-6))


def personal_bounds(
    problem: Problem,
    *,
    time_limit: float,
    seed: int = 0,
    work_limit: float | None = None,
    deadline: float | None = None,
) -> dict[str, int]:
    """Per person with a preference: a proven lower bound of their own costs (only the positive ones); the time
    and work limits are shared among them. Building each small model takes time too: the people left when the
    time limit (or the `deadline`, a time.monotonic() value) has passed get no bound (0 is always one)."""
    people = sorted({pref.person for pref in problem.preferences})
    share = max(1, len(people))
    end = time.monotonic() + time_limit
    if deadline is not None and work_limit is None:
        end = min(end, deadline)
    elif deadline is not None:
        end = deadline  # a work limit decides; the clock only guards it
    out: dict[str, int] = {}
    for n, person in enumerate(people):
        remaining = end - time.monotonic()
        if remaining <= 0:
            break
        work = None if work_limit is None else work_limit / share
        seconds = remaining / (len(people) - n)
        bound = personal_bound(problem, person, time_limit=seconds, seed=seed, work_limit=work)
        if bound > 0:
            out[person] = bound
    return out
