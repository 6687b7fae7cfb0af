"""Resilience tier 1 (DESIGN.md section 9): utilisation, levels, coverage and redundancy per service and day.

Services are the coverage requirements the program sets for the engine (scheduling/engine_io.py):
- a rotation with a minimum staffing (RotationTemplate.min_residents, outpatient clinic rotations included): that
  many residents on each of its work days, from the active residents of its PGY range who hold its required
  credentials that day;
- each in-house call requirement (settings requirements.call): `per_night` residents of PGY `min_pgy`+ every night;
- the faculty overnight call, when the program makes one: `per_night` faculty of the roles that take it, on its
  nights;
- FMIT, when some faculty have an FMIT target: each day, the least attendings per week of the FMIT rules of the
  academic year holding that day (scheduling.fmit_config), so a window across 1 July reads each year's rules for
  its own days; on a day whose rules ask for none, FMIT is no service. The service's `per_day` is the most any
  day of the window asks (each day's own figure is its `required`).
Continuity clinic is a weekly share of each resident's time, not a daily number of people, so it is no service.

Per service and day:
- demand: the people required; eligible: the active people who may do it; available: eligible minus approved
  absences (a half-day absence counts half a person on a day service, and takes out the whole night of a call);
- safe capacity = available x 0.8; utilisation = demand / safe capacity (None when nobody is available: BLACK);
- utilisation level: GREEN < 70%, YELLOW >= 70%, ORANGE >= 80%, RED >= 90%, BLACK >= 95%;
- coverage (from the published schedule, read through scheduling.day_view): covered / required places, a place
  being a resident holding the rotation that day (its block, or the half holding the day) and not on leave all day,
  as the "short after absence" warning reads it (post-call and continuity clinic are part of a rotation's day), a
  faculty member on FMIT that day, or a call taken that night; None on a day no published schedule holds;
- defense level, from coverage only (never from 1 - utilisation): GREEN when every place is covered, ORANGE from
  95%, RED from 80%, BLACK below 80%;
- redundancy: whole available people beyond the demand: N+2 (two or more spare), N+1, N+0, below (short).

The program's level (`program_level`) is the worst day-level of any service over the 14 days from the day, where
a service-day's level is weighted by its coverage: when the published schedule covers every place, utilisation
alone cannot make it worse than ORANGE (a strained but fully covered day is not an emergency: RED and BLACK mean
places are, or would be, uncovered); when places are uncovered, the defense level raises it; on a day no
published schedule holds, the utilisation level stands alone.

The forecast (`forecast`) gives the same figures for each day ahead, and the same again with requested (not yet
decided) absences also taken out, shown separately.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from absences.models import Absence
from credentials.selectors import credential_validity
from scheduling.day_view import session_grid
from scheduling.fmit_config import FmitSettings, fmit_settings_over
from scheduling.models import (
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.program_settings import scheduling_settings
from tenants.errors import DomainError
from tenants.models import Organization

SAFE_SHARE = 0.8  # safe capacity: 80% of the people available
LEVEL_HORIZON_DAYS = 14  # the program's level looks this many days ahead
FORECAST_DAYS = 90
MAX_FORECAST_DAYS = 180
FMIT_SERVICE = "fmit"


class Level(enum.IntEnum):
    """The five levels, in order of gravity."""

    GREEN = 0
    YELLOW = 1
    ORANGE = 2
    RED = 3
    BLACK = 4

    @property
    def words(self) -> str:
        return LEVEL_WORDS[self]

    @property
    def tone(self) -> str:
        return ("good", "warn", "warn", "bad", "bad")[self]


LEVEL_WORDS = {
    Level.GREEN: "Normal: enough people to cover every service with room to spare",
    Level.YELLOW: "Watch: services are busy, little room for more absences",
    Level.ORANGE: "Strained: services are near their safe capacity; avoid approving more leave",
    Level.RED: "Critical: services are at or past safe capacity or places are uncovered",
    Level.BLACK: "Emergency: services cannot be safely covered",
}
# Utilisation thresholds in percent, gravest first.
UTILISATION_THRESHOLDS = ((95, Level.BLACK), (90, Level.RED), (80, Level.ORANGE), (70, Level.YELLOW))
# Coverage thresholds in percent for the defense level, best first.
COVERAGE_THRESHOLDS = ((100, Level.GREEN), (95, Level.ORANGE), (80, Level.RED))


def utilisation_level(utilisation: float | None) -> Level:
    """The level of a utilisation (0.75 = 75%); None (nobody available for a demand) is BLACK."""
    if utilisation is None:
        return Level.BLACK
    percent = round(utilisation * 100, 6)  # 0.7 is 70%, not 69.99999
    for threshold, level in UTILISATION_THRESHOLDS:
        if percent >= threshold:
            return level
    return Level.GREEN


def defense_level(coverage: float | None) -> Level | None:
    """The level the real coverage of the published schedule gives (None: no published schedule that day)."""
    if coverage is None:
        return None
    percent = round(coverage * 100, 6)
    for threshold, level in COVERAGE_THRESHOLDS:
        if percent >= threshold:
            return level
    return Level.BLACK


def redundancy_label(spare: int) -> str:
    if spare >= 2:
        return "N+2"
    if spare == 1:
        return "N+1"
    if spare == 0:
        return "N+0"
    return "below"


@dataclass(frozen=True)
class Service:
    """One coverage requirement of the program (module docstring)."""

    key: str  # "rot<pk>", "call:<kind>:<min_pgy>", "call:attending", "fmit"
    label: str
    kind: str  # "rotation", "call", "fmit"
    per_day: int  # people required on each of its days
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    night: bool = False  # a night service: a half-day absence takes the whole night out
    call_kind: str = ""  # CallAssignment.Kind of a call service
    min_pgy: int = 0  # the lowest PGY whose call counts (residents' call)


@dataclass(frozen=True)
class ServiceDay:
    """A service's figures on one day."""

    service: Service
    date: dt.date
    required: int
    eligible: int
    available: float
    available_if_requested: float
    covered: int | None = None  # None: no published schedule holds the day

    @property
    def safe_capacity(self) -> float:
        return self.available * SAFE_SHARE

    @property
    def utilisation(self) -> float | None:
        return _ratio(self.required, self.available)

    @property
    def utilisation_if_requested(self) -> float | None:
        return _ratio(self.required, self.available_if_requested)

    @property
    def level(self) -> Level:
        return utilisation_level(self.utilisation)

    @property
    def level_if_requested(self) -> Level:
        return utilisation_level(self.utilisation_if_requested)

    @property
    def coverage(self) -> float | None:
        if self.covered is None:
            return None
        return min(self.covered, self.required) / self.required if self.required else 1.0

    @property
    def defense(self) -> Level | None:
        return defense_level(self.coverage)

    @property
    def spare(self) -> int:
        return math.floor(self.available + 1e-9) - self.required

    @property
    def redundancy(self) -> str:
        return redundancy_label(self.spare)

    @property
    def combined(self) -> Level:
        """The service-day's level weighted by coverage (module docstring)."""
        defense = self.defense
        if defense is None:
            return self.level
        return max(defense, min(self.level, Level.ORANGE))


