"""Sign-ins, sign-outs and failed sign-ins go to the audit log through Django's auth signals.

allauth, the admin's login and `Client.login` all end in `django.contrib.auth.login`/`authenticate`, so one
receiver each covers every way in. A failed attempt keeps the email tried (never the password) and, when an
account has that email, names it as the target so its admins see attempts against it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tenants.audit import PLATFORM, record
from tenants.audit_models import AuditAction

_LOGIN_KEYS = ("email", "login", "username")


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    record(AuditAction.LOGIN, request=request, actor=user, program=PLATFORM)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:  # signing out without being signed in is no event
        record(AuditAction.LOGOUT, request=request, actor=user, program=PLATFORM)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    tried = next((str(credentials[key]) for key in _LOGIN_KEYS if credentials.get(key)), "")[:254]
    account = get_user_model().objects.filter(email__iexact=tried).first() if tried else None
    record(
        AuditAction.LOGIN_FAILED,
        request=request,
        actor=None,
        program=PLATFORM,
        target=account,
        after={"email": tried},
        detail=f"Attempted email: {tried}" if tried else "No email given",
    )
