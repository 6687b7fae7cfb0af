"""A published day around today in the demo program, for the link-walking and staff browser tests (not a test
module): clinic, FMIT, calls and block rotations, the publication announced, an approved absence."""

import datetime as dt

from django.utils import timezone

from absences.models import Absence
from scheduling.announcements import announce_published
from scheduling.models import AcademicYear, Block, Person, ScheduleVersion, SessionAssignment
from tenants.models import Organization
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import (
    BlockAssignmentFactory,
    CallAssignmentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)

Activity = SessionAssignment.Activity


def publish_days_around_today(program: Organization) -> ScheduleVersion:
    """In the demo program's current year: six residents in clinic each morning from yesterday to two days on,
    on block rotations and on call one night each from tonight; a faculty member in clinic each morning and
    another on FMIT; the version published and announced; the resident login's absence next week approved."""
    year = AcademicYear.objects.for_program(program).get(is_current=True)
    version = ScheduleVersionFactory(
        academic_year=year, number=1, status=ScheduleVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    today = program.today()
    block = Block.objects.filter(academic_year=year, start_date__lte=today, end_date__gte=today).first()
    clinic = RotationTemplateFactory(program=program, name="Family clinic (demo day)", abbreviation="FCD")
    people = Person.objects.for_program(program).order_by("pk")
    residents = list(people.filter(kind=Person.Kind.RESIDENT)[:6])
    faculty = list(people.filter(kind=Person.Kind.FACULTY)[:2])
    for n, resident in enumerate(residents):
        if block is not None:
            BlockAssignmentFactory(version=version, block=block, person=resident, rotation=clinic)
        start = dt.datetime.combine(today + dt.timedelta(days=n), dt.time(17), tzinfo=program.zone)
        CallAssignmentFactory(version=version, person=resident, start=start, end=start + dt.timedelta(hours=15))
    for offset in range(-1, 3):
        day = today + dt.timedelta(days=offset)
        for resident in residents:
            SessionAssignmentFactory(version=version, person=resident, date=day, session="AM", rotation=clinic)
        SessionAssignmentFactory(version=version, person=faculty[0], date=day, session="AM", activity=Activity.CLINIC)
        for session in ("AM", "PM"):
            SessionAssignmentFactory(
                version=version, person=faculty[1], date=day, session=session, activity=Activity.FMIT
            )
    announce_published(version=version)
    resident = Person.objects.get(program=program, user__email__startswith="resident@")
    AbsenceFactory(
        program=program,
        person=resident,
        start_date=today + dt.timedelta(days=5),
        end_date=today + dt.timedelta(days=6),
        status=Absence.Status.APPROVED,
    )
    return version
