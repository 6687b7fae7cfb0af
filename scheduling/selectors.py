"""Reads of a program's people, rotations and calendar, scoped to the program and prefetched."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleRun,
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


def program_overview(*, program: Organization, today: dt.date | None = None) -> dict[str, Any]:
    """The home page summary: the current year (flagged, else the one holding today), today's block,
    the next holiday or closure, and counts of active residents, faculty and rotations and the year's blocks.
    """
    today = today or program.today()
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
        "today": today,
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
    today = today or program.today()
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
    zone = version.program.zone
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


# --- Reading pages (grid, month/week, person, today) ---


def academic_year_on(*, program: Organization, day: dt.date) -> AcademicYear | None:
    """The program's academic year holding `day`, or None."""
    return AcademicYear.objects.for_program(program).filter(start_date__lte=day, end_date__gte=day).first()


def schedule_version_list(*, academic_year: AcademicYear) -> QuerySet[ScheduleVersion]:
    """All versions of a year (drafts, published, archived), newest first, for a manager's version switcher."""
    return ScheduleVersion.objects.filter(academic_year=academic_year).order_by("-number")


def pgy_cohorts(*, program: Organization) -> list[int]:
    """The PGY levels of the program's active residents, ascending."""
    levels = person_list(program=program, kind=Person.Kind.RESIDENT).values_list("pgy", flat=True)
    return sorted(set(levels))


def person_ids_matching(
    *,
    version: ScheduleVersion,
    start: dt.date,
    end: dt.date,
    pgy: int | None = None,
    rotation: RotationTemplate | None = None,
    person: Person | None = None,
) -> list[int] | None:
    """Ids of active people matching the reading filters over a date range, or None when nothing filters.

    `rotation` keeps people with that rotation in a block or a session overlapping the range.
    """
    if pgy is None and rotation is None and person is None:
        return None
    people = Person.objects.filter(program_id=version.program_id, is_active=True)
    if pgy is not None:
        people = people.filter(kind=Person.Kind.RESIDENT, pgy=pgy)
    if person is not None:
        people = people.filter(pk=person.pk)
    if rotation is not None:
        in_blocks = BlockAssignment.objects.filter(
            version=version, rotation=rotation, block__start_date__lte=end, block__end_date__gte=start
        ).values("person_id")
        in_sessions = SessionAssignment.objects.filter(
            version=version, rotation=rotation, date__gte=start, date__lte=end
        ).values("person_id")
        people = people.filter(Q(pk__in=in_blocks) | Q(pk__in=in_sessions))
    return list(people.values_list("pk", flat=True))


# --- The schedule API (runs, versions, assignments) ---


def program_schedule_runs(*, program: Organization) -> QuerySet[ScheduleRun]:
    """The program's schedule runs, newest first, with their year and who started them."""
    return (
        ScheduleRun.objects.for_program(program)
        .select_related("academic_year", "created_by")
        .order_by("-created_at", "-pk")
    )


def _assignment_count(model: type) -> Coalesce:
    rows = model.objects.filter(version=OuterRef("pk")).order_by().values("version").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")[:1]), 0)


def program_schedule_versions(*, program: Organization, drafts_visible: bool) -> QuerySet[ScheduleVersion]:
    """The program's schedule versions by year and number, annotated with how many block, session and call
    assignments each holds. Drafts and archived versions only when `drafts_visible` (managers).
    """
    versions = ScheduleVersion.objects.for_program(program).select_related("academic_year", "published_by")
    if not drafts_visible:
        versions = versions.filter(status=ScheduleVersion.Status.PUBLISHED)
    return versions.annotate(
        block_assignments_count=_assignment_count(BlockAssignment),
        session_assignments_count=_assignment_count(SessionAssignment),
        call_assignments_count=_assignment_count(CallAssignment),
    ).order_by("-academic_year__start_date", "-number")


def newest_drafts(*, program: Organization) -> QuerySet[ScheduleVersion]:
    """The newest draft version of each of the program's academic years (one per year that has drafts)."""
    drafts = ScheduleVersion.objects.for_program(program).filter(status=ScheduleVersion.Status.DRAFT)
    newer = drafts.filter(academic_year=OuterRef("academic_year"), number__gt=OuterRef("number"))
    return drafts.exclude(Exists(newer))


def program_block_assignments(*, program: Organization) -> QuerySet[BlockAssignment]:
    """The program's block rotations of every version, by block date and person, with block, person and rotation."""
    return (
        BlockAssignment.objects.for_program(program)
        .select_related("block", "person", "rotation")
        .order_by("block__start_date", "person__last_name", "person__first_name", "half", "pk")
    )


def program_session_assignments(*, program: Organization) -> QuerySet[SessionAssignment]:
    """The program's half-day activities of every version, by date, session and person, with person and rotation."""
    return (
        SessionAssignment.objects.for_program(program)
        .select_related("version", "person", "rotation")
        .order_by("date", "session", "person__last_name", "person__first_name", "pk")
    )


