"""The one mapping between the database and the engine: ORM rows to a Problem, a Solution back to rows.

Ids in the Problem are stable and reversible: people are "p<pk>", rotations "rot<pk>"; names and
abbreviations travel beside them for readable engine messages.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.db.models import Max, Model, Q
from simple_history.utils import bulk_create_with_history

from absences.selectors import engine_absences
from credentials.selectors import credential_validity
from scheduling.engine.duties import Leave, read_duty
from scheduling.engine.facts import acgme_limits
from scheduling.engine.problem import Absence as EngineAbsence
from scheduling.engine.problem import (
    Block,
    Calendar,
    CallCoverage,
    Context,
    ContextPerson,
    Day,
    Faculty,
    Lock,
    Problem,
    ProblemError,
    Reference,
    RequiredRotation,
    Requirements,
    Resident,
    Rotation,
    SessionClock,
    Staffing,
    problem_from_json,
    problem_to_json,
)
from scheduling.engine.problem import Preference as EnginePreference
from scheduling.engine.solution import Solution
from scheduling.fmit_config import fmit_settings
from scheduling.models import (
    AcademicYear,
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    Person,
    Preference,
    RotationRequirement,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    Session,
    SessionAssignment,
    SessionTime,
    Source,
)
from scheduling.models import Block as BlockRow
from scheduling.program_settings import CallSettings, SchedulingSettings, scheduling_settings
from scheduling.wish_settings import wish_settings
from tenants.errors import DomainError

BATCH_SIZE = 1000

Activity = SessionAssignment.Activity
# Every session activity the engine emits (its own and the rotation kinds), mapped explicitly: an unknown one is
# refused, never dropped. A continuity clinic half-day ("clinic") is stored without a rotation, a day of work on an
# outpatient clinic rotation ("outpatient_clinic") as clinic with its rotation, so the two read back apart.
CONTINUITY_CLINIC = "clinic"
ENGINE_ACTIVITIES: dict[str, str] = {
    CONTINUITY_CLINIC: Activity.CLINIC,
    "outpatient_clinic": Activity.CLINIC,
    "inpatient": Activity.INPATIENT,
    "procedure": Activity.PROCEDURE,
    "conference": Activity.CONFERENCE,
    "didactics": Activity.CONFERENCE,  # the protected weekly didactics half-day, stored with the block's rotation
    "supervising": Activity.SUPERVISING,
    "fmit": Activity.FMIT,
    "night_float": Activity.NIGHT_FLOAT,
    "post_call": Activity.POST_CALL,
    "elective": Activity.ELECTIVE,
    "off": Activity.OFF,
    "leave": Activity.LEAVE,
}
ENGINE_CALL_KINDS: dict[str, str] = {
    "in_house": CallAssignment.Kind.IN_HOUSE,
    "attending": CallAssignment.Kind.ATTENDING,
}
# Who may hold each kind of call the engine makes: residents in-house, faculty the attending (overnight) call.
CALL_PEOPLE: dict[str, str] = {"in_house": Person.Kind.RESIDENT, "attending": Person.Kind.FACULTY}


def person_key(pk: int) -> str:
    return f"p{pk}"


def rotation_key(pk: int) -> str:
    return f"rot{pk}"


def person_pk(key: str) -> int | None:
    """The Person id of an engine person id ("p12" -> 12), None for another kind of id."""
    return _pk(key, "p")


def _pk(key: str, prefix: str) -> int | None:
    digits = key[len(prefix) :] if key.startswith(prefix) else ""
    return int(digits) if digits.isascii() and digits.isdigit() else None


# ---------------------------------------------------------------------------------------------
# ORM rows -> Problem


def problem_for(
    *, academic_year: AcademicYear, blocks: range | None = None, reference_version: ScheduleVersion | None = None
) -> Problem:
    """The engine's Problem for the year's blocks (all of them by default), from the program's rows and settings.

    With a reference version its assignments become the schedule to stay close to, and its manual ones locks; its
    schedule around the blocks becomes their fixed context (`_context`). Refuses with a DomainError naming what is
    wrong (unknown blocks, invalid settings, data the engine rejects).
    """
    return problem_with_wishes(academic_year=academic_year, blocks=blocks, reference_version=reference_version)[0]


def problem_with_wishes(
    *, academic_year: AcademicYear, blocks: range | None = None, reference_version: ScheduleVersion | None = None
) -> tuple[Problem, tuple[int, ...]]:
    """`problem_for`, and the id of the wish (Preference row) behind each of the Problem's preferences, in order:
    `problem.preferences[i]` is wish `ids[i]`, so the outcome of each can be stored after the run."""
    program = academic_year.program
    settings = scheduling_settings(program)
    fmit = fmit_settings(academic_year)
    year_blocks = list(BlockRow.objects.filter(academic_year=academic_year).order_by("number"))
    chosen = _blocks_in(academic_year, year_blocks, blocks)
    start, end = chosen[0].start_date, chosen[-1].end_date
    people = list(Person.objects.for_program(program).filter(is_active=True).order_by("pk"))
    rotations = list(RotationTemplate.objects.for_program(program).filter(is_active=True).order_by("pk"))
    rotation_ids = {rotation.pk for rotation in rotations}
    calendar = Calendar(
        timezone=program.time_zone,
        blocks=tuple(Block(number=b.number, start=b.start_date, end=b.end_date) for b in chosen),
        sessions=_session_clock(program),
        days=_special_days(program, start, end),
        fmit_week_start=fmit.week_start_day,
    )
    req = settings.requirements
    requirements = Requirements(
        staffing=tuple(
            Staffing(rotation=rotation_key(r.pk), min_residents=r.min_residents, max_residents=r.max_residents)
            for r in rotations
            if r.min_residents or r.max_residents is not None
        ),
        required_rotations=_required_rotations(program, rotation_ids, len(year_blocks) - len(chosen)),
        clinic_sessions_per_week=dict(req.clinic_sessions_per_week),
        clinic_capacity=req.clinic_capacity,
        call=tuple(_call_coverage(call) for call in req.call),
        fmit_min_attendings=fmit.min_attendings,
        fmit_max_attendings=fmit.max_attendings,
        didactics=req.didactics,
        faculty_call=req.faculty_call.engine if req.faculty_call is not None else None,
    )
    held = credential_validity(program=program)
    reference, locks = None, ()
    if reference_version is not None:
        zone = program.zone
        reference, locks = _reference(reference_version, people, rotation_ids, chosen, fmit.week_start_day, zone)
    wish_ids, preferences = _wishes(academic_year, people, rotation_ids, chosen, whole_year=chosen == year_blocks)
    problem = Problem(
        name=f"{program.name} {academic_year.name} blocks {chosen[0].number}-{chosen[-1].number}",
        calendar=calendar,
        residents=tuple(_resident(p, held.get(p.pk, {})) for p in people if p.kind == Person.Kind.RESIDENT),
        faculty=tuple(_faculty(p, held.get(p.pk, {}), settings) for p in people if p.kind == Person.Kind.FACULTY),
        rotations=tuple(_rotation(r) for r in rotations),
        requirements=requirements,
        absences=tuple(  # approved absences clipped to the horizon; a half-day one is its session ("am" -> AM)
            EngineAbsence(
                person=person_key(a.person_id),
                start=max(a.start_date, start),
                end=min(a.end_date, end),
                kind=a.kind,
                session=a.half_day.upper() or None,
            )
            for a in engine_absences(program=program, start=start, end=end)
        ),
        preferences=preferences,
        locks=locks,
        rules=fmit.engine_rules(settings.rules),
        acgme=dict(settings.acgme),
        weights=settings.weights,
        reference=reference,
    )
    if reference_version is not None:
        problem = replace(problem, context=_context(reference_version, problem, year_blocks))
    try:  # the engine's own validation, so a bad row fails here with the field named, not mid-solve
        return problem_from_json(problem_to_json(problem)), wish_ids
    except ProblemError as exc:
        raise DomainError(f"{program} cannot be scheduled as set up: {exc}") from exc


def _wishes(
    year: AcademicYear, people: list[Person], rotation_ids: set[int], chosen: list[BlockRow], *, whole_year: bool
) -> tuple[tuple[int, ...], tuple[EnginePreference, ...]]:
    """The active wishes that touch the horizon, as the engine's preferences with the program's weight for their
    priority: weeks that overlap it (of anyone scheduled), rotation wishes and avoids of its residents for one of its
    blocks, avoids for any block, and wishes for a rotation in any block when the horizon is the whole year (a part
    of it cannot tell whether the blocks outside grant them). Returns the wish ids beside them, in the same order."""
    weights = wish_settings(year.program)
    start, end = chosen[0].start_date, chosen[-1].end_date
    scheduled = {p.pk: p for p in people if p.kind in (Person.Kind.RESIDENT, Person.Kind.FACULTY)}
    numbers = {b.pk: b.number for b in chosen}
    rows = (
        Preference.objects.for_program(year.program)
        .active()
        .filter(person_id__in=scheduled)
        .filter(
            Q(week_start__lte=end, week_start__gte=start - dt.timedelta(days=6))
            | Q(academic_year=year, rotation_id__in=rotation_ids, block__isnull=True)
            | Q(academic_year=year, rotation_id__in=rotation_ids, block_id__in=numbers)
        )
        .order_by("pk")
    )
    ids, preferences = [], []
    for wish in rows:
        rotation_kind = wish.rotation_id is not None
        if rotation_kind and scheduled[wish.person_id].kind != Person.Kind.RESIDENT:
            continue  # the engine takes rotation wishes from residents only
        if wish.kind == Preference.Kind.ROTATION_WISH and wish.block_id is None and not whole_year:
            continue
        ids.append(wish.pk)
        preferences.append(
            EnginePreference(
                person=person_key(wish.person_id),
                kind=wish.kind,
                week_start=wish.week_start,
                rotation=rotation_key(wish.rotation_id) if rotation_kind else None,
                block=numbers.get(wish.block_id) if wish.block_id else None,
                weight=weights.weight(wish.priority),
            )
        )
    return tuple(ids), tuple(preferences)


def _context(version: ScheduleVersion, problem: Problem, year_blocks: list[BlockRow]) -> Context | None:
    """The version's schedule around the horizon, fixed for the engine: each resident's duty periods starting, and
    leave lying, in the ACGME window before the first block and after the last (within the year). They are read as
    the compliance pages read them (scheduling.compliance.version_duties), so the run keeps the rules the checker
    then applies to the whole draft. None when the horizon is the whole year.
    """
    from scheduling.compliance import version_duties  # it reads the stored rows with this module's mapping

    first, last = problem.calendar.start, problem.calendar.end
    reach = dt.timedelta(days=acgme_limits(problem).window_days)
    low, high = max(year_blocks[0].start_date, first - reach), min(year_blocks[-1].end_date, last + reach)
    if (low, high) == (first, last):
        return None
    day = dt.timedelta(days=1)
    ids = [pk for resident in problem.residents if (pk := _pk(resident.id, "p")) is not None]
    duties = version_duties(version=version, person_ids=ids)
    zone = zoneinfo.ZoneInfo(duties["timezone"])
    people = []
    for entry in duties["people"]:
        kept = tuple(
            read_duty(item, f"context {entry['id']}", zone)
            for item in entry["duties"]
            if low <= dt.date.fromisoformat(item["start"][:10]) <= high
            and not first <= dt.date.fromisoformat(item["start"][:10]) <= last
        )
        leave = []
        for run in entry["leave"]:
            begin, finish = dt.date.fromisoformat(run["start"]), dt.date.fromisoformat(run["end"])
            for a, b in ((max(begin, low), min(finish, first - day)), (max(begin, last + day), min(finish, high))):
                if a <= b:
                    leave.append(Leave(start=a, end=b))
        if kept or leave:
            people.append(ContextPerson(id=entry["id"], duties=kept, leave=tuple(leave)))
    faculty_calls, faculty_clinic = _faculty_context(version, problem, low, high)
    return Context(
        start=low, end=high, people=tuple(people), faculty_calls=faculty_calls, faculty_clinic=faculty_clinic
    )


def _faculty_context(
    version: ScheduleVersion, problem: Problem, low: dt.date, high: dt.date
) -> tuple[tuple[tuple[str, dt.date], ...], tuple[tuple[str, dt.date], ...]]:
    """The version's faculty calls in low..high outside the horizon, and faculty clinic on the day after it: the
    faculty call keeps its spacing and post-call day against them."""
    first, last = problem.calendar.start, problem.calendar.end
    ids = [pk for fac in problem.faculty if (pk := _pk(fac.id, "p")) is not None]
    zone = zoneinfo.ZoneInfo(problem.calendar.timezone)
    calls = {
        (person_key(person_id), start.astimezone(zone).date())
        for person_id, start in CallAssignment.objects.filter(
            version=version, kind=CallAssignment.Kind.ATTENDING, person_id__in=ids
        ).values_list("person_id", "start")
    }
    outside = sorted((p, d) for p, d in calls if low <= d <= high and not first <= d <= last)
    after = last + dt.timedelta(days=1)
    clinic = SessionAssignment.objects.filter(
        version=version, person_id__in=ids, date=after, activity=Activity.CLINIC
    ).values_list("person_id", flat=True)
    held = tuple(sorted({(person_key(pk), after) for pk in clinic})) if after <= high else ()
    return tuple(outside), held


def _blocks_in(year: AcademicYear, year_blocks: list[BlockRow], wanted: range | None) -> list[BlockRow]:
    if not year_blocks:
        raise DomainError(f"{year} has no blocks to schedule.")
    if wanted is None:
        return year_blocks
    if not len(wanted):
        raise DomainError(f"No blocks of {year} were chosen to schedule.")
    by_number = {b.number: b for b in year_blocks}
    numbers = sorted(by_number)
    missing = [n for n in wanted if n not in by_number]
    if missing:
        raise DomainError(f"{year} has blocks {numbers[0]}-{numbers[-1]}; block {missing[0]} is not one of them.")
    return [by_number[n] for n in wanted]


def _session_clock(program) -> SessionClock:
    times = {row.session: row for row in SessionTime.objects.for_program(program)}
    default = SessionClock()
    am, pm = times.get(Session.AM), times.get(Session.PM)
    return SessionClock(
        am_start=am.start_time if am else default.am_start,
        am_end=am.end_time if am else default.am_end,
        pm_start=pm.start_time if pm else default.pm_start,
        pm_end=pm.end_time if pm else default.pm_end,
    )


def _special_days(program, start: dt.date, end: dt.date) -> tuple[Day, ...]:
    rows = (
        CalendarDay.objects.for_program(program)
        .filter(date__range=(start, end))
        .filter(~Q(day_type=CalendarDay.DayType.NORMAL) | ~Q(capacity_factor=1))
        .order_by("date")
    )
    return tuple(
        Day(date=row.date, day_type=row.day_type, capacity_factor=float(row.capacity_factor), name=row.name)
        for row in rows
    )


def _resident(person: Person, held: dict[str, dt.date | None]) -> Resident:
    """A resident with the credential codes they hold and, for those that expire, their last valid day."""
    return Resident(
        id=person_key(person.pk),
        name=person.full_name,
        pgy=person.pgy,
        credentials=frozenset(held),
        credentials_until=tuple(sorted((code, until) for code, until in held.items() if until is not None)),
    )


def _faculty(person: Person, held: dict[str, dt.date | None], settings: SchedulingSettings) -> Faculty:
    """Faculty with no FMIT target do not attend FMIT; the target is yearly (the engine prorates it). Their
    weekly clinic maximum is their own when set, else their role's (the program's cap for it, else the built-in
    one: a program director 0, a core member 4, an adjunct 0); the roles the faculty call names take it. Their
    credentials (with the last valid day of those that expire) decide which rotations they may supervise."""
    role = person.faculty_role or Person.FacultyRole.CORE
    low = person.clinic_min_per_week or 0
    high = person.clinic_max_per_week
    target = person.fmit_target_weeks or 0
    return Faculty(
        id=person_key(person.pk),
        name=person.full_name,
        role=role,
        clinic_min_per_week=low,
        clinic_max_per_week=max(low, settings.faculty_clinic_cap(role) if high is None else high),
        fmit_target_weeks=target,
        fmit_eligible=target > 0,
        call_eligible=settings.takes_faculty_call(role),
        credentials=frozenset(held),
        credentials_until=tuple(sorted((code, until) for code, until in held.items() if until is not None)),
    )


def _rotation(rotation: RotationTemplate) -> Rotation:
    return Rotation(
        id=rotation_key(rotation.pk),
        name=rotation.name,
        abbreviation=rotation.abbreviation,
        kind=rotation.kind,
        min_pgy=rotation.min_pgy,
        max_pgy=rotation.max_pgy,
        work_days=tuple(sorted(rotation.work_days or ())),
        night=rotation.is_night,
        continuity_clinic=rotation.continuity_clinic,
        call_eligible=rotation.call_eligible,
        leave_allowed=rotation.leave_allowed,
        required_credentials=rotation.required_credential_codes,
        supervisor_credentials=rotation.supervisor_credential_codes,
        half_block=rotation.allows_half_block,
    )


def _required_rotations(program, rotation_ids: set[int], blocks_outside: int) -> tuple[RequiredRotation, ...]:
    """Yearly requirements; on a shorter horizon only what the blocks outside it could not cover is required."""
    required = []
    for row in RotationRequirement.objects.for_program(program).filter(rotation_id__in=rotation_ids).order_by("pk"):
        low = max(0, row.min_blocks - blocks_outside)
        if low or row.max_blocks is not None:
            required.append(
                RequiredRotation(
                    pgy=row.pgy, rotation=rotation_key(row.rotation_id), min_blocks=low, max_blocks=row.max_blocks
                )
            )
    return tuple(required)


def _call_coverage(call: CallSettings) -> CallCoverage:
    return CallCoverage(kind=call.kind, per_night=call.per_night, min_pgy=call.min_pgy)


def _reference(
    version: ScheduleVersion,
    people: list[Person],
    rotation_ids: set[int],
    blocks: list[BlockRow],
    fmit_week_start: int,
    zone: zoneinfo.ZoneInfo,
) -> tuple[Reference, tuple[Lock, ...]]:
    """The version's assignments inside the horizon as the reference; its manual ones as locks.

    Rows of people or rotations no longer active are left out (the engine cannot keep them). Clinic half-days
    without a rotation are continuity clinic; FMIT sessions of faculty give their FMIT weeks.
    """
    kinds = {p.pk: p.kind for p in people}
    start, end = blocks[0].start_date, blocks[-1].end_date
    numbers = {b.pk: b.number for b in blocks}
    rotations: dict[tuple[str, int], str] = {}
    halves: dict[tuple[str, int, int], str] = {}
    locks: list[Lock] = []
    block_rows = (
        BlockAssignment.objects.filter(version=version, block_id__in=numbers, rotation_id__in=rotation_ids)
        .order_by("half")
        .values_list("person_id", "block_id", "half", "rotation_id", "source")
    )
    for person_id, block_id, half, rotation_id, source in block_rows:
        key = (person_key(person_id), numbers[block_id])
        if kinds.get(person_id) != Person.Kind.RESIDENT or key in rotations:
            continue
        if half != BlockAssignment.Half.WHOLE:  # a half: kept as that half (a manual half is not locked)
            halves[(*key, half)] = rotation_key(rotation_id)
            continue
        rotations[key] = rotation_key(rotation_id)
        if source == Source.MANUAL:
            locks.append(Lock(kind="rotation", person=key[0], block=key[1], rotation=rotation_key(rotation_id)))
    calls: set[tuple[str, dt.date]] = set()
    call_rows = CallAssignment.objects.filter(
        version=version, kind__in=(CallAssignment.Kind.IN_HOUSE, CallAssignment.Kind.ATTENDING), person_id__in=kinds
    ).values_list("person_id", "kind", "start", "source")
    for person_id, kind, call_start, source in call_rows:
        night = call_start.astimezone(zone).date()
        if kinds[person_id] != CALL_PEOPLE[kind] or not start <= night <= end:
            continue
        calls.add((person_key(person_id), night))  # a faculty call is kept as a wish to stay close, never a lock
        if source == Source.MANUAL and kind == CallAssignment.Kind.IN_HOUSE:
            locks.append(Lock(kind="call", person=person_key(person_id), date=night))
    fmit_weeks: set[tuple[str, dt.date]] = set()
    clinic: set[tuple[str, dt.date, str]] = set()
    session_rows = SessionAssignment.objects.filter(
        version=version,
        date__range=(start, end),
        activity__in=(Activity.CLINIC, Activity.FMIT),
        person_id__in=kinds,
    ).values_list("person_id", "date", "session", "activity", "rotation_id", "source")
    for person_id, day, session, activity, rotation_id, source in session_rows:
        key = person_key(person_id)
        if activity == Activity.CLINIC and rotation_id is None:  # continuity clinic, not a clinic rotation's day
            clinic.add((key, day, session))
            if source == Source.MANUAL:
                locks.append(Lock(kind="clinic", person=key, date=day, session=session))
        elif activity == Activity.FMIT and kinds[person_id] == Person.Kind.FACULTY:
            week = day - dt.timedelta(days=(day.weekday() - fmit_week_start) % 7)
            fmit_weeks.add((key, week))
            if source == Source.MANUAL and week >= start:
                locks.append(Lock(kind="fmit", person=key, date=week))
    reference = Reference(
        rotations=rotations,
        calls=frozenset(calls),
        fmit_weeks=frozenset(fmit_weeks),
        clinic=frozenset(clinic),
        halves=halves,
    )
    return reference, tuple(dict.fromkeys(locks))


# ---------------------------------------------------------------------------------------------
# Solution -> rows


class _Resolver:
    """Engine ids back to this program's rows; anything unknown is refused with a readable DomainError."""

    def __init__(self, run: ScheduleRun, solution: Solution) -> None:
        person_ids = {_pk(key, "p") for key in _person_keys(solution)}
        rotation_ids = {_pk(a.rotation, "rot") for a in solution.rotations} | {
            _pk(s.rotation, "rot") for s in solution.sessions if s.rotation is not None
        }
        self.people = Person.objects.for_program(run.program_id).in_bulk(person_ids - {None})
        self.rotations = RotationTemplate.objects.for_program(run.program_id).in_bulk(rotation_ids - {None})
        self.blocks = {b.number: b for b in BlockRow.objects.filter(academic_year_id=run.academic_year_id)}

    def person(self, key: str, *, kind: str | None = None) -> Person:
        person = self.people.get(_pk(key, "p"))
        if person is None:
            raise DomainError(f"The engine's schedule names an unknown person {key!r}; nothing was saved.")
        if kind is not None and person.kind != kind:
            raise DomainError(f"The engine gave {person.full_name} ({person.kind}) a {kind}'s assignment.")
        return person

    def rotation(self, key: str) -> RotationTemplate:
        rotation = self.rotations.get(_pk(key, "rot"))
        if rotation is None:
            raise DomainError(f"The engine's schedule names an unknown rotation {key!r}; nothing was saved.")
        return rotation

    def block(self, number: int) -> BlockRow:
        if number not in self.blocks:
            raise DomainError(f"The engine's schedule names block {number}, which this year does not have.")
        return self.blocks[number]


