"""Faculty overnight call (attending call): who may take which night, its model terms, the hint's greedy roster,
and the calls and post-call half-days a schedule derives from it (`Requirements.faculty_call`, docs/engine.md).

Faculty are not subject to the residents' ACGME limits: an attending call is a faculty duty with its own program
rules (eligibility, spacing, post-call day, protected half-days, FMIT weekends), never a DUTIES duty.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from scheduling.engine.facts import Facts
from scheduling.engine.problem import FacultyCall, Reference
from scheduling.engine.solution import CallAssignment, SessionAssignment

if TYPE_CHECKING:
    from scheduling.engine.model import ScheduleModel

KIND = "attending"  # CallAssignment.kind of a faculty call
POST_CALL = "post_call"  # the faculty member's activity the morning after a call (the afternoon is off)
FMIT_WEEKEND = (4, 5)  # Friday and Saturday nights of an FMIT week are the FMIT attending's call
SESSIONS = ("AM", "PM")


def config(facts: Facts) -> FacultyCall | None:
    """The program's faculty call roster, or None when it makes none (or wants nobody a night)."""
    call = facts.problem.requirements.faculty_call
    return call if call is not None and call.per_night > 0 and call.nights else None


def nights(facts: Facts) -> list[int]:
    """The horizon's nights (day indices) on the roster."""
    call = config(facts)
    if call is None:
        return []
    return [i for i, day in enumerate(facts.days) if day.weekday() in call.nights]


def protected_next_day(facts: Facts, i: int) -> bool:
    """Day i + 1 holds a half-day the program protects (its clinic must not lose anyone to the night before)."""
    call = config(facts)
    if call is None or i + 1 >= facts.n or not facts.clinic_open(i + 1):
        return False
    weekday = facts.days[i + 1].weekday()
    return any(w == weekday for w, _ in call.protected_sessions)


def can_take(facts: Facts, fi: int, i: int) -> bool:
    """Whether faculty member fi may take the call of night i in some schedule: call-eligible, not absent (whole
    or half day) that day nor the next, not before a protected clinic half-day when they hold clinic at all, and
    kept apart from the fixed calls around the horizon (`Context.faculty_calls`) and before fixed clinic after it."""
    fac = facts.faculty[fi]
    if not fac.call_eligible or facts.unavailable(fac.id, i) or facts.unavailable(fac.id, i + 1):
        return False
    calls, clinic = _edges(facts)
    space = gap(facts)
    if any(abs(i - j) <= space for j in calls.get(fi, ())) or (fi, i + 1) in clinic:
        return False
    return not (fac.clinic_max_per_week > 0 and protected_next_day(facts, i))


def _edges(facts: Facts) -> tuple[dict[int, set[int]], set[tuple[int, int]]]:
    """The fixed schedule around the horizon (a re-solve of some blocks): faculty call nights and clinic days, as
    day offsets from the horizon's first day (negative before it, n and above after it)."""
    cached = facts.__dict__.get("_faculty_call_edges")
    if cached is None:
        context = facts.problem.context
        calls: dict[int, set[int]] = {}
        clinic: set[tuple[int, int]] = set()
        first = facts.days[0]
        for person, day in context.faculty_calls if context is not None else ():
            if person in facts.faculty_index:
                calls.setdefault(facts.faculty_index[person], set()).add((day - first).days)
        for person, day in context.faculty_clinic if context is not None else ():
            if person in facts.faculty_index:
                clinic.add((facts.faculty_index[person], (day - first).days))
        cached = facts.__dict__["_faculty_call_edges"] = (calls, clinic)
    return cached


def edge_post_call(facts: Facts) -> set[tuple[int, int]]:
    """(faculty, 0) for each faculty member on call the night before the horizon: no clinic on its first day."""
    if config(facts) is None:
        return set()
    return {(fi, 0) for fi, nights in _edges(facts)[0].items() if -1 in nights}


def gap(facts: Facts) -> int:
    call = config(facts)
    return max(1, call.min_days_between) if call is not None else 1


# -- the model ------------------------------------------------------------------------------------------


