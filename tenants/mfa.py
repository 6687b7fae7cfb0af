"""The second factor (allauth.mfa: an authenticator app's TOTP codes, passkeys, and recovery codes).

Who must pass one: superusers and staff, every program admin and coordinator (a Membership with those roles,
anywhere), and everybody acting in a program whose settings ask for it:

    Organization.settings["security"] = {"require_mfa": true}

Such a user signs in with their password, then (allauth's login stage) enters a code or uses a passkey, or signs
in with a passkey alone (the device checked a fingerprint, face or PIN: two factors in one); one who has no
authenticator yet is sent to enrol and can open nothing else until done. A session counts as having passed
when allauth recorded an "mfa" authentication in it: at sign-in, on re-authentication, or at enrolment (the
enrolment proves the new authenticator: a code from the app, a passkey's signed registration). The admin site
asks the same of everyone. Such a user cannot remove their last authenticator (`removal_refusal`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from tenants.audit import PLATFORM, record
from tenants.audit_models import AuditAction
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can
from tenants.selectors import MANAGER_ROLES, program_roles

SECURITY_SETTINGS_KEY = "security"
KNOWN = ("require_mfa",)


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    """`require_mfa`: every member of the program passes a second factor, not only its admins and coordinators."""

    require_mfa: bool = False


def security_settings_from_json(data: Any, *, path: str = SECURITY_SETTINGS_KEY) -> SecuritySettings:
    """Validate Organization.settings["security"] (None = defaults); DomainError names the setting at fault."""
    if data is None:
        return SecuritySettings()
    if not isinstance(data, dict):
        raise DomainError(f'Security setting {path}: must be an object such as {{"require_mfa": true}}')
    unknown = sorted(set(data) - set(KNOWN))
    if unknown:
        raise DomainError(f"Security setting {path}.{unknown[0]}: unknown setting (known: {', '.join(KNOWN)})")
    require_mfa = data.get("require_mfa", False)
    if not isinstance(require_mfa, bool):
        raise DomainError(f"Security setting {path}.require_mfa: must be true or false")
    return SecuritySettings(require_mfa=require_mfa)


def security_settings(program: Organization) -> SecuritySettings:
    stored = program.settings if isinstance(program.settings, dict) else {}
    return security_settings_from_json(stored.get(SECURITY_SETTINGS_KEY))


@transaction.atomic
def security_settings_update(*, program: Organization, user, settings: Any, request=None) -> SecuritySettings:
    """Validate and store the program's security section (Organization.settings["security"]): its admins only; a
    DomainError names the setting at fault and nothing is stored. The change is in the audit log."""
    if not can(user, Action.CHANGE, Resource.PROGRAM, program):
        raise PermissionDenied("Only the program's admins can change its security settings.")
    value = security_settings_from_json(settings)
    locked = Organization.objects.select_for_update().get(pk=program.pk)
    before = security_settings_from_json((locked.settings or {}).get(SECURITY_SETTINGS_KEY))
    after = {"require_mfa": value.require_mfa}
    locked.settings = {**(locked.settings or {}), SECURITY_SETTINGS_KEY: after}
    locked.save(update_fields=["settings"])
    program.settings = locked.settings
    record(
        AuditAction.PROGRAM_SETTINGS_CHANGED,
        request=request,
        actor=user,
        program=program,
        target=program,
        before={SECURITY_SETTINGS_KEY: {"require_mfa": before.require_mfa}},
        after={SECURITY_SETTINGS_KEY: after},
    )
    return value


def mfa_required(user, program: Organization | None = None) -> bool:
    """Whether `user` (acting in `program`) must pass a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    if any(role in MANAGER_ROLES for role in program_roles(user).values()):
        return True
    return program is not None and security_settings(program).require_mfa


def mfa_passed(request: HttpRequest) -> bool:
    """Whether this session's user passed a second factor (allauth's record of an "mfa" authentication)."""
    records = get_authentication_records(request, getattr(request, "user", None))
    return any(record.get("method") == "mfa" for record in records)


def second_factor_url(request: HttpRequest) -> str:
    """Where a signed-in user goes to pass their second factor: enrolment if they have no authenticator yet."""
    query = urlencode({"next": request.get_full_path()})
    if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
        return f"{reverse('mfa_reauthenticate')}?{query}"
    if is_mfa_enabled(request.user, [Authenticator.Type.WEBAUTHN]):
        return f"{reverse('mfa_reauthenticate_webauthn')}?{query}"
    return reverse("mfa_activate_totp")


