"""Passkeys (allauth.mfa's WebAuthn, checked by the real fido2 server against a software authenticator): a resident
adds one on the security page and signs in with it alone; it is a manager's second factor, alone or after the
password; adding one counts as enrolling; renaming and removing it; a manager's last factor stays; a forged
answer signs nobody in; every step is in the audit log."""

import json
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.internal.auth import WebAuthn
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tenants.audit_models import AuditEvent
from tenants.mfa import REMOVAL_REFUSED, totp_enrol
from tenants.models import Role
from tests.tenants.second_factor import TEST_TOTP_SECRET
from tests.tenants.soft_passkey import SoftPasskey, challenge_of, user_handle

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def passkey_enrol(user, name: str = "My phone") -> SoftPasskey:
    """A passkey of `user`'s, stored as allauth stores an added one (the add page's own checks: see the first test)."""
    passkey = SoftPasskey()
    WebAuthn.add(user, name, json.loads(passkey.register("Y2hhbGxlbmdl", user_handle(user))))
    return passkey


def passkey_sign_in(client: Client, passkey: SoftPasskey, **fields: str):
    """The login page's "Sign in with a passkey": fetch the options, answer the challenge, post the answer (with the
    page's other `fields`, such as `next`)."""
    options = client.get(reverse("mfa_login_webauthn"), HTTP_ACCEPT="application/json")
    assert options.status_code == 200 and "request_options" in options.json()
    return client.post(reverse("mfa_login_webauthn"), {"credential": passkey.sign_in(challenge_of(client)), **fields})


def confirm_access(client: Client, page: str):
    """allauth asks for the password again before authenticators change; give it, then open `page`."""
    response = client.get(page)
    if response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate")):
        client.post(response.url, {"password": PASSWORD})
        response = client.get(page)
    return response


def passkey_add(client: Client, user, passkey: SoftPasskey, name: str = "My phone"):
    page = confirm_access(client, reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    credential = passkey.register(challenge_of(client), user_handle(user))
    return client.post(reverse("mfa_add_webauthn"), {"name": name, "passwordless": "on", "credential": credential})


def test_a_resident_adds_a_passkey_then_signs_in_with_it_alone(member):
    started = timezone.now()
    user = member(Role.RESIDENT, email="sam@example.org")
    client = Client()
    client.force_login(user)
    passkey = SoftPasskey()

    added = passkey_add(client, user, passkey, name="Sam's phone")

    assert added.status_code == 302 and added.url == reverse("mfa_view_recovery_codes")  # codes with the first factor
    [stored] = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)
    assert stored.wrap().name == "Sam's phone" and stored.wrap().is_passwordless
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Sam&#x27;s phone" in page and reverse("mfa_remove_webauthn", kwargs={"pk": stored.pk}) in page
    added_event = AuditEvent.objects.filter(action="mfa.passkey_added", actor=user).get()
    assert (added_event.after["name"], added_event.actor_email) == ("Sam's phone", "sam@example.org")
    assert added_event.program is None and started <= added_event.occurred_at <= timezone.now()

    client.post(reverse("account_logout"))
    assert not signed_in(client)
    response = passkey_sign_in(client, passkey)

    assert (response.status_code, response.url) == (302, reverse("home")), client.get(response.url).content.decode()
    assert signed_in(client)
    used = AuditEvent.objects.filter(action="mfa.passkey_used", actor=user).get()
    assert used.after == {"type": "webauthn", "name": "Sam's phone", "used_as": "sign-in"}
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()


def test_a_passkey_sign_in_goes_on_to_the_login_pages_next(member):
    user = member(Role.RESIDENT, email="sam@example.org")
    passkey = passkey_enrol(user)
    client = Client()
    login_page = client.get(reverse("account_login"), {"next": "/me/"}).content.decode()
    passkey_form = login_page[login_page.index('id="mfa_login"') :]
    assert 'name="next" value="/me/"' in passkey_form[: passkey_form.index("</form>")]

    response = passkey_sign_in(client, passkey, next="/me/")

    assert (response.status_code, response.url) == (302, "/me/")
    assert signed_in(client)


