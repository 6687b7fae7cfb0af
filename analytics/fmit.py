"""FMIT report (DESIGN.md sections 7 and 10): per faculty member and quarter of an academic year, FMIT weeks, the
weekend calls that came with them and the clinic half-days they cost, against the yearly target; the spread of
FMIT weeks across faculty (Gini, max - min) against the year's tolerance.

Definitions (what the page, PDF, xlsx and API print):
- Quarters split the year's numbered blocks in four runs of `n // 4` blocks, the last taking the rest: with 13
  blocks Q1 = blocks 1-3, Q2 = 4-6, Q3 = 7-9, Q4 = 10-13. Orientation block 0 belongs to Q1. A quarter runs from
  its first block's first day to its last block's last day.
- An FMIT week is a week (from the year's FMIT week start day, scheduling.fmit_config) in which the faculty member
  holds an FMIT half-day as scheduling.day_view reads it (approved leave laid over); it belongs to the quarter
  holding its first day (a week begun before the year's first day: Q1).
- Weekend calls carried: the person's calls starting on a Friday or Saturday night of one of their FMIT weeks
  (the engine gives the FMIT weekend to the week's attending, scheduling/engine/faculty_call.py), calls dropped
  for leave left out.
- Clinic half-days lost, per FMIT week: the person's weekly clinic maximum (their own, else their role's from the
  scheduling settings) but no more than the week's FMIT half-days on Monday-Friday days that are not holidays.
- Target: the person's yearly FMIT target weeks (Person.fmit_target_weeks), prorated to a quarter by its share of
  the numbered blocks (13 blocks: 3/13 for Q1, 4/13 for Q4).
- Faculty counted: active faculty with a target, and any other faculty member holding an FMIT week that year.
  Gini is over their weeks in the period. Balance is against the targets, since faculty carry different
  yearly targets (a program director fewer weeks than core faculty): the spread is the most minus the least of
  (weeks - prorated target) (no target counts as 0).
- Balanced: the spread is within the year's tolerance, or no other split of the period's FMIT weeks in whole weeks
  among the same faculty has a smaller spread (`fairest_spread`). Prorated targets are fractional and weeks whole,
  so 13 weeks over three equal targets (4.33 each) can at best be 5/4/4, one week apart: with tolerance 0 that
  split is balanced and 6/4/3 is not. So a period is unbalanced exactly when moving whole weeks between
  faculty could bring them closer to their targets, and the spread is past the tolerance.
Cached per schedule generation (scheduling.schedule_cache), like the fairness report.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from scheduling.day_view import session_grid
from scheduling.engine.equity import fairness, fairness_rating, gini
from scheduling.engine.facts import HOLIDAY_TYPES
from scheduling.engine.faculty_call import FMIT_WEEKEND
from scheduling.fmit_config import FmitSettings, fmit_settings
from scheduling.models import AcademicYear, Block, Person, ScheduleVersion, SessionAssignment
from scheduling.program_settings import scheduling_settings
from scheduling.schedule_cache import cached
from tenants.errors import DomainError

CACHE_VERSION = 3  # bumped when the report changes meaning
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CLOSED_DAYS = (*HOLIDAY_TYPES, "closure")


@dataclass(frozen=True)
class Quarter:
    """A quarter of the academic year: its number (1-4), blocks and dates."""

    number: int
    first_block: int
    last_block: int
    start: dt.date
    end: dt.date
    share: float  # its numbered blocks / the year's numbered blocks

    @property
    def label(self) -> str:
        return (
            f"Q{self.number} (blocks {self.first_block}-{self.last_block}, {self.start:%-d %b} - {self.end:%-d %b %Y})"
        )


@dataclass(frozen=True)
class FacultyFmit:
    """One faculty member's FMIT figures over a period (a quarter or the whole year)."""

    person_id: int
    name: str
    role: str
    target_year: int | None
    target: float  # prorated to the period
    weeks: int
    weekend_calls: int
    clinic_lost: int
    week_starts: tuple[dt.date, ...]

    @property
    def against_target(self) -> float:
        return round(self.weeks - self.target, 2)


