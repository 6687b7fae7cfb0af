"""From assignments (rotations, calls, clinic half-days, FMIT weeks) to sessions, call periods and DUTIES.

The derivation is the model's reading of a schedule (docs/engine.md, "Duty derivation"): a resident works
from the AM start to the PM end on the rotation's work days, except on leave, on the day after a call
(post-call day off) and on the day after a night shift (the protected didactics half-day, when the program
has one, is a session of that work: its hours count like the rest of the day); an in-house call runs from
the end of that day's duty (or from the AM start when there is none) to `call_end` the next morning; a night
shift runs from `night_start` to `night_end` the next morning. Assignments are given as a Reference, the
shape a re-solve takes.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, time
from typing import Any

from scheduling.engine import faculty_call
from scheduling.engine.duties import DEFAULT_SESSION_TIMES, AcgmeLimits, session_times_to_json, supervision_rules
from scheduling.engine.facts import Facts
from scheduling.engine.problem import Problem, Reference, Rotation
from scheduling.engine.solution import (
    CallAssignment,
    FmitWeek,
    RotationAssignment,
    SessionAssignment,
    Solution,
    Statistics,
)

SESSIONS = ("AM", "PM")
RESIDENT_ACTIVITIES = ("clinic", "didactics", "night_float", "off", "leave")  # plus the rotation kinds
FACULTY_ACTIVITIES = ("clinic", "fmit", "post_call", "off", "leave")
CLINIC = "clinic"  # the activity of a continuity clinic half-day, and the site of its DUTIES sessions


def _stamp(day: date, at: time) -> str:
    return datetime.combine(day, at).strftime("%Y-%m-%dT%H:%M")


class _Resident:
    """One resident's schedule read day by day."""

    def __init__(self, facts: Facts, r: int, assignments: Reference) -> None:
        self.f = facts
        self.res = facts.residents[r]
        blocks = facts.problem.calendar.blocks
        self.rotation: list[Rotation | None] = []  # each day's rotation: its half's, else the whole block's
        for i, b in enumerate(facts.block_of):
            number = blocks[b].number
            rot_id = assignments.halves.get((self.res.id, number, facts.half_of[i]))
            rot_id = rot_id if rot_id is not None else assignments.rotations.get((self.res.id, number))
            self.rotation.append(facts.rotations[facts.rotation_index[rot_id]] if rot_id is not None else None)
        self.calls = {facts.day_index[d] for p, d in assignments.calls if p == self.res.id and d in facts.day_index}

    def night(self, i: int) -> bool:
        rot = self.rotation[i] if 0 <= i < self.f.n else None
        return rot is not None and self.f.works_night(rot, self.res.id, i)

    def day_duty(self, i: int) -> bool:
        rot = self.rotation[i]
        return (
            rot is not None
            and self.f.works_day(rot, i)
            and not self.f.is_absent(self.res.id, i)
            and not self.f.rests(self.res.id, i)
            and (i - 1) not in self.calls
            and not self.night(i - 1)
        )