def add_to_model(model: ScheduleModel) -> None:
    """Variables `model.fcall[fi, i]`, the hard rules (FMIT week, post-call day, spacing, at most `per_night`), the
    night's coverage shortfall (soft, with the coverage weight) and the faculty's call fairness terms."""
    f = model.f
    call = config(f)
    if call is None:
        return
    from scheduling.engine.model import Shortfall, _sum

    roster = nights(f)
    for i in roster:
        for fi in range(len(f.faculty)):
            if can_take(f, fi, i):
                model.fcall[fi, i] = model.m.NewBoolVar(f"fcall[{f.faculty[fi].id},{i}]")
    for fi, i in sorted(edge_post_call(f)):  # on call the night before the horizon: no clinic its first day
        for s in range(2):
            if (fi, i, s) in model.fclinic:
                model.add(
                    model.fclinic[fi, i, s] == 0,
                    f"faculty_post_call:{f.faculty[fi].id}",
                    f"{model.fname(fi)}: no clinic the day after an attending call",
                )
    space = gap(f)
    for (fi, i), var in sorted(model.fcall.items()):
        fac, name = f.faculty[fi], model.fname(fi)
        week = f.fmit_week_of[i]
        weeks = {week} | ({f.fmit_week_of[i + 1]} if i + 1 < f.n else set())
        for w in sorted(weeks):
            if (fi, w) in model.fmit:
                model.add(
                    var + model.fmit[fi, w] <= 1,
                    f"faculty_call_fmit:{fac.id}",
                    f"{name}: no attending call during their FMIT week or the night before it",
                )
        for s in range(2):
            if (fi, i + 1, s) in model.fclinic:
                model.add(
                    var + model.fclinic[fi, i + 1, s] <= 1,
                    f"faculty_post_call:{fac.id}",
                    f"{name}: no clinic the day after an attending call",
                )
        window = [model.fcall[fi, j] for j in range(i, i + space + 1) if (fi, j) in model.fcall]
        if len(window) > 1:
            model.add(
                _sum(window) <= 1,
                f"faculty_call_spacing:{fac.id}",
                f"{name}: at least {space} day(s) between attending calls",
            )
    for i in roster:
        on = [model.fcall[fi, i] for fi in range(len(f.faculty)) if (fi, i) in model.fcall]
        fmit: list = []
        if f.days[i].weekday() in FMIT_WEEKEND:  # the FMIT attending of the week covers its weekend
            w = f.fmit_week_of[i]
            fmit = [model.fmit[fi, w] for fi in range(len(f.faculty)) if (fi, w) in model.fmit]
        short = model.m.NewIntVar(0, call.per_night, f"short_fcall[{i}]")
        key = f"faculty_call_cap:{f.days[i]}"
        message = f"Night of {f.days[i]}: attending call takes {call.per_night} faculty member(s)"
        model.add(_sum(on) <= call.per_night, key, message)
        for var in fmit:
            model.add(_sum(on) + var <= call.per_night, key, message)
        model.m.Add(_sum(on) + _sum(fmit) + short >= call.per_night)
        model.costs["coverage_shortfall"].append(short)
        model.shortfalls.append(
            Shortfall(short, f"faculty_call:{f.days[i]}", _message(f, i, call.per_night, len(on), bool(fmit)))
        )
    if model.relaxed or model.explain:
        return
    members = sorted({fi for fi, _ in model.fcall})
    for term, days in (
        ("call_fairness", roster),
        ("weekend_fairness", [i for i in roster if i in f.weekends]),
        ("holiday_fairness", [i for i in roster if i in f.holidays]),
    ):
        counts = [_sum(model.fcall[fi, i] for i in days if (fi, i) in model.fcall) for fi in members]
        model._spread(counts, len(days), f"faculty_{term}", term)


def _message(f: Facts, i: int, needed: int, eligible: int, fmit: bool) -> Callable[[int], str]:
    night = f.days[i]
    who = "faculty member" if needed == 1 else "faculty members"

    def message(short: int) -> str:
        if eligible == 0 and not fmit:
            return (
                f"Night of {night}: attending call needs {needed} {who}; none is call-eligible and available "
                "(absent, on FMIT, or holding clinic on a protected half-day the next day)"
            )
        if eligible < needed:
            return f"Night of {night}: attending call needs {needed} {who}; {eligible} are call-eligible and available"
        return f"Night of {night}: attending call needs {needed} {who}; only {needed - short} could be placed"

    return message


def changes(model: ScheduleModel, reference: Reference) -> list:
    """The change terms of a minimal-change re-solve: each roster night that differs from the reference counts 1."""
    f = model.f
    roster = set(nights(f))
    kept = {
        (f.faculty_index[p], f.day_index[d])
        for p, d in reference.calls
        if p in f.faculty_index and d in f.day_index and f.day_index[d] in roster
    }
    cost: list = [var.Not() if key in kept else var for key, var in model.fcall.items()]
    cost.extend(1 for key in kept if key not in model.fcall)
    return cost


def figures(facts: Facts, assignments: Reference, figure: Callable[[list[int]], dict]) -> dict[str, dict]:
    """The faculty's fairness figures (call nights, weekend and holiday calls on the roster), keyed by measure."""
    if config(facts) is None:
        return {}
    eligible = [fac.id for fi, fac in enumerate(facts.faculty) if any(can_take(facts, fi, i) for i in nights(facts))]
    if not eligible:
        return {}
    mine: dict[str, list[int]] = {p: [] for p in eligible}
    for person, day in assignments.calls:
        if person in mine and day in facts.day_index:
            mine[person].append(facts.day_index[day])
    return {
        "call_nights": figure([len(mine[p]) for p in eligible]),
        "weekend_calls": figure([sum(i in facts.weekends for i in mine[p]) for p in eligible]),
        "holiday_calls": figure([sum(i in facts.holidays for i in mine[p]) for p in eligible]),
    }


# -- the hint -------------------------------------------------------------------------------------------


