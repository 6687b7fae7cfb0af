"""What the engine and the pages read: valid codes on a date, last valid dates, expiring soon, the matrix."""

import datetime as dt

import pytest

from credentials import selectors
from credentials.models import ProcedureCredential
from tests.credentials.factories import (
    CertificationTypeFactory,
    PersonCertificationFactory,
    ProcedureCredentialFactory,
    ProcedureFactory,
)
from tests.scheduling.factories import FacultyFactory, ResidentFactory

pytestmark = pytest.mark.django_db

EXPIRY = dt.date(2026, 9, 30)


@pytest.fixture
def acls(program):
    return CertificationTypeFactory(program=program, code="ACLS", required_for_residents=True)


def test_person_credential_codes_drops_an_expired_acls_the_day_after_expiry(program, acls):
    certification = PersonCertificationFactory(type=acls, issued_on=dt.date(2024, 9, 30), expires_on=EXPIRY)
    person_id = certification.person_id

    assert selectors.person_credential_codes(program=program, on=EXPIRY)[person_id] == {"ACLS"}
    assert person_id not in selectors.person_credential_codes(program=program, on=EXPIRY + dt.timedelta(days=1))


def test_person_credential_codes_ignores_a_card_not_yet_issued(program, acls):
    certification = PersonCertificationFactory(type=acls, issued_on=dt.date(2026, 8, 1))
    assert certification.person_id not in selectors.person_credential_codes(program=program, on=dt.date(2026, 7, 31))


def test_person_credential_codes_counts_active_qualified_procedure_credentials_only(program):
    colpo = ProcedureFactory(program=program, code="COLPO")
    qualified = ProcedureCredentialFactory(procedure=colpo, expires_on=dt.date(2026, 12, 31))
    trainee = ProcedureCredentialFactory(procedure=colpo, level=ProcedureCredential.Level.TRAINEE)
    suspended = ProcedureCredentialFactory(procedure=colpo, status=ProcedureCredential.Status.SUSPENDED)

    codes = selectors.person_credential_codes(program=program, on=dt.date(2026, 12, 31))
    assert codes[qualified.person_id] == {"proc:COLPO"}
    assert trainee.person_id not in codes and suspended.person_id not in codes
    assert qualified.person_id not in selectors.person_credential_codes(program=program, on=dt.date(2027, 1, 1))


def test_credential_validity_gives_the_last_valid_date_of_each_code(program, acls):
    old = PersonCertificationFactory(type=acls, issued_on=dt.date(2022, 9, 30), expires_on=dt.date(2024, 9, 30))
    PersonCertificationFactory(type=acls, person=old.person, issued_on=dt.date(2024, 9, 30), expires_on=EXPIRY)
    ProcedureCredentialFactory(person=old.person, procedure=ProcedureFactory(program=program, code="IUD"))

    validity = selectors.credential_validity(program=program)
    assert validity == {old.person_id: {"ACLS": EXPIRY, "proc:IUD": None}}


def test_other_programs_credentials_are_not_read(program, other_program):
    PersonCertificationFactory(type=CertificationTypeFactory(program=other_program, code="ACLS"))
    assert selectors.person_credential_codes(program=program, on=dt.date(2025, 6, 1)) == {}
    assert selectors.credential_validity(program=program) == {}


def test_expiring_soon_leaves_out_renewed_cards_and_later_expiries(program, acls):
    today = dt.date(2026, 8, 1)
    soon = PersonCertificationFactory(type=acls, issued_on=dt.date(2024, 9, 30), expires_on=EXPIRY)
    renewed = PersonCertificationFactory(type=acls, issued_on=dt.date(2024, 9, 1), expires_on=dt.date(2026, 9, 1))
    PersonCertificationFactory(type=acls, person=renewed.person, issued_on=dt.date(2026, 7, 1))
    PersonCertificationFactory(type=acls, issued_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1))

    assert list(selectors.expiring_soon(program=program, today=today)) == [soon]
    assert list(selectors.expiring_soon(program=program, today=today, within_days=30)) == []


