from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms

from tenants.login_security import lockout_message
from tenants.mfa import REMOVAL_REFUSED, removal_refusal


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by program admins; nobody signs themselves up. A sign-in that django-axes locked out
    says so on the login form, with how long it lasts."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def authentication_failed(self, request, **credentials) -> None:
        if getattr(request, "axes_locked_out", False):
            raise forms.ValidationError(lockout_message(request), code="locked_out")


class SecondFactorAdapter(DefaultMFAAdapter):
    """allauth.mfa's adapter: a user who must pass a second factor keeps their last authenticator app or passkey
    (the authenticator app's deactivation form says why; the passkey removal page asks the same, tenants.mfa)."""

    error_messages = {**DefaultMFAAdapter.error_messages, "cannot_delete_authenticator": REMOVAL_REFUSED}

    def can_delete_authenticator(self, authenticator) -> bool:
        program = getattr(context.request, "program", None)
        return removal_refusal(authenticator, program) is None
