"""The credentials API: clinicians read, managers write (through services), the CSV upload, and tenancy."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credentials.models import CertificationType, PersonCertification, ProcedureCredential
from tenants.models import Role
from tests.credentials.factories import (
    CertificationTypeFactory,
    PersonCertificationFactory,
    ProcedureCredentialFactory,
    ProcedureFactory,
)
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
ENDPOINTS = ["certification-type", "certification", "procedure", "procedure-credential"]


def make_row(endpoint: str, program):
    if endpoint == "certification-type":
        return CertificationTypeFactory(program=program)
    if endpoint == "certification":
        return PersonCertificationFactory(type=CertificationTypeFactory(program=program))
    if endpoint == "procedure":
        return ProcedureFactory(program=program)
    return ProcedureCredentialFactory(procedure=ProcedureFactory(program=program))


def list_url(endpoint: str) -> str:
    return reverse(f"api:{endpoint}-list")


def detail_url(endpoint: str, pk: int) -> str:
    return reverse(f"api:{endpoint}-detail", args=[pk])


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.COORDINATOR])
def test_clinicians_and_managers_read_the_programs_rows_only(api_as, member, program, other_program, endpoint, role):
    mine = make_row(endpoint, program)
    theirs = make_row(endpoint, other_program)
    client = api_as(member(role))

    response = client.get(list_url(endpoint))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert client.get(detail_url(endpoint, mine.pk)).status_code == 200
    assert_problem(client.get(detail_url(endpoint, theirs.pk)), 404)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_clinic_staff_cannot_read_credentials(api_as, member, program, endpoint):
    assert_problem(api_as(member(Role.RN)).get(list_url(endpoint)), 403)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_resident_cannot_write_credentials(api_as, resident_user, program, endpoint):
    row = make_row(endpoint, program)
    client = api_as(resident_user)
    assert_problem(client.post(list_url(endpoint), {}, format="json"), 403)
    assert_problem(client.patch(detail_url(endpoint, row.pk), {}, format="json"), 403)
    assert_problem(client.delete(detail_url(endpoint, row.pk)), 403)
    assert type(row).objects.filter(pk=row.pk).exists()


def test_another_programs_user_sees_nothing(api_as, member, program, other_program):
    make_row("certification", program)
    outsider = member(Role.COORDINATOR, in_program=other_program)
    response = api_as(outsider, in_program=other_program).get(list_url("certification"))
    assert response.json()["results"] == []
    assert_problem(api_as(outsider, in_program=program).get(list_url("certification")), 403)


def test_coordinator_records_a_certification_with_a_default_expiry(api_as, coordinator, program):
    acls = CertificationTypeFactory(program=program, code="ACLS", renewal_months=24)
    person = ResidentFactory(program=program)
    response = api_as(coordinator).post(
        list_url("certification"),
        {"person": person.pk, "type": acls.pk, "number": "X-1", "issued_on": "2025-05-31"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["expires_on"] == "2027-05-31" and body["type_code"] == "ACLS" and body["number"] == "X-1"
    certification = PersonCertification.objects.get(pk=body["id"])
    assert certification.verified_by == coordinator


def test_certification_refusals_are_problems(api_as, coordinator, program, other_program):
    acls = CertificationTypeFactory(program=program, code="ACLS")
    person = ResidentFactory(program=program)
    stranger = ResidentFactory(program=other_program)
    client = api_as(coordinator)
    bad_dates = {"person": person.pk, "type": acls.pk, "issued_on": "2025-05-31", "expires_on": "2025-01-01"}
    body = assert_problem(client.post(list_url("certification"), bad_dates, format="json"), 400)
    assert "cannot expire before it is issued" in str(body["errors"])
    other = {"person": stranger.pk, "type": acls.pk, "issued_on": "2025-05-31"}
    body = assert_problem(client.post(list_url("certification"), other, format="json"), 400)
    assert "person" in body["errors"]
    assert PersonCertification.objects.count() == 0


def test_duplicate_type_code_is_refused(api_as, coordinator, program):
    CertificationTypeFactory(program=program, code="ACLS")
    body = assert_problem(
        api_as(coordinator).post(list_url("certification-type"), {"code": "acls", "name": "ACLS"}, format="json"), 400
    )
    assert "already has a certification type with this code" in str(body["errors"])


def test_type_in_use_cannot_be_deleted(api_as, coordinator, program):
    certification = PersonCertificationFactory(type=CertificationTypeFactory(program=program, code="BLS"))
    body = assert_problem(api_as(coordinator).delete(detail_url("certification-type", certification.type_id)), 409)
    assert "People hold BLS certifications" in body["detail"]


def test_card_numbers_show_to_managers_and_the_holder_only(api_as, member, program):
    holder = member(Role.RESIDENT)
    mine = PersonCertificationFactory(type=CertificationTypeFactory(program=program), person__user=holder)
    other = PersonCertificationFactory(type=mine.type)
    numbers = {row["id"]: row["number"] for row in api_as(holder).get(list_url("certification")).json()["results"]}
    assert numbers == {mine.pk: mine.number, other.pk: None}


def test_procedure_credential_grant_suspend_reinstate(api_as, coordinator, program):
    procedure = ProcedureFactory(program=program, code="COLPO")
    person = ResidentFactory(program=program)
    client = api_as(coordinator)
    response = client.post(
        list_url("procedure-credential"),
        {"person": person.pk, "procedure": procedure.pk, "level": "expert", "granted_on": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert_problem(client.post(reverse("api:procedure-credential-suspend", args=[pk]), {}, format="json"), 400)
    response = client.post(reverse("api:procedure-credential-suspend", args=[pk]), {"reason": "Audit"}, format="json")
    assert response.json()["status"] == "suspended" and response.json()["status_note"] == "Audit"
    body = assert_problem(client.post(reverse("api:procedure-credential-suspend", args=[pk]), {"reason": "x"}), 409)
    assert "suspended, not active" in body["detail"]
    response = client.post(reverse("api:procedure-credential-reinstate", args=[pk]), {}, format="json")
    assert response.json()["status"] == "active"
    assert ProcedureCredential.objects.get(pk=pk).status == ProcedureCredential.Status.ACTIVE


def test_a_resident_cannot_suspend(api_as, resident_user, program):
    credential = ProcedureCredentialFactory(procedure=ProcedureFactory(program=program))
    url = reverse("api:procedure-credential-suspend", args=[credential.pk])
    assert_problem(api_as(resident_user).post(url, {"reason": "no"}, format="json"), 403)


# The CSV upload.

UPLOAD = reverse("api:certification-upload")
CSV = "person,type,number,issued_on,expires_on\nada@example.org,ACLS,A-1,2025-03-01,\n"


def upload(client, text: str, query: str = ""):
    file = SimpleUploadedFile("certs.csv", text.encode(), content_type="text/csv")
    return client.post(UPLOAD + query, {"file": file}, format="multipart")


@pytest.fixture
def ada(program):
    CertificationTypeFactory(program=program, code="ACLS")
    return ResidentFactory(program=program, email="ada@example.org")


def test_upload_dry_run_then_import(api_as, coordinator, program, ada):
    client = api_as(coordinator)
    response = upload(client, CSV, "?dry_run=1")
    assert response.status_code == 200
    assert response.json()["rows"][0]["action"] == "new" and response.json()["imported"] is False
    assert PersonCertification.objects.count() == 0

    response = upload(client, CSV)
    assert response.status_code == 201 and response.json()["imported"] is True
    assert PersonCertification.objects.get().expires_on == dt.date(2027, 3, 1)


def test_upload_with_errors_is_a_problem_with_the_report(api_as, coordinator, program, ada):
    body = assert_problem(upload(api_as(coordinator), CSV + "ghost@example.org,ACLS,,2025-03-01,\n"), 400)
    assert body["code"] == "import_failed"
    assert [row["action"] for row in body["report"]["rows"]] == ["new", "error"]
    assert PersonCertification.objects.count() == 0


def test_upload_without_a_file_is_a_problem(api_as, coordinator, program):
    body = assert_problem(api_as(coordinator).post(UPLOAD, {}, format="multipart"), 400)
    assert "file" in body["errors"]


def test_a_resident_cannot_upload(api_as, resident_user, program, ada):
    assert_problem(upload(api_as(resident_user), CSV), 403)
    assert PersonCertification.objects.count() == 0


def test_nobody_uploads_into_a_program_they_do_not_manage(api_as, member, program, other_program, ada):
    outsider = member(Role.COORDINATOR, in_program=other_program)
    assert_problem(upload(api_as(outsider, in_program=program), CSV), 403)
    response = upload(api_as(outsider, in_program=other_program), CSV)  # their own program: ada is unknown there
    assert response.status_code == 400
    assert "No person “ada@example.org” in this program" in str(response.json()["report"]["rows"])
    assert not CertificationType.objects.filter(program=other_program).exists()
    assert PersonCertification.objects.count() == 0
