"""Single sign-on pages under /sso/<slug>/: djangosaml2's views, each told which institution it serves.

The login start accepts an institution's slug or one of its programs' (the program's link, for a first sign-in
with the program's `jit_role`); the ACS and the metadata are the institution's.
"""

from django.contrib import auth
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from djangosaml2.views import AssertionConsumerServiceView, LoginView, MetadataView
from saml2.response import SignatureError, UnsolicitedResponse, VerificationError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from tenants.audit import PLATFORM, record
from tenants.audit_models import AuditAction
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.saml import JOIN_SESSION_KEY, sso_organizations, sso_session_mark, sso_settings
from tenants.saml_backend import InstitutionSaml2Backend

BACKEND = f"{InstitutionSaml2Backend.__module__}.{InstitutionSaml2Backend.__qualname__}"


class _InstitutionMixin:
    """Resolves the institution (and program) from the URL before djangosaml2 loads its configuration."""

    program_allowed = False

    def dispatch(self, request, org_slug: str):
        institution, program = sso_organizations(org_slug)
        if program is not None and not self.program_allowed:
            raise Http404(f"This address belongs to {institution}, not to one of its programs.")
        request.sso_institution, request.sso_program = institution, program
        try:
            return super().dispatch(request)
        except (DomainError, OSError) as exc:  # the IdP's metadata URL does not answer, or not with metadata
            reason = f"{institution}'s identity provider could not be reached: {exc}"
            record(
                AuditAction.SSO_LOGIN_FAILED, request=request, actor=None, program=program or PLATFORM, detail=reason
            )
            context = {
                "institution": institution,
                "reason": reason,
                "heading": f"Sign-in with {institution} is unavailable",
            }
            return render(request, "tenants/sso_refused.html", context, status=503)


class SsoLoginView(_InstitutionMixin, LoginView):
    """Sends the browser to the institution's IdP with a signed AuthnRequest (redirect binding)."""

    program_allowed = True

    def get(self, request, *args, **kwargs):
        joins = dict(request.saml_session.get(JOIN_SESSION_KEY) or {})
        if request.sso_program is not None:
            joins[str(request.sso_institution.pk)] = request.sso_program.pk
        else:
            joins.pop(str(request.sso_institution.pk), None)
        request.saml_session[JOIN_SESSION_KEY] = joins
        return super().get(request, *args, **kwargs)


class SsoMetadataView(_InstitutionMixin, MetadataView):
    """The institution's service provider metadata, to register with its IdP."""


def _refusal_reason(request, exception: Exception | None) -> str:
    institution = request.sso_institution
    refusal = getattr(request, "sso_refusal", "")
    if refusal:
        return refusal
    if isinstance(exception, SignatureError):
        return (
            f"The response was not signed by {institution}'s identity provider, or it was changed on the way "
            "(only a signed assertion is accepted)."
        )
    if isinstance(exception, ResponseLifetimeExceed | ToEarly | VerificationError):
        return (
            "The response has expired, is not valid yet, or its conditions are not met. "
            "Start again from the sign-in page."
        )
    if isinstance(exception, UnsolicitedResponse):
        return (
            "The response answers no sign-in started from this browser (it was used already, or started "
            "elsewhere). Start again from the sign-in page."
        )
    return (
        f"The response is not addressed to this site's sign-in for {institution} "
        "(another audience or address), or it is malformed."
    )


class SsoAcsView(_InstitutionMixin, AssertionConsumerServiceView):
    """Receives the IdP's response; pysaml2 checks signature, audience, address and lifetime, then the backend
    applies our rules. A refusal is a page saying why, with status 403, and nothing stored."""

    def post(self, request, *args, **kwargs):
        joins = dict(request.saml_session.get(JOIN_SESSION_KEY) or {})
        program_id = joins.pop(str(request.sso_institution.pk), None)
        request.saml_session[JOIN_SESSION_KEY] = joins
        request.sso_program = (
            Organization.objects.filter(pk=program_id, parent=request.sso_institution, is_active=True).first()
            if program_id
            else None
        )
        return super().post(request, attribute_mapping={"email": ("email",)}, create_unknown_user=True)

    def custom_validation(self, response) -> None:
        """pysaml2 leaves an assertion whose subject confirmation fails (another recipient, for instance) to
        session_info(), outside djangosaml2's error handling: ask it here, where a failure is a refusal."""
        response.session_info()

    def authenticate_user(self, request, session_info, attribute_mapping, create_unknown_user, assertion_info):
        """Our backend directly rather than through django.contrib.auth.authenticate: the IdP has verified the
        person, so neither the password lockout (django-axes) applies nor does a refusal by our rules count as a
        failed password attempt against the address (a hospital's staff often share one); sso.login_failed
        records it instead."""
        user = InstitutionSaml2Backend().authenticate(request, session_info=session_info)
        if user is None:
            raise PermissionDenied("This account is deactivated.")
        auth.login(request, user, backend=BACKEND)
        self.post_login_hook(request, user, session_info)
        return user

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        institution, reason = request.sso_institution, _refusal_reason(request, exception)
        detail = f"{institution}: {reason}" + (f" ({exception.__class__.__name__})" if exception else "")
        program = request.sso_program or PLATFORM
        record(AuditAction.SSO_LOGIN_FAILED, request=request, actor=None, program=program, detail=detail)
        return render(request, "tenants/sso_refused.html", {"institution": institution, "reason": reason}, status=403)

    def post_login_hook(self, request, user, session_info) -> None:
        institution, signed_in = request.sso_institution, request.sso_sign_in
        mfa = sso_settings(institution).idp_enforces_mfa
        sso_session_mark(request, institution=institution, mfa=mfa)
        program = request.sso_program or PLATFORM
        if signed_in.user_created:
            record(AuditAction.SSO_USER_CREATED, request=request, program=program, target=user, detail=str(institution))
        if signed_in.membership is not None:
            membership = signed_in.membership
            record(
                AuditAction.MEMBERSHIP_CREATED,
                request=request,
                program=program,
                target=membership,
                after={"user": user.email, "role": membership.role},
                detail=f"First sign-in with {institution}'s SSO: the program's default role.",
            )
        detail = f"{institution}" + (" (the IdP enforces MFA)" if mfa else "")
        record(AuditAction.SSO_LOGIN, request=request, program=program, target=user, detail=detail)
