"""A small published schedule whose fairness counts are known by hand (tests/analytics/test_fairness*.py).

Year 2026-2027 of "Family Medicine" (America/New_York), FMIT weeks from Friday, 3 Jul 2026 a federal holiday.
PGY-1 Ann, Ben, Dan; PGY-2 Cat; faculty Fay and Gus (FMIT target 6 each).
- call nights (in-house, 17:00-08:00): Ann Sat 4 Jul, Mon 6 Jul, Wed 15 Jul (3); Ben Wed 8 Jul (1); Dan 0
  -> PGY-1 [3, 1, 0]: Gini 0.5, fairness 0.5 (poor), mean 1.33, Ann flagged;
- weekend duties: Ann's Saturday call (1), Ben's Sunday 5 Jul AM inpatient (1), Dan 0;
- holiday duties: Ann inpatient AM and PM on 3 Jul (2); Fay's FMIT AM on 3 Jul (1);
- FMIT weeks: Fay 3 Jul AM, 6 Jul AM (week of Fri 3 Jul) and 10 Jul AM (week of Fri 10 Jul): 2; Gus 0
  -> faculty [2, 0]: fairness 0.5;
- night-float weeks: Cat night float Mon 6 Jul PM and Mon 13 Jul PM: 2 (a cohort of one: fairness 1.0);
- wishes: Ben blocked weeks 6 Jul (refused: his call on 8 Jul) and 20 Jul (granted): 50%; Dan
  blocked week 6 Jul (granted): 100% -> PGY-1 [50, 100], fairness 0.8333, Ben flagged (below the mean by > 10);
- swaps: an executed trade, Ben gives his call of 22 Jul to Ann: Ann took 1, Ben gave 1.
Last year (2025-2026) is published too: Ben had 2 in-house calls, which carry over when the program asks.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from scheduling.models import CalendarDay, CallAssignment, Person, Preference, ScheduleVersion, SessionAssignment
from swaps.models import Swap, SwapLeg
from tenants.models import Organization
from tests.scheduling.factories import (
    AcademicYearFactory,
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)

Activity = SessionAssignment.Activity
PUBLISHED = ScheduleVersion.Status.PUBLISHED


@dataclass
class World:
    program: Organization
    version: ScheduleVersion
    last_year: ScheduleVersion
    people: dict[str, Person]


def call(version: ScheduleVersion, person: Person, night: dt.date) -> CallAssignment:
    zone = version.program.zone
    start = dt.datetime.combine(night, dt.time(17), tzinfo=zone)
    end = dt.datetime.combine(night + dt.timedelta(days=1), dt.time(8), tzinfo=zone)
    return CallAssignmentFactory(
        version=version, person=person, kind=CallAssignment.Kind.IN_HOUSE, start=start, end=end
    )


def half(version: ScheduleVersion, person: Person, day: dt.date, session: str, activity: str) -> None:
    SessionAssignmentFactory(version=version, person=person, date=day, session=session, activity=activity)


def build(program: Organization) -> World:
    year = AcademicYearFactory(program=program, name="2026-2027", is_current=True)
    before = AcademicYearFactory(program=program, name="2025-2026")
    version = ScheduleVersionFactory(academic_year=year, number=1, status=PUBLISHED, published_at=timezone.now())
    last_year = ScheduleVersionFactory(academic_year=before, number=1, status=PUBLISHED, published_at=timezone.now())
    people = {
        name: ResidentFactory(program=program, first_name=name, last_name="Resident", pgy=pgy)
        for name, pgy in (("Ann", 1), ("Ben", 1), ("Dan", 1), ("Cat", 2))
    }
    for name in ("Fay", "Gus"):
        people[name] = FacultyFactory(program=program, first_name=name, last_name="Faculty", fmit_target_weeks=6)
    ann, ben, dan, cat, fay = (people[n] for n in ("Ann", "Ben", "Dan", "Cat", "Fay"))
    CalendarDay.objects.create(
        program=program, date=dt.date(2026, 7, 3), day_type=CalendarDay.DayType.FEDERAL_HOLIDAY, name="Independence Day"
    )
    for night in (dt.date(2026, 7, 4), dt.date(2026, 7, 6), dt.date(2026, 7, 15)):
        call(version, ann, night)
    call(version, ben, dt.date(2026, 7, 8))
    half(version, ben, dt.date(2026, 7, 5), "AM", Activity.INPATIENT)
    half(version, ann, dt.date(2026, 7, 3), "AM", Activity.INPATIENT)
    half(version, ann, dt.date(2026, 7, 3), "PM", Activity.INPATIENT)
    for day in (dt.date(2026, 7, 3), dt.date(2026, 7, 6), dt.date(2026, 7, 10)):
        half(version, fay, day, "AM", Activity.FMIT)
    for day in (dt.date(2026, 7, 6), dt.date(2026, 7, 13)):
        half(version, cat, day, "PM", Activity.NIGHT_FLOAT)
    for person, week in ((ben, dt.date(2026, 7, 6)), (ben, dt.date(2026, 7, 20)), (dan, dt.date(2026, 7, 6))):
        Preference.objects.create(
            program=program, person=person, academic_year=year, kind=Preference.Kind.BLOCKED_WEEK, week_start=week
        )
    swap = Swap.objects.create(
        program=program,
        academic_year=year,
        kind=Swap.Kind.TRADE,
        status=Swap.Status.EXECUTED,
        requester=ben,
        executed_at=timezone.now(),
    )
    SwapLeg.objects.create(
        program=program,
        swap=swap,
        position=1,
        giver=ben,
        taker=ann,
        shift=SwapLeg.Shift.CALL,
        date=dt.date(2026, 7, 22),
    )
    for night in (dt.date(2025, 8, 1), dt.date(2025, 9, 1)):
        call(last_year, ben, night)
    return World(program=program, version=version, last_year=last_year, people=people)