def _person_keys(solution: Solution) -> Iterable[str]:
    for group in (solution.rotations, solution.sessions, solution.calls, solution.fmit_weeks):
        for item in group:
            yield item.person


def solution_write(*, run: ScheduleRun, solution: Solution, note: str | None = None) -> ScheduleVersion:
    """Write the solution as a new draft version of the run's year, all rows in one transaction, source solver
    (noted as generated by the run unless a `note` is given, e.g. a fallback's scenario).

    FMIT weeks become fmit sessions of their faculty; a solution naming an unknown person, rotation, block,
    activity or call kind is refused and leaves nothing behind.
    """
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=run.academic_year_id).exists()  # serialise numbering
        latest = ScheduleVersion.objects.filter(academic_year_id=run.academic_year_id).aggregate(n=Max("number"))["n"]
        version = ScheduleVersion.objects.create(
            program_id=run.program_id,
            academic_year_id=run.academic_year_id,
            number=(latest or 0) + 1,
            run=run,
            note=note or f"Generated by schedule run #{run.pk} ({solution.statistics.status})",
        )
        resolve = _Resolver(run, solution)
        common = {"program_id": run.program_id, "version": version, "source": Source.SOLVER}
        history = {"default_user": run.created_by, "default_change_reason": f"Schedule run #{run.pk}"}
        _bulk(
            BlockAssignment,
            [
                BlockAssignment(
                    person=resolve.person(a.person, kind=Person.Kind.RESIDENT),
                    block=resolve.block(a.block),
                    rotation=resolve.rotation(a.rotation),
                    half=a.half,  # 0 the whole block, 1 its first 14 days, 2 the rest
                    **common,
                )
                for a in solution.rotations
            ],
            history,
        )
        _bulk(SessionAssignment, _sessions(solution, resolve, common), history)
        _bulk(CallAssignment, [_call(c, resolve, common) for c in solution.calls], history)
        _keep_published_outside(run, version)
    return version


