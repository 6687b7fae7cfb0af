"""The fixed schedule around the horizon (Problem.context): a re-solve of some blocks keeps the ACGME rules across
its edges, so the merged schedule (the context plus the re-solved blocks) passes the checker.

No database: the "published year" is a solved three-block problem, the re-solve one of its blocks.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scheduling.engine.acgme import Report, check
from scheduling.engine.duties import parse_duties, read_duty
from scheduling.engine.facts import Facts
from scheduling.engine.model import solve
from scheduling.engine.problem import (
    Block,
    Calendar,
    Context,
    ContextPerson,
    Lock,
    Problem,
    ProblemError,
    problem_from_json,
    problem_to_json,
)
from scheduling.engine.solution import Solution
from tests.engine.test_model import SAFETY_TIME_LIMIT, START, solved, tiny

SCHEMA = json.loads((Path(__file__).parents[2] / "scheduling" / "engine" / "schema.json").read_text())
ZONE = "America/New_York"
BEFORE = START - timedelta(days=1)  # the last day before the horizon
WINDOW = 28


def three_blocks(**changes: object) -> Problem:
    """tiny()'s program over three 28-day blocks."""
    blocks = tuple(Block(n + 1, START + timedelta(days=28 * n), START + timedelta(days=28 * n + 27)) for n in range(3))
    return dataclasses.replace(tiny(**changes), calendar=Calendar(ZONE, blocks))  # type: ignore[arg-type]


def one_block(problem: Problem, number: int) -> Problem:
    """The same program over one of its blocks."""
    block = next(b for b in problem.calendar.blocks if b.number == number)
    return dataclasses.replace(problem, calendar=dataclasses.replace(problem.calendar, blocks=(block,)))


def duty(start: str, end: str, kind: str = "work") -> Any:
    return read_duty({"start": start, "end": end, "kind": kind}, "duty", Facts(tiny()).zone)


def context_of(duties: dict[str, Any], problem: Problem) -> Context:
    """The schedule `duties` (a DUTIES document) around `problem`'s horizon, as engine_io builds it."""
    first, last = problem.calendar.start, problem.calendar.end
    low, high = first - timedelta(days=WINDOW), last + timedelta(days=WINDOW)
    zone = Facts(problem).zone
    people = []
    for entry in duties["people"]:
        kept = tuple(
            read_duty(item, "duty", zone)
            for item in entry["duties"]
            if low <= date.fromisoformat(item["start"][:10]) <= high
            and not first <= date.fromisoformat(item["start"][:10]) <= last
        )
        people.append(ContextPerson(entry["id"], kept))
    return Context(low, high, tuple(people))


def merged(context: Context, solution: Solution) -> Report:
    """The checker's report on the context and the horizon's schedule together."""
    people = {entry["id"]: dict(entry, duties=list(entry["duties"])) for entry in solution.duties["people"]}
    for person in context.people:
        stamps = [
            {"start": d.start.strftime("%Y-%m-%dT%H:%M"), "end": d.end.strftime("%Y-%m-%dT%H:%M"), "kind": d.kind}
            for d in person.duties
        ]
        people[person.id]["duties"] = sorted(people[person.id]["duties"] + stamps, key=lambda item: item["start"])
    return check(parse_duties({"timezone": ZONE, "people": list(people.values())}))


def call_before(person: str = "r1") -> Context:
    """A day's work and the in-house call of the night before the horizon (a 25-h period ending 08:00 on day 0)."""
    day = BEFORE.isoformat()
    duties = (duty(f"{day}T07:00", f"{day}T17:00"), duty(f"{day}T17:00", f"{START}T08:00", "inhouse_call"))
    return Context(
        START - timedelta(days=WINDOW), START + timedelta(days=27 + WINDOW), (ContextPerson(person, duties),)
    )


def on_ward(problem: Problem, person: str = "r1") -> Problem:
    return dataclasses.replace(problem, locks=(Lock("rotation", person, block=1, rotation="WARD"),))


# The day after a call of the night before the horizon


