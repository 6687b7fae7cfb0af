"""A small published year with known hours, calls and clinics, for the workload tests.

Rita (PGY-2) works 07:00-17:00 (10 h, the default session times) Monday to Saturday of the week of Monday 6 July
2026 and takes in-house calls on Monday and Wednesday nights (17:00 to 07:00, 14 h each): 88 h that week, over the
80-hour line, and 34 h of continuous duty on Monday to Tuesday (a violation). In August she has four continuity
clinics: three on Tuesdays and one on a Thursday (continuity 3/4 = 0.75, usual weekday Tuesday).
Paul (PGY-1) has one clinic, on a Wednesday. Fay (faculty) supervises clinic on Tuesday 4 August, AM and PM.
"""

import datetime as dt
from dataclasses import dataclass

from scheduling.models import AcademicYear, CallAssignment, Person, ScheduleVersion, SessionAssignment
from scheduling.services import academic_year_create
from tests.scheduling.factories import (
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)

JULY_1 = dt.date(2026, 7, 1)
WEEK = dt.date(2026, 7, 6)  # a Monday in block 1
Activity = SessionAssignment.Activity


@dataclass
class Year:
    year: AcademicYear
    version: ScheduleVersion
    rita: Person
    paul: Person
    fay: Person


def known_year(program) -> Year:
    year = academic_year_create(program=program, start_date=JULY_1, make_current=True)
    version = ScheduleVersionFactory(
        academic_year=year,
        program=program,
        number=1,
        status=ScheduleVersion.Status.PUBLISHED,
        published_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    rita = ResidentFactory(program=program, pgy=2, first_name="Rita", last_name="Resident")
    paul = ResidentFactory(program=program, pgy=1, first_name="Paul", last_name="Junior")
    fay = FacultyFactory(program=program, first_name="Fay", last_name="Faculty")
    zone = program.zone

    def half(person, day, session, activity=Activity.INPATIENT):
        SessionAssignmentFactory(
            version=version, program=program, person=person, date=day, session=session, activity=activity
        )

    for offset in range(6):  # Monday to Saturday, both sessions
        for session in ("AM", "PM"):
            half(rita, WEEK + dt.timedelta(days=offset), session)
    for offset in (0, 2):  # Monday and Wednesday nights
        night = WEEK + dt.timedelta(days=offset)
        CallAssignmentFactory(
            version=version,
            program=program,
            person=rita,
            kind=CallAssignment.Kind.IN_HOUSE,
            start=dt.datetime.combine(night, dt.time(17), zone),
            end=dt.datetime.combine(night + dt.timedelta(days=1), dt.time(7), zone),
        )
    for day in (dt.date(2026, 8, 4), dt.date(2026, 8, 11), dt.date(2026, 8, 18), dt.date(2026, 8, 20)):
        half(rita, day, "PM", Activity.CLINIC)  # Tuesdays 4, 11, 18 August and Thursday 20 August
    half(paul, dt.date(2026, 8, 5), "AM", Activity.CLINIC)
    for session in ("AM", "PM"):
        half(fay, dt.date(2026, 8, 4), session, Activity.SUPERVISING)
    return Year(year, version, rita, paul, fay)