def _keep_published_outside(run: ScheduleRun, draft: ScheduleVersion) -> None:
    """A run over some blocks re-solves only those: its draft takes the published version's rows for the rest
    of the year, so that publishing it replaces what the run re-solved and nothing else.
    """
    # Locked like a cell edit locks it, so an edit of the published version lands wholly before or after the copy.
    published = (
        ScheduleVersion.objects.select_for_update()
        .filter(academic_year_id=run.academic_year_id, status=ScheduleVersion.Status.PUBLISHED)
        .first()
    )
    blocks = list(BlockRow.objects.filter(academic_year_id=run.academic_year_id))
    solved = [b for b in blocks if run.first_block <= b.number <= run.last_block]
    if published is None or not solved or len(solved) == len(blocks):
        return
    start, end = min(b.start_date for b in solved), max(b.end_date for b in solved)
    zone = run.academic_year.program.zone
    history = {"default_user": run.created_by, "default_change_reason": f"Kept from version {published.number}"}
    kept_calls = [
        call
        for call in CallAssignment.objects.filter(version=published)
        if not start <= call.start.astimezone(zone).date() <= end
    ]
    for model, rows in (
        (BlockAssignment, BlockAssignment.objects.filter(version=published).exclude(block__in=solved)),
        (SessionAssignment, SessionAssignment.objects.filter(version=published).exclude(date__range=(start, end))),
        (CallAssignment, kept_calls),
    ):
        copies = []
        for row in rows:
            row.pk, row.version = None, draft
            copies.append(row)
        _bulk(model, copies, history)


