"""Helpers for the manager-page tests: a small year with a hand-made schedule version."""

import datetime as dt
from dataclasses import dataclass

from scheduling.models import AcademicYear, Block, Person, RotationTemplate, ScheduleVersion
from scheduling.services import academic_year_create, block_assignment_change, call_assignment_change
from tests.scheduling.factories import ResidentFactory, RotationTemplateFactory, ScheduleVersionFactory

JULY_1 = dt.date(2026, 7, 1)  # a Wednesday; block 1 runs to 28 July


@dataclass
class Setup:
    year: AcademicYear
    version: ScheduleVersion
    resident: Person
    clinic: RotationTemplate
    nights: RotationTemplate
    block: Block


def small_schedule(
    program, coordinator, *, status: str = ScheduleVersion.Status.DRAFT, start: dt.date = JULY_1, user=None
) -> Setup:
    """A year of 13 blocks; a PGY-2 on a Monday-Friday clinic rotation in block 1 with calls every fourth night."""
    year = academic_year_create(program=program, start_date=start, make_current=True)
    resident = ResidentFactory(program=program, pgy=2, first_name="Rita", last_name="Resident", user=user)
    clinic = RotationTemplateFactory(
        program=program, name="Clinic", abbreviation="CL", kind=RotationTemplate.Kind.OUTPATIENT_CLINIC
    )
    nights = RotationTemplateFactory(
        program=program,
        name="Night float",
        abbreviation="NF",
        kind=RotationTemplate.Kind.NIGHT_FLOAT,
        is_night=True,
        work_days=[0, 1, 2, 3, 4, 5, 6],
        max_residents=3,
    )
    extra = {"published_at": dt.datetime(2026, 6, 1, tzinfo=dt.UTC)} if status != "draft" else {}
    version = ScheduleVersionFactory(academic_year=year, program=program, number=1, status=status, **extra)
    block = year.blocks.get(number=1)
    block_assignment_change(version=version, person=resident, block=block, rotation=clinic, user=coordinator)
    for offset in range(0, 28, 4):
        call_assignment_change(
            version=version, person=resident, date=start + dt.timedelta(days=offset), action="add", user=coordinator
        )
    return Setup(year, version, resident, clinic, nights, block)
