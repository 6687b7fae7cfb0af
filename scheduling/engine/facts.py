"""Static facts of a Problem that the model, the pre-check, the explanation and the derivation share.

Days are indexed from the calendar's first day (0) to its last (n - 1); index n is the "spill" day after
the horizon, into which a call or a night shift of the last day runs. Clock arithmetic is done on aware
datetimes in the program's time zone, so a day across a DST change lasts 23 or 25 hours.
"""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from functools import cached_property

from scheduling.engine.context import Edge, WindowLimits, resident_edges, window_limits
from scheduling.engine.duties import AcgmeLimits
from scheduling.engine.problem import Faculty, Problem, Resident, Rotation

HOLIDAY_TYPES = ("federal_holiday", "training_holiday")
HALF_DAYS = 14  # a block's first half: its first 14 days; the second half is the rest
WEEKEND = (5, 6)
CLINIC_WEEKDAYS = (0, 1, 2, 3, 4)


def acgme_limits(problem: Problem) -> AcgmeLimits:
    """The checker's limits with the Problem's overrides applied (whole numbers for the integer fields)."""
    defaults = AcgmeLimits()
    values: dict[str, float | int] = {}
    for item in fields(AcgmeLimits):
        if item.name in problem.acgme:
            value = problem.acgme[item.name]
            current = getattr(defaults, item.name)
            values[item.name] = int(value) if isinstance(current, int) or current is None else float(value)
    return AcgmeLimits(**values)  # type: ignore[arg-type]