def _ratio(required: int, available: float) -> float | None:
    capacity = available * SAFE_SHARE
    if capacity <= 0:
        return None if required else 0.0
    return required / capacity


@dataclass(frozen=True)
class Worst:
    """A service at the program's level on a day."""

    service: str
    label: str
    date: dt.date
    utilisation: float | None
    coverage: float | None
    level: Level


@dataclass(frozen=True)
class LevelReport:
    """The program's level on a day: its name and words, the peak utilisation and the coverage over the horizon,
    and the services that set it."""

    level: Level
    day: dt.date
    horizon_days: int
    utilisation: float | None  # the highest of any service-day (None: a demand with nobody available)
    coverage: float | None  # covered / required places on the days a published schedule holds (None: none does)
    worst: tuple[Worst, ...] = ()

    @property
    def name(self) -> str:
        return self.level.name

    @property
    def words(self) -> str:
        return self.level.words


@dataclass(frozen=True)
class Forecast:
    """The service-days of `start` .. `start + days - 1`, by date and by service."""

    start: dt.date
    days: int
    services: tuple[Service, ...]
    rows: tuple[ServiceDay, ...]
    by_day: dict[dt.date, list[ServiceDay]] = field(default_factory=dict)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)

    def for_service(self, key: str) -> list[ServiceDay]:
        return [row for row in self.rows if row.service.key == key]


# ---------------------------------------------------------------------------------------------
# Reading the program


@dataclass
class _Program:
    people: list[Person]
    rotations: dict[int, RotationTemplate]
    services: list[Service]
    eligible: dict[str, list[Person]]
    held: dict[int, dict[str, dt.date | None]]
    fmit_on: Callable[[dt.date], FmitSettings]  # each day's FMIT rules (its own academic year's)


def program_services(*, program: Organization) -> list[Service]:
    """The program's services today, in a stable order: rotations by name, then calls, then FMIT."""
    today = program.today()
    return _read_program(program, today, today).services


