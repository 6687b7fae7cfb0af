"""The admin export of certifications never carries a live formula, and what it writes imports back unchanged.

Each payload is planted in every text column of the export (the person as "Last name, First name", the type
code, the card number); the CSV and XLSX files the admin offers are read back, then imported again.
"""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from import_export.formats import base_formats
from openpyxl import load_workbook

from credentials.models import PersonCertification
from integrations.certifications.resources import PersonCertificationResource
from integrations.certifications.services import certifications_import
from tests.credentials.factories import CertificationTypeFactory, PersonCertificationFactory
from tests.scheduling.factories import ResidentFactory
from tests.scheduling.formula_payloads import FORMULA_STARTS, IDS, PAYLOADS, as_stored_in_xlsx

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:credentials_personcertification_export")
COLUMNS = ("person", "type", "number", "issued_on", "expires_on")
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture
def staff_client(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    return client


def _export(client, file_format: str) -> bytes:
    response = client.post(
        EXPORT, {"format": file_format, **{f"personcertificationresource_{c}": "on" for c in COLUMNS}}
    )
    assert response.status_code == 200, response.content[:300]
    return response.content


def _plant(program, payload: str) -> dict[str, str]:
    """A certification whose person (no email), type code and number all hold `payload`; the expected cells."""
    certification_type = CertificationTypeFactory(program=program, code=payload[:20], name=payload)
    person = ResidentFactory(program=program, first_name="Ann", last_name=payload, email="")
    PersonCertificationFactory(type=certification_type, person=person, number=payload)
    return {"person": f"{payload}, Ann", "type": payload[:20], "number": payload}


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_admin_csv_export_prefixes_formula_text_with_an_apostrophe(staff_client, program, payload):
    expected = _plant(program, payload)
    rows = list(csv.DictReader(io.StringIO(_export(staff_client, CSV_FORMAT).decode(), newline="")))
    assert len(rows) == 1
    assert [cell for cell in rows[0].values() if cell.startswith(FORMULA_STARTS)] == []
    assert {column: rows[0][column] for column in expected} == {k: "'" + v for k, v in expected.items()}
    assert rows[0]["issued_on"] == "2025-01-15"


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_admin_xlsx_export_writes_formula_text_as_string_cells(staff_client, program, payload):
    expected = _plant(program, payload)
    sheet = load_workbook(io.BytesIO(_export(staff_client, XLSX_FORMAT))).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    for column, text in expected.items():
        assert (row[column].data_type, row[column].value) == ("s", as_stored_in_xlsx(text))
    assert [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"] == []


def test_certification_admin_offers_csv_and_xlsx_only(staff_client):
    html = staff_client.get(EXPORT).content.decode()
    assert ">csv<" in html and ">xlsx<" in html
    assert ">tsv<" not in html and ">json<" not in html and ">html<" not in html


def _plant_numbers(program, payloads: list[str]) -> dict[int, str]:
    """Ada holds one ACLS card per payload; Alan (no email, a payload for a last name) holds a card of a type
    whose code is a payload: every text column a lookup can find again. Returns each card's number by id."""
    ada = ResidentFactory(program=program, first_name="Ada", last_name="Lovelace", email="ada@example.org")
    acls = CertificationTypeFactory(program=program, code="ACLS")
    for index, payload in enumerate(payloads):
        issued = dt.date(2025, 1, 1) + dt.timedelta(days=index)
        PersonCertificationFactory(type=acls, person=ada, number=payload, issued_on=issued)
    alan = ResidentFactory(program=program, first_name="Alan", last_name="=cmd|' /C calc'!A0", email="")
    sum_type = CertificationTypeFactory(program=program, code="@SUM(A1)")
    PersonCertificationFactory(type=sum_type, person=alan, number="-2+3")
    return dict(PersonCertification.objects.values_list("pk", "number"))


def test_admin_csv_export_imports_back_unchanged(staff_client, program, coordinator):
    planted_numbers = _plant_numbers(program, PAYLOADS)
    content = _export(staff_client, CSV_FORMAT)
    dry = certifications_import(program=program, user=coordinator, content=content, dry_run=True)
    assert (dry.errors, dry.totals) == ((), {"skip": len(planted_numbers)}), dry.rows
    report = certifications_import(program=program, user=coordinator, content=content, dry_run=False)
    assert report.imported and report.totals == {"skip": len(planted_numbers)}
    assert dict(PersonCertification.objects.values_list("pk", "number")) == planted_numbers


def test_admin_xlsx_export_imports_back_unchanged(staff_client, program):
    # Not "\r=1": openpyxl writes a carriage return raw and XML parsing reads it as a line feed, so that card
    # would come back changed (still as text; the export test covers it).
    planted_numbers = _plant_numbers(program, [p for p in PAYLOADS if not p.startswith("\r")])
    dataset = base_formats.XLSX().create_dataset(_export(staff_client, XLSX_FORMAT))
    result = PersonCertificationResource(program=program).import_data(dataset, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["skip"] * len(planted_numbers)


def test_an_uploaded_apostrophe_before_formula_text_is_taken_off(program, coordinator):
    """A spreadsheet's own escape ('=...) means the text after it; other apostrophes are data."""
    ResidentFactory(program=program, email="ada@example.org")
    CertificationTypeFactory(program=program, code="ACLS")
    text = "person,type,number,issued_on\nada@example.org,ACLS,'=A-1,2025-03-01\nada@example.org,ACLS,'B-2,2025-03-02\n"
    report = certifications_import(program=program, user=coordinator, content=text.encode(), dry_run=False)
    assert report.imported, report.rows
    assert sorted(PersonCertification.objects.values_list("number", flat=True)) == ["'B-2", "=A-1"]