def minutes_between(start: datetime, end: datetime) -> int:
    """Real elapsed minutes between two aware datetimes."""
    return round((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 60)


@dataclass(frozen=True, slots=True)
class Week:
    """A week of the horizon (Monday-start for clinic, `fmit_week_start` for FMIT): its day indices in the horizon."""

    index: int
    start: date  # may precede the horizon
    days: tuple[int, ...]


class Facts:
    """What follows from the Problem alone: days, blocks, availability, eligibility, clock minutes."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        cal = problem.calendar
        self.zone = zoneinfo.ZoneInfo(cal.timezone)
        self.limits = acgme_limits(problem)
        self.days: tuple[date, ...] = tuple(d for block in cal.blocks for d in block.dates())
        self.n = len(self.days)
        self.day_index = {d: i for i, d in enumerate(self.days)}
        self.block_of: tuple[int, ...] = tuple(b for b, block in enumerate(cal.blocks) for _ in block.dates())
        self.block_days: tuple[tuple[int, ...], ...] = tuple(
            tuple(i for i in range(self.n) if self.block_of[i] == b) for b in range(len(cal.blocks))
        )
        self.block_position = {block.number: b for b, block in enumerate(cal.blocks)}
        self.residents: tuple[Resident, ...] = problem.residents
        self.faculty: tuple[Faculty, ...] = problem.faculty
        self.rotations: tuple[Rotation, ...] = problem.rotations
        self.rotation_index = {rot.id: k for k, rot in enumerate(problem.rotations)}
        self.resident_index = {r.id: i for i, r in enumerate(problem.residents)}
        self.faculty_index = {f.id: i for i, f in enumerate(problem.faculty)}
        special = {day.date: day for day in cal.days}
        self.capacity_factor = tuple(special[d].capacity_factor if d in special else 1.0 for d in self.days)
        self.day_name = tuple(special[d].name or special[d].day_type if d in special else "" for d in self.days)
        self.holidays = frozenset(
            i for i, d in enumerate(self.days) if d in special and special[d].day_type in HOLIDAY_TYPES
        )
        self.weekends = frozenset(i for i, d in enumerate(self.days) if d.weekday() in WEEKEND)
        absent: dict[str, set[int]] = {}
        half: dict[str, dict[int, set[int]]] = {}
        for absence in problem.absences:
            if absence.session is not None:  # a half-day absence: that session only (one day)
                if (i := self.day_index.get(absence.start)) is not None:
                    half.setdefault(absence.person, {}).setdefault(i, set()).add(("AM", "PM").index(absence.session))
                continue
            for offset in range((absence.end - absence.start).days + 1):
                i = self.day_index.get(absence.start + timedelta(days=offset))
                if i is not None:
                    absent.setdefault(absence.person, set()).add(i)
        self.absent: dict[str, frozenset[int]] = {p: frozenset(s) for p, s in absent.items()}
        # person -> day -> sessions (0 = AM, 1 = PM) of half-day absences on days that are not whole-day leave
        self.half_absent: dict[str, dict[int, frozenset[int]]] = {
            p: {i: frozenset(ss) for i, ss in days.items() if i not in self.absent.get(p, frozenset())}
            for p, days in half.items()
        }
        self._day_minutes: dict[int, int] = {}
        self._hours_limit: dict[int, int] = {}
        self._unsupervised: dict[tuple[str, int, int], int | None] = {}
        self._window_limits: dict[str, WindowLimits] = {}

    # -- people and rotations -----------------------------------------------------------------------

    def is_absent(self, person: str, i: int) -> bool:
        """Whether the person is on approved leave on day i (days outside the horizon are never leave)."""
        return i in self.absent.get(person, frozenset())

    def session_absent(self, person: str, i: int, s: int) -> bool:
        """Whether the person is unavailable in session s (0 = AM, 1 = PM) of day i: whole-day or half-day leave."""
        return self.is_absent(person, i) or s in self.half_absent.get(person, {}).get(i, ())

    def unavailable(self, person: str, i: int) -> bool:
        """Absent on day i for all or part of it: no call that night or the night before, no night shift starting
        that day or the day before, no FMIT that week (a half-day absence is not leave for the ACGME averages)."""
        return self.is_absent(person, i) or i in self.half_absent.get(person, {})

    def absent_in_block(self, person: str, b: int, days: Iterable[int] | None = None) -> int:
        """Days of block position b (or of `days`) on which the person is absent, whole or half-day."""
        return sum(1 for i in (self.block_days[b] if days is None else days) if self.unavailable(person, i))

    def part_days(self, b: int, half: int = 0) -> tuple[int, ...]:
        """The days of block position b (half 0), of its first 14 days (1) or of the rest (2)."""
        days = self.block_days[b]
        return days if half == 0 else days[:HALF_DAYS] if half == 1 else days[HALF_DAYS:]

    @cached_property
    def half_of(self) -> tuple[int, ...]:
        """Per day: 1 in the first 14 days of its block, 2 after them."""
        return tuple(1 if i - self.block_days[self.block_of[i]][0] < HALF_DAYS else 2 for i in range(self.n))

    @cached_property
    def half_eligible(self) -> tuple[tuple[tuple[tuple[int, ...], tuple[int, ...]], ...], ...]:
        """half_eligible[r][b]: the `half_block` rotations resident r may hold in the first and in the second half
        of block position b; both empty when no two different ones could fill the halves (or no rotation allows
        halves: the model is then the whole-block model)."""
        none: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
        halves = [k for k, rot in enumerate(self.rotations) if rot.half_block]
        out = []
        for res in self.residents:
            row = []
            for b in range(len(self.block_days)):
                if not halves or len(self.block_days[b]) <= HALF_DAYS:
                    row.append(none)
                    continue
                first, second = (
                    tuple(k for k in halves if not self.ineligibility(res, self.rotations[k], b, half))
                    for half in (1, 2)
                )
                row.append((first, second) if any(a != c for a in first for c in second) else none)
            out.append(tuple(row))
        return tuple(out)

    def ineligibility(self, resident: Resident, rotation: Rotation, b: int, half: int = 0) -> str:
        """Why the resident cannot hold the rotation in block position b (or in one half of it), or "" when they
        can."""
        if not rotation.min_pgy <= resident.pgy <= rotation.max_pgy:
            low, high = rotation.min_pgy, rotation.max_pgy
            span = f"PGY-{low} only" if low == high else f"PGY {low} and above" if high == 8 else f"PGY {low}-{high}"
            return f"{rotation.name or rotation.id} takes {span}"
        missing = sorted(rotation.required_credentials - resident.credentials)
        if missing:
            return f"{rotation.name or rotation.id} needs {', '.join(missing)}"
        days = self.part_days(b, half)
        last_day = self.days[days[-1]] if days else None
        lapsing = sorted(
            code
            for code in rotation.required_credentials
            if last_day is not None and not resident.credential_valid_through(code, last_day)
        )
        if lapsing:
            return f"{rotation.name or rotation.id} needs {', '.join(lapsing)}, which expires before the block ends"
        if not rotation.leave_allowed and self.absent_in_block(resident.id, b, days):
            absent = self.absent_in_block(resident.id, b, days)
            return f"{rotation.name or rotation.id} allows no leave and they are absent {absent} day(s)"
        unsupervised = self.unsupervised_day(rotation, b, half)
        if unsupervised is not None:
            day = self.days[unsupervised]
            codes = ", ".join(sorted(rotation.supervisor_credentials))
            return (
                f"{rotation.name or rotation.id} needs a supervisor holding {codes} on {day:%a} {day.day} {day:%b}; "
                "none is available"
            )
        return ""

    def supervisors(self, rotation: Rotation, i: int) -> tuple[int, ...]:
        """Faculty (indices) who may supervise the rotation on day i: they hold every one of its
        `supervisor_credentials` valid that day and are not absent (FMIT is the model's decision)."""
        codes = rotation.supervisor_credentials
        return tuple(
            fi
            for fi, fac in enumerate(self.faculty)
            if not self.is_absent(fac.id, i) and all(fac.credential_valid_through(code, self.days[i]) for code in codes)
        )

    def unsupervised_day(self, rotation: Rotation, b: int, half: int = 0) -> int | None:
        """The first work day of block position b (or of its half) on which no faculty member could supervise the
        rotation (None when every work day has one, or the rotation needs no credentialed supervisor)."""
        if not rotation.supervisor_credentials:
            return None
        key = (rotation.id, b, half)
        if key not in self._unsupervised:
            self._unsupervised[key] = next(
                (
                    i
                    for i in self.part_days(b, half)
                    if self.works_day(rotation, i) and not self.supervisors(rotation, i)
                ),
                None,
            )
        return self._unsupervised[key]

    @cached_property
    def eligible(self) -> tuple[tuple[tuple[int, ...], ...], ...]:
        """eligible[r][b]: the rotation indices resident r may hold in block position b."""
        return tuple(
            tuple(
                tuple(k for k, rot in enumerate(self.rotations) if not self.ineligibility(res, rot, b))
                for b in range(len(self.block_days))
            )
            for res in self.residents
        )

    def works_day(self, rotation: Rotation, i: int) -> bool:
        """Day duty (AM start to PM end) on day i for a resident on this rotation (before leave and post-call)."""
        return not rotation.night and self.days[i].weekday() in rotation.work_days

    def works_night(self, rotation: Rotation, person: str, i: int) -> bool:
        """A night shift from day i to i + 1: a night rotation's work day, the person available both days."""
        return (
            rotation.night
            and self.days[i].weekday() in rotation.work_days
            and not self.unavailable(person, i)
            and not self.unavailable(person, i + 1)
            and not ((edge := self.edges.get(person)) is not None and i in edge.no_night)
        )

    def rests(self, person: str, i: int) -> bool:
        """Day i has no day duty for the person: it lies in the rest the fixed schedule around the horizon
        (`Problem.context`) needs, e.g. the day after the call of the night before the horizon."""
        edge = self.edges.get(person)
        return edge is not None and i in edge.no_day

    @cached_property
    def edges(self) -> dict[str, Edge]:
        """Per resident with duties or leave in `Problem.context`: that context on the horizon's day axis."""
        return resident_edges(self)

    def window_limits(self, person: str) -> WindowLimits:
        """The resident's ACGME windows and what the horizon's part of each may hold (scheduling/engine/context.py)."""
        if person not in self._window_limits:
            self._window_limits[person] = window_limits(self, person)
        return self._window_limits[person]

    def call_pgy(self, resident: Resident) -> list[int]:
        """The call coverage entries (indices) this resident may serve by PGY."""
        return [
            c
            for c, cov in enumerate(self.problem.requirements.call)
            if cov.per_night > 0 and resident.pgy >= cov.min_pgy
        ]

    def can_call(self, r: int, i: int) -> bool:
        """Whether resident r may take in-house call on night i in some schedule (ignoring locks)."""
        res = self.residents[r]
        if not self.call_pgy(res) or self.unavailable(res.id, i) or self.unavailable(res.id, i + 1):
            return False
        if (edge := self.edges.get(res.id)) is not None and i in edge.no_call:
            return False
        b = self.block_of[i]
        return any(
            self.rotations[k].call_eligible and not self.rotations[k].night
            for k in self.eligible[r][b] + self.half_eligible[r][b][self.half_of[i] - 1]
        )

    def fmit_available(self, f: int, week: Week) -> bool:
        fac = self.faculty[f]
        return fac.fmit_eligible and not any(self.unavailable(fac.id, i) for i in week.days)

    # -- clinic ---------------------------------------------------------------------------------------

    def clinic_capacity(self, i: int) -> int:
        """Residents in continuity clinic per session on day i: capacity x the day's factor, rounded down."""
        if self.days[i].weekday() not in CLINIC_WEEKDAYS:
            return 0
        return math.floor(self.problem.requirements.clinic_capacity * self.capacity_factor[i] + 1e-9)

    def clinic_open(self, i: int) -> bool:
        """A weekday whose clinic is not closed (faculty clinic runs on these days too)."""
        return self.days[i].weekday() in CLINIC_WEEKDAYS and self.capacity_factor[i] > 0

    @cached_property
    def didactics(self) -> frozenset[tuple[int, int]]:
        """The protected didactics half-days (day, session index 0 = AM, 1 = PM): the program's weekday and
        session, except on holidays and closed days. Residents with day duty then are at didactics."""
        did = self.problem.requirements.didactics
        if did is None:
            return frozenset()
        s = ("AM", "PM").index(did.session)
        return frozenset(
            (i, s)
            for i, day in enumerate(self.days)
            if day.weekday() == did.weekday and i not in self.holidays and self.capacity_factor[i] > 0
        )

    @cached_property
    def clinic_weeks(self) -> tuple[Week, ...]:
        """Monday-to-Sunday weeks of the horizon (the first and last may be partial)."""
        return self._weeks(0)

    @cached_property
    def fmit_weeks(self) -> tuple[Week, ...]:
        """FMIT weeks, starting on the calendar's `fmit_week_start` weekday (the first and last may be partial)."""
        return self._weeks(self.problem.calendar.fmit_week_start)

    def _weeks(self, weekday: int) -> tuple[Week, ...]:
        first = self.days[0] - timedelta(days=(self.days[0].weekday() - weekday) % 7)
        weeks: list[Week] = []
        start = first
        while start <= self.days[-1]:
            days = tuple(
                self.day_index[start + timedelta(days=k)]
                for k in range(7)
                if start + timedelta(days=k) in self.day_index
            )
            weeks.append(Week(len(weeks), start, days))
            start += timedelta(days=7)
        return tuple(weeks)

    def fmit_week_index(self, day: date) -> int | None:
        """The FMIT week holding `day`, which may be a week's start before the horizon; None outside the weeks."""
        for week in self.fmit_weeks:
            if week.start <= day < week.start + timedelta(days=7):
                return week.index
        return None

    @cached_property
    def clinic_week_of(self) -> tuple[int, ...]:
        return tuple(w.index for w in self.clinic_weeks for _ in w.days)

    @cached_property
    def fmit_week_of(self) -> tuple[int, ...]:
        return tuple(w.index for w in self.fmit_weeks for _ in w.days)

    def fmit_target(self, faculty: Faculty) -> int:
        """The faculty member's FMIT target for this horizon: the yearly target prorated by 364 days."""
        return round(faculty.fmit_target_weeks * self.n / 364)

    # -- clock ----------------------------------------------------------------------------------------

    def at(self, i: int, clock: time) -> datetime:
        """The aware local datetime of a clock time on day i (i may be n, the spill day)."""
        return datetime.combine(self.days[0] + timedelta(days=i), clock, self.zone)

    def midnight(self, i: int) -> datetime:
        return self.at(i, time(0))

    def day_minutes(self, i: int) -> int:
        """Real minutes in local day i (1380 or 1500 across a DST change)."""
        if i not in self._day_minutes:
            self._day_minutes[i] = minutes_between(self.midnight(i), self.midnight(i + 1))
        return self._day_minutes[i]

    def hours_limit(self, leave_days: int) -> int:
        """Duty minutes allowed in a window with `leave_days` leave days: weekly hours x (window - L) / 7."""
        if leave_days not in self._hours_limit:
            lim = self.limits
            allowed = Fraction(str(lim.weekly_hours)) * 60 * (lim.window_days - leave_days) / 7
            self._hours_limit[leave_days] = math.floor(allowed)
        return self._hours_limit[leave_days]

    def split(self, start: datetime, end: datetime, i: int) -> tuple[int, int]:
        """Minutes of [start, end) that fall on local day i and on day i + 1 (the period starts on day i)."""
        boundary = self.midnight(i + 1)
        return minutes_between(start, min(end, boundary)), max(0, minutes_between(boundary, end))

    def day_duty_span(self, i: int) -> tuple[datetime, datetime]:
        clock = self.problem.calendar.sessions
        return self.at(i, clock.am_start), self.at(i, clock.pm_end)

    def call_span(self, i: int) -> tuple[datetime, datetime]:
        """An in-house call of night i covers the day from the AM start to `call_end` the next morning."""
        return self.at(i, self.problem.calendar.sessions.am_start), self.at(i + 1, self.problem.rules.call_end)

    def night_span(self, i: int) -> tuple[datetime, datetime]:
        rules = self.problem.rules
        return self.at(i, rules.night_start), self.at(i + 1, rules.night_end)

    @cached_property
    def clock_minutes(self) -> tuple[tuple[int, ...], ...]:
        """Per day i: (day duty, call on i, call of i - 1 running into i, night on i, night of i - 1 into i)."""
        rows: list[tuple[int, int, int, int, int]] = []
        prev_call, prev_night = 0, 0
        for i in range(self.n + 1):
            if i < self.n:
                day = minutes_between(*self.day_duty_span(i))
                call0, call1 = self.split(*self.call_span(i), i)
                night0, night1 = self.split(*self.night_span(i), i)
            else:
                day = call0 = call1 = night0 = night1 = 0
            rows.append((day, call0, prev_call, night0, prev_night))
            prev_call, prev_night = call1, night1
        return tuple(rows)

    def short_day(self, i: int) -> bool:
        """A day shorter than 24 h (spring forward): it earns no free-day credit in the model (conservative)."""
        return self.day_minutes(i) < 24 * 60
