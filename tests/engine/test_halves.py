"""Half-day absences and half-block rotations (issue 12, point 5)."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date, timedelta

import pytest

from scheduling.engine.facts import Facts
from scheduling.engine.model import ScheduleModel
from scheduling.engine.problem import (
    Absence,
    Block,
    Calendar,
    CallCoverage,
    Faculty,
    Lock,
    Problem,
    ProblemError,
    RequiredRotation,
    Requirements,
    Resident,
    Rotation,
    Staffing,
    problem_from_json,
    problem_to_json,
)
from scheduling.engine.solution_io import reference_from_solution, solution_from_json, solution_to_json
from tests.engine.test_model import (
    SAFETY_TIME_LIMIT,
    START,
    assert_compliant,
    assert_schedule_rules,
    solved,
    tiny,
)


def test_a_half_day_absence_keeps_that_session_empty_and_the_nights_around_it_free():
    # r1 (PGY-2, two continuity half-days a week) is away every weekday morning of the second week, and f0 every
    # afternoon of it: the solver would otherwise use those sessions.
    days = [START + timedelta(days=k) for k in range(7, 14) if (START + timedelta(days=k)).weekday() < 5]
    absences = tuple(Absence("r1", d, d, "conference", session="AM") for d in days) + tuple(
        Absence("f0", d, d, "conference", session="PM") for d in days
    )
    problem = tiny(absences=absences)
    solution = solved(problem)

    rows = {(s.person, s.date, s.session): s.activity for s in solution.sessions}
    for d in days:
        assert rows["r1", d, "AM"] == "leave"
        assert rows["f0", d, "PM"] == "leave"
        assert rows["r1", d, "PM"] != "leave"  # only the session is away
    nights = set(days) | {d - timedelta(days=1) for d in days}
    assert not [c for c in solution.calls if c.person == "r1" and c.start.date() in nights]
    person = next(p for p in solution.duties["people"] if p["id"] == "r1")
    assert person["leave"] == []  # a half-day is not a leave day for the ACGME averages
    for duty in person["duties"]:
        if duty["kind"] == "work" and duty["start"][:10] in {d.isoformat() for d in days}:
            assert duty["start"][11:] == "13:00" and duty["end"][11:] == "17:00"  # the afternoon only
    for session in solution.duties.get("sessions", []):
        if session["date"] in {d.isoformat() for d in days}:
            assert not (session["session"] == "AM" and "r1" in session["residents"])
            assert not (session["session"] == "PM" and "f0" in session["faculty"])
    assert_compliant(solution)
    assert_schedule_rules(problem, solution)


def test_a_half_day_absence_travels_in_problem_json_and_is_one_day():
    problem = tiny(absences=(Absence("r1", START, START, "sick", session="PM"),))
    assert problem_from_json(problem_to_json(problem)).absences == problem.absences
    assert Facts(problem).session_absent("r1", 0, 1) and not Facts(problem).session_absent("r1", 0, 0)

    data = problem_to_json(tiny(absences=(Absence("r1", START, START + timedelta(days=1), session="AM"),)))
    with pytest.raises(ProblemError) as error:
        problem_from_json(data)
    assert str(error.value).startswith("absences[0].session: a half-day absence is one day")
    data["absences"][0] |= {"end": START.isoformat(), "session": "noon"}
    with pytest.raises(ProblemError, match=r"absences\[0\]\.session: must be one of AM, PM"):
        problem_from_json(data)


def test_a_half_day_absence_keeps_a_no_leave_rotation_away():
    problem = tiny(absences=(Absence("r2", START + timedelta(days=3), START + timedelta(days=3), session="AM"),))
    solution = solved(problem)
    assert next(a for a in solution.rotations if a.person == "r2").rotation not in ("WARD", "NF")


def split_program(**changes: object) -> Problem:
    """Four PGY-2s, one 28-day block; sports medicine (half-block, no leave) needs one resident in each half, and
    every resident is away a day in some half, r0 only in the second, r1 only in the first: sports medicine is
    staffed only by r0 in the first half and r1 in the second, each spending the other half on an elective."""
    rotations = (
        Rotation("WARD", "Wards", "WARD", "inpatient", call_eligible=True),
        Rotation("SPORTS", "Sports medicine", "SPM", "elective", leave_allowed=False, half_block=True),
        Rotation("ELEC", "Elective", "ELEC", "elective", half_block=True),
    )
    away = {"r0": (20,), "r1": (3,), "r2": (2, 20), "r3": (4, 22)}
    problem = Problem(
        calendar=Calendar("America/New_York", (Block(1, START, START + timedelta(days=27)),)),
        residents=tuple(Resident(f"r{n}", f"Resident {n}", 2) for n in range(4)),
        faculty=(Faculty("f0", "Faculty 0"),),
        rotations=rotations,
        requirements=Requirements(
            staffing=(Staffing("SPORTS", 1, 1), Staffing("WARD", 0, 2)),
            clinic_sessions_per_week={2: 1},
            clinic_capacity=3,
            fmit_min_attendings=0,
        ),
        absences=tuple(
            Absence(person, START + timedelta(days=k), START + timedelta(days=k))
            for person, ks in away.items()
            for k in ks
        ),
    )
    return dataclasses.replace(problem, **changes)  # type: ignore[arg-type]


def test_a_half_block_rotation_yields_two_rotations_in_one_block_that_pass_the_checker():
    problem = split_program()
    solution = solved(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=5)

    assert solution.statistics.soft_costs["coverage_shortfall"] == 0, solution.statistics.message
    halves = {(a.person, a.half): a.rotation for a in solution.rotations}
    assert {key: rot for key, rot in halves.items() if key[0] in ("r0", "r1")} == {
        ("r0", 1): "SPORTS", ("r0", 2): "ELEC", ("r1", 1): "ELEC", ("r1", 2): "SPORTS",
    }  # fmt: skip
    assert {key for key in halves if key[0] in ("r2", "r3")} == {("r2", 0), ("r3", 0)}  # whole blocks
    assert "SPORTS" not in (halves["r2", 0], halves["r3", 0])
    second_half = START + timedelta(days=14)
    for row in solution.sessions:
        if row.person == "r0":
            assert row.rotation == ("SPORTS" if row.date < second_half else "ELEC")
    assert_compliant(solution)
    text = json.dumps(solution_to_json(solution))
    again = solution_from_json(json.loads(text))
    assert again.rotations == solution.rotations  # `half` travels in SOLUTION.json
    assert reference_from_solution(again).halves[("r0", 1, 1)] == "SPORTS"


def test_a_re_solve_keeps_the_halves_of_its_reference():
    problem = split_program()
    first = solved(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=5)
    reference = problem_from_json(
        problem_to_json(dataclasses.replace(problem, reference=reference_from_solution(first)))
    )
    again = solved(reference, time_limit=SAFETY_TIME_LIMIT, work_limit=5)

    assert again.rotations == first.rotations
    assert again.statistics.soft_costs["change"] == 0


def test_whole_blocks_hold_both_halves_for_required_rotations_locks_and_staffing():
    # over two blocks, each PGY-2 spends exactly a block's worth on sports medicine (the block, or two halves), at
    # most two residents in each half; a lock keeps r2 on it for the whole of block 1
    blocks = (Block(1, START, START + timedelta(days=27)), Block(2, START + timedelta(days=28), START + timedelta(55)))
    problem = split_program(
        calendar=Calendar("America/New_York", blocks),
        residents=tuple(Resident(f"r{n}", f"Resident {n}", 2) for n in range(3)),
        requirements=Requirements(
            staffing=(Staffing("SPORTS", 0, 2),),
            required_rotations=(RequiredRotation(2, "SPORTS", 1, 1),),
            clinic_sessions_per_week={2: 1},
            fmit_min_attendings=0,
        ),
        absences=(),
        locks=(Lock("rotation", "r2", block=1, rotation="SPORTS"),),
    )
    solution = solved(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=5)

    sports: Counter[tuple[str, int, int]] = Counter()
    for a in solution.rotations:
        if a.rotation == "SPORTS":
            for half in (1, 2) if a.half == 0 else (a.half,):
                sports[a.person, a.block, half] += 1
    for person in ("r0", "r1", "r2"):
        assert sum(n for (p, _, _), n in sports.items() if p == person) == 2  # a block's worth, counted in halves
    assert max(Counter((b, h) for _, b, h in sports.elements()).values()) <= 2  # staffing in each half
    assert ("r2", 1, "SPORTS", 0) in {(a.person, a.block, a.rotation, a.half) for a in solution.rotations}
    assert_compliant(solution)


def test_a_lone_half_block_rotation_builds_the_whole_block_model_and_the_same_schedule():
    # no second half-block rotation to pair with: exactly today's model (same variables, constraints, schedule)
    problem = tiny()
    marked = dataclasses.replace(
        problem, rotations=(dataclasses.replace(problem.rotations[0], half_block=True), *problem.rotations[1:])
    )
    assert str(ScheduleModel(Facts(marked)).m.Proto()) == str(ScheduleModel(Facts(problem)).m.Proto())
    one = solved(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=2)
    two = solved(marked, time_limit=SAFETY_TIME_LIMIT, work_limit=2)
    assert (one.rotations, one.calls, one.sessions) == (two.rotations, two.calls, two.sessions)
    assert one.statistics.objective == two.statistics.objective


def test_a_required_rotation_open_only_in_halves_is_met_with_two_halves():
    # r0 must spend a block on sports medicine (no leave allowed) but is away in the second half of block 1 and the
    # first half of block 2: the pre-check counts halves, and the schedule gives them one half of each block
    blocks = (Block(1, START, START + timedelta(days=27)), Block(2, START + timedelta(days=28), START + timedelta(55)))
    problem = split_program(
        calendar=Calendar("America/New_York", blocks),
        residents=(Resident("r0", "Resident 0", 2),),
        requirements=Requirements(
            required_rotations=(RequiredRotation(2, "SPORTS", 1, 1),), clinic_sessions_per_week={2: 1},
            fmit_min_attendings=0,
        ),
        absences=(Absence("r0", START + timedelta(days=20), START + timedelta(days=20)),
                  Absence("r0", START + timedelta(days=30), START + timedelta(days=30))),
    )  # fmt: skip
    solution = solved(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=5)

    sports = {(a.block, a.half) for a in solution.rotations if a.rotation == "SPORTS"}
    assert sports == {(1, 1), (2, 2)}
    assert_compliant(solution)


def test_calls_nights_and_clinic_follow_the_rotation_of_the_half():
    # sports medicine pairs with a half-block night float and a half-block call-taking ward; every call, night
    # shift and clinic half-day must belong to the rotation of the half holding its day
    rotations = (
        Rotation("WARD", "Wards", "WARD", "inpatient", call_eligible=True),
        Rotation("SPORTS", "Sports medicine", "SPM", "elective", leave_allowed=False, half_block=True),
        Rotation("HWARD", "Short wards", "HW", "inpatient", call_eligible=True, half_block=True),
        Rotation("NF", "Night float", "NF", "night_float", night=True, continuity_clinic=False, half_block=True,
                 work_days=(0, 1, 2, 3, 6)),
    )  # fmt: skip
    problem = split_program(
        rotations=rotations,
        requirements=Requirements(
            staffing=(Staffing("SPORTS", 1, 1), Staffing("NF", 1, 1), Staffing("WARD", 0, 2)),
            clinic_sessions_per_week={2: 1},
            clinic_capacity=3,
            call=(CallCoverage(per_night=1),),
            fmit_min_attendings=0,
        ),
    )
    solution = solved(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=10)

    assert any(a.half for a in solution.rotations)
    facts = Facts(problem)
    held = {(a.person, a.half): problem.rotation(a.rotation) for a in solution.rotations}

    def rotation(person: str, day: date) -> Rotation:
        i = facts.day_index[day]
        return held.get((person, facts.half_of[i])) or held[person, 0]

    for call in solution.calls:
        assert rotation(call.person, call.start.date()).call_eligible, call
    for row in solution.sessions:
        if row.person.startswith("r") and row.activity != "leave":
            assert row.rotation == rotation(row.person, row.date).id
            if row.activity == "night_float":
                assert rotation(row.person, row.date).night
            if row.activity == "clinic":
                assert rotation(row.person, row.date).continuity_clinic
    assert_compliant(solution)
