"""Reads of a program's people, rotations and calendar, scoped to the program and prefetched."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
)
from tenants.models import Organization

MAX_RANGE_DAYS = 731  # a date range of more than two years is refused


def person_list(*, program: Organization, kind: str | None = None, active: bool | None = True) -> QuerySet[Person]:
    """The program's people, of one kind if given; active ones only unless `active` is False or None (all)."""
    people = Person.objects.for_program(program)
    if kind is not None:
        people = people.filter(kind=kind)
    if active is not None:
        people = people.filter(is_active=active)
    return people


def rotation_list(*, program: Organization) -> QuerySet[RotationTemplate]:
    """The program's rotation templates, active or not, by name."""
    return RotationTemplate.objects.for_program(program)


def academic_year_list(*, program: Organization) -> QuerySet[AcademicYear]:
    """The program's academic years, newest first, each annotated with `blocks_count` (its Block rows)."""
    return AcademicYear.objects.for_program(program).annotate(blocks_count=Count("blocks"))


def block_list(*, program: Organization, academic_year: AcademicYear | None = None) -> QuerySet[Block]:
    """The program's blocks with their academic year, of one year if given, by year and number."""
    blocks = Block.objects.for_program(program).select_related("academic_year")
    if academic_year is not None:
        blocks = blocks.filter(academic_year=academic_year)
    return blocks


def program_today(program: Organization) -> dt.date:
    """Today's date in the program's time zone."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(program.time_zone))


def program_overview(*, program: Organization, today: dt.date | None = None) -> dict[str, Any]:
    """The home page summary: the current year (flagged, else the one holding today), today's block,
    the next holiday or closure, and counts of active residents, faculty and rotations and the year's blocks.
    """
    today = today or program_today(program)
    year = academic_year_current(program=program, today=today)
    current_block = None
    if year is not None:
        current_block = year.blocks.filter(start_date__lte=today, end_date__gte=today).first()
    next_holiday = (
        CalendarDay.objects.for_program(program)
        .filter(date__gte=today)
        .exclude(day_type=CalendarDay.DayType.NORMAL)
        .order_by("date")
        .first()
    )
    people = person_list(program=program).aggregate(
        residents=Count("pk", filter=Q(kind=Person.Kind.RESIDENT)),
        faculty=Count("pk", filter=Q(kind=Person.Kind.FACULTY)),
    )
    block_count = year.blocks_count if year is not None else 0
    return {
        "year": year,
        "block_count": block_count,
        "current_block": current_block,
        "next_holiday": next_holiday,
        "counts": [
            ("Residents", people["residents"]),
            ("Faculty", people["faculty"]),
            ("Rotations", rotation_list(program=program).filter(is_active=True).count()),
            ("Blocks", block_count),
        ],
    }


def academic_year_current(*, program: Organization, today: dt.date | None = None) -> AcademicYear | None:
    """The year flagged current, else the one holding today, else the latest; annotated with `blocks_count`."""
    today = today or program_today(program)
    years = academic_year_list(program=program)
    return (
        years.filter(is_current=True).first()
        or years.filter(start_date__lte=today, end_date__gte=today).first()
        or years.order_by("-start_date").first()
    )


def schedule_version_pick(
    *, academic_year: AcademicYear, which: str | None = None, drafts_visible: bool = False
) -> ScheduleVersion | None:
    """The version a page shows: the published one by default; `which` = "draft" (the newest draft) or a
    version id of this year. Drafts and archived versions only when `drafts_visible` (managers); else None.
    """
    versions = ScheduleVersion.objects.filter(academic_year=academic_year).select_related("run", "published_by")
    if which in (None, "", "published"):
        return versions.filter(status=ScheduleVersion.Status.PUBLISHED).first()
    if not drafts_visible:
        return None
    if which == "draft":
        return versions.filter(status=ScheduleVersion.Status.DRAFT).order_by("-number").first()
    if str(which).isdigit():
        return versions.filter(pk=int(which)).first()
    return None


@dataclass
class GridRow:
    """One person's row of the block grid: per block, the assignments (a whole block or its halves)."""

    person: Person
    cells: list[list[BlockAssignment]]


@dataclass
class BlockGrid:
    """People (rows, grouped: "PGY-1".."PGY-n", then "Faculty") by blocks (columns) for one version."""

    blocks: list[Block]
    groups: list[tuple[str, list[GridRow]]]
    rotations: list[RotationTemplate] = field(default_factory=list)  # those used in the grid, for a legend


