"""A small published schedule for the export and feed tests (not a test module)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from scheduling.models import (
    AcademicYear,
    CalendarDay,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
)
from tests.scheduling.factories import (
    AcademicYearFactory,
    BlockAssignmentFactory,
    BlockFactory,
    CallAssignmentFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)


@dataclass
class Cast:
    """The year, its published version, two residents, two rotations and a day D with sessions and a call."""

    year: AcademicYear
    version: ScheduleVersion
    ann: Person
    ben: Person
    inpatient: RotationTemplate
    clinic: RotationTemplate
    day: dt.date
    holiday: dt.date


def local(program, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at the program's local clock time on `day`."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=program.zone)


def version_of(year, number: int, status=ScheduleVersion.Status.PUBLISHED) -> ScheduleVersion:
    published_at = timezone.now() - dt.timedelta(hours=1) if status != ScheduleVersion.Status.DRAFT else None
    return ScheduleVersionFactory(academic_year=year, number=number, status=status, published_at=published_at)


def fill(version: ScheduleVersion, cast: "Cast", *, call_hour: int = 17) -> None:
    """Block rotations, D's sessions (Ann: inpatient all day, D+1 clinic AM; Ben: clinic AM) and Ann's call."""
    program = version.program
    blocks = list(cast.year.blocks.order_by("number"))
    BlockAssignmentFactory(version=version, block=blocks[0], person=cast.ann, rotation=cast.inpatient)
    BlockAssignmentFactory(version=version, block=blocks[1], person=cast.ann, rotation=cast.clinic)
    BlockAssignmentFactory(version=version, block=blocks[0], person=cast.ben, rotation=cast.clinic)
    inpatient = {"activity": SessionAssignment.Activity.INPATIENT, "rotation": cast.inpatient}
    for session in ("AM", "PM"):
        SessionAssignmentFactory(version=version, person=cast.ann, date=cast.day, session=session, **inpatient)
    SessionAssignmentFactory(version=version, person=cast.ann, date=cast.day + dt.timedelta(days=1), session="AM")
    SessionAssignmentFactory(version=version, person=cast.ben, date=cast.day, session="AM", rotation=cast.clinic)
    CallAssignmentFactory(
        version=version,
        person=cast.ann,
        kind=CallAssignment.Kind.IN_HOUSE,
        start=local(program, cast.day, call_hour),
        end=local(program, cast.day + dt.timedelta(days=1), 8),
    )


def build(program, *, ann_user=None) -> Cast:
    """A current year holding today with 13 blocks and a published version filled by `fill`."""
    today = program.today()
    start = dt.date(today.year if today.month >= 7 else today.year - 1, 7, 1)
    year = AcademicYearFactory(
        program=program,
        name=f"{start.year}-{start.year + 1}",
        start_date=start,
        end_date=dt.date(start.year + 1, 6, 30),
        is_current=True,
    )
    for number in range(1, 14):
        BlockFactory(academic_year=year, number=number)
    inpatient = RotationTemplateFactory(program=program, name="Inpatient medicine", abbreviation="IM", colour="#1f3a93")
    clinic = RotationTemplateFactory(
        program=program,
        name="Family clinic",
        abbreviation="FMC",
        colour="#ffdd57",
        kind=RotationTemplate.Kind.OUTPATIENT_CLINIC,
    )
    ann = ResidentFactory(program=program, first_name="Ann", last_name="Able", pgy=1, user=ann_user)
    ben = ResidentFactory(program=program, first_name="Ben", last_name="Baker", pgy=2)
    day = start + dt.timedelta(days=7)
    holiday = day + dt.timedelta(days=2)
    CalendarDay.objects.create(
        program=program, date=holiday, day_type=CalendarDay.DayType.FEDERAL_HOLIDAY, name="Founders Day"
    )
    cast = Cast(year, version_of(year, 1), ann, ben, inpatient, clinic, day, holiday)
    fill(cast.version, cast)
    return cast
