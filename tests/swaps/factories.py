"""Builders for the swaps tests (not a test module): a small published schedule of a program, a few weeks ahead
of today so that every shift in it can still be swapped, with residents and faculty who log in.

`swap_world(program)` makes, in the academic year holding the day three weeks from today (made current):
- rotations Clinic (outpatient, Monday-Friday, PGY 1-3), Wards (inpatient, call-eligible, Monday-Saturday)
  and Electives (Monday-Wednesday only, so its residents are free Thursday to Sunday);
- residents Ann (PGY-1), Ben (PGY-2), Cleo (PGY-2) and Dan (PGY-3), each with a login (role resident): in the
  first block used, Ann and Ben on Wards, Cleo on Electives, Dan on Clinic; in the next block (when the year
  has one) Ann on Clinic, Ben on Electives, Cleo on Wards, Dan on Wards;
- resident in-house calls: Ann and Ben every fourth night of the first block (Ann from its 3rd day, Ben from
  its 5th), Cleo and Dan every fourth night of the next block, each with its post-call morning;
- faculty Fay and Gus (core, faculty call on, FMIT target), each with a login (role faculty): Fay in clinic
  every weekday morning, Gus every weekday afternoon, of both blocks; attending calls every other night
  (Fay on even days from the first block's start, Gus on odd ones) of the first block;
- a coordinator (login coordinator-N@example.org) and the published version 1.

Shifts are found by what the schedule holds (`session_day`, `call_night`), never by fixed dates, since the
year depends on today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from scheduling.models import (
    AcademicYear,
    Block,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.services import academic_year_create, scheduling_settings_update
from swaps.shifts import Shift
from tenants.models import Membership, Organization, Role, User
from tests.scheduling.factories import (
    BlockAssignmentFactory,
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
)
from tests.tenants.factories import UserFactory

Activity = SessionAssignment.Activity
FACULTY_CALL = {"nights": [0, 1, 2, 3, 4, 5, 6], "per_night": 1, "min_days_between": 1}
_seq = itertools.count(1)


@dataclasses.dataclass
class SwapWorld:
    program: Organization
    year: AcademicYear
    version: ScheduleVersion
    block: Block  # the first block with a schedule
    next_block: Block | None
    clinic: RotationTemplate
    wards: RotationTemplate
    electives: RotationTemplate
    people: dict[str, Person]  # "ann", "ben", "cleo", "dan", "fay", "gus"
    coordinator: User

    def __getattr__(self, name: str) -> Person:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)

    def user(self, name: str) -> User:
        return self.people[name].user

    @property
    def residents(self) -> list[Person]:
        return [p for p in self.people.values() if p.kind == Person.Kind.RESIDENT]

    @property
    def faculty(self) -> list[Person]:
        return [p for p in self.people.values() if p.kind == Person.Kind.FACULTY]


def login(program: Organization, role: str, **fields) -> User:
    """A user with `role` in the program (password correct-horse-battery)."""
    n = next(_seq)
    user = UserFactory(email=fields.pop("email", f"{role}-{program.slug}-{n}@example.org"), **fields)
    Membership.objects.create(user=user, organization=program, role=role)
    return user


def resident(program: Organization, first_name: str, pgy: int, *, with_user: bool = True) -> Person:
    user = login(program, Role.RESIDENT, first_name=first_name, last_name="Resident") if with_user else None
    return ResidentFactory(program=program, first_name=first_name, last_name="Resident", pgy=pgy, user=user)


def faculty(program: Organization, first_name: str, *, with_user: bool = True, **fields) -> Person:
    user = login(program, Role.FACULTY, first_name=first_name, last_name="Faculty") if with_user else None
    values = {"clinic_min_per_week": None, "clinic_max_per_week": None, "fmit_target_weeks": 4} | fields
    return FacultyFactory(program=program, first_name=first_name, last_name="Faculty", user=user, **values)


def year_ahead(program: Organization, days_ahead: int = 21) -> tuple[AcademicYear, Block]:
    """The academic year holding the day `days_ahead` from today (made current) and the block holding that day."""
    day = program.today() + dt.timedelta(days=days_ahead)
    start = dt.date(day.year if day.month >= 7 else day.year - 1, 7, 1)
    year = AcademicYear.objects.for_program(program).filter(start_date=start).first()
    if year is None:
        year = academic_year_create(program=program, start_date=start, make_current=True)
    block = Block.objects.get(academic_year=year, start_date__lte=day, end_date__gte=day)
    return year, block


KIND_ACTIVITY = {
    RotationTemplate.Kind.INPATIENT: Activity.INPATIENT,
    RotationTemplate.Kind.OUTPATIENT_CLINIC: Activity.CLINIC,
    RotationTemplate.Kind.ELECTIVE: Activity.ELECTIVE,
}


def fill_block(version: ScheduleVersion, person: Person, block: Block, rotation: RotationTemplate) -> None:
    """The person on `rotation` for the whole block: its work days on the rotation's activity, the others off;
    a resident on an inpatient rotation keeps Wednesday afternoon for continuity clinic."""
    BlockAssignmentFactory(version=version, block=block, person=person, rotation=rotation)
    rows = []
    day = block.start_date
    while day <= block.end_date:
        for session in ("AM", "PM"):
            if day.weekday() not in rotation.work_days:
                value = (Activity.OFF, None)
            elif rotation.kind == RotationTemplate.Kind.INPATIENT and day.weekday() == 2 and session == "PM":
                value = (Activity.CLINIC, None)
            else:
                value = (KIND_ACTIVITY[rotation.kind], rotation.pk)
            rows.append(
                SessionAssignment(
                    program_id=version.program_id,
                    version=version,
                    person=person,
                    date=day,
                    session=session,
                    activity=value[0],
                    rotation_id=value[1],
                )
            )
        day += dt.timedelta(days=1)
    bulk_create_with_history(rows, SessionAssignment)


def add_call(version: ScheduleVersion, person: Person, night: dt.date, kind: str = CallAssignment.Kind.IN_HOUSE):
    """A call from 17:00 to 08:00 the next morning (an attending call to 08:00 too); an in-house call makes the
    duty half-days of the next day post-call."""
    zone = version.program.zone
    start = dt.datetime.combine(night, dt.time(17), tzinfo=zone)
    end = dt.datetime.combine(night + dt.timedelta(days=1), dt.time(8), tzinfo=zone)
    call = CallAssignmentFactory(version=version, person=person, kind=kind, start=start, end=end)
    if kind == CallAssignment.Kind.IN_HOUSE:
        after = night + dt.timedelta(days=1)
        SessionAssignment.objects.filter(version=version, person=person, date=after).exclude(
            activity__in=(Activity.OFF, Activity.LEAVE)
        ).update(activity=Activity.POST_CALL, rotation=None)
    return call


def swap_world(program: Organization, *, coordinator: User | None = None, calls: bool = True) -> SwapWorld:
    """The small published schedule described in the module's docstring (rows written directly: fast)."""
    coordinator = coordinator or login(program, Role.COORDINATOR, first_name="Cora", last_name="Coordinator")
    scheduling_settings_update(
        program=program, user=coordinator, settings={"requirements": {"faculty_call": FACULTY_CALL}}
    )
    program.refresh_from_db()
    year, block = year_ahead(program)
    next_block = Block.objects.filter(academic_year=year, number=block.number + 1).first()
    clinic = RotationTemplateFactory(
        program=program, name="Clinic", abbreviation="CL", kind=RotationTemplate.Kind.OUTPATIENT_CLINIC, max_pgy=3
    )
    wards = RotationTemplateFactory(
        program=program,
        name="Wards",
        abbreviation="W",
        kind=RotationTemplate.Kind.INPATIENT,
        call_eligible=True,
        max_pgy=3,
    )
    electives = RotationTemplateFactory(
        program=program,
        name="Electives",
        abbreviation="EL",
        kind=RotationTemplate.Kind.ELECTIVE,
        work_days=[0, 1, 2],
        max_pgy=3,
    )
    version = ScheduleVersionFactory(
        academic_year=year,
        program=program,
        number=1,
        status=ScheduleVersion.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=7),
    )
    people = {
        "ann": resident(program, "Ann", 1),
        "ben": resident(program, "Ben", 2),
        "cleo": resident(program, "Cleo", 2),
        "dan": resident(program, "Dan", 3),
        "fay": faculty(program, "Fay"),
        "gus": faculty(program, "Gus"),
        "hal": faculty(program, "Hal"),
    }
    first = {"ann": wards, "ben": wards, "cleo": electives, "dan": clinic}
    second = {"ann": clinic, "ben": electives, "cleo": wards, "dan": wards}
    for name, rotation in first.items():
        fill_block(version, people[name], block, rotation)
    if next_block is not None:
        for name, rotation in second.items():
            fill_block(version, people[name], next_block, rotation)
    last = (next_block or block).end_date
    day, rows = block.start_date, []
    while day <= last:
        if day.weekday() < 5:
            for name, session in (("fay", "AM"), ("gus", "PM")):
                rows.append(
                    SessionAssignment(
                        program=program,
                        version=version,
                        person=people[name],
                        date=day,
                        session=session,
                        activity=Activity.CLINIC,
                    )
                )
        day += dt.timedelta(days=1)
    bulk_create_with_history(rows, SessionAssignment)
    if calls:
        plan = [("ann", block, 0), ("ben", block, 3)]  # Mondays and Thursdays
        if next_block is not None:
            plan += [("cleo", next_block, 0), ("dan", next_block, 3)]
        for name, where, weekday in plan:
            for n in range(28):
                night = where.start_date + dt.timedelta(days=n)
                if night.weekday() == weekday:
                    add_call(version, people[name], night)
        for n in range(0, 28, 2):
            night = block.start_date + dt.timedelta(days=n)
            add_call(version, people["fay" if n % 4 == 0 else "gus"], night, CallAssignment.Kind.ATTENDING)
    return SwapWorld(
        program=program,
        year=year,
        version=version,
        block=block,
        next_block=next_block,
        clinic=clinic,
        wards=wards,
        electives=electives,
        people=people,
        coordinator=coordinator,
    )


