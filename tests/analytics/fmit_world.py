"""A small published schedule whose FMIT figures are counted by hand (tests/analytics/test_fmit*.py).

Year 2026-2027 (from Wed 1 Jul 2026, 13 blocks of 28 days: Q1 = blocks 1-3, 1 Jul - 22 Sep; Q2 from Wed 23 Sep),
FMIT weeks from Friday, tolerance 1 week; Fri 3 Jul 2026 a federal holiday.
Faculty: Fay (core, target 6, clinic max 4), Gus (core, target 4, clinic max 2), Ida (PD, no target: clinic 0),
Hal (core, target none, no FMIT: not counted).
- Fay: week of Fri 3 Jul (FMIT Fri 3 AM+PM on the holiday, Sat 4 AM, Mon 6 AM+PM, Tue 7 AM: 3 open weekday
  half-days -> 3 lost); week of Fri 17 Jul (Fri 17, Mon 20, Tue 21 AM+PM: 6 -> 4 lost, her max); week of Fri 25 Sep
  (Q2; Mon 28 Sep AM: 1 lost). Attending calls Sat 4 Jul, Fri 17 Jul, Sat 18 Jul (carried: 3), Sun 19 Jul and
  Fri 24 Jul (not FMIT-weekend nights of hers).
- Gus: Thu 2 Jul AM (week of Fri 26 Jun, begun before the year: Q1; 1 lost); week of Fri 10 Jul (Mon 13 AM+PM,
  Wed 15 AM: 3 -> 2 lost, his max). Attending calls Fri 10 Jul (carried) and Sat 11 Jul, on his approved leave:
  dropped, not carried.
- Ida: week of Fri 7 Aug (Fri 7 AM: clinic max 0 -> 0 lost); no target.
Q1: Fay 2 weeks, 3 weekend calls, 7 lost, target 6 x 3/13 = 1.38; Gus 2, 1, 3, target 0.92; Ida 1, 0, 0, 0.
    Gini of [2, 2, 1] = 2/15 = 0.1333; against target 0.62, 1.08, 1: spread 0.46, balanced.
Q2: Fay 1, Gus 0, Ida 0: Gini 0.6667; against target -0.38, -0.92, 0: spread 0.92, balanced.
Year: Fay 3 (8 lost), Gus 2, Ida 1: Gini 4/18 = 0.2222; against target -3, -2, +1: spread 4, unbalanced.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from absences.models import Absence
from scheduling.models import AcademicYear, CalendarDay, CallAssignment, Person, ScheduleVersion, SessionAssignment
from scheduling.services import academic_year_create
from tenants.models import Organization
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import (
    CallAssignmentFactory,
    FacultyFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)

FMIT = SessionAssignment.Activity.FMIT
Role = Person.FacultyRole


@dataclass
class World:
    program: Organization
    year: AcademicYear
    version: ScheduleVersion
    people: dict[str, Person]


def attending_call(version: ScheduleVersion, person: Person, night: dt.date) -> None:
    zone = version.program.zone
    CallAssignmentFactory(
        version=version,
        person=person,
        kind=CallAssignment.Kind.ATTENDING,
        start=dt.datetime.combine(night, dt.time(17), tzinfo=zone),
        end=dt.datetime.combine(night + dt.timedelta(days=1), dt.time(8), tzinfo=zone),
    )


def fmit(version: ScheduleVersion, person: Person, day: dt.date, *sessions: str) -> None:
    for session in sessions or ("AM", "PM"):
        SessionAssignmentFactory(version=version, person=person, date=day, session=session, activity=FMIT)


def build(program: Organization) -> World:
    year = academic_year_create(
        program=program,
        start_date=dt.date(2026, 7, 1),
        make_current=True,
        fmit={"week_start_day": 4, "imbalance_tolerance_weeks": 1},
    )
    version = ScheduleVersionFactory(
        academic_year=year, number=1, status=ScheduleVersion.Status.PUBLISHED, published_at=timezone.now()
    )

    def faculty(name: str, role: str, target: int | None, clinic: int | None) -> Person:
        return FacultyFactory(
            program=program,
            first_name=name,
            last_name="Faculty",
            faculty_role=role,
            fmit_target_weeks=target,
            clinic_min_per_week=None,
            clinic_max_per_week=clinic,
        )

    fay = faculty("Fay", Role.CORE, 6, 4)
    gus = faculty("Gus", Role.CORE, 4, 2)
    ida = faculty("Ida", Role.PD, None, None)
    hal = faculty("Hal", Role.CORE, None, 3)
    CalendarDay.objects.create(
        program=program, date=dt.date(2026, 7, 3), day_type=CalendarDay.DayType.FEDERAL_HOLIDAY, name="Independence"
    )
    july = lambda day: dt.date(2026, 7, day)  # noqa: E731
    fmit(version, fay, july(3))
    fmit(version, fay, july(4), "AM")
    fmit(version, fay, july(6))
    fmit(version, fay, july(7), "AM")
    for day in (17, 20, 21):
        fmit(version, fay, july(day))
    fmit(version, fay, dt.date(2026, 9, 28), "AM")
    for night in (4, 17, 18, 19, 24):
        attending_call(version, fay, july(night))
    fmit(version, gus, july(2), "AM")
    fmit(version, gus, july(13))
    fmit(version, gus, july(15), "AM")
    for night in (10, 11):
        attending_call(version, gus, july(night))
    AbsenceFactory(program=program, person=gus, start_date=july(11), end_date=july(11), status=Absence.Status.APPROVED)
    fmit(version, ida, dt.date(2026, 8, 7), "AM")
    return World(program=program, year=year, version=version, people={"Fay": fay, "Gus": gus, "Ida": ida, "Hal": hal})
