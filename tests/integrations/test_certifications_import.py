"""CSV upload of certifications: a dry run reports each line and writes nothing; a real run writes all or none."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from credentials.models import PersonCertification
from integrations.certifications.services import certifications_import
from tenants.models import Role
from tests.credentials.factories import CertificationTypeFactory, PersonCertificationFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

HEADER = "person,type,number,issued_on,expires_on\n"


@pytest.fixture
def roster(program):
    """Two residents, ACLS (24 months) and BLS, in the program."""
    return {
        "ada": ResidentFactory(program=program, first_name="Ada", last_name="Lovelace", email="ada@example.org"),
        "alan": ResidentFactory(program=program, first_name="Alan", last_name="Turing", email=""),
        "acls": CertificationTypeFactory(program=program, code="ACLS", renewal_months=24),
        "bls": CertificationTypeFactory(program=program, code="BLS"),
    }


def run(program, user, text: str, *, dry_run: bool):
    return certifications_import(program=program, user=user, content=text.encode(), dry_run=dry_run)


def test_dry_run_reports_row_errors_and_writes_nothing(program, coordinator, roster):
    csv = HEADER + (
        "ada@example.org,ACLS,A-1,2025-03-01,2027-03-01\n"
        "nobody@example.org,ACLS,A-2,2025-03-01,2027-03-01\n"
        '"Turing, Alan",XYZ,A-3,2025-03-01,\n'
        '"Turing, Alan",BLS,A-4,03-2025-01,\n'
        "ada@example.org,BLS,A-5,2025-03-01,2024-03-01\n"
    )
    report = run(program, coordinator, csv, dry_run=True)

    assert report.dry_run and not report.imported and report.has_errors
    assert [(row.line, row.action) for row in report.rows] == [
        (2, "new"),
        (3, "error"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
    ]
    messages = {row.line: " ".join(row.messages) for row in report.rows}
    assert "No person “nobody@example.org” in this program" in messages[3]
    assert "No certification type “XYZ” in this program (known: ACLS, BLS)" in messages[4]
    assert "“03-2025-01” is not a date" in messages[5]
    assert "cannot expire before it is issued" in messages[6]
    assert report.totals == {"new": 1, "error": 4}
    assert PersonCertification.objects.count() == 0


def test_clean_dry_run_writes_nothing_either(program, coordinator, roster):
    report = run(program, coordinator, HEADER + "ada@example.org,ACLS,A-1,2025-03-01,\n", dry_run=True)
    assert not report.has_errors and report.totals == {"new": 1}
    assert PersonCertification.objects.count() == 0


def test_confirmed_import_writes_every_row(program, coordinator, roster):
    existing = PersonCertificationFactory(
        type=roster["bls"], person=roster["ada"], number="OLD", issued_on=dt.date(2025, 1, 1)
    )
    csv = HEADER + (
        "ADA@example.org,acls,A-1,2025-03-01,\n"
        '"turing, alan",BLS,B-2,03/15/2025,2027-03-31\n'
        "ada@example.org,BLS,NEW,2025-01-01,2027-01-01\n"
    )
    report = run(program, coordinator, csv, dry_run=False)

    assert report.imported, report
    assert report.totals == {"new": 2, "update": 1}
    acls = PersonCertification.objects.get(person=roster["ada"], type=roster["acls"])
    assert acls.expires_on == dt.date(2027, 3, 1)  # blank expiry: 24 months after issue
    assert acls.verified_by == coordinator and acls.verified_at is not None
    assert acls.program == program
    alan = PersonCertification.objects.get(person=roster["alan"])
    assert (alan.issued_on, alan.expires_on, alan.number) == (dt.date(2025, 3, 15), dt.date(2027, 3, 31), "B-2")
    existing.refresh_from_db()
    assert existing.number == "NEW"


def test_import_with_one_bad_row_writes_none(program, coordinator, roster):
    csv = HEADER + (
        "ada@example.org,ACLS,A-1,2025-03-01,\n"
        '"Turing, Alan",BLS,B-2,2025-03-01,\n'
        "ada@example.org,PALS,C-3,2025-03-01,\n"
    )
    report = run(program, coordinator, csv, dry_run=False)
    assert not report.imported and report.totals == {"new": 2, "error": 1}
    assert PersonCertification.objects.count() == 0


def test_the_same_card_twice_in_a_file_is_an_error(program, coordinator, roster):
    csv = HEADER + "ada@example.org,ACLS,A-1,2025-03-01,\nada@example.org,ACLS,A-1,2025-03-01,\n"
    report = run(program, coordinator, csv, dry_run=True)
    assert report.rows[1].action == "error"
    assert "Line 2 already has this certification" in report.rows[1].messages[0]


def test_unchanged_rows_are_skipped(program, coordinator, roster):
    PersonCertificationFactory(
        type=roster["acls"],
        person=roster["ada"],
        number="A-1",
        issued_on=dt.date(2025, 3, 1),
        expires_on=dt.date(2027, 3, 1),
    )
    report = run(program, coordinator, HEADER + "ada@example.org,ACLS,A-1,2025-03-01,2027-03-01\n", dry_run=True)
    assert report.totals == {"skip": 1}


def test_another_programs_people_and_types_are_unknown(program, other_program, coordinator, roster):
    ResidentFactory(program=other_program, email="stranger@example.org")
    CertificationTypeFactory(program=other_program, code="NRP")
    csv = HEADER + "stranger@example.org,ACLS,,2025-03-01,\nada@example.org,NRP,,2025-03-01,\n"
    report = run(program, coordinator, csv, dry_run=False)
    assert [row.action for row in report.rows] == ["error", "error"]
    assert PersonCertification.objects.count() == 0


def test_ambiguous_names_ask_for_the_email(program, coordinator, roster):
    ResidentFactory(program=program, first_name="Ada", last_name="Lovelace", email="ada2@example.org")
    report = run(program, coordinator, HEADER + '"Lovelace, Ada",ACLS,,2025-03-01,\n', dry_run=True)
    assert "Several people match" in report.rows[0].messages[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,code\nx,y\n", "Missing column(s): person, type, issued_on."),
        (HEADER.encode(), "no certifications"),
        ("person,type,issued_on\nÅsa,ACLS,2025-01-01\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_file_problems_are_reported(program, coordinator, roster, content, message):
    report = certifications_import(program=program, user=coordinator, content=content, dry_run=True)
    assert report.has_errors and message in report.errors[0]


def test_a_resident_cannot_import(program, member, roster):
    resident = member(Role.RESIDENT)
    with pytest.raises(PermissionDenied):
        run(program, resident, HEADER + "ada@example.org,ACLS,,2025-03-01,\n", dry_run=False)
    assert PersonCertification.objects.count() == 0


def test_a_coordinator_cannot_import_into_another_program(other_program, coordinator, roster):
    with pytest.raises(PermissionDenied):
        run(other_program, coordinator, HEADER + "ada@example.org,ACLS,,2025-03-01,\n", dry_run=False)