def derive_duties(
    problem: Problem,
    assignments: Reference,
    facts: Facts | None = None,
    half_days: tuple[SessionAssignment, ...] | None = None,
) -> dict[str, Any]:
    """The DUTIES document of a schedule, local naive times in the calendar's time zone: the residents' duties,
    and the continuity clinic sessions with their faculty (`supervision_sessions`; `half_days` are the
    schedule's derived sessions when the caller has them)."""
    facts = facts or Facts(problem)
    sessions = problem.calendar.sessions
    rules = problem.rules
    people = []
    for r, res in enumerate(facts.residents):
        person = _Resident(facts, r, assignments)
        duties: list[dict[str, str]] = []
        for i, day in enumerate(facts.days):
            after = facts.days[0].fromordinal(day.toordinal() + 1)
            worked = person.day_duty(i)
            if worked:
                begin, finish = _worked_span(facts, res.id, i)
                if begin is not None and finish is not None:
                    duties.append({"start": _stamp(day, begin), "end": _stamp(day, finish), "kind": "work"})
            if i in person.calls:
                begin = min(rules.call_start, sessions.pm_end) if worked else sessions.am_start
                duties.append(
                    {"start": _stamp(day, begin), "end": _stamp(after, rules.call_end), "kind": "inhouse_call"}
                )
            if person.night(i):
                duties.append(
                    {"start": _stamp(day, rules.night_start), "end": _stamp(after, rules.night_end), "kind": "work"}
                )
        people.append({"id": res.id, "pgy": res.pgy, "duties": duties, "leave": _leave(facts, res.id)})
    document: dict[str, Any] = {"timezone": problem.calendar.timezone, "rules": duty_rules(problem), "people": people}
    times = sessions.times()
    if times != dict(DEFAULT_SESSION_TIMES):
        document["session_times"] = session_times_to_json(times)
    if half_days is None:
        half_days = derive_sessions(problem, assignments, facts)
    supervised = supervision_sessions(problem, half_days)
    if supervised:
        document["sessions"] = supervised
    return document


def _worked_span(facts: Facts, person: str, i: int) -> tuple[time | None, time | None]:
    """The clock times of a day's duty: AM start to PM end, or only the session a half-day absence leaves (the
    model counts the whole day, which is conservative); (None, None) when both sessions are half-day absences."""
    clock = facts.problem.calendar.sessions
    am, pm = (not facts.session_absent(person, i, s) for s in range(2))
    if am and pm:
        return clock.am_start, clock.pm_end
    if am:
        return clock.am_start, clock.am_end
    if pm:
        return clock.pm_start, clock.pm_end
    return None, None


def duty_rules(problem: Problem) -> dict[str, float | int]:
    """The Problem's ACGME overrides and supervision ratio as the checker reads them (whole numbers for its
    integer fields), so the checker counts supervision as the model does."""
    kinds = {item.name: item.type for item in fields(AcgmeLimits)}
    out: dict[str, float | int] = {}
    for name, value in sorted(problem.acgme.items()):
        out[name] = int(value) if "int" in str(kinds.get(name, "")) and float(value).is_integer() else value
    out |= supervision_rules(problem.rules.supervision)
    return out


def supervision_sessions(problem: Problem, sessions: tuple[SessionAssignment, ...]) -> list[dict[str, Any]]:
    """The DUTIES "sessions" entries of a schedule: each half-day with residents in continuity clinic, site
    "clinic", with the faculty in clinic then (the model's supervision ratio counts exactly these)."""
    residents = {res.id for res in problem.residents}
    found: dict[tuple[date, str], tuple[list[str], list[str]]] = {}
    for row in sessions:
        if row.activity == CLINIC:
            group = found.setdefault((row.date, row.session), ([], []))
            group[0 if row.person in residents else 1].append(row.person)
    return [
        {"date": day.isoformat(), "session": session, "site": CLINIC, "residents": held, "faculty": faculty}
        for (day, session), (held, faculty) in sorted(found.items())
        if held
    ]


def _leave(facts: Facts, person: str) -> list[dict[str, str]]:
    """Contiguous runs of absence days inside the horizon, dates inclusive."""
    runs: list[dict[str, str]] = []
    days = sorted(facts.absent.get(person, frozenset()))
    start = prev = None
    for i in days:
        if start is None:
            start = prev = i
        elif i == prev + 1:  # type: ignore[operator]
            prev = i
        else:
            runs.append({"start": facts.days[start].isoformat(), "end": facts.days[prev].isoformat()})  # type: ignore[index]
            start = prev = i
    if start is not None:
        runs.append({"start": facts.days[start].isoformat(), "end": facts.days[prev].isoformat()})  # type: ignore[index]
    return runs


