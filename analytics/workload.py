"""Workload of a schedule version: hours per person per week against the 80-hour line, clinic continuity, and the
ACGME checker's findings per block (issue 15, item 2).

Hours come from the duty periods the compliance page checks (`scheduling.compliance.version_compliance`, the
DUTIES document of the version and the checker's report on it), so a week's hours are the figures of the
compliance page's hours table and the checker's own reading of the same periods: in-house work, in-house call
and moonlighting merged and clipped at local midnights, work done on a home call counted on the day it starts.
The rolling 4-week average of a week is the checker's `weekly_hours` measure on the 28 days ending that Sunday:
hours on days not on leave, times 7, over the days not on leave. Weeks run Monday to Sunday, from the Monday of
the year's first week. Faculty hours are read the same way from their half-days and calls; an attending call is
not a duty period (DESIGN.md section 5), so a faculty member's overnight calls do not count.

Continuity reads the half-days as `scheduling.day_view.session_grid` does (approved absences laid over): a
resident's continuity clinic is a clinic half-day without a rotation; their usual weekday is the weekday most of
those fall on (the earliest weekday on a tie); the share is the clinics on that weekday over all their clinics.

A finding of the checker counts in the block holding its start (a window reaching back before the first block
counts in the first, one after the last in the last), so the blocks add up to the compliance page's totals.

`workload_report` is cached per schedule generation (`scheduling.schedule_cache`): any save of a schedule,
absence or swap row of the program, or of the program, builds it again.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from scheduling.compliance import (
    ON_DUTY_KINDS,
    WEEKLY_LIMIT_DEFAULT,
    CallChange,
    absent_half_days,
    activities_with_changes,
    calls_with_changes,
    duties_entries,
    rule_title,
    version_compliance,
)
from scheduling.day_view import approved_absences, session_clock
from scheduling.engine.acgme import Report, merge_periods
from scheduling.engine.problem import SessionClock
from scheduling.models import Block, Person, ScheduleVersion, SessionAssignment
from scheduling.program_settings import scheduling_settings
from scheduling.schedule_cache import cached

NEAR_MARGIN = 5.0  # a 4-week average within this many hours of the limit is flagged "near"
WINDOW_WEEKS = 4
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FACULTY_NOTE = (
    "Faculty hours count their half-days of clinic, supervision, FMIT and other work; attending (overnight) calls "
    "are not duty periods in the schedule's data and are left out. The 80-hour rules are for residents only."
)
CACHE_VERSION = 1  # bump when the report's shape changes, so no older pickled report is read


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person as the report names them (plain values, so the report caches and pickles cheaply)."""

    id: int
    name: str
    kind: str
    pgy: int | None

    @property
    def cohort(self) -> str:
        """ "PGY-2", or "Faculty"."""
        return f"PGY-{self.pgy}" if self.kind == Person.Kind.RESIDENT and self.pgy else "Faculty"


@dataclass(frozen=True, slots=True)
class WeekHours:
    """One Monday-to-Sunday week: hours on duty, over the weekly limit or not, and the rolling 4-week average of
    the 28 days ending that Sunday (None for the first three weeks, or 28 days all on leave)."""

    start: dt.date
    hours: float
    over: bool
    average: float | None
    average_flag: str  # "over" (above the limit), "near" (within NEAR_MARGIN of it) or ""

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


@dataclass(frozen=True, slots=True)
class PersonHours:
    """A person's weeks and their summary: the highest week, the highest 4-week average, weeks over the limit,
    averages near it, and the checker's own `weekly_hours` findings for them (any 28-day window)."""

    person: PersonRef
    weeks: tuple[WeekHours, ...]
    max_week: float
    max_average: float | None
    weeks_over: int
    averages_over: int
    averages_near: int
    checker_breaches: int
    leave_days: int

    @property
    def flag(self) -> str:
        """ "over" when a week or an average passes the limit, "near" when an average comes within 5 h, else ""."""
        if self.weeks_over or self.averages_over or self.checker_breaches:
            return "over"
        return "near" if self.averages_near else ""


@dataclass(frozen=True, slots=True)
class ContinuityRow:
    """A resident's continuity clinics over the year: how many, their usual weekday, and the share on it."""

    person: PersonRef
    sessions: int
    usual_weekday: int | None  # 0 = Monday
    on_usual: int

    @property
    def share(self) -> float | None:
        return round(self.on_usual / self.sessions, 3) if self.sessions else None

    @property
    def usual_weekday_name(self) -> str:
        return WEEKDAYS[self.usual_weekday] if self.usual_weekday is not None else ""


@dataclass(frozen=True, slots=True)
class CohortContinuity:
    """The average continuity share of a cohort's residents who have clinic (residents without clinic left out)."""

    cohort: str
    residents: int
    with_clinic: int
    average_share: float | None


