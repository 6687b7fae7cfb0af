"""The authentication backend djangosaml2's ACS calls once pysaml2 has verified an assertion."""

from django.core.exceptions import PermissionDenied
from djangosaml2.backends import Saml2Backend

from tenants.errors import DomainError
from tenants.saml import sso_attributes, sso_settings
from tenants.saml_services import sso_user_sign_in


class InstitutionSaml2Backend(Saml2Backend):
    """Signs in the person the institution's IdP vouches for, by the rules of `sso_user_sign_in`.

    Only the SSO views set `request.sso_institution`; any other call finds no institution and gets no user. A refusal
    leaves its reason on the request (`sso_refusal`) for the error page; a success leaves `sso_sign_in` for the audit.
    """

    def authenticate(self, request, session_info=None, attribute_mapping=None, **kwargs):
        institution = getattr(request, "sso_institution", None)
        if institution is None or not session_info or "ava" not in session_info:
            return None
        values = sso_attributes(session_info["ava"], sso_settings(institution))
        try:
            signed_in = sso_user_sign_in(
                institution=institution,
                program=getattr(request, "sso_program", None),
                email=values["email"],
                first_name=values["first_name"],
                last_name=values["last_name"],
            )
        except DomainError as exc:
            request.sso_refusal = str(exc)
            raise PermissionDenied(str(exc)) from None
        request.sso_sign_in = signed_in
        return signed_in.user if self.user_can_authenticate(signed_in.user) else None
