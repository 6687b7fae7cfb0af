"""Managers in tests pass the second factor for real: they get an authenticator-app (TOTP) authenticator, and
their session carries allauth's record of an "mfa" authentication, written by allauth's own function."""

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.test import Client, RequestFactory

from tenants.mfa import mfa_required, totp_enrol
from tenants.models import User

TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TEST_TOTP_SECRET, at: float | None = None) -> str:
    """The authenticator app's code for `secret` now (or at `at`, a Unix time)."""
    return format_hotp_value(hotp_value(secret, int(time.time() if at is None else at) // 30))


def second_factor_pass(client: Client, user: User) -> Authenticator:
    """Give `user` a TOTP authenticator (TEST_TOTP_SECRET) if they have none, and mark the client's session as
    having passed it, as allauth does after the code is entered."""
    authenticator = totp_enrol(user=user, secret=TEST_TOTP_SECRET)
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    return authenticator


class SecondFactorClient(Client):
    """The test client whose force_login also passes the second factor for a user who must have one."""

    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        if mfa_required(User.objects.get(pk=user.pk)):  # a fresh row: roles are cached on the object
            second_factor_pass(self, user)
