"""Personal API tokens in the admin: a program's admins list their program's tokens (never the secret or its
digest) and revoke them through the same service as the user's own page; other programs' tokens are a 404."""

import pytest
from django.urls import reverse

from tenants.audit_models import AuditEvent
from tenants.models import PersonalAccessToken, Role
from tests.tenants.test_access_tokens import PEOPLE, bearer, make_token

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tenants_personalaccesstoken_changelist")


def change_url(token: PersonalAccessToken) -> str:
    return reverse("admin:tenants_personalaccesstoken_change", args=[token.pk])


def named(new, name: str):
    PersonalAccessToken.objects.filter(pk=new.token.pk).update(name=name)
    new.token.refresh_from_db()
    return new


@pytest.fixture
def ours(member, program):
    """A coordinator's token in the admin's program, with its secret."""
    user = member(Role.COORDINATOR, email="ours.sync@example.org", first_name="Olive", last_name="Ours")
    return named(make_token(user, program, ["read:people"]), "Ours rota sync")


@pytest.fixture
def theirs(member, other_program):
    """A coordinator's token in another program, with its secret."""
    user = member(Role.COORDINATOR, in_program=other_program, email="theirs.sync@example.org")
    return named(make_token(user, other_program, ["read:people"]), "Theirs rota sync")


def revoke(client, *tokens):
    return client.post(
        CHANGELIST, {"action": "revoke_tokens", "_selected_action": [new.token.pk for new in tokens]}, follow=True
    )


def test_program_admin_lists_only_their_programs_tokens_with_no_secret(client, program_admin, ours, theirs):
    client.force_login(program_admin)

    page = client.get(CHANGELIST).content.decode()

    assert "Ours rota sync" in page and "ours.sync@example.org" in page and "read:people" in page
    assert "Theirs rota sync" not in page
    for secret in (ours.secret, ours.token.secret_hash, theirs.secret, theirs.token.secret_hash):
        assert secret not in page


def test_change_page_shows_the_token_read_only_without_secret_or_digest(client, program_admin, ours):
    client.force_login(program_admin)

    response = client.get(change_url(ours.token))

    page = response.content.decode()
    assert response.status_code == 200 and "Ours rota sync" in page
    assert ours.secret not in page and ours.token.secret_hash not in page
    assert not [field for field in ("name", "scopes", "expires_at", "_save") if f'name="{field}"' in page]
    assert client.post(change_url(ours.token), {"name": "Renamed"}).status_code == 403
    ours.token.refresh_from_db()
    assert ours.token.name == "Ours rota sync"


def test_another_programs_admin_gets_404_and_nothing_listed(client, member, other_program, ours):
    their_admin = member(Role.ADMIN, in_program=other_program, email="their.admin@example.org")
    client.force_login(their_admin)

    assert "Ours rota sync" not in client.get(CHANGELIST).content.decode()
    assert client.get(change_url(ours.token)).status_code == 404
    revoke(client, ours)
    ours.token.refresh_from_db()
    assert ours.token.revoked_at is None and bearer(ours.secret).get(PEOPLE).status_code == 200


def test_superuser_lists_every_programs_tokens(client, superuser, ours, theirs):
    client.force_login(superuser)

    page = client.get(CHANGELIST).content.decode()

    assert "Ours rota sync" in page and "Theirs rota sync" in page
    assert ours.secret not in page and theirs.secret not in page


def test_search_by_user_name_or_email_and_filter_by_revoked(client, program_admin, program, ours, member):
    other = named(make_token(member(Role.COORDINATOR, email="zed@example.org"), program, ["read:people"]), "Zed feed")
    client.force_login(program_admin)

    by_name = client.get(CHANGELIST, {"q": "Olive"}).content.decode()
    by_email = client.get(CHANGELIST, {"q": "zed@example"}).content.decode()
    revoke(client, other)
    revoked = client.get(CHANGELIST, {"revoked": "yes"}).content.decode()
    live = client.get(CHANGELIST, {"revoked": "no"}).content.decode()

    assert "Ours rota sync" in by_name and "Zed feed" not in by_name
    assert "Zed feed" in by_email and "Ours rota sync" not in by_email
    assert "Zed feed" in revoked and "Ours rota sync" not in revoked
    assert "Ours rota sync" in live and "Zed feed" not in live


def test_revoke_selected_tokens_stops_the_token_at_once_and_is_audited(client, program_admin, ours):
    assert bearer(ours.secret).get(PEOPLE).status_code == 200
    client.force_login(program_admin)

    response = revoke(client, ours)

    assert "1 token(s) revoked" in response.content.decode()
    refused = bearer(ours.secret).get(PEOPLE)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    event = AuditEvent.objects.get(action="token.revoked")
    assert (event.actor, event.target_id, event.program_id) == (
        program_admin,
        str(ours.token.pk),
        ours.token.program_id,
    )


def test_coordinator_views_tokens_but_cannot_revoke_them(client, coordinator, ours):
    client.force_login(coordinator)

    page = client.get(CHANGELIST).content.decode()
    revoke(client, ours)

    assert "Ours rota sync" in page and "Revoke selected tokens" not in page
    ours.token.refresh_from_db()
    assert ours.token.revoked_at is None and bearer(ours.secret).get(PEOPLE).status_code == 200


def test_nobody_adds_or_deletes_tokens_in_the_admin(client, superuser, ours):
    client.force_login(superuser)

    assert client.get(reverse("admin:tenants_personalaccesstoken_add")).status_code == 403
    assert client.post(reverse("admin:tenants_personalaccesstoken_delete", args=[ours.token.pk])).status_code == 403
    assert PersonalAccessToken.objects.filter(pk=ours.token.pk).exists()