@pytest.mark.parametrize("elsewhere", ["https://evil.example.com/me/", "//evil.example.com/me/", "javascript:alert(1)"])
def test_a_passkey_sign_in_ignores_a_next_on_another_site(member, elsewhere):
    user = member(Role.RESIDENT, email="sam@example.org")
    passkey = passkey_enrol(user)
    client = Client()

    response = passkey_sign_in(client, passkey, next=elsewhere)

    assert (response.status_code, response.url) == (302, reverse("home"))
    assert signed_in(client)


def test_the_add_page_refuses_a_registration_signed_for_another_challenge(member):
    user = member(Role.RESIDENT, email="sam@example.org")
    client = Client()
    client.force_login(user)
    assert confirm_access(client, reverse("mfa_add_webauthn")).status_code == 200
    forged = SoftPasskey().register("bm90LXRoZS1jaGFsbGVuZ2U", user_handle(user))

    response = client.post(reverse("mfa_add_webauthn"), {"name": "Stolen", "passwordless": "on", "credential": forged})

    assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="mfa.passkey_added").exists()


def test_an_unknown_passkey_signs_nobody_in(member):
    user = member(Role.RESIDENT, email="sam@example.org")
    passkey_enrol(user)
    stranger = SoftPasskey()
    stranger.user_handle = user_handle(user)  # claims to be Sam's, signed by a key Sam never added
    client = Client()

    client.get(reverse("mfa_login_webauthn"), HTTP_ACCEPT="application/json")
    response = client.post(reverse("mfa_login_webauthn"), {"credential": stranger.sign_in(challenge_of(client))})

    assert response.status_code == 302 and response.url == reverse("account_login")
    assert not signed_in(client)
    assert "Incorrect code" in client.get(reverse("account_login")).content.decode()
    assert not AuditEvent.objects.filter(action__in=["auth.login", "mfa.passkey_used"]).exists()