def block_grid(
    *,
    version: ScheduleVersion,
    pgy: int | None = None,
    rotation: RotationTemplate | None = None,
    person: Person | None = None,
    include_faculty: bool = True,
) -> BlockGrid:
    """The block grid of a version in a fixed number of queries (blocks, people, assignments with rotations).

    Filters: a PGY cohort, people who have `rotation` at least once, or a single person.
    """
    program_id = version.program_id
    blocks = list(Block.objects.filter(academic_year_id=version.academic_year_id).order_by("number"))
    people = Person.objects.filter(program_id=program_id, is_active=True)
    if not include_faculty or pgy is not None:
        people = people.filter(kind=Person.Kind.RESIDENT)
    if pgy is not None:
        people = people.filter(pgy=pgy)
    if person is not None:
        people = people.filter(pk=person.pk)
    assignments = (
        BlockAssignment.objects.filter(version=version).select_related("rotation").order_by("block__number", "half")
    )
    if rotation is not None:
        people = people.filter(
            pk__in=BlockAssignment.objects.filter(version=version, rotation=rotation).values("person_id")
        )
    people_list = list(people.order_by("kind", "pgy", "last_name", "first_name"))
    wanted = {p.pk for p in people_list}
    by_cell: dict[tuple[int, int], list[BlockAssignment]] = defaultdict(list)
    used: dict[int, RotationTemplate] = {}
    for a in assignments:
        if a.person_id in wanted:
            by_cell[(a.person_id, a.block_id)].append(a)
            used[a.rotation_id] = a.rotation
    groups: dict[str, list[GridRow]] = {}
    for p in people_list:
        label = f"PGY-{p.pgy}" if p.kind == Person.Kind.RESIDENT else p.get_kind_display()
        groups.setdefault(label, []).append(GridRow(p, [by_cell.get((p.pk, b.pk), []) for b in blocks]))
    return BlockGrid(
        blocks=blocks,
        groups=list(groups.items()),
        rotations=sorted(used.values(), key=lambda r: r.name),
    )


@dataclass
class SessionGrid:
    """A version's half-day activities and calls over a date range, for views, exports and feeds.

    `sessions[(person_id, date, "AM"|"PM")]` is the assignment; `calls_by_day[date]` the calls that start
    that (program-local) day; `special_days[date]` a holiday or closure.
    """

    start: dt.date
    end: dt.date
    days: list[dt.date]
    people: list[Person]
    sessions: dict[tuple[int, dt.date, str], SessionAssignment]
    calls: list[CallAssignment]
    calls_by_day: dict[dt.date, list[CallAssignment]]
    special_days: dict[dt.date, CalendarDay]


def date_range_refusal(start: dt.date | None, end: dt.date | None) -> str | None:
    """Why a requested range cannot be served (a message for the person), or None when it is fine."""
    if start is None or end is None:
        return "Give a start and an end date as YYYY-MM-DD."
    if end < start:
        return "The end date is before the start date."
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        return "A date range can cover at most two years."
    return None


def session_grid(
    *,
    version: ScheduleVersion,
    start: dt.date,
    end: dt.date,
    person_ids: list[int] | None = None,
    kinds: list[str] | None = None,
) -> SessionGrid:
    """Sessions and calls of a version between `start` and `end` inclusive, in four queries.

    The caller has checked the range with `date_range_refusal`. Calls are grouped by their local start date.
    """
    zone = zoneinfo.ZoneInfo(version.program.time_zone)
    people = Person.objects.filter(program_id=version.program_id, is_active=True)
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
    if kinds is not None:
        people = people.filter(kind__in=kinds)
    people_list = list(people.order_by("kind", "pgy", "last_name", "first_name"))
    ids = [p.pk for p in people_list]
    sessions = {
        (s.person_id, s.date, s.session): s
        for s in SessionAssignment.objects.filter(
            version=version, date__gte=start, date__lte=end, person_id__in=ids
        ).select_related("rotation")
    }
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    calls = list(
        CallAssignment.objects.filter(version=version, start__gte=first, start__lt=last, person_id__in=ids)
        .select_related("person")
        .order_by("start", "person__last_name")
    )
    calls_by_day: dict[dt.date, list[CallAssignment]] = defaultdict(list)
    for call in calls:
        calls_by_day[call.start.astimezone(zone).date()].append(call)
    special = {
        d.date: d
        for d in CalendarDay.objects.filter(program_id=version.program_id, date__gte=start, date__lte=end).exclude(
            day_type=CalendarDay.DayType.NORMAL
        )
    }
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return SessionGrid(start, end, days, people_list, sessions, calls, dict(calls_by_day), special)