def program_call_assignments(*, program: Organization) -> QuerySet[CallAssignment]:
    """The program's calls of every version, by start and person, with the person."""
    return (
        CallAssignment.objects.for_program(program)
        .select_related("version", "person")
        .order_by("start", "person__last_name", "person__first_name", "pk")
    )


# Comparing versions (issue 4: the manager's compare page).

COMPARE_LIST_CAP = 500


@dataclass
class VersionChanges:
    """What a draft changes against another version (usually the year's published one), each list capped.

    `blocks`: (person, block, from rotation or None, to rotation or None); `sessions`: (person, date, session,
    from activity, to activity); `calls`: (person, local start, "added"|"removed"); and the full counts.
    """

    blocks: list[tuple[Person, Block, RotationTemplate | None, RotationTemplate | None]]
    sessions: list[tuple[Person, dt.date, str, str, str]]
    calls: list[tuple[Person, dt.datetime, str]]
    block_count: int = 0
    session_count: int = 0
    call_count: int = 0
    cap: int = COMPARE_LIST_CAP


def version_changes(*, version: ScheduleVersion, base: ScheduleVersion | None) -> VersionChanges:
    """Cells of `version` that differ from `base` (None: everything in `version` is new), in a fixed number of
    queries; activities are shown by their labels."""
    zone = version.program.zone
    labels = dict(SessionAssignment.Activity.choices)

    def cells(model, fields: tuple[str, ...], of: ScheduleVersion | None) -> dict:
        if of is None:
            return {}
        return {row[:-1]: row[-1] for row in model.objects.filter(version=of).values_list(*fields)}

    block_fields = ("person_id", "block_id", "half", "rotation_id")
    new_blocks, old_blocks = cells(BlockAssignment, block_fields, version), cells(BlockAssignment, block_fields, base)
    block_keys = sorted(k for k in new_blocks.keys() | old_blocks.keys() if new_blocks.get(k) != old_blocks.get(k))
    session_fields = ("person_id", "date", "session", "activity")
    new_sessions = cells(SessionAssignment, session_fields, version)
    old_sessions = cells(SessionAssignment, session_fields, base)
    session_keys = sorted(
        (k for k in new_sessions.keys() | old_sessions.keys() if new_sessions.get(k) != old_sessions.get(k)),
        key=lambda k: (k[1], k[2], k[0]),
    )

    def call_set(of: ScheduleVersion | None) -> set[tuple[int, dt.datetime]]:
        if of is None:
            return set()
        return set(CallAssignment.objects.filter(version=of).values_list("person_id", "start"))

    new_calls, old_calls = call_set(version), call_set(base)
    call_changes = sorted(
        [(p, s, "added") for p, s in new_calls - old_calls] + [(p, s, "removed") for p, s in old_calls - new_calls],
        key=lambda item: (item[1], item[0]),
    )
    cap = COMPARE_LIST_CAP
    shown_people = {k[0] for k in block_keys[:cap]} | {k[0] for k in session_keys[:cap]}
    shown_people |= {p for p, _, _ in call_changes[:cap]}
    people = Person.objects.filter(program_id=version.program_id).in_bulk(shown_people)
    blocks = Block.objects.filter(academic_year_id=version.academic_year_id).in_bulk()
    rotations = RotationTemplate.objects.filter(program_id=version.program_id).in_bulk()
    return VersionChanges(
        blocks=[
            (people[k[0]], blocks[k[1]], rotations.get(old_blocks.get(k)), rotations.get(new_blocks.get(k)))
            for k in block_keys[:cap]
        ],
        sessions=[
            (
                people[k[0]],
                k[1],
                k[2],
                labels.get(old_sessions.get(k), "—"),
                labels.get(new_sessions.get(k), "—"),
            )
            for k in session_keys[:cap]
        ],
        calls=[(people[p], start.astimezone(zone), what) for p, start, what in call_changes[:cap]],
        block_count=len(block_keys),
        session_count=len(session_keys),
        call_count=len(call_changes),
        cap=cap,
    )


UPCOMING_SESSIONS = 6
UPCOMING_CALLS = 5


def person_upcoming(
    *, version: ScheduleVersion, person: Person, now: dt.datetime | None = None
) -> tuple[list[SessionAssignment], list[CallAssignment]]:
    """A person's next working half-days (off and leave left out) and next calls in a version, from today."""
    now = now or timezone.now()
    today = timezone.localtime(now, version.program.zone).date()
    sessions = (
        SessionAssignment.objects.filter(version=version, person=person, date__gte=today)
        .exclude(activity__in=(SessionAssignment.Activity.OFF, SessionAssignment.Activity.LEAVE))
        .select_related("rotation")
        .order_by("date", "session")[:UPCOMING_SESSIONS]
    )
    calls = CallAssignment.objects.filter(version=version, person=person, end__gte=now).order_by("start")
    return list(sessions), list(calls[:UPCOMING_CALLS])
