from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from tenants.login_security import lockout_message


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by program admins; nobody signs themselves up. A sign-in that django-axes locked out
    says so on the login form, with how long it lasts."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def authentication_failed(self, request, **credentials) -> None:
        if getattr(request, "axes_locked_out", False):
            raise forms.ValidationError(lockout_message(request), code="locked_out")
