"""The admin's history pages show past versions and never save one back, for every model and every role.

simple_history's revert view saved with only the view permission checked: a coordinator could POST role=admin to
their own membership's history form and become program admin, or change the program's settings.
"""

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from absences.models import Absence, AbsenceLimit
from credentials.models import CertificationType, PersonCertification, Procedure, ProcedureCredential
from integrations.feeds.models import FeedToken
from integrations.feeds.tokens import feed_token_get_or_create
from scheduling.models import FmitYearConfig
from scheduling.services import fmit_year_config_ensure
from swaps.models import Swap
from tenants.admin import ReadOnlyHistoryAdmin
from tenants.models import Membership, Organization, Role
from tests.absences.factories import AbsenceFactory, AbsenceLimitFactory
from tests.credentials.factories import (
    CertificationTypeFactory,
    PersonCertificationFactory,
    ProcedureCredentialFactory,
    ProcedureFactory,
)
from tests.scheduling.test_admin import form_values, make_rows
from tests.tenants.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HISTORY_MODELS = sorted(
    (model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, SimpleHistoryAdmin)),
    key=lambda model: model._meta.label,
)
ROLES = ["superuser", *Role.values]
# What an attacker would post instead of the past values, by model and field.
TAMPERING = {Membership: {"role": Role.ADMIN}, Organization: {"time_zone": "Asia/Tokyo", "name": "Renamed"}}


def history_url(model, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history", args=args)


@pytest.fixture
def rows(program) -> dict:
    """One row of every model with an admin history page, in `program`, each with at least one past version."""
    made = make_rows(program, "Ourson")
    person = made[next(model for model in made if model._meta.model_name == "person")]
    year = made[next(model for model in made if model._meta.model_name == "academicyear")]
    certification_type = CertificationTypeFactory(program=program)
    procedure = ProcedureFactory(program=program)
    target = UserFactory(email="target@example.org")
    membership = MembershipFactory(user=target, organization=program, role=Role.RESIDENT)
    made.update(
        {
            Organization: program,
            Membership: membership,
            Absence: AbsenceFactory(program=program, person=person),
            AbsenceLimit: AbsenceLimitFactory(program=program),
            CertificationType: certification_type,
            PersonCertification: PersonCertificationFactory(program=program, person=person, type=certification_type),
            Procedure: procedure,
            ProcedureCredential: ProcedureCredentialFactory(program=program, person=person, procedure=procedure),
            FeedToken: feed_token_get_or_create(program=program, person=person, user=target),
            Swap: Swap.objects.create(program=program, academic_year=year, kind="posting", requester=person),
            FmitYearConfig: fmit_year_config_ensure(academic_year=year),
        }
    )
    return made


def test_every_admin_history_page_is_read_only():
    """A new admin with history pages must take the read-only ones, or the revert hole opens again."""
    assert HISTORY_MODELS
    writable = [model for model in HISTORY_MODELS if not isinstance(admin.site._registry[model], ReadOnlyHistoryAdmin)]
    assert writable == []


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda model: model._meta.label)
def test_history_form_post_changes_nothing_for_any_role(client, superuser, member, program, rows, model):
    row = rows[model]
    version = row.history.order_by("history_id").first()
    url = history_url(model, row.pk, version.history_id)
    client.force_login(superuser)
    past = client.get(url)
    assert past.status_code == 200, "the past version stays readable"
    payload = {**form_values(past.context["adminform"].form), **TAMPERING.get(model, {})}
    before, versions = model_to_dict(row), row.history.count()

    for role in ROLES:
        user = superuser if role == "superuser" else member(role, email=f"{role}@example.org")
        client.force_login(user)
        response = client.post(url, payload)

        assert response.status_code in (302, 403), role  # non-managers are sent to the admin login
        if response.status_code == 302:
            assert reverse("admin:login") in response.url, role
        row.refresh_from_db()
        assert model_to_dict(row) == before, role
        assert row.history.count() == versions, role


def test_coordinator_cannot_make_themselves_admin_through_their_membership_history(client, coordinator, program):
    membership = Membership.objects.get(user=coordinator, organization=program)
    version = membership.history.first()
    client.force_login(coordinator)

    shown = client.get(history_url(Membership, membership.pk, version.history_id))
    posted = client.post(history_url(Membership, membership.pk, version.history_id), {"role": Role.ADMIN})

    assert shown.status_code == 200
    assert "Revert" not in shown.content.decode()
    assert all(field.disabled for field in shown.context["adminform"].form.fields.values())
    assert posted.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
