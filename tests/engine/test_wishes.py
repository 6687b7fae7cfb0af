"""Wish outcomes (scheduling/engine/wishes.py): which wishes a schedule grants, why the others are refused, the
shares per person and cohort, and the wish fairness term that keeps every cohort's worst-served person above the
program's minimum. No database; small problems, one worker and a seed."""

from __future__ import annotations

import dataclasses
import random
import time
from datetime import date, timedelta

import pytest

from scheduling.engine.generate import generate
from scheduling.engine.model import solve
from scheduling.engine.problem import Preference, ProgramRules, Staffing
from scheduling.engine.solution import Solution
from scheduling.engine.solution_io import solution_from_json, solution_to_json
from scheduling.engine.wishes import WishOutcome, wish_outcomes, wish_summary
from tests.engine.test_model import tiny


def solved(problem, *, time_limit: float = 30.0) -> Solution:  # noqa: ANN001
    solution = solve(problem, time_limit=time_limit, workers=1, seed=0)
    assert solution.has_schedule, solution.statistics.message
    return solution


def mondays(problem) -> list[date]:  # noqa: ANN001
    first, last = problem.calendar.start, problem.calendar.end
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    out = []
    while day + timedelta(days=6) <= last:
        out.append(day)
        day += timedelta(days=7)
    return out