def test_a_coordinators_passkey_alone_passes_the_second_factor(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    passkey = passkey_enrol(user)
    client = Client()

    passkey_sign_in(client, passkey)

    assert client.get(reverse("schedule-grid")).status_code == 200  # not sent to enrol or to enter a code


def test_a_coordinator_uses_a_passkey_as_the_second_factor_after_the_password(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    passkey = passkey_enrol(user)
    client = Client()

    response = client.post(reverse("account_login"), {"login": "pat@example.org", "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Use a passkey" in page
    client.post(reverse("mfa_authenticate"), {"credential": passkey.sign_in(challenge_of(client))})

    assert client.get(reverse("schedule-grid")).status_code == 200
    used = AuditEvent.objects.filter(action="mfa.passkey_used", actor=user).get()
    assert used.after["used_as"] == "second factor"


def test_the_second_factor_page_offers_no_passkey_to_a_user_without_one(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    totp_enrol(user=user, secret=TEST_TOTP_SECRET)
    client = Client()
    client.post(reverse("account_login"), {"login": "pat@example.org", "password": PASSWORD})

    page = client.get(reverse("mfa_authenticate")).content.decode()

    assert "Use a passkey" not in page and 'name="code"' in page


def test_a_coordinator_who_must_enrol_may_add_a_passkey_instead_and_carries_on(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    client = Client()
    client.post(reverse("account_login"), {"login": "pat@example.org", "password": PASSWORD})
    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")
    assert reverse("mfa_add_webauthn") in confirm_access(client, reverse("mfa_activate_totp")).content.decode()

    passkey_add(client, user, SoftPasskey())

    assert client.get(reverse("schedule-grid")).status_code == 200


def test_a_passkey_is_renamed_on_its_page(member):
    user = member(Role.RESIDENT, email="sam@example.org")
    passkey_enrol(user)
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    client = Client()
    client.force_login(user)
    edit = reverse("mfa_edit_webauthn", kwargs={"pk": stored.pk})
    assert confirm_access(client, edit).status_code == 200

    response = client.post(edit, {"name": "Work laptop"})

    assert response.status_code == 302 and response.url == reverse("mfa_index")
    stored.refresh_from_db()
    assert stored.wrap().name == "Work laptop"


def test_a_resident_removes_their_only_passkey(member):
    user = member(Role.RESIDENT, email="sam@example.org")
    passkey_enrol(user, name="Old phone")
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    client = Client()
    client.force_login(user)
    remove = reverse("mfa_remove_webauthn", kwargs={"pk": stored.pk})
    assert "Remove the passkey “Old phone”?" in confirm_access(client, remove).content.decode()

    assert client.post(remove).url == reverse("mfa_index")

    assert not Authenticator.objects.filter(pk=stored.pk).exists()
    removed_event = AuditEvent.objects.filter(action="mfa.passkey_removed", actor=user).get()
    assert removed_event.before["name"] == "Old phone" and removed_event.program is None
    assert removed_event.occurred_at <= timezone.now() and removed_event.actor_email == "sam@example.org"


def test_a_coordinators_last_second_factor_cannot_be_removed(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    passkey = passkey_enrol(user)
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    client = Client()
    passkey_sign_in(client, passkey)
    remove = reverse("mfa_remove_webauthn", kwargs={"pk": stored.pk})

    page = confirm_access(client, remove)
    assert REMOVAL_REFUSED in page.content.decode().replace("&#x27;", "'")
    refused = client.post(remove)

    assert refused.url == reverse("mfa_index")
    assert REMOVAL_REFUSED in client.get(reverse("mfa_index")).content.decode().replace("&#x27;", "'")
    assert Authenticator.objects.filter(pk=stored.pk).exists()
    assert not AuditEvent.objects.filter(action="mfa.passkey_removed").exists()

    totp_enrol(user=user, secret=TEST_TOTP_SECRET)  # with an authenticator app as well, the passkey may go
    assert client.post(remove).url == reverse("mfa_index")
    assert not Authenticator.objects.filter(pk=stored.pk).exists()


def test_a_coordinators_only_authenticator_app_cannot_be_deactivated(client, member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    client.force_login(user)  # enrols an authenticator app and passes it (tests/tenants/second_factor.py)
    deactivate = reverse("mfa_deactivate_totp")
    assert confirm_access(client, deactivate).status_code == 200

    response = client.post(deactivate)

    assert REMOVAL_REFUSED in response.content.decode().replace("&#x27;", "'")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_another_users_passkey_is_not_found(member):
    owner = member(Role.RESIDENT, email="sam@example.org")
    passkey_enrol(owner)
    stored = Authenticator.objects.get(user=owner, type=Authenticator.Type.WEBAUTHN)
    client = Client()
    client.force_login(member(Role.RESIDENT, email="kim@example.org"))

    for name in ("mfa_edit_webauthn", "mfa_remove_webauthn"):
        url = reverse(name, kwargs={"pk": stored.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Mine now"}).status_code == 404
    assert Authenticator.objects.get(pk=stored.pk).wrap().name == "My phone"


def test_the_login_page_offers_a_passkey_with_no_inline_script(client):
    page = client.get(reverse("account_login")).content.decode()

    assert 'id="passkey_login"' in page and "Sign in with a passkey" in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_a_coordinator_whose_only_factor_is_a_passkey_is_asked_for_it_before_anything_else(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    passkey = passkey_enrol(user)
    client = Client()
    client.force_login(user)  # a session that has not passed the second factor

    response = client.get(reverse("schedule-grid"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_reauthenticate_webauthn"))
    assert "Use a passkey" in client.get(response.url).content.decode()
    client.post(reverse("mfa_reauthenticate_webauthn"), {"credential": passkey.sign_in(challenge_of(client))})

    assert client.get(reverse("schedule-grid")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.passkey_used", actor=user).get().after["used_as"] == "confirmation"
