import datetime as dt

import factory

from absences.models import Absence, AbsenceKind, AbsenceLimit
from tests.scheduling.factories import ResidentFactory
from tests.tenants.factories import ProgramFactory


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    program = factory.SubFactory(ProgramFactory)
    person = factory.SubFactory(ResidentFactory, program=factory.SelfAttribute("..program"))
    kind = AbsenceKind.VACATION
    start_date = dt.date(2026, 8, 3)
    end_date = dt.date(2026, 8, 7)
    status = Absence.Status.REQUESTED


class AbsenceLimitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AbsenceLimit

    program = factory.SubFactory(ProgramFactory)
    kind = AbsenceKind.VACATION
    days_per_year = 20
