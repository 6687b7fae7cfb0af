from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tenants.middleware import SESSION_KEY
from tenants.selectors import program_by_reference


@login_required
@require_POST
def program_switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's programs the active one for this session."""
    program = program_by_reference(request.user, request.POST.get("program", "").strip())
    if program is None:
        messages.error(request, "You do not belong to that program.")
    else:
        request.session[SESSION_KEY] = program.pk
        messages.success(request, f"Now working in {program.name}.")
    next_url = request.POST.get("next") or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "home"
    return redirect(next_url)


class TotpEnrolView(ActivateTOTPView):
    """allauth's enrolment of an authenticator app; the code the new authenticator just gave counts as this
    session's second factor (recorded the way allauth records one at sign-in), so the user carries on."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        authenticator = Authenticator.objects.get(user=self.request.user, type=Authenticator.Type.TOTP)
        post_authentication(self.request, authenticator)
        return response
