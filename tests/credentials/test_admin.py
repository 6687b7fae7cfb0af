"""Admin: certifications are scoped to the user's programs, and an import lands in a program they manage."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credentials.models import PersonCertification
from tenants.models import Role
from tests.credentials.factories import CertificationTypeFactory, PersonCertificationFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:credentials_personcertification_changelist")
IMPORT = reverse("admin:credentials_personcertification_import")
PROCESS = reverse("admin:credentials_personcertification_process_import")
CSV = "person,type,number,issued_on,expires_on\nada@example.org,ACLS,A-1,2025-03-01,\n"


@pytest.fixture
def staff_coordinator(coordinator):
    coordinator.is_staff = True
    coordinator.save()
    return coordinator


def csv_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("certs.csv", CSV.encode(), content_type="text/csv")


def test_changelist_shows_own_programs_rows_only(client, program, other_program, staff_coordinator):
    mine = PersonCertificationFactory(type=CertificationTypeFactory(program=program), number="MINE-1")
    PersonCertificationFactory(type=CertificationTypeFactory(program=other_program), number="THEIRS-1")
    client.force_login(staff_coordinator)
    html = client.get(CHANGELIST).content.decode()
    assert "MINE-1" in html and "THEIRS-1" not in html
    assert mine.number in html


def test_admin_import_goes_into_the_chosen_program(client, program, staff_coordinator):
    CertificationTypeFactory(program=program, code="ACLS")
    ada = ResidentFactory(program=program, email="ada@example.org")
    client.force_login(staff_coordinator)
    preview = client.post(IMPORT, {"program": program.pk, "format": "0", "import_file": csv_file()})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "process_import" in html, html
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert confirm["program"] == str(program.pk)
    response = client.post(PROCESS, confirm)
    assert response.status_code == 302
    certification = PersonCertification.objects.get()
    assert (certification.person, certification.program, certification.verified_by) == (ada, program, staff_coordinator)


def test_admin_import_refuses_a_program_the_user_does_not_manage(client, program, other_program, member):
    user = member(Role.COORDINATOR, is_staff=True)
    CertificationTypeFactory(program=other_program, code="ACLS")
    ResidentFactory(program=other_program, email="ada@example.org")
    client.force_login(user)
    response = client.post(IMPORT, {"program": other_program.pk, "format": "0", "import_file": csv_file()})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert PersonCertification.objects.count() == 0


def test_residents_have_no_import(client, member):
    resident = member(Role.RESIDENT, is_staff=True)
    client.force_login(resident)
    response = client.get(IMPORT)
    assert response.status_code in (302, 403) and "import_file" not in response.content.decode()


def test_admin_export_has_the_import_columns_and_own_rows_only(client, program, other_program, staff_coordinator):
    PersonCertificationFactory(
        type=CertificationTypeFactory(program=program, code="ACLS"), person__email="ada@example.org", number="MINE"
    )
    PersonCertificationFactory(type=CertificationTypeFactory(program=other_program, code="ACLS"), number="THEIRS")
    client.force_login(staff_coordinator)
    url = reverse("admin:credentials_personcertification_export")
    columns = ("person", "type", "number", "issued_on", "expires_on")
    response = client.post(url, {"format": "0", **{f"personcertificationresource_{c}": "on" for c in columns}})
    assert response["Content-Type"] == "text/csv"
    assert response.content.decode().splitlines() == [
        "person,type,number,issued_on,expires_on",
        "ada@example.org,ACLS,MINE,2025-01-15,2027-01-15",
    ]
