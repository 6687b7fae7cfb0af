"""Personal lower bounds (bounds.py): proven, never above what a schedule costs, and they close the gap.

No database; the S program (one block), one worker and a seed.
"""

from __future__ import annotations

import dataclasses

from scheduling.engine.bounds import PERSONAL_TERMS, one_person, personal_bound, personal_bounds
from scheduling.engine.generate import SIZES, generate
from scheduling.engine.model import solve
from scheduling.engine.problem import Lock, Preference


def small():
    """The S program with r001 (who blocks a week) kept on the clinic, so that the week owes continuity."""
    problem = generate(*SIZES["S"], seed=1)
    return dataclasses.replace(problem, locks=(Lock("rotation", "r001", block=1, rotation="CLINIC"),))


def test_one_person_keeps_only_that_persons_facts():
    problem = small()
    alone = one_person(problem, "r001")

    assert [r.id for r in alone.residents] == ["r001"] and alone.faculty == ()
    assert {a.person for a in alone.absences} <= {"r001"}
    assert {p.person for p in alone.preferences} == {"r001"}
    assert alone.reference is None


def test_a_blocked_week_against_the_weeks_continuity_clinic_costs_the_cheaper_of_the_two():
    # r001 blocks a whole clinic week (each half-day there costs 3 x 5 = 15) and owes one continuity
    # half-day in it (a shortfall costs 10): one of the two is certain
    bounds = personal_bounds(small(), time_limit=5, seed=1)

    assert bounds["r001"] == 10


def test_a_person_without_a_preference_conflict_gets_no_bound():
    problem = small()
    problem = dataclasses.replace(
        problem, preferences=(Preference("r002", "rotation_avoid", rotation="SURG", weight=1),)
    )

    assert personal_bounds(problem, time_limit=5, seed=1) == {}
    assert personal_bound(problem, "r002", time_limit=5, seed=1) == 0


def test_bounds_never_exceed_the_personal_costs_of_a_solved_schedule_and_the_gap_closes():
    problem = small()
    bounds = personal_bounds(problem, time_limit=5, seed=1)
    # proven optimal after about 1.4 units of work: a work limit well past that, not seconds, ends the search
    solution = solve(problem, time_limit=300, work_limit=10, workers=1, seed=1)
    stats = solution.statistics

    assert stats.status == "optimal"
    assert sum(stats.soft_costs[name] for name in PERSONAL_TERMS) >= sum(bounds.values())
    assert stats.best_bound >= sum(bounds.values())
    assert stats.objective == stats.best_bound and stats.gap == 0
