"""PROBLEM.json: everything the engine needs to build a schedule, as frozen dataclasses.

The format is ours, versioned (`"version": 2`; version 1, which has no `context`, still reads) and
documented in docs/engine.md with a JSON Schema. `problem_from_json` validates strictly and raises
ProblemError naming the field at fault (`residents[3].pgy: must be an integer from 1 to 8`);
`problem_to_json` writes it back.
Dates are ISO dates, clock times "HH:MM" local to `calendar.timezone`.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, TypeVar

from scheduling.engine.duties import (
    MAX_YEAR,
    MIN_YEAR,
    RULE_NAMES,
    AcgmeLimits,
    DutiesError,
    Duty,
    Leave,
    SupervisionRatio,
    format_local,
    read_duty,
    read_leave,
)

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 2 added `context`

ROTATION_KINDS = (
    "inpatient",
    "outpatient_clinic",
    "procedure",
    "night_float",
    "elective",
    "conference",
    "fmit",
    "off",
)
DAY_TYPES = ("normal", "federal_holiday", "training_holiday", "minimal_manning", "closure")
ABSENCE_KINDS = (
    "vacation",
    "sick",
    "medical",
    "conference",
    "parental",
    "bereavement",
    "family_emergency",
    "emergency_leave",
    "convalescent",
    "deployment",
    "tdy",
    "military_training",
)
PREFERENCE_KINDS = ("blocked_week", "preferred_week", "rotation_wish", "rotation_avoid")
LOCK_KINDS = ("rotation", "call", "fmit", "clinic")
CALL_KINDS = ("in_house",)
SESSIONS = ("AM", "PM")
ACGME_OVERRIDES = RULE_NAMES  # names of the ACGME limits a program may override
WEIGHT_NAMES = (
    "coverage_shortfall",
    "call_fairness",
    "weekend_fairness",
    "holiday_fairness",
    "fmit_fairness",
    "preferences",
    "clinic_continuity",
    "change",
    "wish_fairness",
)


class ProblemError(ValueError):
    """A PROBLEM.json that cannot be used; `path` names the field at fault."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class SessionClock:
    """Clock times of the AM and PM half-day sessions (defaults 07:00-12:00 and 13:00-17:00)."""

    am_start: time = time(7)
    am_end: time = time(12)
    pm_start: time = time(13)
    pm_end: time = time(17)

    def times(self) -> dict[str, tuple[time, time]]:
        """{"AM": (start, end), "PM": (start, end)}, the shape of a DUTIES document's session times."""
        return {"AM": (self.am_start, self.am_end), "PM": (self.pm_start, self.pm_end)}


@dataclass(frozen=True, slots=True)
class Block:
    """A rotation block, dates inclusive."""

    number: int
    start: date
    end: date

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True, slots=True)
class Day:
    """A date whose day type is not normal; `capacity_factor` scales the clinic capacity (0 = closed)."""

    date: date
    day_type: str
    capacity_factor: float
    name: str = ""


@dataclass(frozen=True, slots=True)
class Calendar:
    """The horizon being scheduled: its blocks (contiguous), session clock and special days."""

    timezone: str
    blocks: tuple[Block, ...]
    sessions: SessionClock = SessionClock()
    days: tuple[Day, ...] = ()
    fmit_week_start: int = 4  # Friday; 0 = Monday

    @property
    def start(self) -> date:
        return self.blocks[0].start

    @property
    def end(self) -> date:
        return self.blocks[-1].end


@dataclass(frozen=True, slots=True)
class Resident:
    """A resident: PGY level and credentials (certification and procedure codes held).

    `credentials_until`: (code, last valid day) pairs for codes that expire; a code held without one
    never expires. A rotation needing an expiring code is open only in blocks that end by that day.
    """

    id: str
    name: str
    pgy: int
    credentials: frozenset[str] = frozenset()
    credentials_until: tuple[tuple[str, date], ...] = ()

    def credential_valid_through(self, code: str, day: date) -> bool:
        """Whether the resident holds `code` on every day up to and including `day`."""
        if code not in self.credentials:
            return False
        return all(until >= day for held, until in self.credentials_until if held == code)


@dataclass(frozen=True, slots=True)
class Faculty:
    """A faculty member: clinic half-days per week (min/max), FMIT weeks target, whether they attend FMIT.

    `credentials` and `credentials_until` as for a Resident: they decide who may supervise a rotation with
    `supervisor_credentials`.
    """

    id: str
    name: str
    role: str = "core"
    clinic_min_per_week: int = 0
    clinic_max_per_week: int = 4
    fmit_target_weeks: int = 6
    fmit_eligible: bool = True
    credentials: frozenset[str] = frozenset()
    credentials_until: tuple[tuple[str, date], ...] = ()
    call_eligible: bool = True  # takes faculty overnight call (Requirements.faculty_call)

    def credential_valid_through(self, code: str, day: date) -> bool:
        """Whether the faculty member holds `code` on every day up to and including `day`."""
        if code not in self.credentials:
            return False
        return all(until >= day for held, until in self.credentials_until if held == code)


@dataclass(frozen=True, slots=True)
class Rotation:
    """A rotation template as the engine sees it.

    `work_days` are the weekdays (0 = Monday) with day duty from the AM start to the PM end; a
    `night` rotation works 19:00-07:00 from those days instead. `continuity_clinic`: its residents
    leave for their weekly continuity clinic half-days. `call_eligible`: its residents take
    in-house call. `required_credentials`: every resident on it must hold them.
    `supervisor_credentials`: on each of its work days a faculty member holding all of them (valid that day,
    not absent, not on FMIT that week) must be there to supervise its residents.
    """

    id: str
    name: str
    abbreviation: str
    kind: str
    min_pgy: int = 1
    max_pgy: int = 8
    work_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    night: bool = False
    continuity_clinic: bool = True
    call_eligible: bool = False
    leave_allowed: bool = True
    required_credentials: frozenset[str] = frozenset()
    supervisor_credentials: frozenset[str] = frozenset()
    half_block: bool = False  # may be held for one half of a block (the first 14 days, or the rest)


