"""Personal access tokens: made on the user's page (secret shown once), scoped, tied to one program, and
refused at once when revoked or expired."""

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tenants.errors import DomainError
from tenants.models import PersonalAccessToken, Role
from tenants.tokens import token_create, token_mark_used, token_revoke, token_scopes_allowed
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"
ABSENCES = "/api/v1/absences/"
PROBLEM = "application/problem+json"


def make_token(user, program, scopes, days=30):
    return token_create(
        user=user, program=program, name="sync", scopes=scopes, expires_on=program.today() + dt.timedelta(days=days)
    )


def bearer(secret: str, **headers) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", **headers)
    return client


def test_token_secret_is_stored_only_as_a_digest(program, coordinator):
    new = make_token(coordinator, program, ["read:people"])

    row = PersonalAccessToken.objects.get()
    assert new.secret.startswith("rs_") and len(new.secret) > 40
    assert row.secret_hash == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in (row.secret_hash, row.prefix) and new.secret.startswith(row.prefix)


def test_token_reads_what_its_scope_allows_in_its_program(program, coordinator):
    ResidentFactory(program=program, last_name="Ours")
    new = make_token(coordinator, program, ["read:people"])

    response = bearer(new.secret).get(PEOPLE)

    assert response.status_code == 200, response.content
    assert [row["last_name"] for row in response.json()["results"]] == ["Ours"]


def test_token_without_the_scope_is_refused_naming_it(program, coordinator):
    new = make_token(coordinator, program, ["read:people"])

    response = bearer(new.secret).get(ABSENCES)

    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert "read:absences" in response.json()["detail"]


def test_read_scope_does_not_write_but_write_implies_read(program, resident_user):
    ResidentFactory(program=program, user=resident_user)
    body = {"kind": "vacation", "start_date": "2026-08-03", "end_date": "2026-08-04"}
    reader = make_token(resident_user, program, ["read:absences"])
    writer = make_token(resident_user, program, ["write:absences"])

    refused = bearer(reader.secret).post(ABSENCES, body, format="json")
    listed = bearer(writer.secret).get(ABSENCES)
    created = bearer(writer.secret).post(ABSENCES, body, format="json")

    assert refused.status_code == 403 and "write:absences" in refused.json()["detail"]
    assert listed.status_code == 200
    assert created.status_code == 201, created.content


def test_role_still_applies_on_top_of_the_scope(program, member):
    user = member(Role.COORDINATOR)
    new = make_token(user, program, ["write:schedule"])
    user.memberships.update(role=Role.RESIDENT)  # demoted after making the token

    response = bearer(new.secret).post("/api/v1/schedule-runs/", {}, format="json")

    assert response.status_code == 403


def test_token_acts_in_its_own_program_only(program, other_program, member):
    user = member(Role.COORDINATOR)
    member(Role.COORDINATOR, in_program=other_program, email=user.email)
    ResidentFactory(program=other_program, last_name="Theirs")
    new = make_token(user, program, ["read:people"])

    own = bearer(new.secret, HTTP_X_ORGANIZATION_ID=program.slug).get(PEOPLE)
    other = bearer(new.secret, HTTP_X_ORGANIZATION_ID=str(other_program.pk)).get(PEOPLE)

    assert own.status_code == 200 and own.json()["results"] == []
    assert other.status_code == 403 and "acts in" in other.json()["detail"]


def test_revoked_token_stops_at_once_with_401_naming_why(program, coordinator):
    new = make_token(coordinator, program, ["read:people"])
    client = bearer(new.secret)
    assert client.get(PEOPLE).status_code == 200

    token_revoke(token=new.token, user=coordinator)
    response = client.get(PEOPLE)

    assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    assert "revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused_with_401_naming_why(program, coordinator):
    new = make_token(coordinator, program, ["read:people"])
    PersonalAccessToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = bearer(new.secret).get(PEOPLE)

    assert response.status_code == 401 and "expired" in response.json()["detail"]


@pytest.mark.parametrize("secret", ["rs_not-a-token", "not-even-prefixed", "rs_a rs_b"])
def test_unknown_or_malformed_bearer_is_401(db, secret):
    response = bearer(secret).get(PEOPLE)

    assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"]


def test_legacy_authtoken_keys_keep_working(program, coordinator):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=coordinator).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_X_ORGANIZATION_ID=program.slug)

    assert client.get(PEOPLE).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(program, coordinator):
    new = make_token(coordinator, program, ["read:people"])
    start = timezone.now()

    first = token_mark_used(token=new.token, ip="10.0.0.1", now=start)
    token_mark_used(token=new.token, ip="10.0.0.1", now=start + dt.timedelta(seconds=30))
    new.token.refresh_from_db()
    kept = new.token.last_used_at
    again = token_mark_used(token=new.token, ip="10.0.0.1", now=start + dt.timedelta(minutes=2))

    assert first is True and again is False
    assert kept == start
    new.token.refresh_from_db()
    assert new.token.last_used_at == start + dt.timedelta(minutes=2) and new.token.last_used_ip == "10.0.0.1"


def test_api_request_records_last_use(program, coordinator):
    new = make_token(coordinator, program, ["read:people"])

    bearer(new.secret).get(PEOPLE)

    new.token.refresh_from_db()
    assert new.token.last_used_at is not None and new.token.last_used_ip == "127.0.0.1"