def _bulk(model: type[Model], rows: list[Model], history: dict[str, Any]) -> None:
    if rows:
        bulk_create_with_history(rows, model, batch_size=BATCH_SIZE, **history)


def _sessions(solution: Solution, resolve: _Resolver, common: dict[str, Any]) -> list[SessionAssignment]:
    rows: dict[tuple[int, dt.date, str], SessionAssignment] = {}
    for item in solution.sessions:
        activity = ENGINE_ACTIVITIES.get(item.activity)
        if activity is None:
            raise DomainError(
                f"The engine produced an unknown activity {item.activity!r} ({item.person} on {item.date} "
                f"{item.session}); nothing was saved."
            )
        if item.session not in Session.values:
            raise DomainError(f"The engine produced an unknown session {item.session!r} for {item.date}.")
        person = resolve.person(item.person)
        slot = (person.pk, item.date, item.session)
        if slot in rows and rows[slot].activity != activity:
            raise DomainError(
                f"The engine gave {person.full_name} two activities on {item.date} {item.session} "
                f"({rows[slot].activity} and {activity}); nothing was saved."
            )
        rotation = None
        if item.rotation is not None and item.activity != CONTINUITY_CLINIC:
            rotation = resolve.rotation(item.rotation)
        rows[slot] = SessionAssignment(
            person=person, date=item.date, session=item.session, activity=activity, rotation=rotation, **common
        )
    for week in solution.fmit_weeks:
        person = resolve.person(week.person, kind=Person.Kind.FACULTY)
        for offset in range((week.end - week.start).days + 1):
            day = week.start + dt.timedelta(days=offset)
            for session in Session.values:
                rows.setdefault(
                    (person.pk, day, session),
                    SessionAssignment(person=person, date=day, session=session, activity=Activity.FMIT, **common),
                )
    return list(rows.values())


def _call(call, resolve: _Resolver, common: dict[str, Any]) -> CallAssignment:
    kind = ENGINE_CALL_KINDS.get(call.kind)
    if kind is None:
        raise DomainError(f"The engine produced an unknown call kind {call.kind!r}; nothing was saved.")
    if call.start.utcoffset() is None or call.end.utcoffset() is None:
        raise DomainError(f"The engine produced a call without a time zone ({call.start}); nothing was saved.")
    person = resolve.person(call.person, kind=CALL_PEOPLE[call.kind])
    return CallAssignment(person=person, kind=kind, start=call.start, end=call.end, **common)
