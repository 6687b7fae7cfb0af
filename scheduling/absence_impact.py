"""What an absence does to the published schedule, and repairing the schedule around it (issue 6).

This is the scheduling side of absences (absences sits below scheduling and never reads the schedule):
- `absence_conflicts`: the person's rotations, half-days, calls and FMIT weeks in the absence's dates in the
  published version of each academic year it touches, the coverage left on rotations with a minimum, and the
  ACGME picture with the days taken as leave;
- `absence_repair_start`: a minimal-change re-solve of the blocks the absence touches and of those sharing an
  ACGME window with it, with the published version as the reference (the engine sees approved absences through
  engine_io.problem_for) and the published schedule around them as fixed context. Its draft keeps the published
  rows of the rest of the year (engine_io.solution_write does that for every partial run), and the run's verdict
  is the checker's on that whole draft.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from absences.models import Absence
from scheduling.compliance import Changes, absence_changes, person_report, report_groups
from scheduling.day_view import HalfDay, SessionGrid, activity_label, session_grid
from scheduling.engine.acgme import Report
from scheduling.engine.duties import AcgmeLimits
from scheduling.fmit_config import fmit_settings
from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    Session,
    SessionAssignment,
)
from scheduling.program_settings import scheduling_settings
from scheduling.services import schedule_run_start
from tenants.access import ensure_allowed
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

Activity = SessionAssignment.Activity
NOT_A_HIT = frozenset({Activity.OFF, Activity.LEAVE})  # half-days the absence takes nothing from
REPAIR_TIME_LIMIT = 60
REPAIR_KEY = "absence_id"  # the run parameter naming the absence a repair run is for


@dataclass(frozen=True)
class RotationHit:
    """The person's rotation in a block the absence touches, and how many of the block's days it takes."""

    block: Block
    rotation: RotationTemplate
    days: int

    @property
    def leave_allowed(self) -> bool:
        return self.rotation.leave_allowed


@dataclass(frozen=True)
class Shortfall:
    """A rotation whose residents in a block drop below its minimum without the absent person."""

    block: Block
    rotation: RotationTemplate
    left: int
    minimum: int


@dataclass
class YearImpact:
    """The absence against one academic year's published schedule (none published: nothing to hit)."""

    year: AcademicYear
    version: ScheduleVersion | None
    start: dt.date
    end: dt.date
    blocks: list[Block] = field(default_factory=list)
    rotations: list[RotationHit] = field(default_factory=list)
    sessions: list[tuple[str, int]] = field(default_factory=list)  # (activity label, half-days)
    calls: list[CallAssignment] = field(default_factory=list)
    fmit_weeks: list[dt.date] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    acgme_before: Report | None = None
    acgme_after: Report | None = None
    acgme_groups: list = field(default_factory=list)

    @property
    def session_count(self) -> int:
        return sum(count for _, count in self.sessions)

    @property
    def no_leave_rotations(self) -> list[RotationHit]:
        return [hit for hit in self.rotations if not hit.leave_allowed]

    @property
    def block_numbers(self) -> range | None:
        if not self.blocks:
            return None
        return range(self.blocks[0].number, self.blocks[-1].number + 1)

    def repair_blocks(self) -> range:
        """The blocks a repair re-solves: those the absence touches and those sharing an ACGME window with it.
        Its leave changes the averages of every window holding one of its days (the free days a window needs are
        then owed by its other days, up to window_days - 1 days away), and a repair can mend only what it solves."""
        reach = dt.timedelta(days=int(AcgmeLimits(**scheduling_settings(self.year.program).acgme).window_days) - 1)
        numbers = list(
            Block.objects.filter(
                academic_year=self.year, start_date__lte=self.end + reach, end_date__gte=self.start - reach
            ).values_list("number", flat=True)
        )
        return range(min(numbers), max(numbers) + 1)


@dataclass
class AbsenceImpact:
    """What an absence hits, per academic year it touches."""

    absence: Absence
    years: list[YearImpact]

    @property
    def has_conflicts(self) -> bool:
        return any(
            y.rotations
            or y.sessions
            or y.calls
            or y.fmit_weeks
            or y.shortfalls
            or (y.acgme_after and not y.acgme_after.compliant)
            for y in self.years
        )

    @property
    def repairable_year(self) -> YearImpact | None:
        """The first year with a published schedule and blocks in the absence's dates."""
        return next((y for y in self.years if y.version is not None and y.blocks), None)


def _absence_days(absence: Absence, start: dt.date, end: dt.date) -> list[dt.date]:
    low, high = max(absence.start_date, start), min(absence.end_date, end)
    return [low + dt.timedelta(days=i) for i in range((high - low).days + 1)] if low <= high else []


def _sessions_of(absence: Absence) -> tuple[str, ...]:
    """The half-days of each absent day: both, or the one of a half-day absence."""
    return {"am": (Session.AM,), "pm": (Session.PM,)}.get(absence.half_day, (Session.AM, Session.PM))