@dataclass(frozen=True, slots=True)
class BlockCompliance:
    """The checker's findings on the version that start in one block, by severity and rule, and how many people."""

    number: int
    start: dt.date
    end: dt.date
    violations: int
    warnings: int
    people: int
    rules: tuple[tuple[str, int], ...]  # (rule title, findings), most first

    @property
    def clean(self) -> bool:
        return not self.violations and not self.warnings


@dataclass(frozen=True, slots=True)
class WorkloadReport:
    """Everything the workload page, its CSV and PDF, the API and the nightly job read about one version."""

    version_id: int
    version_number: int
    version_status: str
    year_name: str
    limit: float
    near_margin: float
    weeks: tuple[dt.date, ...]
    residents: tuple[PersonHours, ...]
    faculty: tuple[PersonHours, ...]
    faculty_note: str
    continuity: tuple[ContinuityRow, ...]
    cohorts: tuple[CohortContinuity, ...]
    blocks: tuple[BlockCompliance, ...]
    compliant: bool
    violations: int
    warnings: int

    def hours_of(self, person_id: int) -> PersonHours | None:
        """A resident's or faculty member's hours, or None when the report has no such person."""
        return next((row for row in (*self.residents, *self.faculty) if row.person.id == person_id), None)

    @property
    def people_over(self) -> int:
        """Residents with a week or a 4-week average over the limit."""
        return sum(1 for row in self.residents if row.flag == "over")

    @property
    def people_near(self) -> int:
        """Residents whose 4-week average comes within NEAR_MARGIN hours of the limit without passing it."""
        return sum(1 for row in self.residents if row.flag == "near")

    @property
    def clean_blocks(self) -> int:
        return sum(1 for block in self.blocks if block.clean)


def workload_report(*, version: ScheduleVersion) -> WorkloadReport:
    """The workload of a version (module docstring), cached per schedule generation of its program."""
    return cached(version.program_id, ("analytics-workload", CACHE_VERSION, version.pk), lambda: _build(version))