def test_scopes_offered_follow_the_role(program, resident_user, coordinator, program_admin):
    resident = token_scopes_allowed(user=resident_user, program=program)
    manager = token_scopes_allowed(user=coordinator, program=program)
    admin = token_scopes_allowed(user=program_admin, program=program)

    assert "write:absences" in resident and "read:people" in resident
    assert "write:people" not in resident and "read:audit" not in resident and "write:program" not in resident
    assert "write:people" in manager and "write:program" not in manager and "read:audit" not in manager
    assert {"read:audit", "write:program"} <= set(admin) and "write:audit" not in admin


@pytest.mark.parametrize(
    ("name", "scopes", "days", "message"),
    [
        ("", ["read:people"], 30, "name"),
        ("sync", [], 30, "at least one scope"),
        ("sync", ["write:people"], 30, "does not allow these scopes: write:people"),
        ("sync", ["read:people"], 0, "at most 365 days"),
        ("sync", ["read:people"], 366, "at most 365 days"),
    ],
)
def test_token_create_refuses_bad_input(program, resident_user, name, scopes, days, message):
    with pytest.raises(DomainError, match=message):
        token_create(
            user=resident_user,
            program=program,
            name=name,
            scopes=scopes,
            expires_on=program.today() + dt.timedelta(days=days),
        )
    assert not PersonalAccessToken.objects.exists()


def test_tokens_page_creates_shows_secret_once_lists_and_revokes(client, program, resident_user):
    client.force_login(resident_user)
    url = reverse("token-list")
    page = client.get(url)
    assert page.status_code == 200
    assert b"write:people" not in page.content and b"write:absences" in page.content  # only the role's scopes

    expires = (program.today() + dt.timedelta(days=90)).isoformat()
    created = client.post(url, {"name": "Rota sync", "scopes": ["read:schedule"], "expires_on": expires}, follow=True)
    token = PersonalAccessToken.objects.get()
    secret = created.context["created"]["secret"]
    assert created.redirect_chain == [(url, 302)] and created["Cache-Control"] == "no-store"
    assert secret.encode() in created.content and token.prefix.encode() in created.content
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()

    again = client.get(url)
    assert secret.encode() not in again.content and token.prefix.encode() in again.content

    revoked = client.post(reverse("token-revoke", args=[token.pk]), follow=True)
    assert "no longer works" in revoked.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(secret).get("/api/v1/block-assignments/").status_code == 401


def test_tokens_page_refuses_scopes_beyond_the_role_and_a_far_expiry(client, program, resident_user):
    client.force_login(resident_user)
    url = reverse("token-list")
    far = (program.today() + dt.timedelta(days=400)).isoformat()

    beyond = client.post(url, {"name": "x", "scopes": ["write:people"], "expires_on": far})
    too_far = client.post(url, {"name": "x", "scopes": ["read:people"], "expires_on": far})

    assert "write:people is not one of the available choices" in beyond.content.decode()
    assert "at most 365 days" in too_far.content.decode()
    assert not PersonalAccessToken.objects.exists()


def test_nobody_revokes_another_users_token(client, program, coordinator, resident_user):
    new = make_token(coordinator, program, ["read:people"])
    client.force_login(resident_user)

    response = client.post(reverse("token-revoke", args=[new.token.pk]))

    assert response.status_code == 404
    new.token.refresh_from_db()
    assert new.token.revoked_at is None


def test_notifications_need_the_notifications_scope(program, resident_user):
    with_scope = make_token(resident_user, program, ["read:notifications"])
    without = make_token(resident_user, program, ["read:schedule"])

    assert bearer(with_scope.secret).get("/api/v1/notifications/").status_code == 200
    assert bearer(without.secret).get("/api/v1/notifications/").status_code == 403


def test_token_creation_first_daily_use_and_revocation_are_audited(program, coordinator):
    from tenants.audit_models import AuditEvent

    new = make_token(coordinator, program, ["read:people"])
    client = bearer(new.secret)
    client.get(PEOPLE)
    client.get(PEOPLE)
    token_revoke(token=new.token, user=coordinator)

    events = list(AuditEvent.objects.filter(target_id=str(new.token.pk)).order_by("pk"))
    assert [event.action for event in events] == ["token.created", "token.used", "token.revoked"]
    assert all(event.actor_id == coordinator.pk and event.program_id == program.pk for event in events)
    assert events[0].after["scopes"] == ["read:people"]
    assert events[1].ip_address == "127.0.0.1"
    assert not AuditEvent.objects.filter(after__icontains=new.secret).exists()


def test_every_api_endpoint_has_a_token_scope_area():
    """A new viewset declares `permission_resource` of a known area (or `token_scope`), or tokens cannot use it."""
    from config.api_router import router
    from tenants.api_permissions import token_area
    from tenants.tokens import AREAS

    missing = [prefix for prefix, viewset, _ in router.registry if token_area(viewset) not in AREAS]

    assert missing == [], f"add these to tenants.tokens.AREA_RESOURCES or set token_scope: {missing}"


def test_admin_token_reads_the_audit_log_a_coordinator_cannot_get_the_scope(program, program_admin, coordinator):
    new = make_token(program_admin, program, ["read:audit"])

    response = bearer(new.secret).get("/api/v1/audit-events/")

    assert response.status_code == 200, response.content
    assert {row["action"] for row in response.json()["results"]} == {"token.created", "token.used"}
    with pytest.raises(DomainError, match="read:audit"):
        make_token(coordinator, program, ["read:audit"])