def leave_changes(*, absence: Absence, version: ScheduleVersion, start: dt.date, end: dt.date) -> Changes:
    """The version with the absent half-days made leave and (for whole days) the calls starting on them removed."""
    calls = CallAssignment.objects.filter(version=version, person_id=absence.person_id)
    return absence_changes(absences=[absence], calls=calls, zone=version.program.zone, start=start, end=end)


def _year_impact(absence: Absence, year: AcademicYear, version: ScheduleVersion | None) -> YearImpact:
    start, end = max(absence.start_date, year.start_date), min(absence.end_date, year.end_date)
    impact = YearImpact(year=year, version=version, start=start, end=end)
    impact.blocks = list(
        Block.objects.filter(academic_year=year, start_date__lte=end, end_date__gte=start).order_by("number")
    )
    if version is None:
        return impact
    person = absence.person
    zone = year.program.zone
    block_rows = list(
        BlockAssignment.objects.filter(version=version, block__in=impact.blocks).select_related("rotation", "block")
    )
    for row in block_rows:
        if row.person_id == person.pk:
            impact.rotations.append(
                RotationHit(
                    block=row.block,
                    rotation=row.rotation,
                    days=len(_absence_days(absence, row.block.start_date, row.block.end_date)),
                )
            )
    wanted_sessions = _sessions_of(absence)
    sessions = SessionAssignment.objects.filter(
        version=version, person=person, date__range=(start, end), session__in=wanted_sessions
    ).exclude(activity__in=NOT_A_HIT)
    counted = Counter(sessions.values_list("activity", flat=True))
    resident = person.kind == Person.Kind.RESIDENT
    labelled = ((activity_label(a, resident=resident), n) for a, n in counted.items())
    impact.sessions = sorted(labelled, key=lambda item: -item[1])
    if person.kind == Person.Kind.FACULTY:
        week_start = fmit_settings(year).week_start_day
        fmit_days = sessions.filter(activity=Activity.FMIT).values_list("date", flat=True)
        impact.fmit_weeks = sorted({d - dt.timedelta(days=(d.weekday() - week_start) % 7) for d in fmit_days})
    if not absence.half_day:
        days = set(_absence_days(absence, start, end))
        impact.calls = [
            call
            for call in CallAssignment.objects.filter(version=version, person=person).order_by("start")
            if call.start.astimezone(zone).date() in days
        ]
    impact.shortfalls = _shortfalls(absence, impact.blocks, block_rows)
    if person.kind == Person.Kind.RESIDENT:
        impact.acgme_before = person_report(version=version, person_ids=[person.pk])
        changes = leave_changes(absence=absence, version=version, start=start, end=end)
        impact.acgme_after = person_report(version=version, person_ids=[person.pk], changes=changes)
        impact.acgme_groups = report_groups(report=impact.acgme_after, program_id=year.program_id)
    return impact


def _shortfalls(absence: Absence, blocks: list[Block], block_rows: list[BlockAssignment]) -> list[Shortfall]:
    """Per block, rotations with a minimum whose other residents fall below it once the absent person is gone."""
    if absence.half_day:
        return []
    on_rotation: dict[tuple[int, int], set[int]] = defaultdict(set)
    rotations: dict[int, RotationTemplate] = {}
    for row in block_rows:
        on_rotation[(row.block_id, row.rotation_id)].add(row.person_id)
        rotations[row.rotation_id] = row.rotation
    found = []
    for block in blocks:
        for (block_id, rotation_id), people in sorted(on_rotation.items()):
            rotation = rotations[rotation_id]
            if block_id != block.pk or absence.person_id not in people or not rotation.min_residents:
                continue
            left = len(people - {absence.person_id})
            if left < rotation.min_residents:
                found.append(Shortfall(block=block, rotation=rotation, left=left, minimum=rotation.min_residents))
    return found


def absence_conflicts(*, absence: Absence) -> AbsenceImpact:
    """What the absence hits in the published version of each academic year its dates touch."""
    years = list(
        AcademicYear.objects.filter(
            program_id=absence.program_id, start_date__lte=absence.end_date, end_date__gte=absence.start_date
        )
        .select_related("program")
        .order_by("start_date")
    )
    published = {
        v.academic_year_id: v
        for v in ScheduleVersion.objects.filter(
            academic_year__in=years, status=ScheduleVersion.Status.PUBLISHED
        ).select_related("program", "academic_year")
    }
    return AbsenceImpact(absence=absence, years=[_year_impact(absence, y, published.get(y.pk)) for y in years])


@dataclass
class Unrepaired:
    """An approved absence the published schedule has not caught up with: its person still has duty on its days
    (working half-days, calls), and the rotations left below their minimum without them (as on its impact page)."""

    absence: Absence
    duty: list[HalfDay]
    calls: list[CallAssignment]
    shortfalls: list[Shortfall]
    blocks: list[Block]


