"""The active program: from the session for pages, from X-Organization-ID for the API."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tenants.middleware import SESSION_KEY, resolve_active_program
from tenants.models import Role
from tests.tenants.factories import MembershipFactory


def _request(user, session=None, **headers):
    request = RequestFactory().get("/", **headers)
    request.user = user
    request.session = session or {}
    return request


def test_single_program_user_gets_it_without_choosing(program, member):
    user = member(Role.RESIDENT)
    assert resolve_active_program(_request(user)) == program


def test_session_choice_is_used_only_while_the_user_belongs(program, other_program, member):
    user = member(Role.COORDINATOR)
    MembershipFactory(user=user, organization=other_program, role=Role.FACULTY)
    assert resolve_active_program(_request(user, {SESSION_KEY: other_program.pk})) == other_program
    user.memberships.filter(organization=other_program).delete()
    del user._program_roles_cache
    assert resolve_active_program(_request(user, {SESSION_KEY: other_program.pk})) == program


def test_header_names_program_by_id_or_slug_and_never_a_foreign_one(program, other_program, member):
    user = member(Role.RESIDENT)
    assert resolve_active_program(_request(user, HTTP_X_ORGANIZATION_ID=str(program.pk))) == program
    assert resolve_active_program(_request(user, HTTP_X_ORGANIZATION_ID=program.slug)) == program
    assert resolve_active_program(_request(user, HTTP_X_ORGANIZATION_ID=str(other_program.pk))) is None
    assert resolve_active_program(_request(user, HTTP_X_ORGANIZATION_ID="not-a-program")) is None


def test_program_switch_changes_the_active_program(client, program, other_program, member):
    user = member(Role.COORDINATOR)
    MembershipFactory(user=user, organization=other_program, role=Role.COORDINATOR)
    client.force_login(user)
    response = client.post(reverse("program-switch"), {"program": other_program.pk}, follow=True)
    assert response.status_code == 200
    assert client.session[SESSION_KEY] == other_program.pk
    assert response.context["active_program"] == other_program
    assert f"Now working in {other_program.name}" in response.content.decode()


def test_program_switch_refuses_a_program_the_user_does_not_belong_to(client, program, other_program, member):
    user = member(Role.COORDINATOR)
    client.force_login(user)
    response = client.post(reverse("program-switch"), {"program": other_program.pk}, follow=True)
    assert SESSION_KEY not in client.session
    assert response.context["active_program"] == program
    assert "You do not belong to that program." in response.content.decode()


def test_program_switch_ignores_an_offsite_next_url(client, program, member):
    client.force_login(member(Role.RESIDENT))
    response = client.post(reverse("program-switch"), {"program": program.pk, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.parametrize("method", ["get"])
def test_program_switch_needs_post(client, program, member, method):
    client.force_login(member(Role.RESIDENT))
    assert getattr(client, method)(reverse("program-switch")).status_code == 405
