"""Which wishes (Problem.preferences) a schedule grants, and for each one refused the rule or need behind it.

Granted means, from the schedule alone (the same items the model's preference terms count):
- `blocked_week`, `preferred_week`: nothing placed in the 7 days from `week_start` (no call, no clinic
  half-day, no FMIT week touching them);
- `rotation_wish`: the rotation held for the whole of `block` (or in some block or half-block when none is given);
- `rotation_avoid`: never on that rotation, for a block or a half (in `block` when given).

A refused wish's reason names what was placed and the rule or staffing need behind it, in the engine's own
terms (the staffing minimum, the required blocks of a PGY, the clinic half-days a week, the call roster). Pure:
no Django; `wish_summary` gives the shares granted per person and per cohort ("PGY-1".., "Faculty").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduling.engine.facts import Facts
from scheduling.engine.problem import Preference, Problem
from scheduling.engine.solution import Solution


@dataclass(frozen=True, slots=True)
class WishOutcome:
    """One wish of `problem.preferences` (by position) and whether the schedule grants it."""

    index: int  # position in problem.preferences
    person: str
    kind: str
    weight: int
    granted: bool
    reason: str  # "" when granted; else what was placed and the rule or staffing need behind it


def day_label(day: date, *, year: bool = True) -> str:
    """ "Tue 12 Aug 2026" (or "Tue 12 Aug")."""
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")


def cohort_of(problem: Problem, person: str) -> str:
    """ "PGY-2" for a resident, "Faculty" for a faculty member."""
    for res in problem.residents:
        if res.id == person:
            return f"PGY-{res.pgy}"
    return "Faculty"


class _Schedule:
    """The schedule's assignments indexed for the questions a reason asks."""

    def __init__(self, problem: Problem, solution: Solution, facts: Facts) -> None:
        self.problem = problem
        self.f = facts
        # the rotation held for the whole block (a block split in halves has none), and every rotation held in it
        self.rotation = {(a.person, a.block): a.rotation for a in solution.rotations if not a.half}
        self.holds: dict[tuple[str, int], set[str]] = {}
        for a in solution.rotations:
            self.holds.setdefault((a.person, a.block), set()).add(a.rotation)
        self.calls: dict[str, list[tuple[date, str]]] = {}
        for c in solution.calls:
            self.calls.setdefault(c.person, []).append((c.start.date(), c.kind))
        self.call_nights: dict[str, set[date]] = {p: {d for d, _ in v} for p, v in self.calls.items()}
        self.clinic: dict[str, list[tuple[date, str]]] = {}
        self.in_clinic: dict[tuple[date, str], list[str]] = {}
        for s in solution.sessions:
            if s.activity == "clinic":
                self.clinic.setdefault(s.person, []).append((s.date, s.session))
                self.in_clinic.setdefault((s.date, s.session), []).append(s.person)
        self.fmit: dict[str, list[tuple[date, date]]] = {}
        for w in solution.fmit_weeks:
            self.fmit.setdefault(w.person, []).append((w.start, w.end))
        self.on_rotation: dict[tuple[int, str], int] = {}
        for (_, block), rotations in self.holds.items():
            for rotation in rotations:
                self.on_rotation[block, rotation] = self.on_rotation.get((block, rotation), 0) + 1

    def rot_name(self, rotation_id: str) -> str:
        rot = self.problem.rotations[self.f.rotation_index[rotation_id]]
        return rot.name or rot.id

    # -- week wishes ----------------------------------------------------------------------------------

    def week_placed(self, person: str, start: date) -> list[tuple[date, str, str]]:
        """What is placed in the 7 days from start: (date, kind, detail), by date."""
        last = start + timedelta(days=6)
        placed: list[tuple[date, str, str]] = []
        for day, kind in self.calls.get(person, []):
            if start <= day <= last:
                placed.append((day, "call", kind))
        for day, session in self.clinic.get(person, []):
            if start <= day <= last:
                placed.append((day, "clinic", session))
        for first, end in self.fmit.get(person, []):
            if first <= last and end >= start:
                placed.append((first, "fmit", ""))
        return sorted(placed)

    def item_reason(self, person: str, day: date, kind: str, detail: str) -> str:
        if kind == "call":
            return self.call_reason(person, day, detail)
        if kind == "clinic":
            return self.clinic_reason(person, day, detail)
        return self.fmit_reason(person, day)

    def call_reason(self, person: str, day: date, kind: str) -> str:
        f = self.f
        when = day_label(day)
        if person not in f.resident_index:
            return self.faculty_call_reason(day)
        i = f.day_index.get(day)
        per_night = sum(c.per_night for c in self.problem.requirements.call)
        who = "resident" if per_night == 1 else "residents"
        if i is None:
            return f"In-house call on {when}: {per_night} {who} needed each night"
        gap = max(1, self.problem.rules.min_days_between_calls)
        number = self.problem.calendar.blocks[f.block_of[i]].number
        eligible = free = 0
        for r, res in enumerate(f.residents):
            held = self.rotation.get((res.id, number))
            if held is None or not f.can_call(r, i):  # (a block in halves: not counted)
                continue
            rot = f.rotations[f.rotation_index[held]]
            if not rot.call_eligible or rot.night:
                continue
            eligible += 1
            nights = self.call_nights.get(res.id, set())
            if not any(0 < abs((night - day).days) <= gap for night in nights):
                free += 1
        return (
            f"In-house call on {when}: {per_night} {who} needed each night; "
            f"{free} of {eligible} call-eligible residents were free"
        )

    def faculty_call_reason(self, day: date) -> str:
        from scheduling.engine import faculty_call

        f = self.f
        call = faculty_call.config(f)
        per_night = call.per_night if call is not None else 1
        who = "attending" if per_night == 1 else "attendings"
        head = f"Attending call on {day_label(day)}: {per_night} {who} needed each night"
        i = f.day_index.get(day)
        if call is None or i is None:
            return head
        space = faculty_call.gap(f)
        eligible = free = 0
        for fi, fac in enumerate(f.faculty):
            if not faculty_call.can_take(f, fi, i):
                continue
            eligible += 1
            nights = self.call_nights.get(fac.id, set())
            on_fmit = any(first <= day <= end for first, end in self.fmit.get(fac.id, []))
            if not on_fmit and not any(0 < abs((night - day).days) <= space for night in nights):
                free += 1
        return f"{head}; {free} of {eligible} call-eligible faculty were free"

    def clinic_reason(self, person: str, day: date, session: str) -> str:
        f = self.f
        when = f"{day_label(day, year=False)} {session}"
        if person in f.resident_index:
            res = f.residents[f.resident_index[person]]
            target = self.problem.requirements.clinic_sessions_per_week.get(res.pgy, 0)
            return f"Continuity clinic {when}: PGY-{res.pgy} residents hold {target} half-day(s) a week"
        fac = f.faculty[f.faculty_index[person]]
        ratio = self.problem.rules.supervision
        present = self.in_clinic.get((day, session), [])
        residents = [p for p in present if p in f.resident_index]
        faculty = [p for p in present if p in f.faculty_index]
        units = sum(ratio.units(f.residents[f.resident_index[p]].pgy) for p in residents)
        needed = math.ceil(units / ratio.supervision_units_per_faculty) if units else 0
        if needed and len(faculty) <= needed:
            return (
                f"Clinic {when}: the {len(residents)} residents in clinic ({units} supervision units) need "
                f"{needed} supervising faculty"
            )
        if fac.clinic_min_per_week:
            who = fac.name or fac.id
            return f"Clinic {when}: {who} holds at least {fac.clinic_min_per_week} clinic half-day(s) a week"
        return f"Clinic {when}: residents in clinic need supervising faculty"

    def fmit_reason(self, person: str, start: date) -> str:
        f = self.f
        req = self.problem.requirements
        w = f.fmit_week_index(start)
        who = "attending" if req.fmit_min_attendings == 1 else "attendings"
        head = f"FMIT week from {day_label(start)}: {req.fmit_min_attendings} {who} needed each week"
        if w is None:
            return head
        week = f.fmit_weeks[w]
        gap = max(self.problem.rules.fmit_min_gap_weeks, 1)
        eligible = free = 0
        for fi, fac in enumerate(f.faculty):
            if not f.fmit_available(fi, week):
                continue
            eligible += 1
            near = [
                s
                for s, _ in self.fmit.get(fac.id, [])
                if (wi := f.fmit_week_index(s)) is not None and wi != w and abs(wi - w) <= gap
            ]
            if not near:
                free += 1
        return f"{head}; {free} of {eligible} FMIT-eligible faculty were free"

    # -- rotation wishes ------------------------------------------------------------------------------

    def staffing_min(self, rotation: str, number: int) -> int:
        return max(
            (
                s.min_residents
                for s in self.problem.requirements.staffing
                if s.rotation == rotation and (not s.blocks or number in s.blocks)
            ),
            default=0,
        )

    def staffing_max(self, rotation: str, number: int) -> int | None:
        caps = [
            s.max_residents
            for s in self.problem.requirements.staffing
            if s.rotation == rotation and s.max_residents is not None and (not s.blocks or number in s.blocks)
        ]
        return min(caps) if caps else None

    def eligible_count(self, rotation: str, b: int) -> int:
        k = self.f.rotation_index[rotation]
        return sum(1 for r in range(len(self.f.residents)) if k in self.f.eligible[r][b])

    def held_blocks(self, person: str, rotation: str) -> int:
        return sum(1 for (p, _), rots in self.holds.items() if p == person and rotation in rots)

    def required(self, pgy: int, rotation: str) -> tuple[int, int | None] | None:
        for req in self.problem.requirements.required_rotations:
            if req.pgy == pgy and req.rotation == rotation:
                return req.min_blocks, req.max_blocks
        return None

    def holding_reason(self, person: str, b: int, rotation: str) -> str:
        """Why the resident holds `rotation` in block position b: a required minimum or a staffing minimum."""
        f = self.f
        res = f.residents[f.resident_index[person]]
        number = self.problem.calendar.blocks[b].number
        name = self.rot_name(rotation)
        need = self.required(res.pgy, rotation)
        if need is not None and need[0] and self.held_blocks(person, rotation) <= need[0]:
            return f"Required: PGY-{res.pgy} residents spend {need[0]} block(s) on {name}"
        minimum = self.staffing_min(rotation, number)
        if minimum:
            eligible = self.eligible_count(rotation, b)
            return f"{name} in block {number}: it needs {minimum} residents; {eligible} are eligible"
        k = f.rotation_index[rotation]
        if len(f.eligible[f.resident_index[person]][b]) == 1 and f.eligible[f.resident_index[person]][b][0] == k:
            return f"{name} in block {number}: the only rotation open to them then"
        return ""

    def wish_reason(self, pref: Preference, b: int) -> str:
        """Why the resident does not hold the wished rotation in block position b ("" when no rule is found)."""
        f = self.f
        r = f.resident_index[pref.person]
        res = f.residents[r]
        wished = pref.rotation or ""
        k = f.rotation_index[wished]
        number = self.problem.calendar.blocks[b].number
        name = self.rot_name(wished)
        if k not in f.eligible[r][b]:
            why = f.ineligibility(res, f.rotations[k], b)
            return f"Block {number}: {why}" if why else f"Block {number}: {name} is not open to them"
        cap = self.staffing_max(wished, number)
        if cap is not None and self.on_rotation.get((number, wished), 0) >= cap:
            return f"{name} in block {number}: it takes at most {cap} residents; all {cap} places were filled"
        need = self.required(res.pgy, wished)
        if need is not None and need[1] is not None and self.held_blocks(pref.person, wished) >= need[1]:
            return f"Required: PGY-{res.pgy} residents spend at most {need[1]} block(s) on {name}"
        for held in sorted(self.holds.get((pref.person, number), set())):
            why = self.holding_reason(pref.person, b, held)
            if why:
                return f"On {self.rot_name(held)} in block {number}. {why}"
        return ""


