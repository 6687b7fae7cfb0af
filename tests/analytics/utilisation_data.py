"""Builders for the resilience tests: a ward that needs six residents a day, and a published schedule (not a test
module)."""

import datetime as dt

from django.utils import timezone

from absences.models import Absence
from scheduling.models import BlockAssignment, CallAssignment, ScheduleVersion, SessionAssignment
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import (
    AcademicYearFactory,
    BlockFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
)

MONDAY = dt.date(2026, 8, 3)


class Ward:
    """`residents` PGY-1 residents, a Monday-Friday ward needing `need` of them, the 2026-2027 year published."""

    def __init__(self, program, *, residents: int = 10, need: int = 6) -> None:
        self.program = program
        self.year = AcademicYearFactory(
            program=program, name="2026-2027", start_date=dt.date(2026, 7, 1), end_date=dt.date(2027, 6, 30)
        )
        self.version = ScheduleVersionFactory(
            academic_year=self.year, status=ScheduleVersion.Status.PUBLISHED, published_at=timezone.now()
        )
        self.ward = RotationTemplateFactory(
            program=program, name="Inpatient ward", abbreviation="WARD", min_residents=need
        )
        self.people = [ResidentFactory(program=program, pgy=1, last_name=f"Res{i:02d}") for i in range(residents)]

    def staff(self, start: dt.date, days: int, count: int) -> None:
        """`count` residents hold the ward for the block(s) holding start .. start + days - 1, and work on it AM and
        PM on each work day of those days."""
        last = start + dt.timedelta(days=days - 1)
        number = 1
        while True:
            first = self.year.start_date + dt.timedelta(days=28 * (number - 1))
            end = first + dt.timedelta(days=27)
            if first > last:
                break
            if end >= start:
                block = BlockFactory(academic_year=self.year, number=number)
                for person in self.people[:count]:
                    BlockAssignment.objects.create(
                        program=self.program, version=self.version, block=block, person=person, rotation=self.ward
                    )
            number += 1
        rows = []
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            if day.weekday() > 4:
                continue
            for person in self.people[:count]:
                for session in ("AM", "PM"):
                    rows.append(
                        SessionAssignment(
                            program=self.program,
                            version=self.version,
                            person=person,
                            date=day,
                            session=session,
                            activity=SessionAssignment.Activity.INPATIENT,
                            rotation=self.ward,
                        )
                    )
        SessionAssignment.objects.bulk_create(rows)

    def away(self, person, start: dt.date, end: dt.date | None = None, *, status=Absence.Status.APPROVED, half=""):
        return AbsenceFactory(
            program=self.program, person=person, start_date=start, end_date=end or start, status=status, half_day=half
        )

    def call(self, person, night: dt.date) -> CallAssignment:
        zone = self.program.zone
        return CallAssignment.objects.create(
            program=self.program,
            version=self.version,
            person=person,
            kind=CallAssignment.Kind.IN_HOUSE,
            start=dt.datetime.combine(night, dt.time(17), tzinfo=zone),
            end=dt.datetime.combine(night + dt.timedelta(days=1), dt.time(8), tzinfo=zone),
        )
