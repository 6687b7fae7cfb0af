"""Re-solve with minimal change: a new absence changes only what it must, and the result stays compliant."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from scheduling.engine.model import solve
from scheduling.engine.problem import Absence, Block, Problem, Staffing
from scheduling.engine.solution import Solution
from scheduling.engine.solution_io import reference_from_solution, solution_from_json, solution_to_json
from tests.engine.test_model import SAFETY_TIME_LIMIT, START, assert_compliant, assert_schedule_rules, tiny


def two_blocks() -> Problem:
    problem = tiny(days=56, residents=9)
    wards_allow_leave = tuple(
        dataclasses.replace(r, leave_allowed=True) if r.id == "WARD" else r for r in problem.rotations
    )
    blocks = (
        Block(1, START, START + timedelta(days=27)),
        Block(2, START + timedelta(days=28), START + timedelta(days=55)),
    )
    requirements = dataclasses.replace(problem.requirements, staffing=(Staffing("WARD", 4, 5), Staffing("NF", 0, 1)))
    return dataclasses.replace(
        problem,
        calendar=dataclasses.replace(problem.calendar, blocks=blocks),
        rotations=wards_allow_leave,
        requirements=requirements,
    )


def call_set(solution: Solution) -> set[tuple[str, date]]:
    return {(c.person, c.start.date()) for c in solution.calls}


def clinic_set(solution: Solution) -> set[tuple[str, date, str]]:
    return {(s.person, s.date, s.session) for s in solution.sessions if s.activity == "clinic"}


def test_resolve_after_a_new_absence_changes_only_what_it_must():
    problem = two_blocks()
    first = solve(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=0.5, workers=1, seed=0)  # the same every run
    assert first.has_schedule
    monday = START + timedelta(days=33)  # 2026-08-03, in block 2
    assert monday.weekday() == 0
    away = (monday, monday + timedelta(days=13))
    absent = next(
        person for person, day in sorted(call_set(first), key=lambda item: item[1]) if away[0] <= day <= away[1]
    )
    changed = dataclasses.replace(
        problem,
        absences=(Absence(absent, *away),),
        reference=reference_from_solution(solution_from_json(solution_to_json(first))),
    )

    second = solve(changed, time_limit=10, workers=1, seed=0)

    assert second.has_schedule
    assert_compliant(second)
    assert_schedule_rules(changed, second)
    assert {(a.person, a.block, a.rotation) for a in second.rotations} == {
        (a.person, a.block, a.rotation) for a in first.rotations
    }
    assert second.fmit_weeks == first.fmit_weeks
    lost = {c for c in call_set(first) if c[0] == absent and away[0] - timedelta(days=1) <= c[1] <= away[1]}
    assert lost and not lost & call_set(second)
    moved = call_set(first) ^ call_set(second)
    assert len(moved) <= 4 * len(lost)  # each lost night is covered by a new call, plus a few knock-ons
    covering = {person for person, _ in call_set(second) - call_set(first)} | {absent}
    untouched = {c for c in call_set(first) if c[0] not in covering}
    assert untouched <= call_set(second)  # who covers nothing keeps every call
    clinic_before = {s for s in clinic_set(first) if not away[0] <= s[1] <= away[1] + timedelta(days=6)}
    assert clinic_before <= clinic_set(second)
    assert not {s for s in clinic_set(second) if s[0] == absent and away[0] <= s[1] <= away[1]}
    weight = changed.weights.change
    assert second.statistics.soft_costs["change"] == weight * (len(moved) + len(clinic_set(first) ^ clinic_set(second)))


def test_resolve_without_new_facts_keeps_the_schedule():
    problem = tiny(residents=5, faculty=2)
    first = solve(problem, time_limit=10, workers=1, seed=0)
    again = dataclasses.replace(problem, reference=reference_from_solution(first))

    second = solve(again, time_limit=10, workers=1, seed=3)

    assert second.statistics.soft_costs["change"] == 0
    assert call_set(second) == call_set(first)
    assert clinic_set(second) == clinic_set(first)
    assert second.rotations == first.rotations


def test_reference_fmit_week_may_be_keyed_by_its_start_before_the_horizon():
    problem = tiny(residents=5, faculty=2)
    first = solve(problem, time_limit=10, workers=1, seed=0)
    reference = reference_from_solution(first)
    friday_before = date(2026, 6, 26)  # the FMIT week (Friday start) holding the horizon's first day
    moved = frozenset((p, friday_before if d == START else d) for p, d in reference.fmit_weeks)
    assert moved != reference.fmit_weeks

    second = solve(
        dataclasses.replace(problem, reference=dataclasses.replace(reference, fmit_weeks=moved)),
        time_limit=10,
        workers=1,
        seed=0,
    )

    assert second.statistics.soft_costs["change"] == 0
    assert second.fmit_weeks == first.fmit_weeks
