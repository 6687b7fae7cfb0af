"""DUTIES.json: the duty periods and leave the ACGME checker reads (DESIGN.md section 6).

`parse_duties` validates strictly and raises DutiesError naming the field at fault
(`people[3].duties[12].end: must be after start (2026-07-01T07:00)`); `roster_to_json` writes it back.
The optional `sessions` section says who is at each site in a half-day session (residents by their id in
`people`, the faculty supervising them), for the program's supervision ratio (`SupervisionRatio`).
Local times are naive ISO strings ("2026-07-01T07:00") in the roster's IANA time zone. A local time
that a DST change makes ambiguous or nonexistent is read with fold=0: an ambiguous time is its first
occurrence (01:30 on a fall-back night is daylight time) and a nonexistent one is read with the offset in
force before the gap (02:30 on a spring-forward night is 03:30 daylight time). Durations are real
elapsed hours: always subtract UTC instants (see `Duty.seconds`), never wall clocks.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time
from typing import Any, Literal, get_args

DutyKind = Literal["work", "inhouse_call", "home_call", "moonlighting"]
DUTY_KINDS: tuple[str, ...] = get_args(DutyKind)
MIN_YEAR, MAX_YEAR = 1900, 2200

_LOCAL_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?")
_LOCAL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"[0-9]{2}:[0-9]{2}")
SESSION_NAMES: tuple[str, ...] = ("AM", "PM")
# The half-day sessions' clock times when a program sets none (DESIGN.md section 3).
DEFAULT_SESSION_TIMES: Mapping[str, tuple[time, time]] = {"AM": (time(7), time(12)), "PM": (time(13), time(17))}


class DutiesError(ValueError):
    """A DUTIES.json that cannot be checked; `field_path` names the field at fault ("" for the whole document)."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}" if field_path else message)
        self.field_path = field_path
        self.message = message