def derive_sessions(
    problem: Problem, assignments: Reference, facts: Facts | None = None
) -> tuple[SessionAssignment, ...]:
    """Every person's activity in every half-day session (see RESIDENT_ACTIVITIES and FACULTY_ACTIVITIES)."""
    facts = facts or Facts(problem)
    clinic = assignments.clinic
    rows: list[SessionAssignment] = []
    for r, res in enumerate(facts.residents):
        person = _Resident(facts, r, assignments)
        for i, day in enumerate(facts.days):
            rot = person.rotation[i]
            rot_id = rot.id if rot is not None else None
            for s, session in enumerate(SESSIONS):
                if facts.session_absent(res.id, i, s):
                    activity = "leave"
                elif person.night(i):
                    activity = "night_float"
                elif person.day_duty(i) and (i, s) in facts.didactics:
                    activity = "didactics"
                elif person.day_duty(i) and rot is not None:
                    activity = "clinic" if (res.id, day, session) in clinic else rot.kind
                else:
                    activity = "off"
                rows.append(SessionAssignment(res.id, day, session, activity, rot_id))
    fmit_days: set[tuple[str, int]] = set()
    for person_id, start in assignments.fmit_weeks:
        w = facts.fmit_week_index(start)
        if w is not None:
            fmit_days.update((person_id, i) for i in facts.fmit_weeks[w].days)
    for fac in facts.faculty:
        for i, day in enumerate(facts.days):
            for s, session in enumerate(SESSIONS):
                if facts.session_absent(fac.id, i, s):
                    activity = "leave"
                elif (fac.id, i) in fmit_days:
                    activity = "fmit"
                elif (fac.id, day, session) in clinic:
                    activity = "clinic"
                else:
                    activity = "off"
                rows.append(
                    faculty_call.post_call(facts, assignments, SessionAssignment(fac.id, day, session, activity, None))
                )
    return tuple(rows)


def derive_calls(problem: Problem, assignments: Reference, facts: Facts | None = None) -> tuple[CallAssignment, ...]:
    """In-house call periods with aware local start and end, as in the DUTIES document."""
    facts = facts or Facts(problem)
    sessions = problem.calendar.sessions
    rows: list[CallAssignment] = []
    for r, res in enumerate(facts.residents):
        person = _Resident(facts, r, assignments)
        for i in sorted(person.calls):
            begin = min(problem.rules.call_start, sessions.pm_end) if person.day_duty(i) else sessions.am_start
            rows.append(CallAssignment(res.id, "in_house", facts.at(i, begin), facts.at(i + 1, problem.rules.call_end)))
    return tuple(rows) + tuple(faculty_call.derive_calls(facts, assignments))


def derive_fmit(problem: Problem, assignments: Reference, facts: Facts | None = None) -> tuple[FmitWeek, ...]:
    """FMIT weeks clipped to the horizon (start and end inside it)."""
    facts = facts or Facts(problem)
    rows = []
    for person_id, start in sorted(assignments.fmit_weeks, key=lambda item: (item[1], item[0])):
        w = facts.fmit_week_index(start)
        if w is not None:
            week = facts.fmit_weeks[w]
            rows.append(FmitWeek(person_id, facts.days[week.days[0]], facts.days[week.days[-1]]))
    return tuple(rows)


def build_solution(
    problem: Problem, assignments: Reference, statistics: Statistics, facts: Facts | None = None
) -> Solution:
    """A Solution holding the assignments, everything derived from them, and the statistics."""
    facts = facts or Facts(problem)
    sessions = derive_sessions(problem, assignments, facts)
    entries = [(person, block, 0, rotation) for (person, block), rotation in assignments.rotations.items()]
    entries += [(person, block, half, rotation) for (person, block, half), rotation in assignments.halves.items()]
    rotations = tuple(
        RotationAssignment(person, block, rotation, half)
        for person, block, half, rotation in sorted(
            entries, key=lambda item: (facts.resident_index.get(item[0], 0), item[1], item[2])
        )
    )
    return Solution(
        statistics=statistics,
        rotations=rotations,
        sessions=sessions,
        calls=derive_calls(problem, assignments, facts),
        fmit_weeks=derive_fmit(problem, assignments, facts),
        duties=derive_duties(problem, assignments, facts, sessions),
    )