def test_a_call_the_night_before_makes_day_one_a_post_call_day_and_the_merged_schedule_compliant():
    problem = dataclasses.replace(on_ward(tiny()), context=call_before())

    solution = solved(problem)

    day_one = {s.session: s.activity for s in solution.sessions if s.person == "r1" and s.date == START}
    assert day_one == {"AM": "off", "PM": "off"}  # on the ward (a work day), but post-call
    assert not [c for c in solution.calls if c.person == "r1" and c.start.date() <= START + timedelta(days=1)]
    report = merged(problem.context, solution)  # type: ignore[arg-type]
    assert report.compliant, report.violations[:3]


def test_without_the_context_the_same_edge_gives_a_34_hour_period():
    problem = on_ward(tiny())

    solution = solved(problem)

    report = merged(call_before(), solution)
    assert any(v.rule == "continuous_duty" and v.value >= 34 for v in report.violations), report.violations[:3]


def test_a_night_shift_before_the_horizon_keeps_day_one_free_but_allows_the_next_night():
    day = BEFORE.isoformat()
    context = Context(
        BEFORE, START + timedelta(days=27), (ContextPerson("r1", (duty(f"{day}T19:00", f"{START}T07:00"),)),)
    )
    facts = Facts(dataclasses.replace(tiny(), context=context))
    night_float = facts.problem.rotation("NF")

    assert facts.rests("r1", 0) and not facts.rests("r1", 1)
    assert not facts.can_call(facts.resident_index["r1"], 0)  # a 24-h call from 07:00 would join the night
    assert facts.works_night(night_float, "r1", 0)  # 19:00 is 12 h after the night ended


def test_calls_keep_their_spacing_from_the_calls_before_the_horizon():
    day = (START - timedelta(days=2)).isoformat()
    after = (START - timedelta(days=1)).isoformat()
    context = Context(
        BEFORE,
        START + timedelta(days=27),
        (ContextPerson("r1", (duty(f"{day}T07:00", f"{after}T08:00", "inhouse_call"),)),),
    )
    facts = Facts(dataclasses.replace(tiny(), context=context))
    r1 = facts.resident_index["r1"]

    assert [i for i in range(4) if facts.can_call(r1, i)] == [1, 2, 3]  # night -2 + 2 days between calls


# The end of the horizon


def after_horizon(problem: Problem, start: str, end: str, kind: str = "work", person: str = "r1") -> Problem:
    last = problem.calendar.end
    context = Context(START, last + timedelta(days=WINDOW), (ContextPerson(person, (duty(start, end, kind),)),))
    return dataclasses.replace(problem, context=context)


def test_no_call_on_the_last_night_when_the_day_after_is_a_work_day():
    problem = after_horizon(tiny(), "2026-07-29T07:00", "2026-07-29T17:00")
    facts = Facts(problem)
    r1, last = facts.resident_index["r1"], facts.n - 1

    assert not facts.can_call(r1, last) and facts.can_call(r1, last - 1)
    locked = dataclasses.replace(problem, locks=(Lock("call", "r1", date=date(2026, 7, 28)),))
    assert solved_status(locked) == "infeasible"


def solved_status(problem: Problem) -> str:
    return solve(problem, time_limit=5, workers=1, seed=0).statistics.status


def test_a_night_shift_that_would_run_into_a_call_after_the_horizon_is_not_worked():
    problem = after_horizon(tiny(), "2026-07-29T07:00", "2026-07-30T08:00", "inhouse_call")
    facts = Facts(problem)

    assert not facts.works_night(problem.rotation("NF"), "r1", facts.n - 1)
    calls = [i for i in range(facts.n - 4, facts.n) if facts.can_call(facts.resident_index["r1"], i)]
    assert calls == [facts.n - 4, facts.n - 3]  # two days before the call after, and 14 h rest before it


# Windows that cross an edge


