"""Faculty overnight call (attending call): the roster keeps its spacing, post-call day, eligibility, FMIT weekends
and absences, covers every chosen night, and stays out of the residents' ACGME duties.

No database; generated programs (S: one block, M: a year), two workers and a seed.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from functools import cache

import pytest

from scheduling.engine.acgme import check
from scheduling.engine.duties import parse_duties
from scheduling.engine.generate import SIZES, generate
from scheduling.engine.model import solve
from scheduling.engine.problem import (
    Context,
    FacultyCall,
    Preference,
    Problem,
    ProblemError,
    problem_from_json,
    problem_to_json,
)
from scheduling.engine.solution import Solution

SUN_THU = (6, 0, 1, 2, 3)
DEFAULT = FacultyCall()


def with_call(problem: Problem, call: FacultyCall | None = DEFAULT, **faculty_changes: dict) -> Problem:
    """The problem with this faculty call roster and some faculty members changed ({id: {field: value}})."""
    faculty = tuple(
        dataclasses.replace(fac, **faculty_changes.get(fac.id, {})) if fac.id in faculty_changes else fac
        for fac in problem.faculty
    )
    return dataclasses.replace(
        problem, faculty=faculty, requirements=dataclasses.replace(problem.requirements, faculty_call=call)
    )


@cache
def solved(size: str, call: FacultyCall | None = DEFAULT, adjunct: bool = False) -> tuple[Problem, Solution]:
    residents, faculty, blocks = SIZES[size]
    problem = generate(residents, faculty, blocks, seed=1)
    changes = {"f003": {"role": "adjunct", "call_eligible": False, "fmit_eligible": False}} if adjunct else {}
    problem = with_call(problem, call, **changes)
    return problem, solve(problem, time_limit=60, workers=2, seed=1)


def attending(solution: Solution) -> list[tuple[str, date]]:
    return sorted((c.person, c.start.date()) for c in solution.calls if c.kind == "attending")


def fmit_days(solution: Solution) -> dict[str, set[date]]:
    out: dict[str, set[date]] = {}
    for week in solution.fmit_weeks:
        out.setdefault(week.person, set()).update(
            week.start + timedelta(days=k) for k in range((week.end - week.start).days + 1)
        )
    return out


def roster(solution: Solution) -> list[tuple[str, date]]:
    """The attending calls of the roster (Sunday-Thursday), not the FMIT attendings' weekends."""
    return [(p, d) for p, d in attending(solution) if d.weekday() in SUN_THU]


def test_generated_programs_have_faculty_call_and_older_documents_none():
    assert generate(12, 6, 1, seed=1).requirements.faculty_call == FacultyCall()
    data = problem_to_json(generate(12, 6, 1, seed=1))
    del data["requirements"]["faculty_call"]
    assert problem_from_json(data).requirements.faculty_call is None


def test_faculty_call_reads_back_and_refuses_bad_fields_by_name():
    problem = with_call(
        generate(12, 6, 1, seed=1),
        FacultyCall(nights=(0, 1), per_night=1, min_days_between=4, protected_sessions=((0, "AM"),)),
        f002={"call_eligible": False},
    )
    data = problem_to_json(problem)
    assert problem_from_json(data) == problem
    for change, field in (
        ({"nights": [0, 0]}, "requirements.faculty_call.nights"),
        ({"per_night": -1}, "requirements.faculty_call.per_night"),
        (
            {"protected_sessions": [{"weekday": 0, "session": "noon"}]},
            "requirements.faculty_call.protected_sessions[0]",
        ),
        ({"nightly": 1}, "requirements.faculty_call.nightly"),
    ):
        bad = problem_to_json(problem)
        bad["requirements"]["faculty_call"] |= change
        with pytest.raises(ProblemError) as caught:
            problem_from_json(bad)
        assert caught.value.path.startswith(field)
    bad = problem_to_json(problem)
    bad["faculty"][0]["call_eligible"] = "yes"
    with pytest.raises(ProblemError, match="must be true or false"):
        problem_from_json(bad)


def test_every_chosen_night_of_the_year_has_one_attending_and_the_solution_passes_the_checker():
    problem, solution = solved("M")
    assert solution.statistics.status == "optimal"
    nights = {d for _, d in roster(solution)}
    first, last = problem.calendar.start, problem.calendar.end
    chosen = {first + timedelta(days=k) for k in range((last - first).days + 1)}
    assert nights == {d for d in chosen if d.weekday() in SUN_THU}
    assert len(roster(solution)) == len(nights)  # one a night
    assert not [c for c in solution.statistics.conflicts if c.requirement.startswith("faculty_call")]
    report = check(parse_duties(solution.duties))
    assert report.compliant, report.violations[:3]
    residents = {r.id for r in problem.residents}
    assert {p["id"] for p in solution.duties["people"]} == residents  # faculty calls are no resident duty
    figures = solution.statistics.fairness["call_nights"]["faculty"]
    assert figures["people"] == 12 and figures["max"] - figures["min"] <= 1


def test_calls_keep_the_spacing():
    for size in ("S", "M"):
        _, solution = solved(size)
        by_person: dict[str, list[date]] = {}
        for person, night in roster(solution):
            by_person.setdefault(person, []).append(night)
        for nights in by_person.values():
            assert all((b - a).days > 3 for a, b in zip(nights, nights[1:], strict=False)), nights
    _, wider = solved("S", FacultyCall(min_days_between=6))
    by_person = {}
    for person, night in roster(wider):
        by_person.setdefault(person, []).append(night)
    assert all((b - a).days > 6 for nights in by_person.values() for a, b in zip(nights, nights[1:], strict=False))


