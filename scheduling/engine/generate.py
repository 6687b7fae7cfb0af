"""Synthetic family-medicine programs for tests and benchmarks, deterministic for a seed.

Residents spread over PGY 1-3 on a family-medicine curriculum like the demo program's: sixteen block
rotations (family medicine clinic, FMIT inpatient, night float, ICU, OB, inpatient and outpatient pediatrics,
emergency medicine, surgery, cardiology, gynecology, sports medicine, geriatrics, community medicine,
procedures, electives), staffing scaled with the resident count, and each PGY's required blocks of every
rotation it may hold (a minimum and a maximum, prorated to the number of blocks: no rotation fills more than
a third of a cohort's year and electives are capped). Didactics are a protected Wednesday afternoon, not a
block. Continuity clinic half-days by PGY (1/2/3 a week), in-house call (1 a night, 2 from 40 residents),
FMIT weeks (1-2 attendings), a week of vacation per person, a few preferences and the US federal holidays.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from scheduling.engine.calendar import academic_year_end, block_dates
from scheduling.engine.problem import (
    Absence,
    Block,
    Calendar,
    CallCoverage,
    Day,
    Didactics,
    Faculty,
    FacultyCall,
    Preference,
    Problem,
    RequiredRotation,
    Requirements,
    Resident,
    Rotation,
    Staffing,
)

SIZES: dict[str, tuple[int, int, int]] = {"S": (12, 6, 1), "M": (24, 12, 13), "L": (60, 30, 13), "XL": (150, 60, 13)}
WEEKDAYS = (0, 1, 2, 3, 4)
DIDACTICS = Didactics(weekday=2, session="PM")  # Wednesday afternoon

# id, name, kind, min_pgy, max_pgy, continuity clinic, call eligible, leave allowed, night
ROTATIONS = (
    ("CLINIC", "Family medicine clinic", "outpatient_clinic", 1, 3, True, False, True, False),
    ("FMIT", "FMIT inpatient", "fmit", 1, 3, True, True, False, False),
    ("NF", "Night float", "night_float", 1, 3, False, False, False, True),
    ("ICU", "Intensive care unit", "inpatient", 1, 2, False, True, False, False),
    ("OB", "Obstetrics", "inpatient", 1, 1, True, True, True, False),
    ("PEDS", "Pediatrics inpatient", "inpatient", 1, 2, True, True, True, False),
    ("EM", "Emergency medicine", "inpatient", 1, 3, False, False, True, False),
    ("SURG", "General surgery", "inpatient", 1, 1, True, False, True, False),
    ("OPEDS", "Outpatient pediatrics", "outpatient_clinic", 1, 1, True, False, True, False),
    ("CARD", "Cardiology", "inpatient", 2, 2, True, False, True, False),
    ("GYN", "Gynecology", "outpatient_clinic", 2, 2, True, False, True, False),
    ("SPMED", "Sports medicine", "outpatient_clinic", 2, 2, True, False, True, False),
    ("GERI", "Geriatrics", "outpatient_clinic", 3, 3, True, False, True, False),
    ("COMM", "Community medicine", "outpatient_clinic", 3, 3, True, False, True, False),
    ("PROC", "Procedures", "procedure", 3, 3, True, False, True, False),
    ("ELEC", "Electives", "elective", 2, 3, True, False, True, False),
)
# rotation -> (min, max) residents per block for a 24-resident program
STAFFING: dict[str, tuple[int, int]] = {
    "CLINIC": (3, 7),
    "FMIT": (4, 6),
    "NF": (1, 2),
    "ICU": (1, 2),
    "OB": (1, 2),
    "PEDS": (1, 2),
    "EM": (1, 3),
    "SURG": (0, 1),
    "OPEDS": (0, 1),
    "CARD": (0, 1),
    "GYN": (0, 1),
    "SPMED": (0, 1),
    "GERI": (0, 1),
    "COMM": (0, 1),
    "PROC": (0, 1),
    "ELEC": (0, 4),
}
# PGY -> rotation -> (min, max) blocks of a 13-block year, for every rotation the PGY may hold
REQUIRED: dict[int, dict[str, tuple[int, int]]] = {
    1: {
        "FMIT": (3, 4), "OB": (1, 2), "PEDS": (1, 1), "ICU": (1, 1), "EM": (1, 1), "NF": (1, 1), "SURG": (1, 1),
        "OPEDS": (1, 1), "CLINIC": (1, 2),
    },
    2: {
        "FMIT": (2, 3), "NF": (1, 1), "ICU": (1, 1), "EM": (1, 1), "PEDS": (1, 1), "CARD": (1, 1), "GYN": (1, 1),
        "SPMED": (1, 1), "ELEC": (1, 2), "CLINIC": (2, 3),
    },
    3: {
        "FMIT": (2, 2), "NF": (1, 1), "EM": (1, 1), "GERI": (1, 1), "COMM": (1, 1), "PROC": (0, 1), "ELEC": (2, 3),
        "CLINIC": (3, 4),
    },
}  # fmt: skip


def federal_holidays(year: int) -> dict[date, str]:
    """US federal holidays of a calendar year, on their observed dates (Saturday -> Friday, Sunday -> Monday)."""

    def nth(month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    def last(month: int, weekday: int) -> date:
        end = date(year, month + 1, 1) - timedelta(days=1)
        return end - timedelta(days=(end.weekday() - weekday) % 7)

    def observed(day: date) -> date:
        return day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1) if day.weekday() == 6 else day

    return {
        observed(date(year, 1, 1)): "New Year's Day",
        nth(1, 0, 3): "Martin Luther King Jr. Day",
        nth(2, 0, 3): "Presidents' Day",
        last(5, 0): "Memorial Day",
        observed(date(year, 6, 19)): "Juneteenth",
        observed(date(year, 7, 4)): "Independence Day",
        nth(9, 0, 1): "Labor Day",
        nth(10, 0, 2): "Columbus Day",
        observed(date(year, 11, 11)): "Veterans Day",
        nth(11, 3, 4): "Thanksgiving Day",
        observed(date(year, 12, 25)): "Christmas Day",
    }


def _blocks(start: date, count: int) -> tuple[Block, ...]:
    if count == 13:
        return tuple(Block(b.number, b.start, b.end) for b in block_dates(start, academic_year_end(start)))
    return tuple(
        Block(n + 1, start + timedelta(days=28 * n), start + timedelta(days=28 * n + 27)) for n in range(count)
    )


def generate(
    residents: int = 24,
    faculty: int = 12,
    blocks: int = 13,
    seed: int = 1,
    start: date = date(2026, 7, 1),
    *,
    wishes: bool = False,
) -> Problem:
    """A synthetic program of the given size; the same arguments always give the same Problem.

    `wishes` adds everyone's realistic wishes (`realistic_wishes`); the rest of the program is unchanged."""
    if residents < 3 or faculty < 2 or not 1 <= blocks <= 13:
        raise ValueError("a synthetic program needs at least 3 residents, 2 faculty and 1 to 13 blocks")
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not security
    scale = residents / 24
    cal_blocks = _blocks(start, blocks)
    first, last = cal_blocks[0].start, cal_blocks[-1].end
    holidays = {
        day: name
        for year in range(first.year, last.year + 1)
        for day, name in federal_holidays(year).items()
        if first <= day <= last
    }
    calendar = Calendar(
        timezone="America/New_York",
        blocks=cal_blocks,
        days=tuple(Day(day, "federal_holiday", 0.0, name) for day, name in sorted(holidays.items())),
        fmit_week_start=4,
    )
    people: list[Resident] = []
    per_pgy = [residents // 3 + (1 if p < residents % 3 else 0) for p in range(3)]
    number = 0
    for pgy, count in enumerate(per_pgy, start=1):
        for n in range(count):
            number += 1
            credentials = {"BLS", "ACLS"}
            if pgy >= 2 and n % 4 != 3:
                credentials.add("PROC")
            people.append(Resident(f"r{number:03d}", f"Resident {number:03d}", pgy, frozenset(credentials)))
    attendings = []
    per_head = 78 / faculty  # about 1.5 attendings a week over the year
    for n in range(faculty):
        role = "pd" if n == 0 else "apd" if n == 1 else "core"
        lead = n < 2
        attendings.append(
            Faculty(
                id=f"f{n + 1:03d}",
                name=f"Faculty {n + 1:03d}",
                role=role,
                clinic_min_per_week=1 if lead else 2,
                clinic_max_per_week=3 if lead else 5,
                fmit_target_weeks=max(1, round(per_head * (2 / 3 if lead else 1))),
                fmit_eligible=True,
            )
        )
    rotations = tuple(
        Rotation(
            id=rid,
            name=name,
            abbreviation=rid,
            kind=kind,
            min_pgy=low,
            max_pgy=high,
            work_days=(0, 1, 2, 3, 6) if night else WEEKDAYS,
            night=night,
            continuity_clinic=clinic,
            call_eligible=call,
            leave_allowed=leave,
            required_credentials=frozenset({"PROC"}) if rid == "PROC" else frozenset(),
        )
        for rid, name, kind, low, high, clinic, call, leave, night in ROTATIONS
    )
    staffing = tuple(
        Staffing(
            rotation=rid,
            min_residents=round(low * scale),
            max_residents=max(round(low * scale), math.ceil(high * scale)),
        )
        for rid, (low, high) in STAFFING.items()
    )
    required = tuple(  # prorated; a row that neither requires nor caps anything on this horizon is left out
        RequiredRotation(pgy, rid, low * blocks // 13, -(-high * blocks // 13))
        for pgy, rules in REQUIRED.items()
        for rid, (low, high) in rules.items()
        if low * blocks // 13 >= 1 or -(-high * blocks // 13) < blocks
    )
    requirements = Requirements(
        staffing=staffing,
        required_rotations=required,
        clinic_sessions_per_week={1: 1, 2: 2, 3: 3},
        clinic_capacity=max(4, round(6 * scale)),
        call=(CallCoverage("in_house", 1 if residents < 40 else 2, 1),),
        fmit_min_attendings=1,
        fmit_max_attendings=2,
        didactics=DIDACTICS,
        faculty_call=FacultyCall(),  # attending call Sunday-Thursday, the FMIT attending on the FMIT weekend
    )
    absences = _vacations(rng, [p.id for p in people] + [f.id for f in attendings], first, last, blocks)
    preferences = _preferences(rng, people, attendings, first, last, blocks)
    if wishes:
        preferences += realistic_wishes(
            random.Random(f"wishes-{seed}"),  # noqa: S311 - reproducible data
            people,
            attendings,
            rotations,
            first,
            last,
            blocks,
        )
    return Problem(
        calendar=calendar,
        residents=tuple(people),
        faculty=tuple(attendings),
        rotations=rotations,
        requirements=requirements,
        absences=absences,
        preferences=preferences,
        name=f"Synthetic program {residents}x{faculty}x{blocks} (seed {seed})",
    )


def _vacations(rng: random.Random, people: list[str], first: date, last: date, blocks: int) -> tuple[Absence, ...]:
    """A Monday-to-Sunday week of vacation per person (a third of them on a one-block horizon)."""
    mondays = [first + timedelta(days=(7 - first.weekday()) % 7 + 7 * k) for k in range(60)]
    mondays = [m for m in mondays if m + timedelta(days=6) <= last]
    chosen = people if blocks > 1 else people[:: max(1, 3)]
    return tuple(
        Absence(person, monday, monday + timedelta(days=6), "vacation")
        for person in chosen
        for monday in [rng.choice(mondays)]
    )


def _preferences(
    rng: random.Random, people: list[Resident], attendings: list[Faculty], first: date, last: date, blocks: int
) -> tuple[Preference, ...]:
    mondays = [first + timedelta(days=(7 - first.weekday()) % 7 + 7 * k) for k in range(60)]
    mondays = [m for m in mondays if m + timedelta(days=6) <= last]
    seniors = [p for p in people if p.pgy == 3]
    out = [
        Preference(people[0].id, "blocked_week", week_start=rng.choice(mondays), weight=3),
        Preference(attendings[-1].id, "preferred_week", week_start=rng.choice(mondays), weight=2),
    ]
    if seniors:
        out.append(Preference(seniors[0].id, "rotation_wish", rotation="ELEC", block=rng.randint(1, blocks), weight=2))
    return tuple(out)


PRIORITIES = (10, 5, 2)  # high, medium, low: the weights a program maps its priorities to


def realistic_wishes(
    rng: random.Random,
    people: list[Resident],
    attendings: list[Faculty],
    rotations: tuple[Rotation, ...],
    first: date,
    last: date,
    blocks: int,
) -> tuple[Preference, ...]:
    """Everyone's wishes as a real program collects them: each person blocks 2-3 weeks (a wedding, a board
    exam, a conference) and asks for 2-3 weeks off; each resident wishes for 1-2 rotations they may hold
    (in a chosen block or in any) and avoids 0-1 (together 1-3). Priorities high/medium/low (weights 10/5/2),
    mostly medium and low. A week's wishes never repeat a week."""
    mondays = [first + timedelta(days=(7 - first.weekday()) % 7 + 7 * k) for k in range(60)]
    mondays = [m for m in mondays if m + timedelta(days=6) <= last] or [first]

    def priority() -> int:
        return rng.choices(PRIORITIES, weights=(2, 4, 4))[0]

    out: list[Preference] = []
    for person in [p.id for p in people] + [f.id for f in attendings]:
        weeks = rng.sample(mondays, min(len(mondays), rng.randint(2, 3) + rng.randint(2, 3)))
        cut = (len(weeks) + 1) // 2
        out.extend(Preference(person, "blocked_week", week_start=w, weight=priority()) for w in weeks[:cut])
        out.extend(Preference(person, "preferred_week", week_start=w, weight=priority()) for w in weeks[cut:])
    for res in people:
        open_to = [rot.id for rot in rotations if rot.min_pgy <= res.pgy <= rot.max_pgy and rot.id != "CLINIC"]
        count = rng.randint(1, 3)
        avoid = 1 if count > 1 or rng.random() < 0.3 else 0
        chosen = rng.sample(open_to, min(len(open_to), count))
        for n, rotation in enumerate(chosen):
            if n < avoid:
                out.append(Preference(res.id, "rotation_avoid", rotation=rotation, weight=priority()))
            else:
                block = rng.randint(1, blocks) if rng.random() < 0.6 else None
                out.append(Preference(res.id, "rotation_wish", rotation=rotation, block=block, weight=priority()))
    return tuple(out)
