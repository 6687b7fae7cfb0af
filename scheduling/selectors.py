"""Reads of a program's people, rotations and calendar, scoped to the program and prefetched."""

import datetime as dt
import zoneinfo
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from scheduling.models import AcademicYear, Block, CalendarDay, Person, RotationTemplate
from tenants.models import Organization


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
    years = academic_year_list(program=program)
    year = years.filter(is_current=True).first() or years.filter(start_date__lte=today, end_date__gte=today).first()
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