def test_the_day_after_a_call_is_post_call_without_clinic():
    _, solution = solved("M")
    sessions = {(s.person, s.date, s.session): s.activity for s in solution.sessions}
    checked = 0
    for person, night in roster(solution):
        after = night + timedelta(days=1)
        if (person, after, "AM") not in sessions or sessions[person, after, "AM"] in ("leave", "fmit"):
            continue
        assert sessions[person, after, "AM"] == "post_call"
        assert sessions[person, after, "PM"] == "off"
        checked += 1
    assert checked > 200


def test_an_adjunct_is_never_on_call():
    _, solution = solved("S", adjunct=True)
    assert roster(solution)
    assert "f003" not in {p for p, _ in attending(solution)}


def test_the_fmit_weekend_goes_with_the_fmit_week_and_fmit_attendings_take_no_roster_call():
    problem, solution = solved("M")
    on_fmit = fmit_days(solution)
    calls = attending(solution)
    weekends = [(p, d) for p, d in calls if d.weekday() in (4, 5)]
    assert weekends
    for person, night in weekends:
        assert night in on_fmit[person]
    fridays = {w.start for w in solution.fmit_weeks if w.start.weekday() == 4}
    assert fridays <= {d for _, d in weekends}
    for person, night in roster(solution):
        assert night not in on_fmit.get(person, set())
        assert night + timedelta(days=1) not in on_fmit.get(person, set())


def test_absent_faculty_are_never_on_call():
    problem, solution = solved("M")
    away = {
        (a.person, a.start + timedelta(days=k)) for a in problem.absences for k in range((a.end - a.start).days + 1)
    }
    assert any(p.startswith("f") for p, _ in away)
    for person, night in roster(solution):
        assert (person, night) not in away and (person, night + timedelta(days=1)) not in away


def test_nobody_holding_clinic_takes_the_night_before_a_protected_half_day():
    problem, _ = solved("S")
    protected = FacultyCall(protected_sessions=((0, "AM"),))
    free = {fac.id for fac in problem.faculty[:1]}
    changed = with_call(
        problem, protected, **{fid: {"clinic_min_per_week": 0, "clinic_max_per_week": 0} for fid in free}
    )
    solution = solve(changed, time_limit=60, workers=2, seed=1)
    sundays = [(p, d) for p, d in roster(solution) if d.weekday() == 6]
    assert sundays and {p for p, _ in sundays} <= free


def test_a_night_nobody_can_take_is_a_coverage_shortfall_in_words():
    problem, _ = solved("S")
    nobody = with_call(problem, FacultyCall(), **{fac.id: {"call_eligible": False} for fac in problem.faculty})
    solution = solve(nobody, time_limit=30, workers=2, seed=1)
    assert solution.has_schedule and not roster(solution)
    messages = [c.message for c in solution.statistics.conflicts if c.requirement.startswith("faculty_call")]
    assert len(messages) == 20  # Sunday-Thursday nights of one block
    assert "attending call needs 1 faculty member; none is call-eligible and available" in messages[0]


def test_calls_and_clinic_around_a_re_solved_horizon_keep_spacing_and_the_post_call_day():
    problem, _ = solved("S")
    first, last = problem.calendar.start, problem.calendar.end
    context = Context(
        start=first - timedelta(days=7),
        end=last + timedelta(days=7),
        faculty_calls=(("f001", first - timedelta(days=1)), ("f002", first - timedelta(days=2))),
        faculty_clinic=(("f003", last + timedelta(days=1)),),
    )
    edged = dataclasses.replace(problem, context=context)
    assert problem_from_json(problem_to_json(edged)) == edged
    bad = problem_to_json(edged)
    bad["context"]["faculty_calls"][0]["person"] = "r001"
    with pytest.raises(ProblemError, match="not one of the faculty") as caught:
        problem_from_json(bad)
    assert caught.value.path == "context.faculty_calls[0].person"

    solution = solve(edged, time_limit=60, workers=2, seed=1)

    calls = roster(solution)
    assert not [d for p, d in calls if p == "f001" and (d - first).days <= 2]
    assert not [d for p, d in calls if p == "f002" and (d - first).days <= 1]
    assert ("f003", last) not in calls
    day_one = {s.session: s.activity for s in solution.sessions if s.person == "f001" and s.date == first}
    assert "clinic" not in day_one.values()
    if day_one["AM"] not in ("leave", "fmit"):
        assert day_one == {"AM": "post_call", "PM": "off"}


def test_a_faculty_member_blocking_a_week_gets_no_attending_call_in_it():
    problem, _ = solved("S")
    monday = date(2026, 7, 6)
    wishes = tuple(Preference(fac.id, "blocked_week", week_start=monday, weight=5) for fac in problem.faculty[:2])
    wished = dataclasses.replace(problem, preferences=problem.preferences + wishes)

    solution = solve(wished, time_limit=60, workers=2, seed=1)

    week = {monday + timedelta(days=k) for k in range(7)}
    assert roster(solution)
    assert not [(p, d) for p, d in roster(solution) if p in ("f001", "f002") and d in week]