@dataclass(frozen=True)
class PeriodFmit:
    """The figures of every counted faculty member over one period, and their spread."""

    quarter: Quarter | None  # None: the whole year
    rows: tuple[FacultyFmit, ...]
    gini: float
    fairness: float
    rating: str
    spread: float  # most - least of (weeks - prorated target)
    fairest: float  # the least spread any whole-week split of the same weeks could have (fairest_spread)
    balanced: bool

    @property
    def label(self) -> str:
        return self.quarter.label if self.quarter is not None else "Whole year"

    @property
    def totals(self) -> dict[str, float]:
        return {
            "weeks": sum(r.weeks for r in self.rows),
            "weekend_calls": sum(r.weekend_calls for r in self.rows),
            "clinic_lost": sum(r.clinic_lost for r in self.rows),
            "target": round(sum(r.target for r in self.rows), 2),
        }


@dataclass(frozen=True)
class FmitReport:
    """The FMIT report of one schedule version: each quarter's figures and the whole year's."""

    program_id: int
    academic_year_id: int
    academic_year_name: str
    version_id: int
    version_number: int
    version_status: str
    week_start_day: int
    tolerance: int
    quarters: tuple[PeriodFmit, ...]
    year: PeriodFmit

    @property
    def week_start_name(self) -> str:
        return WEEKDAYS[self.week_start_day]

    def period(self, quarter: int | None) -> PeriodFmit:
        """Quarter `quarter` (1-4) or the whole year (None); a DomainError for a quarter the year does not have."""
        if quarter is None:
            return self.year
        for period in self.quarters:
            if period.quarter is not None and period.quarter.number == quarter:
                return period
        raise DomainError(f"Choose a quarter from 1 to {len(self.quarters)} or the whole year.", code="invalid_quarter")


def fairest_spread(targets: Sequence[float], weeks: int) -> float:
    """The least spread, most minus least of (weeks - target), that any split of `weeks` whole FMIT weeks (none
    negative) among people with these (fractional) targets can have.

    Some best split has a person j with k weeks holding the least deviation k - targets[j]. For each such
    candidate floor, everyone gets the fewest whole weeks keeping them at or above it, and the weeks left go one
    by one to whoever ends lowest over target (which keeps the most as low as it can be); the best candidate is
    the answer. People x (weeks + 1) candidates: a few thousand steps for a department's faculty and a year."""
    if not targets:
        return 0.0
    best = math.inf
    for floor in sorted({k - target for target in targets for k in range(weeks + 1)}):
        given = [max(0, math.ceil(floor + target - 1e-9)) for target in targets]
        left = weeks - sum(given)
        if left < 0:
            break  # a higher floor needs even more weeks
        ends = [(v + 1 - t, i) for i, (v, t) in enumerate(zip(given, targets, strict=True))]
        heapq.heapify(ends)
        for _ in range(left):
            _end, i = heapq.heappop(ends)
            given[i] += 1
            heapq.heappush(ends, (given[i] + 1 - targets[i], i))
        deviations = [v - t for v, t in zip(given, targets, strict=True)]
        best = min(best, max(deviations) - min(deviations))
    return round(best, 2)


