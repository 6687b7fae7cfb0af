from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import now
from django.views.decorators.http import require_POST

from tenants import access, tokens
from tenants.errors import DomainError
from tenants.forms import TokenCreateForm
from tenants.middleware import SESSION_KEY
from tenants.models import PersonalAccessToken
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


# API tokens are personal: any member acting in a program may make them for that program.
member_required = access.require(denied="You do not belong to a program yet, so you cannot make API tokens.")
NEW_TOKEN_KEY = "new_api_token"


@member_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's API tokens and a form to make one for the active program. A new token's secret rides in the
    session to the page the creation redirects to, which shows it once and drops it (so a reload makes no
    second token and never shows the secret again)."""
    program = request.program
    form = TokenCreateForm(
        request.POST or None,
        allowed_scopes=tokens.token_scopes_allowed(user=request.user, program=program),
        today=program.today(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = tokens.token_create(
                user=request.user,
                program=program,
                name=data["name"],
                scopes=data["scopes"],
                expires_on=data["expires_on"],
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            request.session[NEW_TOKEN_KEY] = {"name": created.token.name, "secret": created.secret}
            return redirect("token-list")
    created = request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    context = {"form": form, "created": created, "tokens": tokens.token_list(user=request.user), "now": now()}
    response = render(request, "tenants/token_list.html", context)
    response["Cache-Control"] = "no-store"  # the page may carry a new secret
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's tokens; it stops working at once."""
    token = PersonalAccessToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("No such token of yours.")
    tokens.token_revoke(token=token, user=request.user, request=request)
    messages.success(request, f"Token “{token.name}” is revoked; it no longer works.")
    return redirect("token-list")