@dataclass(frozen=True, slots=True)
class Staffing:
    """Residents on a rotation in each block (or only in `blocks`, if given)."""

    rotation: str
    min_residents: int = 0
    max_residents: int | None = None
    blocks: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RequiredRotation:
    """Each resident of `pgy` spends `min_blocks`..`max_blocks` blocks of the horizon on `rotation`."""

    pgy: int
    rotation: str
    min_blocks: int = 1
    max_blocks: int | None = None


@dataclass(frozen=True, slots=True)
class CallCoverage:
    """In-house call: `per_night` residents of PGY `min_pgy`+ every night, from call-eligible rotations."""

    kind: str = "in_house"
    per_night: int = 1
    min_pgy: int = 1


@dataclass(frozen=True, slots=True)
class Didactics:
    """A protected weekly half-day of teaching (default Wednesday PM): every resident with day duty that day
    spends the session at didactics, not on the rotation or in continuity clinic. No didactics on holidays or
    closed days; residents on nights, post-call or on leave are not there (they have no day duty)."""

    weekday: int = 2  # 0 = Monday
    session: str = "PM"


@dataclass(frozen=True, slots=True)
class FacultyCall:
    """Faculty overnight call (attending call): `per_night` call-eligible faculty on each of the `nights` (weekdays,
    0 = Monday; default Sunday-Thursday; Friday and Saturday nights of an FMIT week are its attending's), at least
    `min_days_between` days between one person's calls, no clinic the day after a call (post-call morning, afternoon
    off), and nobody who holds clinic on the night before a `protected_sessions` half-day (weekday, "AM"|"PM")."""

    nights: tuple[int, ...] = (0, 1, 2, 3, 6)  # Sunday-Thursday nights
    per_night: int = 1
    min_days_between: int = 3
    protected_sessions: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Requirements:
    """What the schedule must (hard) or should (soft, with a shortfall cost) provide."""

    staffing: tuple[Staffing, ...] = ()
    required_rotations: tuple[RequiredRotation, ...] = ()
    clinic_sessions_per_week: dict[int, int] = field(default_factory=dict)  # PGY -> continuity half-days
    clinic_capacity: int = 6  # residents in continuity clinic per session, scaled by the day's capacity factor
    call: tuple[CallCoverage, ...] = ()
    fmit_min_attendings: int = 1
    fmit_max_attendings: int = 2
    didactics: Didactics | None = None  # the protected weekly didactics half-day, if the program has one
    faculty_call: FacultyCall | None = None  # the faculty overnight call roster, if the program makes one


@dataclass(frozen=True, slots=True)
class Absence:
    """An approved absence, dates inclusive: the person is unavailable and it is leave for the ACGME averages.

    With `session` ("AM" or "PM", one day only) it is a half-day absence: that session is unavailable (no clinic),
    so is in-house call that night and the night before and a night shift starting that day or the day before; the
    day is not leave for the ACGME averages (docs/engine.md)."""

    person: str
    start: date
    end: date
    kind: str = "vacation"
    session: str | None = None


@dataclass(frozen=True, slots=True)
class Preference:
    """A wish with a weight: a week blocked or preferred off (`week_start`), a rotation wished or avoided."""

    person: str
    kind: str
    week_start: date | None = None
    rotation: str | None = None
    block: int | None = None
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Lock:
    """An assignment the engine must keep: a rotation in a block, a call night, an FMIT week, a clinic session."""

    kind: str
    person: str
    block: int | None = None
    rotation: str | None = None
    date: date | None = None
    session: str | None = None


_RATIO = SupervisionRatio()