def _read_program(program: Organization, start: dt.date, end: dt.date) -> _Program:
    settings = scheduling_settings(program)
    fmit_on = fmit_settings_over(program, start, end)
    req = settings.requirements
    people = list(
        Person.objects.for_program(program)
        .filter(is_active=True, kind__in=(Person.Kind.RESIDENT, Person.Kind.FACULTY))
        .order_by("pk")
    )
    residents = [p for p in people if p.kind == Person.Kind.RESIDENT]
    faculty = [p for p in people if p.kind == Person.Kind.FACULTY]
    rotations = {
        r.pk: r
        for r in RotationTemplate.objects.for_program(program)
        .filter(is_active=True, min_residents__gt=0)
        .order_by("name", "pk")
    }
    services: list[Service] = []
    eligible: dict[str, list[Person]] = {}
    for rotation in rotations.values():
        key = f"rot{rotation.pk}"
        services.append(
            Service(
                key=key,
                label=f"{rotation.name} ({rotation.abbreviation})",
                kind="rotation",
                per_day=rotation.min_residents,
                weekdays=tuple(sorted(rotation.work_days or ())),
                night=rotation.is_night,
            )
        )
        eligible[key] = [p for p in residents if rotation.min_pgy <= (p.pgy or 0) <= rotation.max_pgy]
    for call in req.call:
        if call.per_night:
            key = f"call:{call.kind}:{call.min_pgy}"
            label = "In-house call" + (f" (PGY {call.min_pgy}+)" if call.min_pgy > 1 else "")
            services.append(
                Service(
                    key=key,
                    label=label,
                    kind="call",
                    per_day=call.per_night,
                    night=True,
                    call_kind=call.kind,
                    min_pgy=call.min_pgy,
                )
            )
            eligible[key] = [p for p in residents if (p.pgy or 0) >= call.min_pgy]
    if req.faculty_call is not None and req.faculty_call.per_night:
        key = "call:attending"
        services.append(
            Service(
                key=key,
                label="Faculty overnight call",
                kind="call",
                per_day=req.faculty_call.per_night,
                weekdays=tuple(sorted(req.faculty_call.nights)),
                night=True,
                call_kind=CallAssignment.Kind.ATTENDING,
            )
        )
        eligible[key] = [p for p in faculty if settings.takes_faculty_call(p.faculty_role)]
    fmit_faculty = [p for p in faculty if p.fmit_target_weeks]
    fmit_most = max(fmit_on(start + dt.timedelta(days=i)).min_attendings for i in range((end - start).days + 1))
    if fmit_most and fmit_faculty:
        services.append(Service(key=FMIT_SERVICE, label="FMIT attending", kind="fmit", per_day=fmit_most))
        eligible[FMIT_SERVICE] = fmit_faculty
    held = credential_validity(program=program) if any(r.required_credential_codes for r in rotations.values()) else {}
    return _Program(people, rotations, services, eligible, held, fmit_on)


def _credentialed(person: Person, rotation: RotationTemplate, day: dt.date, held: dict) -> bool:
    """Whether the person holds every credential the rotation requires, valid on the day."""
    mine = held.get(person.pk, {})
    for code in rotation.required_credential_codes:
        if code not in mine or (mine[code] is not None and mine[code] < day):
            return False
    return True


def _absent(absences: Iterable[Absence], start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], float]:
    """(person, day) -> the share of the day the person is away (1 whole day, 0.5 a half-day absence)."""
    away: dict[tuple[int, dt.date], float] = {}
    for absence in absences:
        share = 0.5 if absence.half_day else 1.0
        day = max(absence.start_date, start)
        while day <= min(absence.end_date, end):
            away[(absence.person_id, day)] = max(away.get((absence.person_id, day), 0.0), share)
            day += dt.timedelta(days=1)
    return away


def _available(people: list[Person], day: dt.date, away: dict, *, night: bool) -> float:
    total = 0.0
    for person in people:
        gone = away.get((person.pk, day), 0.0)
        total += 0.0 if (night and gone) else 1.0 - gone
    return total


def _on_rotations(
    version: ScheduleVersion, start: dt.date, end: dt.date, read: _Program
) -> Iterable[tuple[int, int, dt.date]]:
    """(person, rotation, day) for each day of start..end a resident holds a staffed rotation in the version (its
    whole block, or the half of it holding the day), as scheduling.absence_impact.day_shortfalls reads it."""
    rows = BlockAssignment.objects.filter(
        version=version,
        rotation_id__in=read.rotations,
        block__start_date__lte=end,
        block__end_date__gte=start,
    ).values_list("person_id", "rotation_id", "half", "block__start_date", "block__end_date")
    for person_id, rotation_id, half, first, last in rows:
        day = max(first, start)
        while day <= min(last, end):
            second = (day - first).days >= 14
            if half == BlockAssignment.Half.WHOLE or half == (2 if second else 1):
                yield person_id, rotation_id, day
            day += dt.timedelta(days=1)