def plan(
    facts: Facts, fmit: set[tuple[int, int]], rng: random.Random, seeded: set[tuple[int, int]]
) -> set[tuple[int, int]]:
    """A greedy roster: night by night, the call-eligible faculty member with the fewest calls (weekend and
    holiday calls first on those nights) who keeps every hard rule; FMIT weekends left to the FMIT attending."""
    call = config(facts)
    if call is None:
        return set()
    space = gap(facts)
    order = list(range(len(facts.faculty)))
    rng.shuffle(order)
    rank = {fi: pos for pos, fi in enumerate(order)}
    chosen: set[tuple[int, int]] = set()
    count = [[0, 0, 0] for _ in facts.faculty]
    off = {
        (pref.person, facts.day_index[day])
        for pref in facts.problem.preferences
        if pref.kind in ("blocked_week", "preferred_week") and pref.week_start is not None
        for day in (pref.week_start + timedelta(days=k) for k in range(7))
        if day in facts.day_index
    }

    def ok(fi: int, i: int) -> bool:
        if not can_take(facts, fi, i):
            return False
        weeks = {facts.fmit_week_of[i]} | ({facts.fmit_week_of[i + 1]} if i + 1 < facts.n else set())
        if any((fi, w) in fmit for w in weeks):
            return False
        return not any((fi, j) in chosen for j in range(i - space, i + space + 1))

    def book(fi: int, i: int) -> None:
        chosen.add((fi, i))
        count[fi][0] += 1
        count[fi][1] += i in facts.weekends
        count[fi][2] += i in facts.holidays

    for fi, i in sorted(seeded, key=lambda item: item[1]):
        if i in set(nights(facts)) and ok(fi, i):
            book(fi, i)
    for i in nights(facts):
        have = sum(1 for fi in range(len(facts.faculty)) if (fi, i) in chosen)
        if facts.days[i].weekday() in FMIT_WEEKEND and any(w == facts.fmit_week_of[i] for _, w in fmit):
            continue  # the FMIT attending's weekend
        for fi in sorted(
            range(len(facts.faculty)),
            key=lambda fi: (
                (facts.faculty[fi].id, i) in off,  # a blocked or preferred-off week last
                count[fi][2] if i in facts.holidays else 0,
                count[fi][1] if i in facts.weekends else 0,
                count[fi][0],
                rank[fi],
            ),
        ):
            if have >= call.per_night:
                break
            if ok(fi, i):
                book(fi, i)
                have += 1
    return chosen


def post_call_days(calls: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """(faculty, day) pairs without clinic: the day after each of their calls."""
    return {(fi, i + 1) for fi, i in calls}


# -- derivation -----------------------------------------------------------------------------------------


def derive_calls(facts: Facts, assignments: Reference) -> list[CallAssignment]:
    """Attending calls, `call_start` to `call_end` the next morning: the roster's, then each FMIT week's Friday
    and Saturday nights for its attending(s) in turn (the FMIT weekend goes with the week)."""
    if config(facts) is None:
        return []
    rules = facts.problem.rules
    rows: list[CallAssignment] = []
    for person, day in assignments.calls:
        if person in facts.faculty_index and day in facts.day_index:
            i = facts.day_index[day]
            rows.append(CallAssignment(person, KIND, facts.at(i, rules.call_start), facts.at(i + 1, rules.call_end)))
    attendings: dict[int, list[str]] = {}
    for person, start in assignments.fmit_weeks:
        w = facts.fmit_week_index(start)
        if w is not None and person in facts.faculty_index:
            attendings.setdefault(w, []).append(person)
    for w, people in attendings.items():
        people.sort(key=lambda p: facts.faculty_index[p])
        weekend = [i for i in facts.fmit_weeks[w].days if facts.days[i].weekday() in FMIT_WEEKEND]
        for j, i in enumerate(weekend):
            person = people[j % len(people)]
            rows.append(CallAssignment(person, KIND, facts.at(i, rules.call_start), facts.at(i + 1, rules.call_end)))
    return sorted(rows, key=lambda row: (row.start, row.person))


def roster_calls(facts: Facts, assignments: Reference) -> set[tuple[str, date]]:
    """The faculty's roster calls (person, night) of a schedule."""
    return {(p, d) for p, d in assignments.calls if p in facts.faculty_index}


def post_call(facts: Facts, assignments: Reference, row: SessionAssignment) -> SessionAssignment:
    """A faculty member's half-day the day after a roster call: the morning is post-call administrative time and
    the afternoon off (leave and FMIT stay as they are; the model places no clinic then)."""
    if row.activity in ("leave", "fmit") or config(facts) is None:
        return row
    i = facts.day_index[row.date]
    if i == 0:
        if (facts.faculty_index.get(row.person), 0) not in edge_post_call(facts):
            return row
    elif (row.person, facts.days[i - 1]) not in assignments.calls:
        return row
    return SessionAssignment(row.person, row.date, row.session, POST_CALL if row.session == "AM" else "off", None)
