"""Infeasibility explained in coordinator language: the pre-check and the assumption-based explanation."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from scheduling.engine.explain import explain
from scheduling.engine.facts import Facts
from scheduling.engine.model import solve
from scheduling.engine.precheck import precheck
from scheduling.engine.problem import Absence, Lock, RequiredRotation, Rotation, Staffing
from tests.engine.test_model import START, tiny


def messages(solution_or_list: object) -> list[str]:
    conflicts = getattr(getattr(solution_or_list, "statistics", None), "conflicts", solution_or_list)
    return [c.message for c in conflicts]  # type: ignore[attr-defined]


def test_staffing_minimum_above_the_eligible_residents_is_named_and_reported_as_a_shortfall():
    problem = tiny(residents=5)
    problem = dataclasses.replace(
        problem, requirements=dataclasses.replace(problem.requirements, staffing=(Staffing("WARD", 6, 8),))
    )

    hard, coverage = precheck(Facts(problem))
    solution = solve(problem, time_limit=5, workers=1)

    assert hard == []
    assert messages(coverage) == ["Block 1: Wards needs 6 residents; 5 are eligible and available"]
    assert solution.has_schedule  # coverage is soft: the best schedule is built and the shortfall reported
    assert "Block 1: Wards needs 6 residents; 5 are eligible and available" in messages(solution)
    assert solution.statistics.soft_costs["coverage_shortfall"] >= 1000


def test_lock_of_a_pgy1_onto_a_senior_rotation_is_infeasible_and_says_why():
    problem = tiny()
    senior = Rotation("SEN", "Senior electives", "SEN", "elective", min_pgy=3)
    problem = dataclasses.replace(
        problem, rotations=(*problem.rotations, senior), locks=(Lock("rotation", "r0", block=1, rotation="SEN"),)
    )

    solution = solve(problem, time_limit=5, workers=1)

    assert solution.statistics.status == "infeasible"
    assert not solution.has_schedule
    assert messages(solution) == [
        "Lock: Resident 0 (PGY-1) on Senior electives in block 1, but Senior electives takes PGY 3 and above"
    ]
    assert solution.statistics.conflicts[0].requirement == "lock:0"


def test_required_rotations_beyond_the_horizon_are_infeasible_and_say_why():
    problem = tiny()
    problem = dataclasses.replace(
        problem,
        requirements=dataclasses.replace(
            problem.requirements,
            required_rotations=(RequiredRotation(1, "WARD", 1), RequiredRotation(1, "CLIN", 1)),
        ),
    )

    solution = solve(problem, time_limit=5, workers=1)

    assert solution.statistics.status == "infeasible"
    assert "PGY-1 residents need 2 blocks of required rotations (1 on Wards, 1 on Clinic); the schedule has 1" in (
        messages(solution)
    )


def test_resident_with_no_eligible_rotation_is_named():
    problem = tiny()
    only_wards = tuple(dataclasses.replace(r, leave_allowed=False) for r in problem.rotations)
    problem = dataclasses.replace(
        problem, rotations=only_wards, absences=(Absence("r2", START, START + timedelta(days=2)),)
    )

    solution = solve(problem, time_limit=5, workers=1)

    assert solution.statistics.status == "infeasible"
    assert messages(solution)[0].startswith("Block 1: Resident 2 (PGY-3) has no rotation they are eligible for")


def test_locked_calls_that_leave_no_day_off_are_explained_by_the_smallest_conflict():
    saturdays = [START + timedelta(days=3 + 7 * k) for k in range(4)]  # 2026-07-04 is a Saturday
    problem = tiny(locks=tuple(Lock("call", "r0", date=day) for day in saturdays))

    solution = solve(problem, time_limit=10, workers=1)

    assert solution.statistics.status == "infeasible"
    requirements = sorted(c.requirement for c in solution.statistics.conflicts)
    assert "acgme:r0" in requirements
    assert len([r for r in requirements if r.startswith("lock:")]) == 3  # two Saturday calls would leave 4 days off
    assert any("Resident 0: ACGME limits" in m for m in messages(solution))
    assert "These requirements conflict" in solution.statistics.message


def test_clinic_lock_without_any_supervising_faculty_is_explained():
    problem = tiny()
    day = START + timedelta(days=1)
    away = tuple(Absence(f.id, day, day) for f in problem.faculty)
    problem = dataclasses.replace(problem, absences=away, locks=(Lock("clinic", "r0", date=day, session="AM"),))

    hard, _ = precheck(Facts(problem))
    conflicts = explain(problem, time_limit=10)

    assert hard == []
    assert sorted(c.requirement for c in conflicts) == ["lock:0", "supervision:2026-07-02:AM"]
    assert "Lock: Resident 0 in clinic 2026-07-02 AM" in messages(conflicts)
    assert any(
        m.startswith("2026-07-02 AM: residents in clinic need one supervising faculty per 4 units")
        for m in messages(conflicts)
    )
