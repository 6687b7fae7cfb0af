"""Sign-in security: lockout after failed sign-ins (progressive, unlocked by an admin), verified email for new
addresses, password reset by email (through a real SMTP server on loopback), and the second factor: managers
must enrol, the admin site needs it, a program can ask it of everyone, a recovery code works once."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from axes.models import AccessAttempt, AccessFailureLog
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tenants.audit_models import AuditEvent
from tenants.mfa import totp_enrol
from tenants.models import Role
from tests.notifications.conftest import parts, smtp_server  # noqa: F401 (the real SMTP server fixture)
from tests.tenants.factories import UserFactory
from tests.tenants.second_factor import TEST_TOTP_SECRET, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_five_failures_lock_the_account_with_a_message_on_the_login_page(member):
    member(Role.RESIDENT, email="sam@example.org")
    client = Client()
    for _ in range(4):
        assert sign_in(client, "sam@example.org", "wrong-password-1").status_code == 200
    locked = sign_in(client, "SAM@example.org", "wrong-password-1")

    assert locked.status_code == 429
    assert "signing in is locked for 15 minutes" in locked.content.decode()
    assert 'name="login"' in locked.content.decode()  # the login page itself, not an error page
    refused = sign_in(client, "sam@example.org")  # even the right password
    assert "Too many failed sign-ins" in refused.content.decode()
    assert not signed_in(client)
    assert AccessFailureLog.objects.filter(username="sam@example.org").count() == 6
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_each_further_lockout_within_a_day_lasts_twice_as_long(member):
    member(Role.RESIDENT, email="sam@example.org")
    client = Client()
    for _ in range(5):
        sign_in(client, "sam@example.org", "wrong-password-1")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))  # the cool-off passed
    for _ in range(4):
        assert sign_in(client, "sam@example.org", "wrong-password-2").status_code == 200
    second = sign_in(client, "sam@example.org", "wrong-password-2")

    assert second.status_code == 429
    assert "locked for 30 minutes" in second.content.decode()


def test_an_address_trying_many_accounts_is_locked_out_too(member):
    for number in range(5):
        member(Role.RESIDENT, email=f"user-{number}@example.org")
    client = Client()
    for number in range(5):
        sign_in(client, f"user-{number}@example.org", "wrong-password-1")

    member(Role.RESIDENT, email="innocent@example.org")
    response = sign_in(client, "innocent@example.org")
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_superuser_unlocks_an_account_from_the_user_admin(client, member, superuser):
    user = member(Role.RESIDENT, email="sam@example.org")
    stranger = Client()
    for _ in range(5):
        sign_in(stranger, "sam@example.org", "wrong-password-1")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:tenants_user_changelist"), {"action": "unlock_sign_in", "_selected_action": [user.pk]}
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="sam@example.org").exists()
    sign_in(stranger, "sam@example.org")
    assert signed_in(stranger)
    assert AuditEvent.objects.filter(action="auth.unlocked", actor=superuser).exists()


def test_an_unverified_new_address_cannot_sign_in_until_its_link_is_followed(member, smtp_server):  # noqa: F811
    new = UserFactory(email="new@example.org", verified_email=False)
    client = Client()

    response = sign_in(client, "new@example.org")

    assert response.status_code == 302
    assert not signed_in(client)
    [message] = smtp_server.messages
    assert message["To"] == "new@example.org"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", parts(message)["text/plain"]).group(0)
    assert client.post(urlsplit(link).path).status_code == 302
    assert new.emailaddress_set.get().verified
    sign_in(client, "new@example.org")
    assert signed_in(client)


def test_password_reset_mail_arrives_and_its_link_sets_a_strong_password(member, smtp_server):  # noqa: F811
    member(Role.RESIDENT, email="sam@example.org")
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "sam@example.org"})
    [message] = smtp_server.messages
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", parts(message)["text/plain"]).group(0)
    path = urlsplit(link).path
    form_page = client.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path

    short = client.post(set_url, {"password1": "short-pw-1", "password2": "short-pw-1"})
    assert "at least 12 characters" in short.content.decode()
    done = client.post(set_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})
    assert done.status_code == 302

    sign_in(client, "sam@example.org", PASSWORD)
    assert not signed_in(client)
    sign_in(client, "sam@example.org", "a-brand-new-passphrase")
    assert signed_in(client)


def test_a_coordinator_without_an_authenticator_is_sent_to_enrol_and_nowhere_else(member):
    member(Role.COORDINATOR, email="pat@example.org")
    client = Client()
    sign_in(client, "pat@example.org")
    enrol = reverse("mfa_activate_totp")

    for path in (reverse("home"), reverse("schedule-grid"), reverse("admin:index"), "/api/v1/"):
        response = client.get(path)
        assert response.status_code in (302, 403), path
        if response.status_code == 302:
            assert response.url == enrol

    reauthenticate = client.get(enrol)  # allauth asks for the password again before an authenticator is added
    assert reauthenticate.url.startswith(reverse("account_reauthenticate"))
    client.post(reauthenticate.url, {"password": PASSWORD})
    page = client.get(enrol)
    assert page.status_code == 200
    wrong = client.post(enrol, {"code": "000000"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(type="totp").exists()
    secret = client.session[SECRET_SESSION_KEY]
    assert client.post(enrol, {"code": totp_code(secret)}).status_code == 302

    assert Authenticator.objects.filter(user__email="pat@example.org", type="totp").exists()
    assert signed_in(client)


def test_an_enrolled_coordinator_enters_a_code_after_the_password(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    totp_enrol(user=user, secret=TEST_TOTP_SECRET)
    client = Client()

    response = sign_in(client, "pat@example.org")
    assert response.url == reverse("mfa_authenticate")
    assert not signed_in(client)
    assert "incorrect" in client.post(reverse("mfa_authenticate"), {"code": "123456"}).content.decode().lower()
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert signed_in(client)
    assert AuditEvent.objects.filter(action="mfa.verified", actor=user).count() == 1


def test_the_admin_site_refuses_a_session_that_passed_only_a_password(superuser):
    totp_enrol(user=superuser, secret=TEST_TOTP_SECRET)
    password_only = Client()
    password_only.force_login(superuser)  # a plain client: no second factor recorded

    response = password_only.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_reauthenticate"))
    assert password_only.get(reverse("admin:tenants_user_changelist")).status_code == 302

    password_only.post(response.url, {"code": totp_code()})
    assert password_only.get(reverse("admin:index")).status_code == 200


def test_a_program_that_requires_mfa_for_everyone_sends_its_residents_to_enrol(client, program, resident_user):
    client.force_login(resident_user)
    assert client.get(reverse("home")).status_code == 200

    program.settings = {"security": {"require_mfa": True}}
    program.save()

    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_the_security_setting_is_refused_unless_true_or_false(program):
    program.settings = {"security": {"require_mfa": "yes"}}
    with pytest.raises(ValidationError, match="require_mfa: must be true or false"):
        program.full_clean()


def test_a_recovery_code_signs_in_once(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    totp_enrol(user=user, secret=TEST_TOTP_SECRET)
    code = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()[0]
    client = Client()

    sign_in(client, "pat@example.org")
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert signed_in(client)
    client.post(reverse("account_logout"))

    sign_in(client, "pat@example.org")
    again = client.post(reverse("mfa_authenticate"), {"code": code})
    assert again.status_code == 200
    assert not signed_in(client)
    assert AuditEvent.objects.filter(action="mfa.recovery_code_used", actor=user).count() == 1
