import datetime as dt

import factory

from credentials.models import CertificationType, PersonCertification, Procedure, ProcedureCredential
from tests.scheduling.factories import ResidentFactory
from tests.tenants.factories import ProgramFactory


class CertificationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationType
        django_get_or_create = ("program", "code")

    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"CERT{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} certification")
    renewal_months = 24


class PersonCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonCertification

    type = factory.SubFactory(CertificationTypeFactory)
    program = factory.SelfAttribute("type.program")
    person = factory.SubFactory(ResidentFactory, program=factory.SelfAttribute("..program"))
    number = factory.Sequence(lambda n: f"N-{n:05d}")
    issued_on = dt.date(2025, 1, 15)
    expires_on = factory.LazyAttribute(lambda o: o.type.expiry_for(o.issued_on))


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Procedure {n}")
    code = factory.Sequence(lambda n: f"P{n}")
    complexity = 2
    supervision_ratio = 2


class ProcedureCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureCredential

    procedure = factory.SubFactory(ProcedureFactory)
    program = factory.SelfAttribute("procedure.program")
    person = factory.SubFactory(ResidentFactory, program=factory.SelfAttribute("..program"))
    level = ProcedureCredential.Level.QUALIFIED
    granted_on = dt.date(2025, 1, 1)
