"""Certification uploads are checked by what the file is, not by its name: a workbook, a PDF or binary data sent
as CSV, a CSV sent as a workbook, or a file over 1 MB is refused on the page, in the API and in the admin with a
message saying what to upload instead, and nothing is imported."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from credentials.models import PersonCertification
from tests.credentials.factories import CertificationTypeFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

CSV = b"person,type,number,issued_on,expires_on\nada@example.org,ACLS,A-1,2025-03-01,\n"
PAGE = reverse("credentials-import")
API = reverse("api:certification-upload")
ADMIN = reverse("admin:credentials_personcertification_import")


def workbook() -> bytes:
    book = Workbook()
    for row in [line.split(",") for line in CSV.decode().splitlines()]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRONG_AS_CSV = [
    pytest.param(workbook(), "This file is an Excel workbook or another zip file, not CSV text", id="xlsx"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "This file is a PDF, not CSV text", id="pdf"),
    pytest.param(b"person,type\x00\x01\x02\x03", "This file is not text", id="binary"),
    pytest.param(CSV + b"x" * 1_000_001, "The file is larger than 1 MB", id="too-big"),
]


@pytest.fixture
def ada(program):
    CertificationTypeFactory(program=program, code="ACLS")
    return ResidentFactory(program=program, email="ada@example.org")


def upload(content: bytes, name: str = "certs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.mark.parametrize(("content", "message"), WRONG_AS_CSV)
def test_the_upload_page_refuses_what_is_not_csv(client, coordinator, ada, content, message):
    client.force_login(coordinator)
    response = client.post(PAGE, {"file": upload(content)})

    assert response.status_code == 200 and message in response.content.decode()
    assert 'name="content"' not in response.content.decode()  # no preview to confirm
    assert PersonCertification.objects.count() == 0


@pytest.mark.parametrize(("content", "message"), WRONG_AS_CSV)
def test_the_api_refuses_what_is_not_csv(api_as, coordinator, ada, content, message):
    response = api_as(coordinator).post(API, {"file": upload(content)}, format="multipart")

    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert message in str(response.json()["errors"]["file"])
    assert PersonCertification.objects.count() == 0


def test_a_real_csv_still_goes_through_the_api(api_as, coordinator, ada):
    response = api_as(coordinator).post(API, {"file": upload(CSV)}, format="multipart")
    assert response.status_code == 201 and PersonCertification.objects.get().person == ada


@pytest.fixture
def staff_coordinator(coordinator):
    coordinator.is_staff = True
    coordinator.save()
    return coordinator


@pytest.mark.parametrize(
    ("content", "name", "format_index", "message"),
    [
        (CSV, "certs.xlsx", "1", "This file is not an Excel workbook (.xlsx)"),
        (workbook(), "certs.csv", "0", "This file is an Excel workbook or another zip file, not CSV text"),
        (b"PK\x03\x04 not really a zip", "certs.xlsx", "1", "This file is not an Excel workbook (.xlsx)"),
    ],
)
def test_the_admin_import_checks_the_file_against_the_chosen_format(
    client, program, staff_coordinator, ada, content, name, format_index, message
):
    client.force_login(staff_coordinator)
    response = client.post(ADMIN, {"program": program.pk, "format": format_index, "import_file": upload(content, name)})

    assert response.status_code == 200 and message in response.content.decode()
    assert "process_import" not in response.content.decode()
    assert PersonCertification.objects.count() == 0


def test_the_admin_import_previews_a_real_workbook(client, program, staff_coordinator, ada):
    client.force_login(staff_coordinator)
    response = client.post(ADMIN, {"program": program.pk, "format": "1", "import_file": upload(workbook(), "c.xlsx")})

    assert response.status_code == 200 and "process_import" in response.content.decode()