REMOVAL_REFUSED = (
    "You must keep a second factor: your role (or your program) asks for one at every sign-in. Add another "
    "passkey or an authenticator app first, then remove this one."
)


def removal_refusal(authenticator: Authenticator, program: Organization | None = None) -> str | None:
    """Why `authenticator` may not be removed (None: it may): it is the last passkey or authenticator app of a
    user who must pass a second factor. Recovery codes alone do not count: they are for the day one is lost."""
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return None
    user = type(authenticator.user).objects.get(pk=authenticator.user_id)  # a fresh row: roles are cached on it
    if not mfa_required(user, program):
        return None
    others = Authenticator.objects.filter(user=user).exclude(pk=authenticator.pk)
    if others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists():
        return None
    return REMOVAL_REFUSED


def _exempt_prefixes() -> tuple[str, ...]:
    return ("/accounts/", f"/{settings.STATIC_URL.lstrip('/')}", "/healthz", "/readyz")


class SecondFactorMiddleware:
    """Sends a signed-in user who must pass a second factor and has not to enrol or to enter a code: every page
    but the account pages (sign-out, enrolment, codes) answers with that redirect; the API with a 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_exempt_prefixes())
            and not mfa_passed(request)
            and mfa_required(user, getattr(request, "program", None))
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "about:blank",
                        "title": "Second factor required",
                        "status": 403,
                        "detail": "Sign in with your second factor on the site first, or use an API token.",
                        "code": "mfa_required",
                    },
                    status=403,
                    content_type="application/problem+json",
                )
            return redirect(second_factor_url(request))
        return self.get_response(request)


def totp_enrol(*, user, secret: str) -> Authenticator:
    """Give `user` a TOTP authenticator with this base32 secret (and recovery codes), unless they have one."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    authenticator = TOTP.activate(user, secret).instance
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)
    return authenticator


def email_verified_ensure(*, user) -> EmailAddress:
    """Record `user`'s address as verified (a user whose address an operator vouches for, such as the demo's)."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return address


def _described(authenticator: Authenticator) -> dict[str, Any]:
    """What the audit log keeps of an authenticator: its type, and a passkey's name."""
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        return {"type": authenticator.type, "name": authenticator.data.get("name", "")}
    return {"type": authenticator.type}


@receiver(mfa_signals.authenticator_used, dispatch_uid="audit_mfa_used")
def _mfa_used_audited(sender, request, user, authenticator, **kwargs) -> None:
    """A second factor passed (at sign-in, re-authentication or enrolment); a recovery code is named as such, and a
    passkey too, saying how it served: the whole sign-in, the second factor after the password, or confirming access.
    (The audit log drops any key naming a password, hence `used_as`.)"""
    after = _described(authenticator)
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        action = AuditAction.MFA_RECOVERY_CODE_USED
    elif authenticator.type == Authenticator.Type.WEBAUTHN:
        action = AuditAction.PASSKEY_USED
        after["used_as"] = (
            "sign-in"
            if kwargs.get("passwordless")
            else "confirmation"
            if kwargs.get("reauthenticated")
            else "second factor"
        )
    else:
        action = AuditAction.MFA_VERIFIED
    record(action, request=request, actor=user, program=PLATFORM, after=after)


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit_mfa_added")
def _mfa_added_audited(sender, request, user, authenticator, **kwargs) -> None:
    passkey = authenticator.type == Authenticator.Type.WEBAUTHN
    action = AuditAction.PASSKEY_ADDED if passkey else AuditAction.MFA_ENABLED
    record(action, request=request, actor=user, program=PLATFORM, after=_described(authenticator))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
def _mfa_removed_audited(sender, request, user, authenticator, **kwargs) -> None:
    passkey = authenticator.type == Authenticator.Type.WEBAUTHN
    action = AuditAction.PASSKEY_REMOVED if passkey else AuditAction.MFA_DISABLED
    record(action, request=request, actor=user, program=PLATFORM, before=_described(authenticator))


@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
def _mfa_reset_audited(sender, request, user, authenticator, **kwargs) -> None:
    record(AuditAction.MFA_RECOVERY_CODES, request=request, actor=user, program=PLATFORM)
