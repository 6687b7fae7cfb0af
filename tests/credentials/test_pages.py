"""Credentials pages: the matrix, a person's credentials and the CSV upload, by role and program."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credentials.models import PersonCertification
from tenants.models import Role
from tests.credentials.factories import CertificationTypeFactory, PersonCertificationFactory, ProcedureFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

MATRIX = reverse("credentials-matrix")
IMPORT = reverse("credentials-import")


def logged_in(client, user):
    client.force_login(user)
    return client


def test_matrix_highlights_expiring_expired_and_missing_required(client, program, coordinator):
    today = program.today()
    acls = CertificationTypeFactory(program=program, code="ACLS", required_for_residents=True)
    soon = PersonCertificationFactory(
        type=acls,
        person__last_name="Soon",
        issued_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=10),
    )
    PersonCertificationFactory(
        type=acls,
        person__last_name="Lapsed",
        issued_on=today - dt.timedelta(days=800),
        expires_on=today - dt.timedelta(days=1),
    )
    ResidentFactory(program=program, last_name="Without")

    html = logged_in(client, coordinator).get(MATRIX).content.decode()

    assert html.count('<td class="cred cred-expiring') == 1 and html.count('<td class="cred cred-expired') == 1
    assert html.count('<td class="cred cred-missing cred-required') == 1
    assert soon.expires_on.isoformat() in html
    assert "Expiring in the next 90 days" in html and f"/credentials/people/{soon.person_id}/" in html
    assert "Upload certifications" in html


def test_matrix_is_readable_by_residents_without_manager_links(client, program, resident_user):
    CertificationTypeFactory(program=program, code="BLS")
    response = logged_in(client, resident_user).get(MATRIX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "BLS" in html and "Upload certifications" not in html and "Expiring in the next" not in html


def test_clinic_staff_cannot_open_credentials(client, member):
    assert logged_in(client, member(Role.RN)).get(MATRIX).status_code == 403


def test_matrix_query_count_does_not_grow_with_people(client, program, coordinator, django_assert_max_num_queries):
    types = [CertificationTypeFactory(program=program, code=code) for code in ("ACLS", "BLS", "PALS")]
    ProcedureFactory.create_batch(2, program=program)
    for _ in range(25):
        person = ResidentFactory(program=program)
        for cert_type in types:
            PersonCertificationFactory(type=cert_type, person=person)
    logged_in(client, coordinator)
    with django_assert_max_num_queries(20):
        response = client.get(MATRIX)
    assert response.status_code == 200 and response.content.decode().count('scope="row"') == 25


def test_person_page_shows_numbers_to_the_holder(client, program, member):
    holder = member(Role.RESIDENT)
    mine = PersonCertificationFactory(
        type=CertificationTypeFactory(program=program), person__user=holder, number="SECRET-1"
    )
    other = PersonCertificationFactory(type=mine.type, number="SECRET-2")
    logged_in(client, holder)
    response = client.get(reverse("credentials-me"))
    assert response.status_code == 302 and response.url == reverse("credentials-person", args=[mine.person_id])
    assert "SECRET-1" in client.get(response.url).content.decode()
    html = client.get(reverse("credentials-person", args=[other.person_id])).content.decode()
    assert "SECRET-2" not in html and other.person.full_name in html


def test_person_page_of_another_program_is_404(client, program, other_program, coordinator):
    stranger = ResidentFactory(program=other_program)
    assert logged_in(client, coordinator).get(reverse("credentials-person", args=[stranger.pk])).status_code == 404


def test_me_without_a_linked_person(client, coordinator):
    assert "No person in" in logged_in(client, coordinator).get(reverse("credentials-me")).content.decode()


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("certs.csv", text.encode(), content_type="text/csv")


@pytest.fixture
def ada(program):
    CertificationTypeFactory(program=program, code="ACLS")
    return ResidentFactory(program=program, email="ada@example.org")


def test_upload_preview_then_confirm(client, program, coordinator, ada):
    logged_in(client, coordinator)
    csv = "person,type,number,issued_on,expires_on\nada@example.org,ACLS,A-1,2025-03-01,\n"
    preview = client.post(IMPORT, {"file": csv_file(csv)})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Preview" in html and "import-new" in html
    assert PersonCertification.objects.count() == 0
    content = re.search(r'name="content" value="([^"]+)"', html).group(1)

    response = client.post(IMPORT, {"content": content})
    assert response.status_code == 302 and response.url == MATRIX
    assert PersonCertification.objects.get().person == ada
    assert "Imported: 1 new" in client.get(MATRIX).content.decode()


def test_upload_preview_lists_errors_and_offers_no_confirm(client, program, coordinator, ada):
    csv = "person,type,issued_on\nada@example.org,ACLS,someday\n"
    html = logged_in(client, coordinator).post(IMPORT, {"file": csv_file(csv)}).content.decode()
    assert "“someday” is not a date" in html and 'name="content"' not in html


def test_a_resident_cannot_open_the_upload_page(client, resident_user):
    assert logged_in(client, resident_user).get(IMPORT).status_code == 403