def test_hours_calls_and_days_off_before_the_horizon_count_in_the_windows_that_cross_it():
    """Eleven hours a day for 27 days before but three (days -7, -14, -21), and call every seventh night."""
    days = [BEFORE - timedelta(days=k) for k in range(27) if k not in (6, 13, 20)]
    duties = tuple(duty(f"{d}T07:00", f"{d}T18:00") for d in sorted(days))
    calls = tuple(duty(f"{d}T18:00", f"{d + timedelta(days=1)}T07:00", "inhouse_call") for d in sorted(days)[::7])
    context = Context(START - timedelta(days=27), START + timedelta(days=27), (ContextPerson("r1", duties + calls),))
    facts = Facts(dataclasses.replace(tiny(), context=context))

    limits = facts.window_limits("r1")

    calls_before = len(calls)  # 4 nights, each 13 h, of which 7 h on the day after
    hours_before = 24 * 11 + calls_before * 13
    assert limits.hours[-27] == 80 * 4 * 60 - hours_before * 60
    assert limits.calls[-27] == 10 - calls_before
    assert limits.days_off[-27] == 1  # 3 free days before: day 0 must be the fourth
    assert set(Facts(tiny()).window_limits("r1").hours) == {0, 1}  # without a context: the windows inside
    assert set(limits.hours) == set(range(-27, 2))


@pytest.fixture(scope="module")
def published() -> tuple[Problem, Solution]:
    year = three_blocks()
    return year, solved(year, time_limit=SAFETY_TIME_LIMIT, work_limit=1.0)


@pytest.mark.parametrize(("number", "seed"), [(2, 0), (2, 1), (1, 2), (3, 3)])
def test_resolving_one_block_of_a_solved_year_keeps_the_merged_schedule_compliant(
    published: tuple[Problem, Solution], number: int, seed: int
):
    """Without the context these re-solves put a full day after a call and a week without a day off at the edge."""
    year, solution = published
    block = one_block(year, number)
    context = context_of(solution.duties, block)
    problem = dataclasses.replace(block, context=context)

    resolved = solve(problem, time_limit=5, workers=1, seed=seed)

    assert resolved.has_schedule, resolved.statistics.message
    report = merged(context, resolved)
    assert report.compliant, report.violations[:3]
    assert report.violations == [], report.violations[:3]


# PROBLEM.json


def test_context_round_trips_and_validates_against_the_schema():
    problem = dataclasses.replace(tiny(), context=call_before())
    data = problem_to_json(problem)

    assert data["version"] == 2 and data["context"]["people"][0]["duties"][1] == {
        "start": f"{BEFORE}T17:00",
        "end": f"{START}T08:00",
        "kind": "inhouse_call",
    }
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)) == []
    assert problem_from_json(json.loads(json.dumps(data))) == problem


def test_version_1_documents_still_read_but_carry_no_context():
    data = problem_to_json(tiny())
    data["version"] = 1
    assert problem_from_json(data) == tiny()

    data["context"] = problem_to_json(dataclasses.replace(tiny(), context=call_before()))["context"]
    with pytest.raises(ProblemError, match="context: needs version 2"):
        problem_from_json(data)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda c: c.update(start="2026-07-02"), "context.start", "must not be after the calendar's first day"),
        (lambda c: c["people"][0].update(id="f0"), "context.people[0].id", "is not one of the residents"),
        (lambda c: c["people"][0].update(id="nobody"), "context.people[0].id", "unknown person"),
        (
            lambda c: c["people"][0]["duties"].append(
                {"start": "2026-07-03T07:00", "end": "2026-07-03T17:00", "kind": "work"}
            ),
            "context.people[0].duties[2].start",
            "inside the calendar",
        ),
        (
            lambda c: c["people"][0]["duties"][0].update(kind="nap"),
            "context.people[0].duties[0].kind",
            "must be one of",
        ),
        (
            lambda c: c["people"][0].update(leave=[{"start": "2026-05-01", "end": "2026-05-02"}]),
            "context.people[0].leave[0].start",
            "outside the context",
        ),
    ],
)
def test_a_bad_context_is_refused_naming_the_field(change: Any, path: str, words: str):
    data = problem_to_json(dataclasses.replace(tiny(), context=call_before()))
    change(data["context"])

    with pytest.raises(ProblemError) as caught:
        problem_from_json(data)

    assert caught.value.path == path and words in caught.value.message
