"""Sign-ins, sign-outs and failed sign-ins go to the audit log through Django's auth signals; a wrong second
factor, password changes and email verification through allauth's (tenants.mfa logs the other second-factor events).

allauth, the admin's login and `Client.login` all end in `django.contrib.auth.login`/`authenticate`, so one
receiver each covers every way in. A failed attempt keeps the email tried (never the password) and, when an
account has that email, names it as the target so its admins see attempts against it.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
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


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def audit_mfa_failed(sender, request, user, authenticator=None, **kwargs) -> None:
    """A wrong code: the password was right, so the account is known, but nobody is signed in yet."""
    after = {"type": getattr(authenticator, "type", "")}
    record(AuditAction.MFA_FAILED, request=request, actor=None, program=PLATFORM, target=user, after=after)


@receiver(account_signals.password_changed, dispatch_uid="audit_password_changed")
def audit_password_changed(sender, request, user, **kwargs) -> None:
    record(AuditAction.PASSWORD_CHANGED, request=request, actor=user, program=PLATFORM, target=user)


@receiver(account_signals.password_reset, dispatch_uid="audit_password_reset")
def audit_password_reset(sender, request, user, **kwargs) -> None:
    record(AuditAction.PASSWORD_RESET, request=request, actor=user, program=PLATFORM, target=user)


@receiver(account_signals.email_confirmed, dispatch_uid="audit_email_confirmed")
def audit_email_confirmed(sender, request, email_address, **kwargs) -> None:
    user = email_address.user
    record(AuditAction.EMAIL_VERIFIED, request=request, actor=user, program=PLATFORM, target=user)
