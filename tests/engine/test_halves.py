"""Half-day absences and half-block rotations (issue 12, point 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduling.engine.facts import Facts
from scheduling.engine.problem import Absence, ProblemError, problem_from_json, problem_to_json
from tests.engine.test_model import START, assert_compliant, assert_schedule_rules, solved, tiny


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