def _coverage(
    program: Organization, start: dt.date, end: dt.date, read: _Program, away: dict[tuple[int, dt.date], float]
) -> dict[tuple[str, dt.date], int]:
    """(service, day) -> places the published schedule covers, for the days a published version holds."""
    covered: dict[tuple[str, dt.date], int] = {}
    versions = (
        ScheduleVersion.objects.for_program(program)
        .filter(
            status=ScheduleVersion.Status.PUBLISHED,
            academic_year__start_date__lte=end,
            academic_year__end_date__gte=start,
        )
        .select_related("academic_year", "program")
    )
    pgy = {p.pk: p.pgy or 0 for p in read.people}
    calls = [s for s in read.services if s.kind == "call"]
    for version in versions:
        low, high = max(start, version.academic_year.start_date), min(end, version.academic_year.end_date)
        grid = session_grid(version=version, start=low, end=high)
        on: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
        for person_id, rotation_id, day in _on_rotations(version, low, high, read):
            if away.get((person_id, day), 0.0) < 1.0:  # on approved leave all day: the grid's leave, both halves
                on[(f"rot{rotation_id}", day)].add(person_id)
        for half in grid.halves.values():
            if half.is_duty and half.activity == SessionAssignment.Activity.FMIT:
                on[(FMIT_SERVICE, half.date)].add(half.person_id)
        for day, taken in grid.calls_by_day.items():
            for call in taken:
                for service in calls:
                    if call.kind == service.call_kind and pgy.get(call.person_id, 0) >= service.min_pgy:
                        on[(service.key, day)].add(call.person_id)
        day = low
        while day <= high:
            for service in read.services:
                covered[(service.key, day)] = len(on.get((service.key, day), ()))
            day += dt.timedelta(days=1)
    return covered


def service_days(*, program: Organization, start: dt.date, end: dt.date) -> Forecast:
    """Every service's figures on every day of start..end (inclusive), in a fixed number of queries."""
    read = _read_program(program, start, end)
    ids = [p.pk for p in read.people]
    absences = list(
        Absence.objects.for_program(program).active().overlapping(start, end).filter(person_id__in=ids).order_by("pk")
    )
    approved = _absent([a for a in absences if a.status == Absence.Status.APPROVED], start, end)
    either = _absent(absences, start, end)
    covered = _coverage(program, start, end, read, approved)
    rows: list[ServiceDay] = []
    by_day: dict[dt.date, list[ServiceDay]] = {}
    day = start
    while day <= end:
        today: list[ServiceDay] = []
        for service in read.services:
            if day.weekday() not in service.weekdays:
                continue
            required = read.fmit_on(day).min_attendings if service.kind == "fmit" else service.per_day
            if not required:
                continue  # that day's FMIT rules ask for no attending
            people = read.eligible[service.key]
            if service.kind == "rotation":
                rotation = read.rotations[int(service.key[3:])]
                if rotation.required_credential_codes:
                    people = [p for p in people if _credentialed(p, rotation, day, read.held)]
            today.append(
                ServiceDay(
                    service=service,
                    date=day,
                    required=required,
                    eligible=len(people),
                    available=_available(people, day, approved, night=service.night),
                    available_if_requested=_available(people, day, either, night=service.night),
                    covered=covered.get((service.key, day)),
                )
            )
        rows.extend(today)
        by_day[day] = today
        day += dt.timedelta(days=1)
    return Forecast(
        start=start, days=(end - start).days + 1, services=tuple(read.services), rows=tuple(rows), by_day=by_day
    )


def forecast(*, program: Organization, start: dt.date, days: int = FORECAST_DAYS) -> Forecast:
    """The figures of each service for `days` days from `start` (1..180), from approved absences and, separately,
    with requested ones too."""
    if not 1 <= days <= MAX_FORECAST_DAYS:
        raise DomainError(f"A forecast covers 1 to {MAX_FORECAST_DAYS} days (got {days}).")
    return service_days(program=program, start=start, end=start + dt.timedelta(days=days - 1))