def year_quarters(blocks: list[Block]) -> list[Quarter]:
    """The quarters of a year from its blocks (module docstring): n // 4 numbered blocks each, the last taking the
    rest, block 0 with Q1; a year of fewer than 4 blocks has one quarter per block."""
    numbered = sorted((b for b in blocks if b.number >= 1), key=lambda b: b.number)
    if not numbered:
        return []
    size = max(1, len(numbered) // 4)
    groups: dict[int, list[Block]] = defaultdict(list)
    for index, block in enumerate(numbered):
        groups[min(4, index // size + 1)].append(block)
    orientation = [b for b in blocks if b.number == 0]
    quarters = []
    for number, members in sorted(groups.items()):
        start = members[0].start_date
        if number == 1 and orientation:
            start = min(start, orientation[0].start_date)
        quarters.append(
            Quarter(
                number=number,
                first_block=members[0].number,
                last_block=members[-1].number,
                start=start,
                end=members[-1].end_date,
                share=len(members) / len(numbered),
            )
        )
    return quarters


def quarter_of(quarters: list[Quarter], day: dt.date) -> Quarter | None:
    """The quarter holding `day`; a day before the first quarter belongs to it; None after the last."""
    for quarter in quarters:
        if day <= quarter.end:
            return quarter
    return None


def fmit_report(*, version: ScheduleVersion) -> FmitReport:
    """The version's FMIT report (module docstring), cached per schedule generation of the program."""
    parts = ("analytics-fmit", CACHE_VERSION, version.pk)
    return cached(version.program_id, parts, lambda: _build(version))


@dataclass
class _Tally:
    weeks: set
    weekend_calls: int = 0
    clinic_lost: int = 0


def _weekly_clinic(person: Person, settings) -> int:
    role = person.faculty_role or Person.FacultyRole.CORE
    return person.clinic_max_per_week if person.clinic_max_per_week is not None else settings.faculty_clinic_cap(role)


def _build(version: ScheduleVersion) -> FmitReport:
    year: AcademicYear = version.academic_year
    program = version.program
    fmit = fmit_settings(year)
    settings = scheduling_settings(program)
    quarters = year_quarters(list(Block.objects.filter(academic_year=year)))
    faculty = list(
        Person.objects.filter(program_id=version.program_id, kind=Person.Kind.FACULTY, is_active=True).order_by(
            "last_name", "first_name", "pk"
        )
    )
    start = min([year.start_date, *(q.start for q in quarters)])
    end = max([year.end_date, *(q.end for q in quarters)])
    grid = session_grid(version=version, start=start, end=end, person_ids=[p.pk for p in faculty])
    halves_in_week: dict[tuple[int, dt.date], int] = defaultdict(int)  # weekday FMIT half-days on open days
    weeks: dict[int, set[dt.date]] = defaultdict(set)
    closed = {day for day, special in grid.special_days.items() if special.day_type in CLOSED_DAYS}
    for (person_id, day, _session), half in grid.halves.items():
        if half.activity != SessionAssignment.Activity.FMIT:
            continue
        week = fmit.week_of(day)
        weeks[person_id].add(week)
        if day.weekday() < 5 and day not in closed:
            halves_in_week[(person_id, week)] += 1
    zone = program.zone
    tallies: dict[tuple[int, int], _Tally] = defaultdict(lambda: _Tally(set()))
    for person in faculty:
        cap = _weekly_clinic(person, settings)
        for week in weeks.get(person.pk, ()):
            quarter = quarter_of(quarters, week)
            if quarter is None:
                continue
            tally = tallies[(person.pk, quarter.number)]
            tally.weeks.add(week)
            tally.clinic_lost += min(cap, halves_in_week[(person.pk, week)])
    for call in grid.calls:
        night = call.start.astimezone(zone).date()
        week = fmit.week_of(night)
        if night.weekday() in FMIT_WEEKEND and week in weeks.get(call.person_id, ()):
            quarter = quarter_of(quarters, week)
            if quarter is not None:
                tallies[(call.person_id, quarter.number)].weekend_calls += 1
    counted = [p for p in faculty if (p.fmit_target_weeks or 0) > 0 or weeks.get(p.pk)]
    periods = tuple(_period(q, counted, tallies, [q.number], q.share, fmit) for q in quarters)
    whole = _period(None, counted, tallies, [q.number for q in quarters], 1.0, fmit)
    return FmitReport(
        program_id=program.pk,
        academic_year_id=year.pk,
        academic_year_name=year.name,
        version_id=version.pk,
        version_number=version.number,
        version_status=version.status,
        week_start_day=fmit.week_start_day,
        tolerance=fmit.imbalance_tolerance_weeks,
        quarters=periods,
        year=whole,
    )


def _period(
    quarter: Quarter | None,
    people: list[Person],
    tallies: dict[tuple[int, int], _Tally],
    numbers: list[int],
    share: float,
    fmit: FmitSettings,
) -> PeriodFmit:
    rows = []
    for person in people:
        parts = [tallies[(person.pk, n)] for n in numbers if (person.pk, n) in tallies]
        starts = sorted(week for part in parts for week in part.weeks)
        rows.append(
            FacultyFmit(
                person_id=person.pk,
                name=person.full_name,
                role=person.get_faculty_role_display() if person.faculty_role else "",
                target_year=person.fmit_target_weeks,
                target=round((person.fmit_target_weeks or 0) * share, 2),
                weeks=len(starts),
                weekend_calls=sum(part.weekend_calls for part in parts),
                clinic_lost=sum(part.clinic_lost for part in parts),
                week_starts=tuple(starts),
            )
        )
    values = [row.weeks for row in rows]
    against = [row.against_target for row in rows]
    spread = round(max(against) - min(against), 2) if rows else 0.0
    fairest = fairest_spread([row.target for row in rows], sum(values))
    value = gini(values) if values else 0.0
    return PeriodFmit(
        quarter=quarter,
        rows=tuple(rows),
        gini=round(value, 4),
        fairness=round(fairness(values), 4) if values else 1.0,
        rating=fairness_rating(fairness(values)) if values else "good",
        spread=spread,
        fairest=fairest,
        balanced=spread <= max(fmit.imbalance_tolerance_weeks, fairest) + 1e-9,
    )