def _build(version: ScheduleVersion) -> WorkloadReport:
    year = version.academic_year
    compliance = version_compliance(version=version)
    zone = version.program.zone
    limit = float(compliance.duties["rules"].get("weekly_hours", WEEKLY_LIMIT_DEFAULT))
    monday = year.start_date - dt.timedelta(days=year.start_date.weekday())
    weeks = max(0, (year.end_date - monday).days // 7 + 1)
    entries = compliance.duties["people"]
    resident_ids = [int(entry["id"][1:]) for entry in entries]
    faculty = _faculty(version)
    refs = _refs([*resident_ids, *(p.pk for p in faculty)], version.program_id)
    breaches = Counter(v.person for v in compliance.report.violations if v.rule == "weekly_hours")
    residents = tuple(
        person_hours(
            refs[int(entry["id"][1:])],
            entry,
            zone=zone,
            monday=monday,
            weeks=weeks,
            limit=limit,
            checker_breaches=breaches[entry["id"]],
        )
        for entry in entries
        if int(entry["id"][1:]) in refs
    )
    faculty_rows = tuple(
        person_hours(refs[int(entry["id"][1:])], entry, zone=zone, monday=monday, weeks=weeks, limit=None)
        for entry in _faculty_entries(version, faculty)
    )
    continuity = _continuity(version)
    counts = Counter(v.severity for v in compliance.report.violations)
    return WorkloadReport(
        version_id=version.pk,
        version_number=version.number,
        version_status=version.status,
        year_name=year.name,
        limit=limit,
        near_margin=NEAR_MARGIN,
        weeks=tuple(monday + dt.timedelta(days=7 * k) for k in range(weeks)),
        residents=tuple(sorted(residents, key=_person_order)),
        faculty=tuple(sorted(faculty_rows, key=_person_order)),
        faculty_note=FACULTY_NOTE,
        continuity=continuity,
        cohorts=cohort_continuity(continuity),
        blocks=block_compliance(compliance.report, list(Block.objects.filter(academic_year=year).order_by("number"))),
        compliant=compliance.report.compliant,
        violations=counts["violation"],
        warnings=counts["warning"],
    )


def _person_order(row: PersonHours | ContinuityRow) -> tuple[str, int, str]:
    ref = row.person
    return (ref.kind, ref.pgy or 0, ref.name)


def _refs(ids: Iterable[int], program_id: int) -> dict[int, PersonRef]:
    people = Person.objects.filter(program_id=program_id, pk__in=list(ids)).only(
        "first_name", "last_name", "kind", "pgy"
    )
    return {p.pk: PersonRef(p.pk, p.full_name, p.kind, p.pgy) for p in people}


# Hours.


@functools.lru_cache(maxsize=16)
def _midnights(zone: zoneinfo.ZoneInfo, first: dt.date, days: int) -> tuple[int, ...]:
    """The epoch seconds of the local midnights starting each of `days` days from `first`, and the one after."""
    return tuple(
        round(dt.datetime.combine(first + dt.timedelta(days=d), dt.time(), zone).timestamp()) for d in range(days + 1)
    )


def daily_seconds(
    duties: Iterable[Mapping[str, Any]], *, zone: zoneinfo.ZoneInfo, first: dt.date, days: int
) -> list[int]:
    """Seconds on duty on each of `days` local days from `first`, as the checker counts them: on-duty periods
    merged and cut at local midnights, a home call's worked hours on the day it starts."""
    midnights = _midnights(zone, first, days)
    seconds = [0] * days
    periods: list[tuple[int, int]] = []
    for item in duties:
        begin = round(dt.datetime.fromisoformat(item["start"]).replace(tzinfo=zone).timestamp())
        if item["kind"] in ON_DUTY_KINDS:
            end = round(dt.datetime.fromisoformat(item["end"]).replace(tzinfo=zone).timestamp())
            periods.append((begin, end))
        elif item.get("worked_hours"):
            index = bisect_right(midnights, begin) - 1
            if 0 <= index < days:
                seconds[index] += round(item["worked_hours"] * 3600)
    for begin, end in merge_periods(periods):
        index = bisect_right(midnights, begin) - 1
        while begin < end and index < days:
            boundary = midnights[index + 1]
            piece = min(end, boundary)
            if index >= 0:
                seconds[index] += piece - begin
            begin, index = piece, index + 1
    return seconds


def _leave_days(entry: Mapping[str, Any]) -> set[dt.date]:
    found: set[dt.date] = set()
    for run in entry.get("leave", ()):
        day, last = dt.date.fromisoformat(run["start"]), dt.date.fromisoformat(run["end"])
        while day <= last:
            found.add(day)
            day += dt.timedelta(days=1)
    return found


def person_hours(
    person: PersonRef,
    entry: Mapping[str, Any],
    *,
    zone: zoneinfo.ZoneInfo,
    monday: dt.date,
    weeks: int,
    limit: float | None,
    checker_breaches: int = 0,
) -> PersonHours:
    """A DUTIES entry's hours per week from `monday` with the rolling 4-week averages (leave deducted as the
    checker does), flagged against `limit` (None: no limit applies, as for faculty)."""
    seconds = daily_seconds(entry["duties"], zone=zone, first=monday, days=7 * weeks)
    leave = _leave_days(entry)
    on_leave = [monday + dt.timedelta(days=d) in leave for d in range(7 * weeks)]
    rows = []
    for k in range(weeks):
        hours = round(sum(seconds[7 * k : 7 * k + 7]) / 3600, 1)
        average, flag = None, ""
        if k >= WINDOW_WEEKS - 1:
            low, high = 7 * (k - WINDOW_WEEKS + 1), 7 * (k + 1)
            working = sum(1 for d in range(low, high) if not on_leave[d])
            if working:
                worked = sum(seconds[d] for d in range(low, high) if not on_leave[d])
                exact = worked * 7 / (working * 3600)
                average = round(exact, 1)
                if limit is not None:
                    flag = "over" if exact > limit else "near" if exact >= limit - NEAR_MARGIN else ""
        over = limit is not None and hours > limit  # as the compliance page's hours table flags a week
        rows.append(WeekHours(monday + dt.timedelta(days=7 * k), hours, over, average, flag))
    averages = [row.average for row in rows if row.average is not None]
    return PersonHours(
        person=person,
        weeks=tuple(rows),
        max_week=max((row.hours for row in rows), default=0.0),
        max_average=max(averages) if averages else None,
        weeks_over=sum(1 for row in rows if row.over),
        averages_over=sum(1 for row in rows if row.average_flag == "over"),
        averages_near=sum(1 for row in rows if row.average_flag == "near"),
        checker_breaches=checker_breaches,
        leave_days=sum(on_leave),
    )


def _faculty(version: ScheduleVersion) -> list[Person]:
    """Active faculty of the program and any faculty member with half-days in the version."""
    with_rows = SessionAssignment.objects.filter(version=version).values("person_id")
    people = Person.objects.filter(program_id=version.program_id, kind=Person.Kind.FACULTY)
    return list(people.filter(Q(is_active=True) | Q(pk__in=with_rows)).order_by("pk"))


def _clock(version: ScheduleVersion) -> SessionClock:
    times = session_clock(version.program)
    return SessionClock(am_start=times["AM"][0], am_end=times["AM"][1], pm_start=times["PM"][0], pm_end=times["PM"][1])


def _faculty_entries(version: ScheduleVersion, faculty: list[Person]) -> list[dict[str, Any]]:
    """The faculty's DUTIES entries, built by the compliance module's own derivation from the version's rows."""
    if not faculty:
        return []
    ids = [p.pk for p in faculty]
    calls: list[CallChange] = calls_with_changes(version, ids, None)
    return duties_entries(
        people=faculty,
        by_day=activities_with_changes(version, ids, None),
        calls=calls,
        rules=scheduling_settings(version.program).rules,
        clock=_clock(version),
        zone=version.program.zone,
    )


# Continuity.


def continuity_row(person: PersonRef, clinic_days: Iterable[dt.date]) -> ContinuityRow:
    """A resident's continuity from the dates of their clinic half-days (one date per half-day)."""
    weekdays = Counter(day.weekday() for day in clinic_days)
    if not weekdays:
        return ContinuityRow(person, 0, None, 0)
    usual = min(weekdays, key=lambda wd: (-weekdays[wd], wd))
    return ContinuityRow(person, sum(weekdays.values()), usual, weekdays[usual])


def clinic_dates(version: ScheduleVersion, residents: list[Person]) -> dict[int, list[dt.date]]:
    """Each resident's continuity clinic half-days of the version's year as `day_view.session_grid` reads them
    (a stored clinic row without a rotation stays clinic unless approved leave takes the half-day), read without
    building the whole year's grid: only the clinic rows and the residents' approved absences."""
    year = version.academic_year
    ids = [p.pk for p in residents]
    rows = (
        SessionAssignment.objects.filter(
            version=version,
            person_id__in=ids,
            activity=SessionAssignment.Activity.CLINIC,
            rotation__isnull=True,
            date__range=(year.start_date, year.end_date),
        )
        .order_by()
        .values_list("person_id", "date", "session")
    )
    absences = approved_absences(
        program_id=version.program_id, person_ids=ids, start=year.start_date, end=year.end_date
    )
    absent = absent_half_days(absences, year.start_date, year.end_date)
    clinics: dict[int, list[dt.date]] = defaultdict(list)
    for person_id, day, session in rows:
        if (person_id, day, session) not in absent:
            clinics[person_id].append(day)
    return clinics


def _continuity(version: ScheduleVersion) -> tuple[ContinuityRow, ...]:
    """The continuity of the program's active residents (the people `session_grid` shows)."""
    residents = list(Person.objects.filter(program_id=version.program_id, kind=Person.Kind.RESIDENT, is_active=True))
    clinics = clinic_dates(version, residents)
    rows = [continuity_row(PersonRef(p.pk, p.full_name, p.kind, p.pgy), clinics.get(p.pk, [])) for p in residents]
    return tuple(sorted(rows, key=_person_order))


def cohort_continuity(rows: Iterable[ContinuityRow]) -> tuple[CohortContinuity, ...]:
    """The average share per PGY cohort, then over all residents ("All residents")."""
    groups: dict[str, list[ContinuityRow]] = defaultdict(list)
    everyone = list(rows)
    for row in everyone:
        groups[row.person.cohort].append(row)

    def summary(name: str, members: list[ContinuityRow]) -> CohortContinuity:
        shares = [row.share for row in members if row.share is not None]
        average = round(sum(shares) / len(shares), 3) if shares else None
        return CohortContinuity(name, len(members), len(shares), average)

    found = [summary(name, groups[name]) for name in sorted(groups)]
    return (*found, summary("All residents", everyone)) if everyone else ()


# Compliance per block.


def block_compliance(report: Report, blocks: list[Block]) -> tuple[BlockCompliance, ...]:
    """The report's findings by the block holding their start (module docstring)."""
    if not blocks:
        return ()
    starts = [block.start_date for block in blocks]
    found: dict[int, list[Any]] = defaultdict(list)
    for violation in report.violations:
        index = min(max(bisect_right(starts, violation.start.date()) - 1, 0), len(blocks) - 1)
        found[index].append(violation)
    rows = []
    for index, block in enumerate(blocks):
        items = found.get(index, [])
        rules = Counter(v.rule for v in items)
        people = {key for v in items for key in ((v.person,) if v.person else v.residents)}
        rows.append(
            BlockCompliance(
                number=block.number,
                start=block.start_date,
                end=block.end_date,
                violations=sum(1 for v in items if v.severity == "violation"),
                warnings=sum(1 for v in items if v.severity == "warning"),
                people=len(people),
                rules=tuple((rule_title(rule), count) for rule, count in rules.most_common()),
            )
        )
    return tuple(rows)