def wish_outcomes(problem: Problem, solution: Solution, facts: Facts | None = None) -> tuple[WishOutcome, ...]:
    """Each wish of the problem, granted or not by the solution's schedule, with the reason when refused."""
    if not solution.has_schedule:
        return ()
    facts = facts or Facts(problem)
    sched = _Schedule(problem, solution, facts)
    out: list[WishOutcome] = []
    for index, pref in enumerate(problem.preferences):
        granted, reason = _judge(problem, facts, sched, pref)
        out.append(WishOutcome(index, pref.person, pref.kind, pref.weight, granted, "" if granted else reason))
    return tuple(out)


def _judge(problem: Problem, f: Facts, sched: _Schedule, pref: Preference) -> tuple[bool, str]:
    fallback = "the schedule's other needs (staffing, required rotations, call coverage, ACGME limits) outweighed it"
    if pref.kind in ("blocked_week", "preferred_week"):
        placed = sched.week_placed(pref.person, pref.week_start)  # type: ignore[arg-type]
        if not placed:
            return True, ""
        day, kind, detail = placed[0]
        reason = sched.item_reason(pref.person, day, kind, detail)
        if len(placed) > 1:
            reason += f" (and {len(placed) - 1} more in that week)"
        return False, reason
    if pref.person not in f.resident_index or pref.rotation not in f.rotation_index:
        return True, ""
    blocks = problem.calendar.blocks
    chosen = [f.block_position[pref.block]] if pref.block is not None else list(range(len(blocks)))
    name = sched.rot_name(pref.rotation)
    if pref.kind == "rotation_avoid":
        held = [b for b in chosen if pref.rotation in sched.holds.get((pref.person, blocks[b].number), set())]
        if not held:
            return True, ""
        b = held[0]
        why = sched.holding_reason(pref.person, b, pref.rotation)
        more = f" (and {len(held) - 1} more block(s))" if len(held) > 1 else ""
        return False, (why or f"On {name} in block {blocks[b].number}: {fallback}") + more
    if pref.block is not None and sched.rotation.get((pref.person, pref.block)) == pref.rotation:
        return True, ""  # the whole block wished for (a half of it is not)
    if pref.block is None and any(
        pref.rotation in sched.holds.get((pref.person, blocks[b].number), ()) for b in chosen
    ):
        return True, ""
    reasons = [why for b in chosen if (why := sched.wish_reason(pref, b))]
    if pref.block is not None:
        return False, reasons[0] if reasons else f"Not on {name} in block {pref.block}: {fallback}"
    return False, reasons[0] if reasons else f"Not on {name} in any block: {fallback}"


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def _figures(items: Sequence[WishOutcome]) -> dict[str, Any]:
    granted = [o for o in items if o.granted]
    weight = sum(o.weight for o in items)
    granted_weight = sum(o.weight for o in granted)
    return {
        "wishes": len(items),
        "granted": len(granted),
        "share": _share(len(granted), len(items)),
        "weight": weight,
        "granted_weight": granted_weight,
        "weight_share": _share(granted_weight, weight),
    }