def test_matrix_flags_expiring_expired_and_missing_required(program, acls):
    today = dt.date(2026, 8, 1)
    bls = CertificationTypeFactory(program=program, code="BLS")
    expiring = PersonCertificationFactory(type=acls, issued_on=dt.date(2024, 9, 30), expires_on=EXPIRY)
    expired = PersonCertificationFactory(type=acls, issued_on=dt.date(2024, 7, 1), expires_on=dt.date(2026, 7, 1))
    valid = PersonCertificationFactory(type=acls, issued_on=dt.date(2025, 7, 1), expires_on=dt.date(2027, 7, 1))
    missing = ResidentFactory(program=program)
    faculty = FacultyFactory(program=program)

    matrix = selectors.credentials_matrix(program=program, today=today)

    assert [t.code for t in matrix.types] == ["ACLS", "BLS"]
    cells = {row.person.pk: row.certifications for row in matrix.rows}
    assert cells[expiring.person_id][0].status == selectors.Status.EXPIRING
    assert cells[expiring.person_id][0].flagged
    assert cells[expired.person_id][0].status == selectors.Status.EXPIRED
    assert cells[valid.person_id][0].status == selectors.Status.OK and not cells[valid.person_id][0].flagged
    assert cells[missing.pk][0].status == selectors.Status.MISSING and cells[missing.pk][0].flagged
    assert cells[faculty.pk][0].status == selectors.Status.MISSING and not cells[faculty.pk][0].flagged
    assert not cells[missing.pk][1].required  # BLS is required of nobody
    assert matrix.counts["expired"] == 1 and matrix.counts["expiring"] == 1 and matrix.counts["required_missing"] == 1
    assert bls.code == "BLS"


def test_matrix_requires_certifications_by_specialty(program):
    CertificationTypeFactory(program=program, code="NRP", required_for_specialties="OB, peds")
    ob = FacultyFactory(program=program, specialties="ob")
    sports = FacultyFactory(program=program, specialties="sports")
    rows = {row.person.pk: row for row in selectors.credentials_matrix(program=program).rows}
    assert rows[ob.pk].certifications[0].required
    assert not rows[sports.pk].certifications[0].required


def test_matrix_procedure_cells(program):
    today = dt.date(2026, 8, 1)
    colpo = ProcedureFactory(program=program, code="COLPO")
    suspended = ProcedureCredentialFactory(procedure=colpo, status=ProcedureCredential.Status.SUSPENDED)
    lapsed = ProcedureCredentialFactory(procedure=colpo, expires_on=dt.date(2026, 7, 31))
    trainee = ProcedureCredentialFactory(procedure=colpo, level=ProcedureCredential.Level.TRAINEE)
    expert = ProcedureCredentialFactory(procedure=colpo, level=ProcedureCredential.Level.EXPERT)
    rows = {row.person.pk: row.procedures[0] for row in selectors.credentials_matrix(program=program, today=today).rows}
    assert rows[suspended.person_id].status == "suspended"
    assert rows[lapsed.person_id].status == "expired"
    assert rows[trainee.person_id].status == "trainee"
    assert rows[expert.person_id].status == "ok" and rows[expert.person_id].level == "expert"


def test_matrix_reads_in_a_fixed_number_of_queries(program, acls, django_assert_num_queries):
    procedures = ProcedureFactory.create_batch(3, program=program)
    types = [acls, *CertificationTypeFactory.create_batch(3, program=program)]
    for _ in range(15):
        person = ResidentFactory(program=program)
        for cert_type in types:
            PersonCertificationFactory(type=cert_type, person=person)
        for procedure in procedures:
            ProcedureCredentialFactory(procedure=procedure, person=person)
    with django_assert_num_queries(5):
        matrix = selectors.credentials_matrix(program=program, today=dt.date(2026, 1, 1))
    assert len(matrix.rows) == 15 and len(matrix.rows[0].procedures) == 3


def test_required_certification_codes_by_kind_and_specialty(program, acls):
    CertificationTypeFactory(program=program, code="NRP", required_for_specialties="OB")
    resident = ResidentFactory(program=program)
    ob = FacultyFactory(program=program, specialties="Sports, OB")
    plain = FacultyFactory(program=program)
    required = selectors.required_certification_codes(program=program)
    assert required == {resident.pk: {"ACLS"}, ob.pk: {"NRP"}}
    assert plain.pk not in required
