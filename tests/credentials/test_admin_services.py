"""The credentials admin writes through the credentials services: the same checks, verifier and history."""

import pytest
from django.urls import reverse

from credentials.models import CertificationType, PersonCertification, ProcedureCredential
from tests.credentials.factories import (
    CertificationTypeFactory,
    PersonCertificationFactory,
    ProcedureCredentialFactory,
    ProcedureFactory,
)
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:credentials_{model}_{view}", args=args)


def test_certification_recorded_in_the_admin_is_verified_by_the_user_with_the_types_expiry(
    client, coordinator, program
):
    acls = CertificationTypeFactory(program=program, code="ACLS", renewal_months=24)
    person = ResidentFactory(program=program)
    client.force_login(coordinator)

    response = client.post(
        url("personcertification", "add"),
        {"program": program.pk, "person": person.pk, "type": acls.pk, "number": "A-1", "issued_on": "2026-01-10"},
    )

    assert response.status_code == 302
    card = PersonCertification.objects.get(person=person)
    assert (card.verified_by, card.expires_on.isoformat()) == (coordinator, "2028-01-10")
    assert card.history.get().history_user == coordinator


def test_certification_type_in_use_is_not_deleted_and_the_reason_is_shown(client, coordinator, program):
    card = PersonCertificationFactory(type=CertificationTypeFactory(program=program, code="BLS"))
    client.force_login(coordinator)

    response = client.post(url("certificationtype", "delete", card.type_id), {"post": "yes"}, follow=True)

    assert "Cannot delete certification type" in response.content.decode()
    assert CertificationType.objects.filter(pk=card.type_id).exists()


def test_credential_status_changes_only_by_suspend_and_reinstate(client, coordinator, program):
    credential = ProcedureCredentialFactory(procedure=ProcedureFactory(program=program))
    client.force_login(coordinator)
    page = client.get(url("procedurecredential", "change", credential.pk))
    form = page.context["adminform"].form

    response = client.post(
        url("procedurecredential", "change", credential.pk),
        {
            "program": program.pk,
            "level": "expert",
            "granted_on": "2025-01-01",
            "status": ProcedureCredential.Status.SUSPENDED,
            "status_note": "sneaky",
        },
    )

    assert "status" not in form.fields
    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.level, credential.status, credential.status_note) == ("expert", "active", "")
    assert credential.history.first().history_user == coordinator