@dataclass(frozen=True, slots=True)
class AcgmeLimits:
    """The ACGME limits (DESIGN.md section 5); a program may override any of them by name in "rules".

    `inhouse_call_max_per_window` None means every `inhouse_call_every_nth_night`-th night: ceil((28 - L) / 3)
    call nights in a window with L leave days (10 with none); a number N means N per full window, prorated
    with leave as ceil(N * (28 - L) / 28). The rest after a long period applies from `max_continuous_hours`.
    """

    weekly_hours: float = 80.0
    window_days: int = 28
    days_off_per_window: int = 4
    max_continuous_hours: float = 24.0
    transition_hours: float = 4.0
    rest_after_24h_hours: float = 14.0
    rest_between_periods_hours: float = 8.0
    inhouse_call_every_nth_night: int = 3
    inhouse_call_max_per_window: int | None = None
    moonlighting_pgy1_allowed: bool = False

    def __post_init__(self) -> None:
        for name, (kind, low, high) in _RULES.items():
            value = getattr(self, name)
            problem = _rule_problem(kind, low, high, value)
            if problem:
                raise ValueError(f"{name}: {problem}")

    def working_days(self, leave_days: int) -> int:
        """Days of a window that count for the averages: the window less its leave days."""
        return self.window_days - leave_days

    def days_off_needed(self, leave_days: int) -> int:
        """Free 24-hour periods a window needs: one in seven of its non-leave days, rounded down."""
        return self.days_off_per_window * self.working_days(leave_days) // self.window_days

    def call_nights_allowed(self, leave_days: int) -> int:
        """In-house call nights a window allows, rounded up (10 in 28 days, 7 in 21)."""
        days = self.working_days(leave_days)
        if self.inhouse_call_max_per_window is None:
            return -(-days // self.inhouse_call_every_nth_night)
        return -(-self.inhouse_call_max_per_window * days // self.window_days)

    @property
    def max_period_hours(self) -> float:
        """The longest continuous duty period: scheduled work plus transition."""
        return self.max_continuous_hours + self.transition_hours


# name -> (type, lowest, highest value); "int?" is an integer or null (computed).
_RULES: dict[str, tuple[str, float, float]] = {
    "weekly_hours": ("number", 1, 168),
    "window_days": ("int", 1, 366),
    "days_off_per_window": ("int", 0, 366),
    "max_continuous_hours": ("number", 1, 1000),
    "transition_hours": ("number", 0, 1000),
    "rest_after_24h_hours": ("number", 0, 1000),
    "rest_between_periods_hours": ("number", 0, 1000),
    "inhouse_call_every_nth_night": ("int", 1, 366),
    "inhouse_call_max_per_window": ("int?", 0, 366),
    "moonlighting_pgy1_allowed": ("bool", 0, 0),
}
RULE_NAMES: tuple[str, ...] = tuple(_RULES)


def _rule_problem(kind: str, low: float, high: float, value: object) -> str:
    """Why `value` is not a valid rule value of this kind, or "" when it is."""
    if kind == "bool":
        return "" if isinstance(value, bool) else "must be true or false"
    if kind == "int?" and value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "must be a number"
    if kind in ("int", "int?") and value != int(value):
        return f"must be a whole number (got {value})"
    if not low <= value <= high:
        return f"must be from {low:g} to {high:g} (got {value})"
    return ""


_DEFAULT_LIMITS = AcgmeLimits()

# name -> (lowest, highest value) of the supervision ratio's settings (whole numbers).
_SUPERVISION_RULES: dict[str, tuple[int, int]] = {
    "supervision_units_per_faculty": (1, 52),
    "pgy1_supervision_units": (0, 52),
    "other_supervision_units": (0, 52),
}


@dataclass(frozen=True, slots=True)
class SupervisionRatio:
    """The program's supervision ratio (DESIGN.md section 5), the one arithmetic of the model and the checker: a
    PGY-1 counts `pgy1_supervision_units`, others `other_supervision_units`, and each faculty member in the session
    supervises `supervision_units_per_faculty` units (one faculty per 4 units, rounded up, by default)."""

    supervision_units_per_faculty: int = 4
    pgy1_supervision_units: int = 2
    other_supervision_units: int = 1

    def __post_init__(self) -> None:
        for name, (low, high) in _SUPERVISION_RULES.items():
            problem = _rule_problem("int", low, high, getattr(self, name))
            if problem:
                raise ValueError(f"{name}: {problem}")

    def units(self, pgy: int) -> int:
        """The supervision units a resident of this PGY level counts."""
        return self.pgy1_supervision_units if pgy == 1 else self.other_supervision_units

    def capacity(self, faculty: int) -> int:
        """The units that `faculty` supervising faculty members can supervise."""
        return self.supervision_units_per_faculty * faculty


_DEFAULT_SUPERVISION = SupervisionRatio()


@dataclass(frozen=True, slots=True)
class Duty:
    """One duty period, aware start and end; `worked_hours` is the work done from home on a home call."""

    start: datetime
    end: datetime
    kind: DutyKind
    worked_hours: float | None = None

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("duty start and end must be aware datetimes")
        if self.seconds <= 0:
            raise ValueError(f"a duty must end after it starts ({self.start.isoformat()})")
        if self.kind not in DUTY_KINDS:
            raise ValueError(f"unknown duty kind {self.kind!r}")
        if self.worked_hours is not None and (self.kind != "home_call" or self.worked_hours < 0):
            raise ValueError("worked_hours is for home calls only and cannot be negative")

    @property
    def seconds(self) -> int:
        """Real elapsed seconds (UTC instants subtracted, so a night across a DST change is 11 or 13 h)."""
        return round(self.end.timestamp() - self.start.timestamp())


@dataclass(frozen=True, slots=True)
class Leave:
    """Approved leave, both dates inclusive: left out of the ACGME averages."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"leave cannot end ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True, slots=True)
class PersonDuties:
    """A resident's duty periods and leave."""

    id: str
    pgy: int
    duties: tuple[Duty, ...] = ()
    leave: tuple[Leave, ...] = ()


@dataclass(frozen=True, slots=True)
class SupervisedSession:
    """Who is at one site (a clinic, a rotation) in one half-day session: the residents (ids of the roster's
    people) and the faculty members supervising them there."""

    date: date
    session: str  # "AM" or "PM"
    site: str
    residents: tuple[str, ...]
    faculty: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DutyRoster:
    """Everything the checker reads: the program's time zone, its limits and each resident's duties; optionally
    the supervision of each half-day session (`sessions`, with the ratio and the sessions' clock times)."""

    timezone: str
    rules: AcgmeLimits
    people: tuple[PersonDuties, ...]
    sessions: tuple[SupervisedSession, ...] = ()
    supervision: SupervisionRatio = _DEFAULT_SUPERVISION
    session_times: Mapping[str, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_SESSION_TIMES))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


def parse_duties(data: Any) -> DutyRoster:
    """A DUTIES document, or a SOLUTION document holding one under "duties", as a DutyRoster.

    Refuses unknown fields, unknown rule names and anything malformed with a DutiesError naming the field; a
    session's resident must be one of `people`.
    """
    if not isinstance(data, dict):
        raise DutiesError("", "the document must be a JSON object")
    prefix = ""
    if "duties" in data:
        status = data.get("statistics", {}).get("status") if isinstance(data.get("statistics"), dict) else None
        prefix, data = "duties.", data["duties"]
        if not isinstance(data, dict):
            raise DutiesError("duties", "must be a DUTIES object (timezone, rules, people)")
        if not data:
            raise DutiesError("duties", f"is empty: this solution holds no schedule to check (status {status})")
    _only(data, prefix.rstrip("."), {"timezone", "rules", "people", "sessions", "session_times"})

    zone_name = _required(data, "timezone", prefix.rstrip("."))
    zone = _zone(zone_name, f"{prefix}timezone")
    rules, supervision = _rules(data.get("rules", {}), f"{prefix}rules")
    people_data = _required(data, "people", prefix.rstrip("."))
    if not isinstance(people_data, list):
        raise DutiesError(f"{prefix}people", "must be a list")

    people: list[PersonDuties] = []
    first_index: dict[str, int] = {}
    for index, person_data in enumerate(people_data):
        path = f"{prefix}people[{index}]"
        person = _person(person_data, path, zone)
        if person.id in first_index:
            raise DutiesError(
                f"{path}.id", f"duplicate of {prefix}people[{first_index[person.id]}] ({_shown(person.id)})"
            )
        first_index[person.id] = index
        people.append(person)
    session_times = _session_times(data.get("session_times", {}), f"{prefix}session_times")
    sessions = _sessions(data.get("sessions", []), f"{prefix}sessions", set(first_index))
    return DutyRoster(
        timezone=zone_name,
        rules=rules,
        people=tuple(people),
        sessions=sessions,
        supervision=supervision,
        session_times=session_times,
    )


def roster_to_json(roster: DutyRoster) -> dict[str, Any]:
    """The DUTIES document for a roster; rules holds only the overrides, so it parses back to an equal roster.
    `sessions` and `session_times` are written only when the roster has them (or times other than the defaults).

    A naive local time cannot name the second 01:30 of a fall-back night (fold=1): it reads back as the first.
    """
    zone = roster.zone
    rules = {
        f.name: getattr(roster.rules, f.name)
        for f in fields(AcgmeLimits)
        if getattr(roster.rules, f.name) != getattr(_DEFAULT_LIMITS, f.name)
    }
    rules |= supervision_rules(roster.supervision)
    people = []
    for person in roster.people:
        duties = []
        for duty in person.duties:
            item: dict[str, Any] = {
                "start": format_local(duty.start, zone),
                "end": format_local(duty.end, zone),
                "kind": duty.kind,
            }
            if duty.worked_hours is not None:
                item["worked_hours"] = duty.worked_hours
            duties.append(item)
        leave = [{"start": item.start.isoformat(), "end": item.end.isoformat()} for item in person.leave]
        people.append({"id": person.id, "pgy": person.pgy, "duties": duties, "leave": leave})
    document: dict[str, Any] = {"timezone": roster.timezone, "rules": rules, "people": people}
    if dict(roster.session_times) != dict(DEFAULT_SESSION_TIMES):
        document["session_times"] = session_times_to_json(roster.session_times)
    if roster.sessions:
        document["sessions"] = [session_to_json(item) for item in roster.sessions]
    return document


def session_times_to_json(times: Mapping[str, tuple[time, time]]) -> dict[str, dict[str, str]]:
    """A DUTIES document's "session_times": {"AM": {"start": "07:00", "end": "12:00"}, ...}."""
    return {name: {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"} for name, (start, end) in times.items()}


def supervision_rules(ratio: SupervisionRatio) -> dict[str, int]:
    """The ratio's settings that differ from the defaults, as a DUTIES document's "rules" holds them."""
    return {
        name: getattr(ratio, name)
        for name in _SUPERVISION_RULES
        if getattr(ratio, name) != getattr(_DEFAULT_SUPERVISION, name)
    }


def session_to_json(item: SupervisedSession) -> dict[str, Any]:
    """One entry of a DUTIES document's "sessions"."""
    return {
        "date": item.date.isoformat(),
        "session": item.session,
        "site": item.site,
        "residents": list(item.residents),
        "faculty": list(item.faculty),
    }


def local_datetime(text: str, zone: zoneinfo.ZoneInfo) -> datetime:
    """A naive local ISO date-time read in `zone` (fold=0), normalised through UTC to a real instant."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def format_local(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """The local wall-clock time of an aware datetime as "YYYY-MM-DDTHH:MM" (seconds only when not zero)."""
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")


def read_duty(data: Any, path: str, zone: zoneinfo.ZoneInfo) -> Duty:
    """One duty of the DUTIES format (local times in `zone`), checked as `parse_duties` checks it."""
    return _duty(data, path, zone)


def read_leave(data: Any, path: str) -> Leave:
    """One leave entry of the DUTIES format (dates inclusive), checked as `parse_duties` checks it."""
    return _leave(data, path)


def _shown(value: object) -> str:
    """An input value quoted for an error message, cut short so that one bad field stays one short line."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _only(data: dict[str, Any], path: str, allowed: set[str]) -> None:
    unknown = sorted(str(key) for key in set(data) - allowed)
    if unknown:
        name = unknown[0] if len(unknown[0]) <= 40 else f"{unknown[0][:37]}..."
        where = f"{path}.{name}" if path else name
        raise DutiesError(where, f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _required(data: dict[str, Any], key: str, path: str) -> Any:
    if key not in data:
        raise DutiesError(f"{path}.{key}" if path else key, "is required")
    return data[key]


def _zone(value: Any, path: str) -> zoneinfo.ZoneInfo:
    if not isinstance(value, str) or not value:
        raise DutiesError(path, "must be an IANA time zone name such as 'America/New_York'")
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise DutiesError(path, f"unknown time zone {_shown(value)}") from None


def _rules(value: Any, path: str) -> tuple[AcgmeLimits, SupervisionRatio]:
    if not isinstance(value, dict):
        raise DutiesError(path, "must be an object")
    _only(value, path, set(_RULES) | set(_SUPERVISION_RULES))
    overrides: dict[str, Any] = {}
    ratio: dict[str, int] = {}
    for name, raw in value.items():
        if name in _SUPERVISION_RULES:
            problem = _rule_problem("int", *_SUPERVISION_RULES[name], raw)
            if problem:
                raise DutiesError(f"{path}.{name}", problem)
            ratio[name] = int(raw)
            continue
        kind, low, high = _RULES[name]
        problem = _rule_problem(kind, low, high, raw)
        if problem:
            raise DutiesError(f"{path}.{name}", problem)
        if kind == "number":
            overrides[name] = float(raw)
        elif kind in ("int", "int?") and raw is not None:
            overrides[name] = int(raw)
        else:
            overrides[name] = raw
    return AcgmeLimits(**overrides), SupervisionRatio(**ratio)


def _person(data: Any, path: str, zone: zoneinfo.ZoneInfo) -> PersonDuties:
    if not isinstance(data, dict):
        raise DutiesError(path, "must be an object")
    _only(data, path, {"id", "pgy", "duties", "leave"})
    person_id = _required(data, "id", path)
    if not isinstance(person_id, str) or not person_id.strip():
        raise DutiesError(f"{path}.id", "must be a non-empty string")
    pgy = _required(data, "pgy", path)
    if isinstance(pgy, bool) or not isinstance(pgy, int) or not 1 <= pgy <= 8:
        raise DutiesError(f"{path}.pgy", f"must be an integer from 1 to 8 (got {_shown(pgy)})")
    duties_data = _required(data, "duties", path)
    if not isinstance(duties_data, list):
        raise DutiesError(f"{path}.duties", "must be a list")
    leave_data = data.get("leave", [])
    if not isinstance(leave_data, list):
        raise DutiesError(f"{path}.leave", "must be a list")
    duties = tuple(_duty(item, f"{path}.duties[{i}]", zone) for i, item in enumerate(duties_data))
    leave = tuple(_leave(item, f"{path}.leave[{i}]") for i, item in enumerate(leave_data))
    return PersonDuties(id=person_id, pgy=pgy, duties=duties, leave=leave)


def _duty(data: Any, path: str, zone: zoneinfo.ZoneInfo) -> Duty:
    if not isinstance(data, dict):
        raise DutiesError(path, "must be an object")
    _only(data, path, {"start", "end", "kind", "worked_hours"})
    start = _local(_required(data, "start", path), f"{path}.start", zone)
    end = _local(_required(data, "end", path), f"{path}.end", zone)
    if end <= start:
        raise DutiesError(f"{path}.end", f"must be after start ({format_local(start, zone)})")
    kind = _required(data, "kind", path)
    if kind not in DUTY_KINDS:
        raise DutiesError(f"{path}.kind", f"must be one of {', '.join(DUTY_KINDS)} (got {_shown(kind)})")
    worked = data.get("worked_hours")
    if worked is not None:
        if kind != "home_call":
            raise DutiesError(f"{path}.worked_hours", f"is for home_call duties only (this one is {kind})")
        if isinstance(worked, bool) or not isinstance(worked, int | float) or not math.isfinite(worked):
            raise DutiesError(f"{path}.worked_hours", "must be a number of hours")
        span = (end.timestamp() - start.timestamp()) / 3600
        if not 0 <= worked <= span:
            raise DutiesError(f"{path}.worked_hours", f"must be from 0 to the home call's {span:g} h (got {worked})")
        worked = float(worked)
    return Duty(start=start, end=end, kind=kind, worked_hours=worked)


def _local(value: Any, path: str, zone: zoneinfo.ZoneInfo) -> datetime:
    if not isinstance(value, str) or not _LOCAL_DATETIME.fullmatch(value):
        raise DutiesError(path, f"not an ISO local date-time such as 2026-07-01T07:00 (got {_shown(value)})")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise DutiesError(path, f"not a valid date-time ({_shown(value)})") from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise DutiesError(path, f"year must be from {MIN_YEAR} to {MAX_YEAR} (got {_shown(value)})")
    return local_datetime(value, zone)


def _leave(data: Any, path: str) -> Leave:
    if not isinstance(data, dict):
        raise DutiesError(path, "must be an object")
    _only(data, path, {"start", "end"})
    start = _date(_required(data, "start", path), f"{path}.start")
    end = _date(_required(data, "end", path), f"{path}.end")
    if end < start:
        raise DutiesError(f"{path}.end", f"must not be before start ({start.isoformat()})")
    return Leave(start=start, end=end)


def _date(value: Any, path: str) -> date:
    if not isinstance(value, str) or not _LOCAL_DATE.fullmatch(value):
        raise DutiesError(path, f"not an ISO date such as 2026-07-10 (got {_shown(value)})")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise DutiesError(path, f"not a valid date ({_shown(value)})") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DutiesError(path, f"year must be from {MIN_YEAR} to {MAX_YEAR} (got {_shown(value)})")
    return day


def _session_times(value: Any, path: str) -> dict[str, tuple[time, time]]:
    """The sessions' clock times: {"AM": {"start": "07:00", "end": "12:00"}, "PM": {...}}, defaults where absent."""
    if not isinstance(value, dict):
        raise DutiesError(path, "must be an object")
    _only(value, path, set(SESSION_NAMES))
    times = dict(DEFAULT_SESSION_TIMES)
    for name, item in value.items():
        where = f"{path}.{name}"
        if not isinstance(item, dict):
            raise DutiesError(where, "must be an object with start and end")
        _only(item, where, {"start", "end"})
        start = _clock(_required(item, "start", where), f"{where}.start")
        end = _clock(_required(item, "end", where), f"{where}.end")
        if end <= start:
            raise DutiesError(f"{where}.end", f"must be after start ({start:%H:%M})")
        times[name] = (start, end)
    return times


def _clock(value: Any, path: str) -> time:
    if not isinstance(value, str) or not _CLOCK.fullmatch(value):
        raise DutiesError(path, f"not a clock time such as 07:00 (got {_shown(value)})")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise DutiesError(path, f"not a valid clock time ({_shown(value)})") from None


def _sessions(value: Any, path: str, residents: set[str]) -> tuple[SupervisedSession, ...]:
    """The "sessions" section: each (date, session, site) once; a person at one site per session; residents are
    ids of `people`."""
    if not isinstance(value, list):
        raise DutiesError(path, "must be a list")
    found: list[SupervisedSession] = []
    first_index: dict[tuple[date, str, str], int] = {}
    where_is: dict[tuple[date, str, str], int] = {}  # (date, session, person) -> index of the entry holding them
    for index, data in enumerate(value):
        item_path = f"{path}[{index}]"
        item = _session(data, item_path, residents)
        key = (item.date, item.session, item.site)
        if key in first_index:
            raise DutiesError(
                item_path,
                f"duplicate of {path}[{first_index[key]}] ({item.date.isoformat()} {item.session} {_shown(item.site)})",
            )
        first_index[key] = index
        for group, ids in (("residents", item.residents), ("faculty", item.faculty)):
            for position, person in enumerate(ids):
                held = where_is.setdefault((item.date, item.session, person), index)
                if held != index:
                    raise DutiesError(
                        f"{item_path}.{group}[{position}]",
                        f"{_shown(person)} is already in {path}[{held}] ({_shown(found[held].site)}) that session",
                    )
        found.append(item)
    return tuple(found)


def _session(data: Any, path: str, residents: set[str]) -> SupervisedSession:
    if not isinstance(data, dict):
        raise DutiesError(path, "must be an object")
    _only(data, path, {"date", "session", "site", "residents", "faculty"})
    day = _date(_required(data, "date", path), f"{path}.date")
    session = _required(data, "session", path)
    if session not in SESSION_NAMES:
        raise DutiesError(f"{path}.session", f"must be one of {', '.join(SESSION_NAMES)} (got {_shown(session)})")
    site = _required(data, "site", path)
    if not isinstance(site, str) or not site.strip():
        raise DutiesError(f"{path}.site", "must be a non-empty string (a clinic or a rotation)")
    resident_ids = _ids(_required(data, "residents", path), f"{path}.residents")
    for position, person in enumerate(resident_ids):
        if person not in residents:
            raise DutiesError(f"{path}.residents[{position}]", f"unknown resident {_shown(person)} (not in people)")
    faculty_ids = _ids(_required(data, "faculty", path), f"{path}.faculty")
    for position, person in enumerate(faculty_ids):
        if person in residents:
            raise DutiesError(f"{path}.faculty[{position}]", f"{_shown(person)} is a resident (in people)")
    return SupervisedSession(date=day, session=session, site=site, residents=resident_ids, faculty=faculty_ids)


def _ids(value: Any, path: str) -> tuple[str, ...]:
    """A list of distinct non-empty person ids."""
    if not isinstance(value, list):
        raise DutiesError(path, "must be a list of person ids")
    seen: dict[str, int] = {}
    for position, person in enumerate(value):
        if not isinstance(person, str) or not person.strip():
            raise DutiesError(f"{path}[{position}]", f"must be a non-empty string (got {_shown(person)})")
        if person in seen:
            raise DutiesError(f"{path}[{position}]", f"duplicate of {path}[{seen[person]}] ({_shown(person)})")
        seen[person] = position
    return tuple(value)
