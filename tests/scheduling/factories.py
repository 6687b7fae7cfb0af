import datetime as dt

import factory

from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from tests.tenants.factories import ProgramFactory


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    program = factory.SubFactory(ProgramFactory)
    # Consecutive years within a test; the count wraps so that a long session stays within the dates the forms
    # and the engine accept (1900-2200).
    name = factory.Sequence(lambda n: f"{2026 + n % 170}-{2027 + n % 170}")
    start_date = factory.LazyAttribute(lambda o: dt.date(int(o.name[:4]), 7, 1))
    end_date = factory.LazyAttribute(lambda o: dt.date(int(o.name[:4]) + 1, 6, 30))


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    academic_year = factory.SubFactory(AcademicYearFactory)
    program = factory.SelfAttribute("academic_year.program")
    number = factory.Sequence(lambda n: n % 13 + 1)
    start_date = factory.LazyAttribute(lambda o: o.academic_year.start_date + dt.timedelta(days=28 * (o.number - 1)))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=27))


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    program = factory.SubFactory(ProgramFactory)
    kind = Person.Kind.RESIDENT
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    pgy = 1


class FacultyFactory(ResidentFactory):
    kind = Person.Kind.FACULTY
    pgy = None
    faculty_role = Person.FacultyRole.CORE
    clinic_min_per_week = 2
    clinic_max_per_week = 4
    fmit_target_weeks = 6


class RotationTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RotationTemplate

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Rotation {n}")
    abbreviation = factory.Sequence(lambda n: f"R{n}")
    kind = RotationTemplate.Kind.INPATIENT
    colour = "#1f77b4"


class ScheduleRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleRun

    academic_year = factory.SubFactory(AcademicYearFactory)
    program = factory.SelfAttribute("academic_year.program")


class ScheduleVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleVersion

    academic_year = factory.SubFactory(AcademicYearFactory)
    program = factory.SelfAttribute("academic_year.program")
    number = factory.Sequence(lambda n: n + 1)


class BlockAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlockAssignment

    block = factory.SubFactory(BlockFactory)
    program = factory.SelfAttribute("block.program")
    version = factory.SubFactory(ScheduleVersionFactory, academic_year=factory.SelfAttribute("..block.academic_year"))
    person = factory.SubFactory(ResidentFactory, program=factory.SelfAttribute("..program"))
    rotation = factory.SubFactory(RotationTemplateFactory, program=factory.SelfAttribute("..program"))


class SessionAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionAssignment

    version = factory.SubFactory(ScheduleVersionFactory)
    program = factory.SelfAttribute("version.program")
    person = factory.SubFactory(ResidentFactory, program=factory.SelfAttribute("..program"))
    date = dt.date(2026, 7, 6)
    session = "AM"
    activity = SessionAssignment.Activity.CLINIC


class CallAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallAssignment

    version = factory.SubFactory(ScheduleVersionFactory)
    program = factory.SelfAttribute("version.program")
    person = factory.SubFactory(ResidentFactory, program=factory.SelfAttribute("..program"))
    kind = CallAssignment.Kind.IN_HOUSE
    start = dt.datetime(2026, 7, 6, 21, 0, tzinfo=dt.UTC)
    end = dt.datetime(2026, 7, 7, 12, 0, tzinfo=dt.UTC)