SHAPES = {
    "9 residents, 5 faculty, 4 weeks": {"residents": 9, "faculty": 5},
    "12 residents, 6 faculty, 5 weeks": {"residents": 12, "faculty": 6, "days": 35},
    "10 residents, 5 faculty, starting on a Monday": {"residents": 10, "faculty": 5, "start": date(2026, 7, 6)},
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_blocked_week_with_a_feasible_alternative_is_granted(shape: str, seed: int) -> None:
    """A resident and a faculty member, drawn by the seed, each block a week that others can cover: both
    weeks stay free of call, clinic and FMIT, and the outcomes say granted with no reason."""
    base = tiny(**SHAPES[shape])  # type: ignore[arg-type]
    rng = random.Random(seed)
    resident = rng.choice(base.residents).id
    attending = rng.choice(base.faculty).id
    weeks = mondays(base)
    wishes = (
        Preference(resident, "blocked_week", week_start=rng.choice(weeks), weight=10),
        Preference(attending, "blocked_week", week_start=rng.choice(weeks), weight=10),
    )
    problem = dataclasses.replace(base, preferences=wishes)
    solution = solved(problem)
    outcomes = wish_outcomes(problem, solution)
    assert [(o.person, o.granted, o.reason) for o in outcomes] == [(resident, True, ""), (attending, True, "")]
    for wish in wishes:
        last = wish.week_start + timedelta(days=6)  # type: ignore[operator]
        assert not [c for c in solution.calls if c.person == wish.person and wish.week_start <= c.start.date() <= last]
        assert not [
            s
            for s in solution.sessions
            if s.person == wish.person and s.activity in ("clinic", "fmit") and wish.week_start <= s.date <= last
        ]


def test_a_wish_that_cannot_be_granted_names_the_rule_or_need_behind_it() -> None:
    """Refused wishes say what was placed and why: the staffing minimum of a rotation every eligible resident must
    fill, and a rotation the PGY may not hold."""
    base = tiny(residents=6, faculty=3)
    staffing = (Staffing("WARD", 6, 6), Staffing("NF", 0, 1))  # Wards needs every resident
    problem = dataclasses.replace(
        base,
        requirements=dataclasses.replace(base.requirements, staffing=staffing),
        preferences=(
            Preference("r0", "rotation_avoid", rotation="WARD", weight=10),
            Preference("r0", "rotation_wish", rotation="NF", block=1, weight=10),  # NF takes PGY 2 and above
        ),
    )
    solution = solved(problem)
    avoid, wish = wish_outcomes(problem, solution)
    assert not avoid.granted
    assert avoid.reason == "Wards in block 1: it needs 6 residents; 6 are eligible"
    assert not wish.granted
    assert wish.reason == "Block 1: Night float takes PGY 2 and above"


def test_a_blocked_week_the_call_roster_needs_says_so() -> None:
    """Three residents share a nightly call that the spacing lets each take every third night: every week of each
    of them holds calls, so a blocked week is refused, and the reason names the call and the roster's need."""
    base = tiny(residents=3, faculty=3)
    problem = dataclasses.replace(
        base,
        requirements=dataclasses.replace(
            base.requirements, staffing=(Staffing("WARD", 3, 3),), clinic_sessions_per_week={}
        ),
        preferences=(Preference("r1", "blocked_week", week_start=mondays(base)[1], weight=1),),
    )
    solution = solved(problem)
    (week,) = wish_outcomes(problem, solution)
    assert not week.granted
    assert week.reason.startswith("In-house call on ")
    assert "2026: 1 resident needed each night; " in week.reason
    assert "of 3 call-eligible residents were free" in week.reason


def test_outcomes_are_in_solution_json_statistics_and_read_back() -> None:
    base = tiny(residents=9, faculty=5)
    problem = dataclasses.replace(
        base, preferences=(Preference("r2", "preferred_week", week_start=mondays(base)[1], weight=5),)
    )
    solution = solved(problem, time_limit=5)
    wishes = solution_to_json(solution)["statistics"]["wishes"]
    assert wishes["outcomes"][0]["person"] == "r2"
    assert wishes["summary"]["cohorts"]["PGY-3"]["wishes"] == 1
    assert solution_from_json(solution_to_json(solution)).statistics.wishes == wishes


def test_summary_shares_per_person_and_cohort() -> None:
    problem = tiny(residents=4, faculty=2, rules=ProgramRules(wish_min_granted_percent=50))
    # r0 PGY-1, r1 PGY-2, r2 PGY-3, r3 PGY-1
    outcomes = [
        WishOutcome(0, "r0", "blocked_week", 10, True, ""),
        WishOutcome(1, "r0", "preferred_week", 5, False, "x"),
        WishOutcome(2, "r0", "rotation_wish", 5, True, ""),
        WishOutcome(3, "r3", "blocked_week", 2, False, "x"),
        WishOutcome(4, "r1", "rotation_avoid", 10, True, ""),
        WishOutcome(5, "f0", "blocked_week", 4, True, ""),
        WishOutcome(6, "f1", "blocked_week", 4, False, "x"),
        WishOutcome(7, "f1", "preferred_week", 12, True, ""),
    ]
    summary = wish_summary(problem, outcomes)
    assert summary["overall"] == {
        "wishes": 8, "granted": 5, "share": 0.625, "weight": 52, "granted_weight": 41, "weight_share": 0.7885,
    }  # fmt: skip
    assert summary["people"]["r0"]["weight_share"] == 0.75
    assert summary["people"]["r0"]["share"] == 0.6667
    assert summary["people"]["r3"]["weight_share"] == 0.0
    pgy1 = summary["cohorts"]["PGY-1"]
    assert (pgy1["people"], pgy1["wishes"], pgy1["granted"], pgy1["weight"], pgy1["granted_weight"]) == (
        2,
        4,
        2,
        22,
        15,
    )
    assert pgy1["min_weight_share"] == 0.0 and pgy1["minimum"] == 0.5 and pgy1["minimum_held"] is False
    faculty = summary["cohorts"]["Faculty"]
    assert faculty["min_weight_share"] == 0.75 and faculty["minimum_held"] is True
    assert list(summary["cohorts"]) == ["PGY-1", "PGY-2", "Faculty"]


def test_wish_fairness_keeps_every_cohorts_minimum_granted_share() -> None:
    """A generated program where everyone wishes for several weeks and rotations (over 100 wishes): with the
    program's minimum at 25% of each person's wish weight, every cohort's worst-served person gets at least that,
    the statistics say the minimum held, and the fairness term is among the soft costs."""
    problem = dataclasses.replace(
        generate(12, 8, 3, seed=1, wishes=True), rules=ProgramRules(wish_min_granted_percent=25)
    )
    assert len(problem.preferences) > 100
    solution = solve(problem, time_limit=120, workers=1, seed=0, work_limit=10)
    assert solution.has_schedule
    summary = solution.statistics.wishes["summary"]
    assert set(summary["cohorts"]) == {"PGY-1", "PGY-2", "PGY-3", "Faculty"}
    for label, row in summary["cohorts"].items():
        assert row["min_weight_share"] >= 0.25, (label, row)
        assert row["minimum"] == 0.25 and row["minimum_held"] is True
        worst = min(summary["people"][p]["weight_share"] for p, r in summary["people"].items() if r["cohort"] == label)
        assert row["min_weight_share"] == worst
    assert solution.statistics.soft_costs["wish_fairness"] > 0


@pytest.mark.parametrize("time_limit", [1.0, 3.0])
def test_the_time_limit_is_honoured_with_everyones_wishes(time_limit: float) -> None:
    """The personal bounds, the constructive schedule and reading the schedule out all fit in the time limit given
    (a 1 s limit used to run for many seconds on a program with wishes): within 10% of it, with a schedule."""
    problem = generate(12, 6, 1, seed=1, wishes=True)
    started = time.monotonic()
    solution = solve(problem, time_limit=time_limit, workers=2, seed=0)
    assert time.monotonic() - started <= 1.1 * time_limit
    assert solution.has_schedule


def test_a_search_a_work_limit_ends_says_so_not_the_time_limit():
    # A run stopped by its work limit long before its clock ran out must not blame the time limit.
    problem = generate(12, 6, 1, seed=2, wishes=True)

    solution = solve(problem, time_limit=600, work_limit=0.2, workers=1, seed=1)

    assert solution.statistics.status == "feasible" and solution.statistics.wall_seconds < 540
    assert "the work limit ended the search" in solution.statistics.message
