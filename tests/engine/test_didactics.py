"""The protected weekly didactics half-day: residents at work attend it; nights, post-call and leave do not.

No database; tiny problems, one worker and a seed.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import jsonschema
import pytest

from scheduling.engine.facts import Facts
from scheduling.engine.precheck import precheck
from scheduling.engine.problem import (
    Absence,
    Day,
    Didactics,
    Lock,
    ProblemError,
    Staffing,
    problem_from_json,
    problem_to_json,
)
from tests.engine.test_model import START, assert_compliant, solved, tiny

SCHEMA = json.loads((Path(__file__).parents[2] / "scheduling" / "engine" / "schema.json").read_text())
WEDNESDAY_PM = Didactics(weekday=2, session="PM")
FREE = ("off", "leave", "night_float")


def with_didactics(**changes: object):  # type: ignore[no-untyped-def]
    problem = tiny(**changes)
    requirements = dataclasses.replace(
        problem.requirements,
        didactics=WEDNESDAY_PM,
        staffing=(Staffing("WARD", 2, 4), Staffing("NF", 1, 1)),  # someone is on nights every Wednesday
    )
    return dataclasses.replace(problem, requirements=requirements)


def test_didactics_round_trips_through_problem_json_and_the_schema():
    problem = with_didactics()

    data = problem_to_json(problem)

    jsonschema.validate(data, SCHEMA)
    assert data["requirements"]["didactics"] == {"weekday": 2, "session": "PM"}
    assert problem_from_json(data) == problem
    assert "didactics" not in problem_to_json(tiny())["requirements"]
    assert problem_from_json(problem_to_json(tiny())).requirements.didactics is None


def test_didactics_with_an_unknown_session_is_refused_naming_the_field():
    data = problem_to_json(with_didactics())
    data["requirements"]["didactics"]["session"] = "EVENING"

    with pytest.raises(ProblemError, match=r"^requirements\.didactics\.session: must be one of AM, PM"):
        problem_from_json(data)


def test_didactics_fall_on_the_weekday_but_not_on_holidays_or_closed_days():
    holiday, closed = date(2026, 7, 15), date(2026, 7, 22)  # Wednesdays of the 28 days from Wednesday 1 July
    problem = with_didactics()
    calendar = dataclasses.replace(
        problem.calendar,
        days=(Day(holiday, "federal_holiday", 0.0, "Holiday"), Day(closed, "closure", 0.0, "Closed")),
    )
    facts = Facts(dataclasses.replace(problem, calendar=calendar))

    assert sorted(facts.days[i] for i, _ in facts.didactics) == [date(2026, 7, 1), date(2026, 7, 8)]
    assert {s for _, s in facts.didactics} == {1}  # PM
    assert Facts(tiny()).didactics == frozenset()


def test_residents_at_work_attend_didactics_and_nights_post_call_and_leave_do_not():
    on_leave = Absence("r0", date(2026, 7, 6), date(2026, 7, 10), "vacation")  # Monday to Friday: a Wednesday
    problem = with_didactics(absences=(on_leave,))

    solution = solved(problem)

    assert_compliant(solution)
    by_slot = {(s.person, s.date, s.session): s for s in solution.sessions}
    post_call = {(c.person, (c.start + timedelta(days=1)).date()) for c in solution.calls}
    wednesdays = [START + timedelta(days=7 * k) for k in range(4)]
    seen = set()
    for res in problem.residents:
        for day in wednesdays:
            am, pm = by_slot[res.id, day, "AM"], by_slot[res.id, day, "PM"]
            assert pm.rotation == am.rotation  # the block's rotation stays on the row
            if am.activity in FREE:
                assert pm.activity == am.activity
                seen.add(am.activity)
            else:
                assert (res.id, day) not in post_call
                assert pm.activity == "didactics", (res.id, day, am.activity, pm.activity)
                seen.add("didactics")
    assert {"didactics", "leave", "night_float"} <= seen
    clinic_slots = {(s.date, s.session) for s in solution.sessions if s.activity == "clinic"}
    assert not {(day, "PM") for day in wednesdays} & clinic_slots  # residents' and faculty's clinic sessions
    assert "didactics" not in {s.activity for s in solution.sessions if s.person.startswith("f")}


def test_the_didactics_half_day_counts_as_duty_hours():
    solution = solved(with_didactics())
    sessions = {(s.person, s.date, s.session): s.activity for s in solution.sessions}
    duties = {person["id"]: person["duties"] for person in solution.duties["people"]}

    attended = [(p, d) for (p, d, s), activity in sessions.items() if activity == "didactics"]
    assert attended
    for person, day in attended:
        pm_start, pm_end = datetime.combine(day, time(13)), datetime.combine(day, time(17))
        covering = [
            duty
            for duty in duties[person]
            if duty["kind"] == "work"
            and datetime.fromisoformat(duty["start"]) <= pm_start
            and datetime.fromisoformat(duty["end"]) >= pm_end
        ]
        assert covering, (person, day)


def test_a_resident_clinic_lock_on_the_didactics_half_day_is_a_named_conflict():
    problem = with_didactics(locks=(Lock("clinic", "r1", date=date(2026, 7, 8), session="PM"),))

    hard, _ = precheck(Facts(problem))

    assert [c.message for c in hard] == ["Lock: Resident 1 in clinic 2026-07-08 PM, the protected didactics half-day"]