def level_of(rows: Iterable[ServiceDay], *, day: dt.date, horizon_days: int = LEVEL_HORIZON_DAYS) -> LevelReport:
    """The program's level from its service-days (module docstring)."""
    rows = list(rows)
    if not rows:
        return LevelReport(level=Level.GREEN, day=day, horizon_days=horizon_days, utilisation=0.0, coverage=None)
    level = max(row.combined for row in rows)
    peaks = [row.utilisation for row in rows]
    utilisation = None if any(u is None for u in peaks) else max(u for u in peaks if u is not None)
    known = [row for row in rows if row.covered is not None and row.required]
    required = sum(row.required for row in known)
    coverage = sum(min(row.covered or 0, row.required) for row in known) / required if required else None
    worst = tuple(
        Worst(row.service.key, row.service.label, row.date, row.utilisation, row.coverage, row.combined)
        for row in sorted(rows, key=lambda r: (r.date, r.service.label))
        if row.combined == level and level > Level.GREEN
    )
    return LevelReport(
        level=level, day=day, horizon_days=horizon_days, utilisation=utilisation, coverage=coverage, worst=worst
    )


def program_level(*, program: Organization, day: dt.date | None = None) -> LevelReport:
    """The program's level on `day` (default today in its time zone), over the 14 days from it (module docstring)."""
    day = day or program.today()
    figures = service_days(program=program, start=day, end=day + dt.timedelta(days=LEVEL_HORIZON_DAYS - 1))
    return level_of(figures.rows, day=day)


# ---------------------------------------------------------------------------------------------
# Summaries for pages, exports and the API


@dataclass(frozen=True)
class DaySummary:
    """One day of the forecast: its gravest service by utilisation and the coverage of all its services."""

    date: dt.date
    rows: tuple[ServiceDay, ...]

    @property
    def peak(self) -> ServiceDay | None:
        """The service with the highest utilisation (nobody available counts highest)."""
        if not self.rows:
            return None
        return max(self.rows, key=lambda r: (r.utilisation is None, r.utilisation or 0.0, -len(r.service.label)))

    @property
    def utilisation(self) -> float | None:
        peak = self.peak
        return peak.utilisation if peak is not None else 0.0

    @property
    def level(self) -> Level:
        return max((row.level for row in self.rows), default=Level.GREEN)

    @property
    def level_if_requested(self) -> Level:
        return max((row.level_if_requested for row in self.rows), default=Level.GREEN)

    @property
    def required(self) -> int:
        return sum(row.required for row in self.rows if row.covered is not None)

    @property
    def coverage(self) -> float | None:
        known = [row for row in self.rows if row.covered is not None]
        if not known:
            return None
        required = sum(row.required for row in known)
        return sum(min(row.covered or 0, row.required) for row in known) / required if required else 1.0

    @property
    def defense(self) -> Level | None:
        return defense_level(self.coverage)

    @property
    def combined(self) -> Level:
        return max((row.combined for row in self.rows), default=Level.GREEN)


@dataclass(frozen=True)
class ServiceSummary:
    """One service over the forecast: peak and mean utilisation, days at ORANGE or worse, coverage, and its
    thinnest redundancy (with the first day it falls to it)."""

    service: Service
    rows: tuple[ServiceDay, ...]

    @property
    def days(self) -> int:
        return len(self.rows)

    @property
    def peak(self) -> ServiceDay | None:
        return DaySummary(self.rows[0].date, self.rows).peak if self.rows else None

    @property
    def mean_utilisation(self) -> float | None:
        values = [row.utilisation for row in self.rows]
        if not values or any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None) / len(values)

    @property
    def strained_days(self) -> int:
        return sum(1 for row in self.rows if row.level >= Level.ORANGE)

    @property
    def strained_days_if_requested(self) -> int:
        return sum(1 for row in self.rows if row.level_if_requested >= Level.ORANGE)

    @property
    def coverage(self) -> float | None:
        return DaySummary(self.rows[0].date, self.rows).coverage if self.rows else None

    @property
    def thinnest(self) -> ServiceDay | None:
        return min(self.rows, key=lambda r: (r.spare, r.date)) if self.rows else None


def day_summaries(figures: Forecast) -> list[DaySummary]:
    return [DaySummary(day, tuple(rows)) for day, rows in figures.by_day.items()]


def service_summaries(figures: Forecast) -> list[ServiceSummary]:
    return [ServiceSummary(service, tuple(figures.for_service(service.key))) for service in figures.services]


def level_from_forecast(figures: Forecast, *, day: dt.date) -> LevelReport | None:
    """The program's level on `day` from a forecast that holds its whole horizon (None if it does not)."""
    end = day + dt.timedelta(days=LEVEL_HORIZON_DAYS - 1)
    if not figures.start <= day or end > figures.end:
        return None
    return level_of((row for row in figures.rows if day <= row.date <= end), day=day)
