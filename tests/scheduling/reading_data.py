"""Builders for the reading pages' tests: a year with blocks, versions and a small cast (not a test module)."""

import datetime as dt

from django.utils import timezone

from scheduling.models import ScheduleVersion
from tests.scheduling.factories import AcademicYearFactory, BlockFactory, ScheduleVersionFactory


def year_holding(program, day: dt.date | None = None, blocks: int = 13):
    """An academic year (1 July - 30 June) of `program` holding `day` (the program's today by default)."""
    day = day or program.today()
    start = dt.date(day.year if day.month >= 7 else day.year - 1, 7, 1)
    year = AcademicYearFactory(
        program=program,
        name=f"{start.year}-{start.year + 1}",
        start_date=start,
        end_date=dt.date(start.year + 1, 6, 30),
        is_current=True,
    )
    for number in range(1, blocks + 1):
        BlockFactory(academic_year=year, number=number)
    return year


def published(year, number: int = 1):
    """The published version of `year`."""
    return ScheduleVersionFactory(
        academic_year=year, number=number, status=ScheduleVersion.Status.PUBLISHED, published_at=timezone.now()
    )


def draft(year, number: int = 2):
    """A draft version of `year`."""
    return ScheduleVersionFactory(academic_year=year, number=number, status=ScheduleVersion.Status.DRAFT)
