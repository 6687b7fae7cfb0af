"""Reads of a program's people, rotations and calendar, scoped to the program and prefetched."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from scheduling.day_view import activity_label
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
from tenants.params import parse_id

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
    pk = parse_id(which)
    if pk is not None:
        return versions.filter(pk=pk).first()
    return None


def date_range_refusal(start: dt.date | None, end: dt.date | None) -> str | None:
    """Why a requested range cannot be served (a message for the person), or None when it is fine."""
    if start is None or end is None:
        return "Give a start and an end date as YYYY-MM-DD."
    if end < start:
        return "The end date is before the start date."
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        return "A date range can cover at most two years."
    return None


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
    """The program's half-day activities of every version, by date, session and person id, with person and rotation."""
    return (
        SessionAssignment.objects.for_program(program)
        .select_related("version", "person", "rotation")
        .order_by("date", "session", "person_id", "pk")  # by columns of its own: no sort over a join
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

    def label(activity: str | None, person: Person) -> str:
        return activity_label(activity, resident=person.kind == Person.Kind.RESIDENT) if activity else "—"

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
                label(old_sessions.get(k), people[k[0]]),
                label(new_sessions.get(k), people[k[0]]),
            )
            for k in session_keys[:cap]
        ],
        calls=[(people[p], start.astimezone(zone), what) for p, start, what in call_changes[:cap]],
        block_count=len(block_keys),
        session_count=len(session_keys),
        call_count=len(call_changes),
        cap=cap,
    )