# Finding shifts in the schedule.


def session_day(
    world: SwapWorld,
    person: Person,
    *,
    session: str = "AM",
    activities: tuple[str, ...] = (Activity.CLINIC, Activity.INPATIENT, Activity.ELECTIVE),
    free_for: Person | None = None,
    after: dt.date | None = None,
) -> dt.date:
    """The first day (after `after`) the person works that session (one of `activities`), where `free_for` (if
    given) is free (off or nothing) in the same session and neither is post-call the day after a call."""
    rows = SessionAssignment.objects.filter(
        version=world.version, person=person, session=session, activity__in=activities
    ).order_by("date")
    if after is not None:
        rows = rows.filter(date__gt=after)
    for row in rows:
        if free_for is not None:
            theirs = SessionAssignment.objects.filter(
                version=world.version, person=free_for, date=row.date, session=session
            ).first()
            if theirs is not None and theirs.activity != Activity.OFF:
                continue
        return row.date
    raise AssertionError(f"{person.full_name} has no such {session} half-day")


def continuity_day(world: SwapWorld, person: Person, *, after: dt.date | None = None) -> dt.date:
    """The first day (after `after`) of the person's continuity clinic afternoon (clinic without a rotation)."""
    rows = SessionAssignment.objects.filter(
        version=world.version, person=person, session="PM", activity=Activity.CLINIC, rotation__isnull=True
    ).order_by("date")
    if after is not None:
        rows = rows.filter(date__gt=after)
    row = rows.first()
    assert row is not None, f"{person.full_name} has no continuity clinic afternoon"
    return row.date