def wish_summary(problem: Problem, outcomes: Sequence[WishOutcome]) -> dict[str, Any]:
    """Shares of wishes, and of wish weight, granted: overall, per person and per cohort.

    Each cohort also has `people`, `min_weight_share` (its worst-served person's granted weight share), the
    program's `minimum` (`rules.wish_min_granted_percent` / 100) and `minimum_held` (every person at or above it).
    """
    by_person: dict[str, list[WishOutcome]] = {}
    for o in outcomes:
        by_person.setdefault(o.person, []).append(o)
    people = {person: {"cohort": cohort_of(problem, person), **_figures(items)} for person, items in by_person.items()}
    minimum = problem.rules.wish_min_granted_percent / 100
    labels = sorted({row["cohort"] for row in people.values()}, key=lambda c: (c == "Faculty", c))
    cohorts: dict[str, dict[str, Any]] = {}
    for label in labels:
        members = [p for p, row in people.items() if row["cohort"] == label]
        worst = min(people[p]["weight_share"] for p in members)
        cohorts[label] = {
            **_figures([o for p in members for o in by_person[p]]),
            "people": len(members),
            "min_weight_share": worst,
            "minimum": minimum,
            "minimum_held": worst >= minimum - 1e-9,
        }
    return {"overall": _figures(list(outcomes)), "cohorts": cohorts, "people": people}


def wishes_statistics(problem: Problem, solution: Solution, facts: Facts | None = None) -> dict[str, Any]:
    """SOLUTION.json's `statistics.wishes`: {summary, outcomes} ({} without wishes or without a schedule)."""
    outcomes = wish_outcomes(problem, solution, facts)
    if not outcomes:
        return {}
    return {
        "summary": wish_summary(problem, outcomes),
        "outcomes": [
            {
                "index": o.index,
                "person": o.person,
                "kind": o.kind,
                "weight": o.weight,
                "granted": o.granted,
                "reason": o.reason,
            }
            for o in outcomes
        ],
    }