@dataclass(frozen=True, slots=True)
class ProgramRules:
    """Program rules beyond the ACGME (DESIGN.md sections 5 and 7). The supervision settings are those of
    `SupervisionRatio` (`supervision`), the arithmetic the model and the checker share."""

    supervision_units_per_faculty: int = _RATIO.supervision_units_per_faculty
    pgy1_supervision_units: int = _RATIO.pgy1_supervision_units
    other_supervision_units: int = _RATIO.other_supervision_units
    max_consecutive_calls: int = 1
    min_days_between_calls: int = 2
    post_call_day_off: bool = True
    call_start: time = time(17)
    call_end: time = time(8)
    night_start: time = time(19)
    night_end: time = time(7)
    fmit_max_consecutive_weeks: int = 1
    fmit_min_gap_weeks: int = 2
    fmit_recovery_day: bool = True
    # the least share (percent) of their wish weight every person of a cohort should have granted; the run's
    # statistics.wishes say whether it held (scheduling/engine/wishes.py); the `wish_fairness` term pursues it
    wish_min_granted_percent: int = 0

    @property
    def supervision(self) -> SupervisionRatio:
        """The supervision ratio these rules set (units per PGY, units a faculty member supervises)."""
        return SupervisionRatio(
            supervision_units_per_faculty=self.supervision_units_per_faculty,
            pgy1_supervision_units=self.pgy1_supervision_units,
            other_supervision_units=self.other_supervision_units,
        )


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the soft terms of the objective (each term's cost is reported)."""

    coverage_shortfall: int = 1000
    call_fairness: int = 20
    weekend_fairness: int = 10
    holiday_fairness: int = 10
    fmit_fairness: int = 20
    preferences: int = 5
    clinic_continuity: int = 10
    change: int = 50
    wish_fairness: int = 1


@dataclass(frozen=True, slots=True)
class Reference:
    """A schedule to stay close to (minimal-change re-solve): the assignments of an earlier solution."""

    rotations: dict[tuple[str, int], str] = field(default_factory=dict)  # (resident, block) -> rotation
    halves: dict[tuple[str, int, int], str] = field(default_factory=dict)  # (resident, block, half 1|2) -> rotation
    calls: frozenset[tuple[str, date]] = frozenset()  # (resident, night)
    fmit_weeks: frozenset[tuple[str, date]] = frozenset()  # (faculty, week start)
    clinic: frozenset[tuple[str, date, str]] = frozenset()  # (person, date, session)


@dataclass(frozen=True, slots=True)
class ContextPerson:
    """A resident's fixed duty periods (aware times) and leave around the horizon, as in a DUTIES document."""

    id: str
    duties: tuple[Duty, ...] = ()
    leave: tuple[Leave, ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    """The schedule around the horizon, fixed (a re-solve of some blocks of a published year): each resident's
    duty periods and leave from `start` to the day before the horizon and from the day after it to `end`.

    A resident with nothing there is free on those days. Every ACGME window crossing an edge counts these duties,
    and the rest, post-call day and call spacing hold against them; days outside start..end stay unknown.
    """

    start: date
    end: date
    people: tuple[ContextPerson, ...] = ()
    # faculty call nights and faculty clinic days outside the horizon (person, date): faculty call keeps its spacing
    # and post-call day against them (faculty_call.py)
    faculty_calls: tuple[tuple[str, date], ...] = ()
    faculty_clinic: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """One scheduling problem (PROBLEM.json, version 2)."""

    calendar: Calendar
    residents: tuple[Resident, ...]
    faculty: tuple[Faculty, ...]
    rotations: tuple[Rotation, ...]
    requirements: Requirements = Requirements()
    absences: tuple[Absence, ...] = ()
    preferences: tuple[Preference, ...] = ()
    locks: tuple[Lock, ...] = ()
    rules: ProgramRules = ProgramRules()
    acgme: dict[str, Any] = field(default_factory=dict)  # overrides of scheduling.engine.duties.AcgmeLimits
    weights: Weights = Weights()
    reference: Reference | None = None
    context: Context | None = None
    name: str = ""
    version: int = SCHEMA_VERSION

    @property
    def acgme_limits(self) -> AcgmeLimits:
        return AcgmeLimits(**self.acgme)

    def rotation(self, rotation_id: str) -> Rotation:
        return next(r for r in self.rotations if r.id == rotation_id)


# ---------------------------------------------------------------------------------------------
# Reading and writing JSON


T = TypeVar("T")


class _Node:
    """A JSON value with its path, for error messages that name the field at fault."""

    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def fail(self, message: str) -> ProblemError:
        return ProblemError(self.path, message)

    def obj(self, allowed: Iterable[str]) -> _Node:
        if not isinstance(self.value, dict):
            raise self.fail("must be an object")
        unknown = sorted(set(self.value) - set(allowed))
        if unknown:
            where = f"{self.path}.{unknown[0]}" if self.path else unknown[0]
            raise ProblemError(where, f"unknown field (allowed: {', '.join(sorted(allowed))})")
        return self

    def get(self, key: str, default: Any = ..., *, required: bool = False) -> _Node:
        path = f"{self.path}.{key}" if self.path else key
        if key not in self.value:
            if required or default is ...:
                raise ProblemError(path, "is required")
            return _Node(default, path)
        return _Node(self.value[key], path)

    def items(self) -> list[_Node]:
        if not isinstance(self.value, list):
            raise self.fail("must be a list")
        return [_Node(item, f"{self.path}[{i}]") for i, item in enumerate(self.value)]

    def string(self, *, choices: Iterable[str] | None = None, allow_empty: bool = False) -> str:
        if not isinstance(self.value, str) or (not allow_empty and not self.value.strip()):
            raise self.fail("must be a non-empty string" if not allow_empty else "must be a string")
        if choices is not None and self.value not in tuple(choices):
            raise self.fail(f"must be one of {', '.join(choices)} (got {self.value!r})")
        return self.value

    def integer(self, low: int | None = None, high: int | None = None) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail("must be an integer")
        if (low is not None and self.value < low) or (high is not None and self.value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise self.fail(f"must be an integer {bounds} (got {self.value})")
        return self.value

    def optional_integer(self, low: int | None = None, high: int | None = None) -> int | None:
        return None if self.value is None else self.integer(low, high)

    def number(self, low: float | None = None, high: float | None = None) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise self.fail("must be a number")
        if (low is not None and self.value < low) or (high is not None and self.value > high):
            raise self.fail(f"must be a number from {low} to {high} (got {self.value})")
        return float(self.value)

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("must be true or false")
        return self.value

    def iso_date(self) -> date:
        try:
            day = date.fromisoformat(self.string())
        except ValueError:
            raise self.fail(f"must be an ISO date such as 2026-07-01 (got {self.value!r})") from None
        if not MIN_YEAR <= day.year <= MAX_YEAR:  # keeps the calendar's date arithmetic inside Python's dates
            raise self.fail(f"year must be from {MIN_YEAR} to {MAX_YEAR} (got {self.value!r})")
        return day

    def optional_date(self) -> date | None:
        return None if self.value is None else self.iso_date()

    def clock(self) -> time:
        text = self.string()
        try:
            if len(text) != 5:
                raise ValueError
            return time.fromisoformat(text)
        except ValueError:
            raise self.fail(f"must be a clock time HH:MM (got {text!r})") from None

    def strings(self) -> frozenset[str]:
        return frozenset(item.string() for item in self.items())

    def ints(self, low: int, high: int) -> tuple[int, ...]:
        return tuple(item.integer(low, high) for item in self.items())

    def each(self, read: Callable[[_Node], T]) -> tuple[T, ...]:
        return tuple(read(item) for item in self.items())


def _calendar(node: _Node) -> Calendar:
    node.obj({"timezone", "blocks", "sessions", "days", "fmit_week_start"})
    tz_node = node.get("timezone", required=True)
    timezone = tz_node.string()
    if timezone not in zoneinfo.available_timezones():
        raise tz_node.fail(f"unknown time zone {timezone!r} (use an IANA name such as America/New_York)")
    blocks = node.get("blocks", required=True).each(_block)
    if not blocks:
        raise ProblemError(f"{node.path}.blocks", "needs at least one block")
    for i, (before, after) in enumerate(zip(blocks, blocks[1:], strict=False), start=1):
        if after.start != before.end + timedelta(days=1):
            raise ProblemError(
                f"{node.path}.blocks[{i}].start",
                f"must be the day after block {before.number} ends ({before.end + timedelta(days=1)})",
            )
    numbers = [b.number for b in blocks]
    if len(set(numbers)) != len(numbers):
        raise ProblemError(f"{node.path}.blocks", "block numbers must be unique")
    sessions_node = node.get("sessions", {})
    sessions_node.obj({"am_start", "am_end", "pm_start", "pm_end"})
    default = SessionClock()
    clock = SessionClock(
        **{
            name: sessions_node.get(name, getattr(default, name).strftime("%H:%M")).clock()
            for name in ("am_start", "am_end", "pm_start", "pm_end")
        }
    )
    if not clock.am_start < clock.am_end <= clock.pm_start < clock.pm_end:
        raise sessions_node.fail("times must run am_start < am_end <= pm_start < pm_end")
    days = node.get("days", []).each(_day)
    return Calendar(
        timezone=timezone,
        blocks=blocks,
        sessions=clock,
        days=days,
        fmit_week_start=node.get("fmit_week_start", 4).integer(0, 6),
    )


def _block(node: _Node) -> Block:
    node.obj({"number", "start", "end"})
    start = node.get("start", required=True).iso_date()
    end_node = node.get("end", required=True)
    end = end_node.iso_date()
    if end < start:
        raise end_node.fail(f"must not be before start ({start})")
    return Block(number=node.get("number", required=True).integer(0, 26), start=start, end=end)


def _day(node: _Node) -> Day:
    node.obj({"date", "day_type", "capacity_factor", "name"})
    return Day(
        date=node.get("date", required=True).iso_date(),
        day_type=node.get("day_type", required=True).string(choices=DAY_TYPES),
        capacity_factor=node.get("capacity_factor", 1.0).number(0, 1),
        name=node.get("name", "").string(allow_empty=True),
    )


def _credentials_until(node: _Node, credentials: frozenset[str]) -> tuple[tuple[str, date], ...]:
    """`credentials_until` {code: last valid day}: each code must be one of the person's credentials."""
    until_node = node.get("credentials_until", {})
    if not isinstance(until_node.value, dict):
        raise until_node.fail("must be an object of credential code -> last valid day")
    until = []
    for code in sorted(until_node.value):
        day_node = until_node.get(code)
        if code not in credentials:
            raise day_node.fail(f"names {code!r}, which is not in credentials")
        until.append((code, day_node.iso_date()))
    return tuple(until)


def _resident(node: _Node) -> Resident:
    node.obj({"id", "name", "pgy", "credentials", "credentials_until"})
    credentials = node.get("credentials", []).strings()
    return Resident(
        id=node.get("id", required=True).string(),
        name=node.get("name", "").string(allow_empty=True),
        pgy=node.get("pgy", required=True).integer(1, 8),
        credentials=credentials,
        credentials_until=_credentials_until(node, credentials),
    )


def _faculty(node: _Node) -> Faculty:
    node.obj(
        {"id", "name", "role", "clinic_min_per_week", "clinic_max_per_week", "fmit_target_weeks", "fmit_eligible"}
        | {"credentials", "credentials_until", "call_eligible"}
    )
    credentials = node.get("credentials", []).strings()
    low = node.get("clinic_min_per_week", 0).integer(0, 10)
    high_node = node.get("clinic_max_per_week", 4)
    high = high_node.integer(0, 10)
    if high < low:
        raise high_node.fail(f"must not be below clinic_min_per_week ({low})")
    return Faculty(
        id=node.get("id", required=True).string(),
        name=node.get("name", "").string(allow_empty=True),
        role=node.get("role", "core").string(),
        clinic_min_per_week=low,
        clinic_max_per_week=high,
        fmit_target_weeks=node.get("fmit_target_weeks", 6).integer(0, 52),
        fmit_eligible=node.get("fmit_eligible", True).boolean(),
        credentials=credentials,
        credentials_until=_credentials_until(node, credentials),
        call_eligible=node.get("call_eligible", True).boolean(),
    )


def _rotation(node: _Node) -> Rotation:
    node.obj(
        {"id", "name", "abbreviation", "kind", "min_pgy", "max_pgy", "work_days", "night", "continuity_clinic"}
        | {"call_eligible", "leave_allowed", "required_credentials", "supervisor_credentials", "half_block"}
    )
    low = node.get("min_pgy", 1).integer(1, 8)
    high_node = node.get("max_pgy", 8)
    high = high_node.integer(1, 8)
    if high < low:
        raise high_node.fail(f"must not be below min_pgy ({low})")
    work_days_node = node.get("work_days", [0, 1, 2, 3, 4])
    work_days = work_days_node.ints(0, 6)
    if len(set(work_days)) != len(work_days):
        raise work_days_node.fail("weekdays must not repeat")
    return Rotation(
        id=node.get("id", required=True).string(),
        name=node.get("name", "").string(allow_empty=True),
        abbreviation=node.get("abbreviation", "").string(allow_empty=True),
        kind=node.get("kind", required=True).string(choices=ROTATION_KINDS),
        min_pgy=low,
        max_pgy=high,
        work_days=tuple(sorted(work_days)),
        night=node.get("night", False).boolean(),
        continuity_clinic=node.get("continuity_clinic", True).boolean(),
        call_eligible=node.get("call_eligible", False).boolean(),
        leave_allowed=node.get("leave_allowed", True).boolean(),
        required_credentials=node.get("required_credentials", []).strings(),
        supervisor_credentials=node.get("supervisor_credentials", []).strings(),
        half_block=node.get("half_block", False).boolean(),
    )


def _requirements(node: _Node) -> Requirements:
    node.obj(
        {"staffing", "required_rotations", "clinic_sessions_per_week", "clinic_capacity", "call"}
        | {"fmit_min_attendings", "fmit_max_attendings", "didactics", "faculty_call"}
    )
    clinic_node = node.get("clinic_sessions_per_week", {})
    if not isinstance(clinic_node.value, dict):
        raise clinic_node.fail('must be an object of PGY -> half-days per week, e.g. {"1": 1, "2": 2}')
    clinic: dict[int, int] = {}
    for key in clinic_node.value:
        key_node = _Node(key, f"{clinic_node.path}.{key}")
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and 1 <= int(key) <= 8):
            raise key_node.fail("keys must be PGY levels 1 to 8")
        clinic[int(key)] = clinic_node.get(key).integer(0, 10)
    low = node.get("fmit_min_attendings", 1).integer(0, 10)
    high_node = node.get("fmit_max_attendings", 2)
    high = high_node.integer(0, 10)
    if high < low:
        raise high_node.fail(f"must not be below fmit_min_attendings ({low})")
    return Requirements(
        staffing=node.get("staffing", []).each(_staffing),
        required_rotations=node.get("required_rotations", []).each(_required_rotation),
        clinic_sessions_per_week=clinic,
        clinic_capacity=node.get("clinic_capacity", 6).integer(0, 200),
        call=node.get("call", []).each(_call),
        fmit_min_attendings=low,
        fmit_max_attendings=high,
        didactics=_didactics(node.get("didactics", None)),
        faculty_call=_faculty_call(node.get("faculty_call", None)),
    )


def _didactics(node: _Node) -> Didactics | None:
    if node.value is None:
        return None
    node.obj({"weekday", "session"})
    return Didactics(
        weekday=node.get("weekday", 2).integer(0, 6), session=node.get("session", "PM").string(choices=SESSIONS)
    )


def _faculty_call(node: _Node) -> FacultyCall | None:
    if node.value is None:
        return None
    node.obj({"nights", "per_night", "min_days_between", "protected_sessions"})
    default = FacultyCall()
    nights_node = node.get("nights", list(default.nights))
    nights = nights_node.ints(0, 6)
    if len(set(nights)) != len(nights):
        raise nights_node.fail("weekdays must not repeat")
    protected: list[tuple[int, str]] = []
    for item in node.get("protected_sessions", []).items():
        item.obj({"weekday", "session"})
        entry = (
            item.get("weekday", required=True).integer(0, 6),
            item.get("session", required=True).string(choices=SESSIONS),
        )
        if entry in protected:
            raise item.fail("repeats an earlier protected half-day")
        protected.append(entry)
    return FacultyCall(
        nights=tuple(sorted(nights)),
        per_night=node.get("per_night", default.per_night).integer(0, 10),
        min_days_between=node.get("min_days_between", default.min_days_between).integer(0, 28),
        protected_sessions=tuple(protected),
    )


def _staffing(node: _Node) -> Staffing:
    node.obj({"rotation", "min_residents", "max_residents", "blocks"})
    low = node.get("min_residents", 0).integer(0, 500)
    high_node = node.get("max_residents", None)
    high = high_node.optional_integer(0, 500)
    if high is not None and high < low:
        raise high_node.fail(f"must not be below min_residents ({low})")
    return Staffing(
        rotation=node.get("rotation", required=True).string(),
        min_residents=low,
        max_residents=high,
        blocks=node.get("blocks", []).ints(0, 26),
    )


def _required_rotation(node: _Node) -> RequiredRotation:
    node.obj({"pgy", "rotation", "min_blocks", "max_blocks"})
    low = node.get("min_blocks", 1).integer(0, 26)
    high_node = node.get("max_blocks", None)
    high = high_node.optional_integer(0, 26)
    if high is not None and high < low:
        raise high_node.fail(f"must not be below min_blocks ({low})")
    return RequiredRotation(
        pgy=node.get("pgy", required=True).integer(1, 8),
        rotation=node.get("rotation", required=True).string(),
        min_blocks=low,
        max_blocks=high,
    )


def _call(node: _Node) -> CallCoverage:
    node.obj({"kind", "per_night", "min_pgy"})
    return CallCoverage(
        kind=node.get("kind", "in_house").string(choices=CALL_KINDS),
        per_night=node.get("per_night", 1).integer(0, 20),
        min_pgy=node.get("min_pgy", 1).integer(1, 8),
    )


def _absence(node: _Node) -> Absence:
    node.obj({"person", "start", "end", "kind", "session"})
    start = node.get("start", required=True).iso_date()
    end_node = node.get("end", required=True)
    end = end_node.iso_date()
    if end < start:
        raise end_node.fail(f"must not be before start ({start})")
    session_node = node.get("session", None)
    session = None if session_node.value is None else session_node.string(choices=("AM", "PM"))
    if session is not None and end != start:
        raise session_node.fail(f"a half-day absence is one day: start and end must be the same (got {start} to {end})")
    return Absence(
        person=node.get("person", required=True).string(),
        start=start,
        end=end,
        kind=node.get("kind", "vacation").string(choices=ABSENCE_KINDS),
        session=session,
    )


def _preference(node: _Node) -> Preference:
    node.obj({"person", "kind", "week_start", "rotation", "block", "weight"})
    kind = node.get("kind", required=True).string(choices=PREFERENCE_KINDS)
    preference = Preference(
        person=node.get("person", required=True).string(),
        kind=kind,
        week_start=node.get("week_start", None).optional_date(),
        rotation=None if node.get("rotation", None).value is None else node.get("rotation").string(),
        block=node.get("block", None).optional_integer(0, 26),
        weight=node.get("weight", 1).integer(1, 100),
    )
    if kind.endswith("_week") and preference.week_start is None:
        raise ProblemError(f"{node.path}.week_start", f"is required for a {kind} preference")
    if kind.startswith("rotation_") and preference.rotation is None:
        raise ProblemError(f"{node.path}.rotation", f"is required for a {kind} preference")
    return preference


def _lock(node: _Node) -> Lock:
    node.obj({"kind", "person", "block", "rotation", "date", "session"})
    kind = node.get("kind", required=True).string(choices=LOCK_KINDS)
    lock = Lock(
        kind=kind,
        person=node.get("person", required=True).string(),
        block=node.get("block", None).optional_integer(0, 26),
        rotation=None if node.get("rotation", None).value is None else node.get("rotation").string(),
        date=node.get("date", None).optional_date(),
        session=None if node.get("session", None).value is None else node.get("session").string(choices=SESSIONS),
    )
    needed = {"rotation": ("block", "rotation"), "call": ("date",), "fmit": ("date",), "clinic": ("date", "session")}
    for name in needed[kind]:
        if getattr(lock, name) is None:
            raise ProblemError(f"{node.path}.{name}", f"is required for a {kind} lock")
    return lock


def _rules(node: _Node) -> ProgramRules:
    default = ProgramRules()
    names = set(ProgramRules.__dataclass_fields__)
    node.obj(names)
    values: dict[str, Any] = {}
    for name in names:
        current = getattr(default, name)
        child = node.get(name, current.strftime("%H:%M") if isinstance(current, time) else current)
        if isinstance(current, bool):
            values[name] = child.boolean()
        elif isinstance(current, time):
            values[name] = child.clock()
        elif name == "wish_min_granted_percent":
            values[name] = child.integer(0, 100)
        else:
            values[name] = child.integer(0, 52)
    if values["supervision_units_per_faculty"] < 1:
        raise ProblemError(f"{node.path}.supervision_units_per_faculty", "must be at least 1")
    return ProgramRules(**values)


def _weights(node: _Node) -> Weights:
    node.obj(set(WEIGHT_NAMES))
    return Weights(**{name: node.get(name, getattr(Weights(), name)).integer(0, 1_000_000) for name in WEIGHT_NAMES})


def _acgme(node: _Node) -> dict[str, Any]:
    """Overrides of the ACGME limits, checked by AcgmeLimits itself so both formats agree."""
    node.obj(set(RULE_NAMES))
    overrides = dict(node.value)
    try:
        AcgmeLimits(**overrides)
    except (TypeError, ValueError) as exc:
        name, _, message = str(exc).partition(": ")
        raise ProblemError(f"{node.path}.{name}" if message else node.path, message or str(exc)) from None
    return overrides


def _reference(node: _Node) -> Reference | None:
    if node.value is None:
        return None
    node.obj({"rotations", "calls", "fmit_weeks", "clinic"})
    rotations: dict[tuple[str, int], str] = {}
    halves: dict[tuple[str, int, int], str] = {}
    for item in node.get("rotations", []).items():
        item.obj({"person", "block", "rotation", "half"})
        key = (item.get("person", required=True).string(), item.get("block", required=True).integer(0, 26))
        half = item.get("half", 0).integer(0, 2)
        if half:
            halves[(*key, half)] = item.get("rotation", required=True).string()
        else:
            rotations[key] = item.get("rotation", required=True).string()
    calls = frozenset(
        (item.obj({"person", "date"}).get("person", required=True).string(), item.get("date", required=True).iso_date())
        for item in node.get("calls", []).items()
    )
    fmit = frozenset(
        (item.obj({"person", "date"}).get("person", required=True).string(), item.get("date", required=True).iso_date())
        for item in node.get("fmit_weeks", []).items()
    )
    clinic = frozenset(
        (
            item.obj({"person", "date", "session"}).get("person", required=True).string(),
            item.get("date", required=True).iso_date(),
            item.get("session", required=True).string(choices=SESSIONS),
        )
        for item in node.get("clinic", []).items()
    )
    return Reference(rotations=rotations, calls=calls, fmit_weeks=fmit, clinic=clinic, halves=halves)


def _context(node: _Node, calendar: Calendar) -> Context | None:
    """The fixed schedule around the horizon: its duties start, and its leave lies, in start..end outside it."""
    if node.value is None:
        return None
    node.obj({"start", "end", "people", "faculty_calls", "faculty_clinic"})
    start, end = node.get("start", required=True).iso_date(), node.get("end", required=True).iso_date()
    if start > calendar.start:
        raise ProblemError(f"{node.path}.start", f"must not be after the calendar's first day ({calendar.start})")
    if end < calendar.end:
        raise ProblemError(f"{node.path}.end", f"must not be before the calendar's last day ({calendar.end})")
    zone = zoneinfo.ZoneInfo(calendar.timezone)

    def outside(path: str, day: date) -> None:
        if not start <= day <= end:
            raise ProblemError(path, f"{day} is outside the context ({start} to {end})")
        if calendar.start <= day <= calendar.end:
            raise ProblemError(path, f"{day} is inside the calendar ({calendar.start} to {calendar.end})")

    def person(item: _Node) -> ContextPerson:
        item.obj({"id", "duties", "leave"})
        try:
            duties = tuple(read_duty(d.value, d.path, zone) for d in item.get("duties", []).items())
            leave = tuple(read_leave(entry.value, entry.path) for entry in item.get("leave", []).items())
        except DutiesError as exc:
            raise ProblemError(exc.field_path, exc.message) from None
        for j, duty in enumerate(duties):
            outside(f"{item.path}.duties[{j}].start", duty.start.astimezone(zone).date())
        for j, entry in enumerate(leave):
            outside(f"{item.path}.leave[{j}].start", entry.start)
            outside(f"{item.path}.leave[{j}].end", entry.end)
            if entry.start < calendar.start <= entry.end:
                raise ProblemError(f"{item.path}.leave[{j}]", "must not span the calendar")
        return ContextPerson(id=item.get("id", required=True).string(), duties=duties, leave=leave)

    def faculty_days(name: str) -> tuple[tuple[str, date], ...]:
        out = []
        for item in node.get(name, []).items():
            item.obj({"person", "date"})
            day = item.get("date", required=True).iso_date()
            outside(f"{item.path}.date", day)
            out.append((item.get("person", required=True).string(), day))
        return tuple(dict.fromkeys(out))

    return Context(
        start=start,
        end=end,
        people=node.get("people", []).each(person),
        faculty_calls=faculty_days("faculty_calls"),
        faculty_clinic=faculty_days("faculty_clinic"),
    )


TOP_LEVEL = {
    "version",
    "name",
    "calendar",
    "residents",
    "faculty",
    "rotations",
    "requirements",
    "absences",
    "preferences",
    "locks",
    "rules",
    "acgme",
    "weights",
    "reference",
    "context",
}


def problem_from_json(data: Any) -> Problem:
    """Validate a PROBLEM.json document and build the Problem; ProblemError names the first field at fault."""
    root = _Node(data, "")
    if not isinstance(data, dict):
        raise ProblemError("(document)", "must be a JSON object")
    root.obj(TOP_LEVEL)
    version_node = root.get("version", required=True)
    if version_node.integer() not in READABLE_VERSIONS:
        raise version_node.fail(f"unsupported version {version_node.value} (this engine reads versions 1 and 2)")
    if version_node.value == 1 and "context" in data:
        raise ProblemError("context", "needs version 2")
    calendar = _calendar(root.get("calendar", required=True))
    problem = Problem(
        version=SCHEMA_VERSION,
        name=root.get("name", "").string(allow_empty=True),
        calendar=calendar,
        residents=root.get("residents", required=True).each(_resident),
        faculty=root.get("faculty", []).each(_faculty),
        rotations=root.get("rotations", required=True).each(_rotation),
        requirements=_requirements(root.get("requirements", {})),
        absences=root.get("absences", []).each(_absence),
        preferences=root.get("preferences", []).each(_preference),
        locks=root.get("locks", []).each(_lock),
        rules=_rules(root.get("rules", {})),
        acgme=_acgme(root.get("acgme", {})),
        weights=_weights(root.get("weights", {})),
        reference=_reference(root.get("reference", None)),
        context=_context(root.get("context", None), calendar),
    )
    _check_references(problem)
    return problem


def _check_references(problem: Problem) -> None:
    """Ids must be unique and every reference must name a known person, rotation, block or date."""
    people: dict[str, str] = {}
    for group, members in (("residents", problem.residents), ("faculty", problem.faculty)):
        for i, person in enumerate(members):
            if person.id in people:
                raise ProblemError(f"{group}[{i}].id", f"duplicate person id {person.id!r}")
            people[person.id] = group
    rotation_ids: set[str] = set()
    for i, rotation in enumerate(problem.rotations):
        if rotation.id in rotation_ids:
            raise ProblemError(f"rotations[{i}].id", f"duplicate rotation id {rotation.id!r}")
        rotation_ids.add(rotation.id)
    if not problem.rotations:
        raise ProblemError("rotations", "needs at least one rotation")
    blocks = {b.number for b in problem.calendar.blocks}
    start, end = problem.calendar.start, problem.calendar.end

    def known_rotation(path: str, rotation: str | None) -> None:
        if rotation is not None and rotation not in rotation_ids:
            raise ProblemError(path, f"unknown rotation {rotation!r}")

    def known_person(path: str, person: str, group: str | None = None) -> None:
        if person not in people:
            raise ProblemError(path, f"unknown person {person!r}")
        if group is not None and people[person] != group:
            raise ProblemError(path, f"{person!r} is not one of the {group}")

    def known_block(path: str, number: int | None) -> None:
        if number is not None and number not in blocks:
            raise ProblemError(path, f"no block {number} in the calendar")

    for i, day in enumerate(problem.calendar.days):
        if not start <= day.date <= end:
            raise ProblemError(f"calendar.days[{i}].date", f"{day.date} is outside the calendar ({start} to {end})")
    for i, staffing in enumerate(problem.requirements.staffing):
        known_rotation(f"requirements.staffing[{i}].rotation", staffing.rotation)
        for j, number in enumerate(staffing.blocks):
            known_block(f"requirements.staffing[{i}].blocks[{j}]", number)
    for i, required in enumerate(problem.requirements.required_rotations):
        known_rotation(f"requirements.required_rotations[{i}].rotation", required.rotation)
    for i, absence in enumerate(problem.absences):
        known_person(f"absences[{i}].person", absence.person)
    for i, preference in enumerate(problem.preferences):
        known_person(f"preferences[{i}].person", preference.person)
        known_rotation(f"preferences[{i}].rotation", preference.rotation)
        known_block(f"preferences[{i}].block", preference.block)
    for i, lock in enumerate(problem.locks):
        group = "faculty" if lock.kind == "fmit" else "residents" if lock.kind in ("rotation", "call") else None
        known_person(f"locks[{i}].person", lock.person, group)
        known_rotation(f"locks[{i}].rotation", lock.rotation)
        known_block(f"locks[{i}].block", lock.block)
        if lock.date is not None and not start <= lock.date <= end:
            raise ProblemError(f"locks[{i}].date", f"{lock.date} is outside the calendar ({start} to {end})")
    seen: set[str] = set()
    for i, person in enumerate(problem.context.people if problem.context else ()):
        known_person(f"context.people[{i}].id", person.id, "residents")
        if person.id in seen:
            raise ProblemError(f"context.people[{i}].id", f"duplicate person id {person.id!r}")
        seen.add(person.id)
    for name in ("faculty_calls", "faculty_clinic"):
        for i, (person, _) in enumerate(getattr(problem.context, name) if problem.context else ()):
            known_person(f"context.{name}[{i}].person", person, "faculty")


def _time(value: time) -> str:
    return value.strftime("%H:%M")


def _until_json(until: tuple[tuple[str, date], ...]) -> dict[str, Any]:
    """The `credentials_until` field of a person, left out when no credential expires."""
    return {"credentials_until": {code: day.isoformat() for code, day in until}} if until else {}


def _didactics_json(didactics: Didactics | None) -> dict[str, Any]:
    """The `didactics` field of the requirements, left out when the program has no didactics half-day."""
    if didactics is None:
        return {}
    return {"didactics": {"weekday": didactics.weekday, "session": didactics.session}}


def _faculty_call_json(call: FacultyCall | None) -> dict[str, Any]:
    """The `faculty_call` field of the requirements, left out when the program makes no faculty call roster."""
    if call is None:
        return {}
    return {
        "faculty_call": {
            "nights": list(call.nights),
            "per_night": call.per_night,
            "min_days_between": call.min_days_between,
            "protected_sessions": [{"weekday": w, "session": s} for w, s in call.protected_sessions],
        }
    }


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The PROBLEM.json document of a Problem (problem_from_json reads it back unchanged)."""
    cal = problem.calendar
    req = problem.requirements
    data: dict[str, Any] = {
        "version": problem.version,
        "name": problem.name,
        "calendar": {
            "timezone": cal.timezone,
            "fmit_week_start": cal.fmit_week_start,
            "sessions": {
                name: _time(getattr(cal.sessions, name)) for name in ("am_start", "am_end", "pm_start", "pm_end")
            },
            "blocks": [
                {"number": b.number, "start": b.start.isoformat(), "end": b.end.isoformat()} for b in cal.blocks
            ],
            "days": [
                {
                    "date": d.date.isoformat(),
                    "day_type": d.day_type,
                    "capacity_factor": d.capacity_factor,
                    "name": d.name,
                }
                for d in cal.days
            ],
        },
        "residents": [
            {
                "id": r.id,
                "name": r.name,
                "pgy": r.pgy,
                "credentials": sorted(r.credentials),
                **_until_json(r.credentials_until),
            }
            for r in problem.residents
        ],
        "faculty": [
            {
                "id": f.id,
                "name": f.name,
                "role": f.role,
                "clinic_min_per_week": f.clinic_min_per_week,
                "clinic_max_per_week": f.clinic_max_per_week,
                "fmit_target_weeks": f.fmit_target_weeks,
                "fmit_eligible": f.fmit_eligible,
                **({} if f.call_eligible else {"call_eligible": False}),
                "credentials": sorted(f.credentials),
                **_until_json(f.credentials_until),
            }
            for f in problem.faculty
        ],
        "rotations": [
            {
                "id": r.id,
                "name": r.name,
                "abbreviation": r.abbreviation,
                "kind": r.kind,
                "min_pgy": r.min_pgy,
                "max_pgy": r.max_pgy,
                "work_days": list(r.work_days),
                "night": r.night,
                "continuity_clinic": r.continuity_clinic,
                "call_eligible": r.call_eligible,
                "leave_allowed": r.leave_allowed,
                "required_credentials": sorted(r.required_credentials),
                "supervisor_credentials": sorted(r.supervisor_credentials),
                **({"half_block": True} if r.half_block else {}),
            }
            for r in problem.rotations
        ],
        "requirements": {
            "staffing": [
                {
                    "rotation": s.rotation,
                    "min_residents": s.min_residents,
                    "max_residents": s.max_residents,
                    "blocks": list(s.blocks),
                }
                for s in req.staffing
            ],
            "required_rotations": [
                {"pgy": r.pgy, "rotation": r.rotation, "min_blocks": r.min_blocks, "max_blocks": r.max_blocks}
                for r in req.required_rotations
            ],
            "clinic_sessions_per_week": {str(pgy): n for pgy, n in sorted(req.clinic_sessions_per_week.items())},
            "clinic_capacity": req.clinic_capacity,
            "call": [{"kind": c.kind, "per_night": c.per_night, "min_pgy": c.min_pgy} for c in req.call],
            "fmit_min_attendings": req.fmit_min_attendings,
            "fmit_max_attendings": req.fmit_max_attendings,
            **_didactics_json(req.didactics),
            **_faculty_call_json(req.faculty_call),
        },
        "absences": [
            {
                "person": a.person,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "kind": a.kind,
                **({"session": a.session} if a.session else {}),
            }
            for a in problem.absences
        ],
        "preferences": [
            {
                key: value
                for key, value in {
                    "person": p.person,
                    "kind": p.kind,
                    "week_start": p.week_start.isoformat() if p.week_start else None,
                    "rotation": p.rotation,
                    "block": p.block,
                    "weight": p.weight,
                }.items()
                if value is not None
            }
            for p in problem.preferences
        ],
        "locks": [
            {
                key: value
                for key, value in {
                    "kind": lock.kind,
                    "person": lock.person,
                    "block": lock.block,
                    "rotation": lock.rotation,
                    "date": lock.date.isoformat() if lock.date else None,
                    "session": lock.session,
                }.items()
                if value is not None
            }
            for lock in problem.locks
        ],
        "rules": {
            name: _time(value) if isinstance(value, time) else value
            for name in ProgramRules.__dataclass_fields__
            for value in [getattr(problem.rules, name)]
        },
        "acgme": dict(problem.acgme),
        "weights": {name: getattr(problem.weights, name) for name in WEIGHT_NAMES},
    }
    if problem.reference is not None:
        ref = problem.reference
        data["reference"] = {
            "rotations": [{"person": p, "block": b, "rotation": r} for (p, b), r in sorted(ref.rotations.items())]
            + [{"person": p, "block": b, "rotation": r, "half": h} for (p, b, h), r in sorted(ref.halves.items())],
            "calls": [{"person": p, "date": d.isoformat()} for p, d in sorted(ref.calls)],
            "fmit_weeks": [{"person": p, "date": d.isoformat()} for p, d in sorted(ref.fmit_weeks)],
            "clinic": [{"person": p, "date": d.isoformat(), "session": s} for p, d, s in sorted(ref.clinic)],
        }
    if problem.context is not None:
        data["context"] = _context_json(problem.context, zoneinfo.ZoneInfo(problem.calendar.timezone))
    return data


def _context_json(context: Context, zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
    def duty(item: Duty) -> dict[str, Any]:
        out: dict[str, Any] = {"start": format_local(item.start, zone), "end": format_local(item.end, zone)}
        out["kind"] = item.kind
        if item.worked_hours is not None:
            out["worked_hours"] = item.worked_hours
        return out

    return {
        "start": context.start.isoformat(),
        "end": context.end.isoformat(),
        "people": [
            {
                "id": person.id,
                "duties": [duty(item) for item in person.duties],
                "leave": [{"start": e.start.isoformat(), "end": e.end.isoformat()} for e in person.leave],
            }
            for person in context.people
        ],
        **{
            name: [{"person": p, "date": d.isoformat()} for p, d in entries]
            for name, entries in (("faculty_calls", context.faculty_calls), ("faculty_clinic", context.faculty_clinic))
            if entries
        },
    }
