"""Credentials models: readable validation and database constraints, including same-program triggers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from credentials.models import PersonCertification, ProcedureCredential, add_months
from tests.credentials.factories import (
    CertificationTypeFactory,
    PersonCertificationFactory,
    ProcedureCredentialFactory,
    ProcedureFactory,
)
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 24) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)


def test_certification_expiring_before_issue_is_refused_with_a_message(program):
    cert_type = CertificationTypeFactory(program=program, code="ACLS")
    person = ResidentFactory(program=program)
    certification = PersonCertification(
        program=program, person=person, type=cert_type, issued_on=dt.date(2025, 5, 1), expires_on=dt.date(2025, 4, 1)
    )
    with pytest.raises(ValidationError) as error:
        certification.full_clean()
    assert "cannot expire before it is issued" in str(error.value)
    with pytest.raises(IntegrityError):
        certification.save()


def test_certification_of_another_programs_person_is_refused(program, other_program):
    cert_type = CertificationTypeFactory(program=program, code="BLS")
    stranger = ResidentFactory(program=other_program)
    certification = PersonCertification(
        program=program, person=stranger, type=cert_type, issued_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        certification.full_clean()
    assert "belongs to another program" in str(error.value)
    with pytest.raises(IntegrityError, match="same program"):
        certification.save()


def test_same_card_twice_is_refused(program):
    first = PersonCertificationFactory(type__program=program)
    duplicate = PersonCertification(
        program=program, person=first.person, type=first.type, issued_on=first.issued_on, expires_on=first.expires_on
    )
    with pytest.raises(ValidationError, match="already has this certification issued on this date"):
        duplicate.full_clean()


def test_certification_type_code_is_upper_cased(program):
    cert_type = CertificationTypeFactory.build(program=program, code=" acls ", name="Advanced life support")
    cert_type.full_clean()
    assert cert_type.code == "ACLS"


def test_trainee_cannot_supervise(program):
    credential = ProcedureCredentialFactory.build(
        procedure=ProcedureFactory(program=program),
        person=ResidentFactory(program=program),
        program=program,
        level=ProcedureCredential.Level.TRAINEE,
        max_residents_supervised=2,
    )
    with pytest.raises(ValidationError, match="A trainee cannot supervise residents"):
        credential.full_clean()


def test_supervises_falls_back_to_the_procedures_ratio(program):
    credential = ProcedureCredentialFactory(procedure=ProcedureFactory(program=program, supervision_ratio=3))
    assert credential.supervises == 3
    credential.max_residents_supervised = 1
    assert credential.supervises == 1
