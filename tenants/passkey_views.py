"""Passkeys (allauth.mfa's WebAuthn pages), fitted to this site: a new passkey signs in without a password unless
its owner says otherwise, adding one counts as passing the second factor (as enrolling an authenticator app does),
the last one of a user who must have a second factor stays, and every page returns to the security page."""

from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.internal import flows
from allauth.mfa.webauthn.views import AddWebAuthnView, EditWebAuthnView, RemoveWebAuthnView
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.views.generic import RedirectView

from tenants.mfa import mfa_passed, mfa_required, removal_refusal

SECURITY_PAGE = reverse_lazy("mfa_index")


class PasskeyAddView(AddWebAuthnView):
    """Add a passkey (allauth's ceremony, static/js from allauth); the registration the new key signed proves it,
    so the session of a user who must pass a second factor and had not yet (sent here to enrol) has now."""

    def get_initial(self) -> dict:
        return {**super().get_initial(), "passwordless": True}

    def form_valid(self, form) -> HttpResponse:
        authenticator, recovery_codes = flows.add_authenticator(
            self.request, name=form.cleaned_data["name"], credential=form.cleaned_data["credential"]
        )
        program = getattr(self.request, "program", None)
        if mfa_required(self.request.user, program) and not mfa_passed(self.request):
            post_authentication(self.request, authenticator)
        self.did_generate_recovery_codes = bool(recovery_codes)
        return HttpResponseRedirect(self.get_success_url())


class OwnPasskeyFirst:
    """Another user's passkey (or none) is a 404 before allauth asks the user to confirm their access."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            own = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.WEBAUTHN)
            if not own.filter(pk=kwargs["pk"]).exists():
                raise Http404("No such passkey of yours.")
        return super().dispatch(request, *args, **kwargs)


class PasskeyRenameView(OwnPasskeyFirst, EditWebAuthnView):
    success_url = SECURITY_PAGE


class PasskeyRemoveView(OwnPasskeyFirst, RemoveWebAuthnView):
    """Remove one of one's passkeys, unless it is the last second factor of a user who must have one."""

    success_url = SECURITY_PAGE

    def get_context_data(self, **kwargs) -> dict:
        refusal = removal_refusal(self.object, getattr(self.request, "program", None))
        return {**super().get_context_data(**kwargs), "refusal": refusal}

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:
        # The user's authenticators, locked: two removals at once cannot each leave the other as the last one.
        list(Authenticator.objects.select_for_update().filter(user_id=self.request.user.pk))
        refusal = removal_refusal(self.get_object(), getattr(self.request, "program", None))
        if refusal:
            messages.error(self.request, refusal)
            return HttpResponseRedirect(reverse("mfa_index"))
        return super().form_valid(form)


class PasskeyListView(RedirectView):
    """The passkeys are listed on the security page."""

    def get_redirect_url(self, *args, **kwargs) -> str:
        return f"{reverse('mfa_index')}#passkeys"