def unrepaired_absences(*, version: ScheduleVersion, today: dt.date) -> list[Unrepaired]:
    """Approved absences from `today` to the end of the version's year that the version still gives duty in, in a
    fixed number of queries: "short after absence" until a repair is published."""
    year = version.academic_year
    start, end = max(today, year.start_date), year.end_date
    absences = list(
        Absence.objects.filter(program_id=version.program_id)
        .approved()
        .overlapping(start, end)
        .select_related("person")
        .order_by("start_date", "pk")
    )
    if not absences:
        return []
    low, high = max(start, min(a.start_date for a in absences)), min(end, max(a.end_date for a in absences))
    grid = session_grid(version=version, start=low, end=high, person_ids=sorted({a.person_id for a in absences}))
    zone = version.program.zone
    found = []
    for absence in absences:
        duty = [h for h in grid.duty_left if h.absence is not None and h.absence.pk == absence.pk]
        span = (absence.start_date, absence.end_date)
        calls = [c for c in grid.dropped_calls if c.person_id == absence.person_id and _starts_within(c, span, zone)]
        if duty or calls:
            found.append(Unrepaired(absence=absence, duty=duty, calls=calls, shortfalls=[], blocks=[]))
    if found:
        blocks = list(Block.objects.filter(academic_year_id=year.pk).order_by("number"))
        for item in found:
            absence = item.absence
            item.blocks = [b for b in blocks if b.start_date <= absence.end_date and b.end_date >= absence.start_date]
        touched = {b.pk for item in found for b in item.blocks}
        rows = list(
            BlockAssignment.objects.filter(
                version=version, block_id__in=touched, rotation__min_residents__gt=0
            ).select_related("rotation")
        )
        for item in found:
            mine = {b.pk for b in item.blocks}
            item.shortfalls = _shortfalls(item.absence, item.blocks, [r for r in rows if r.block_id in mine])
    return found


def _starts_within(call: CallAssignment, span: tuple[dt.date, dt.date], zone) -> bool:
    return span[0] <= call.start.astimezone(zone).date() <= span[1]


@dataclass(frozen=True)
class DayShortfall:
    """A rotation with fewer residents at work on a day than its minimum, because some of its residents are on
    leave that day."""

    rotation: RotationTemplate
    present: int
    minimum: int
    away: list[tuple[Person, str]]  # (person, what keeps them away)


def day_shortfalls(*, version: ScheduleVersion, day: dt.date, grid: SessionGrid) -> list[DayShortfall]:
    """Rotations with a minimum whose residents of the day's block, less those on leave all that day in `grid`,
    fall below it."""
    rows = BlockAssignment.objects.filter(
        version=version,
        block__academic_year_id=version.academic_year_id,
        block__start_date__lte=day,
        block__end_date__gte=day,
        rotation__min_residents__gt=0,
    ).select_related("rotation", "block", "person")
    on: dict[int, list[BlockAssignment]] = defaultdict(list)
    for row in rows:
        second_half = (day - row.block.start_date).days >= 14
        if row.half == BlockAssignment.Half.WHOLE or row.half == (2 if second_half else 1):
            on[row.rotation_id].append(row)
    found = []
    for assigned in on.values():
        rotation = assigned[0].rotation
        away = []
        for row in assigned:
            am, pm = grid.day(row.person_id, day)
            if am is not None and pm is not None and am.is_leave and pm.is_leave:
                away.append((row.person, am.label))
        if away and len(assigned) - len(away) < rotation.min_residents:
            found.append(DayShortfall(rotation, len(assigned) - len(away), rotation.min_residents, away))
    return sorted(found, key=lambda item: item.rotation.name)


def absence_repair_runs(*, absence: Absence) -> list[ScheduleRun]:
    """The repair runs started for this absence, newest first."""
    return list(
        ScheduleRun.objects.filter(program_id=absence.program_id, **{f"parameters__{REPAIR_KEY}": absence.pk})
        .select_related("academic_year")
        .order_by("-created_at")
    )


def absence_repair_start(
    *,
    absence: Absence,
    user,
    time_limit: float = REPAIR_TIME_LIMIT,
    seed: int = 0,
    workers: int = 2,
    work_limit: float | None = None,
) -> ScheduleRun:
    """Start a minimal-change re-solve of the blocks the approved absence touches and of those sharing an ACGME
    window with it (`YearImpact.repair_blocks`; the published version is the reference the run stays close to and
    its schedule around them fixed context); the draft is compared and published from the run's page."""
    program = absence.program
    ensure_allowed(user, Action.GENERATE, Resource.SCHEDULE, program, "repair the schedule")
    if absence.status != Absence.Status.APPROVED:
        raise DomainError("Approve the absence first: the engine only plans around approved absences.")
    if absence.half_day:
        raise DomainError(
            "A half-day absence is repaired by editing its half-day cell (and that night's call if need be); "
            "the next schedule run plans around it."
        )
    year = absence_conflicts(absence=absence).repairable_year
    if year is None:
        raise DomainError("No published schedule covers these dates, so there is nothing to repair.")
    blocks = year.repair_blocks()
    with transaction.atomic():  # the run is dispatched after this commit, with its absence recorded
        run = schedule_run_start(
            academic_year=year.year,
            user=user,
            first_block=blocks.start,
            last_block=blocks.stop - 1,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            work_limit=work_limit,
        )
        run.parameters = {**run.parameters, REPAIR_KEY: absence.pk}
        run.save(update_fields=["parameters"])
    return run