def call_nights(world: SwapWorld, person: Person, kind: str = CallAssignment.Kind.IN_HOUSE) -> list[dt.date]:
    """The nights of the person's calls of this kind, in order."""
    zone = world.program.zone
    return sorted(
        c.start.astimezone(zone).date()
        for c in CallAssignment.objects.filter(version=world.version, person=person, kind=kind)
    )


def session_shift(day: dt.date, session: str = "AM") -> Shift:
    return Shift("session", day, session)


def call_shift(night: dt.date) -> Shift:
    return Shift("call", night)


def faculty_call_shift(night: dt.date) -> Shift:
    return Shift("faculty_call", night)


def block_shift(block: Block) -> Shift:
    return Shift("block", block.start_date, "", block.pk)


def rows_of(version: ScheduleVersion, people: list[Person]) -> dict[str, list[tuple]]:
    """Every assignment row of the people in the version, as comparable tuples (ids and values), to show that a
    rollback restored exactly what was there or that a refused swap moved nothing."""
    ids = [p.pk for p in people]
    from scheduling.models import BlockAssignment

    fields = {
        "blocks": (BlockAssignment, ("id", "person_id", "block_id", "half", "rotation_id", "source", "swap_id")),
        "sessions": (
            SessionAssignment,
            ("id", "person_id", "date", "session", "activity", "rotation_id", "source", "swap_id"),
        ),
        "calls": (CallAssignment, ("id", "person_id", "kind", "start", "end", "worked_hours", "source", "swap_id")),
    }
    return {
        name: sorted(model.objects.filter(version=version, person_id__in=ids).values_list(*names))
        for name, (model, names) in fields.items()
    }
