"""API authentication by personal access token: `Authorization: Bearer rs_...`.

The token's program becomes the request's active program; a revoked or expired token is refused at once
with a 401 naming why. The older `Authorization: Token <key>` keys keep working for existing integrations.
"""

import ipaddress

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from tenants.tokens import SECRET_PREFIX, TokenRefused, token_for_secret, token_mark_used

KEYWORD = "Bearer"


def _address(meta) -> str | None:
    try:
        return str(ipaddress.ip_address(meta.get("REMOTE_ADDR", "").strip()))
    except ValueError:
        return None


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates `Bearer rs_...`; `request.auth` is the PersonalAccessToken."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as `Authorization: Bearer rs_...`, one word.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("A token is plain ASCII text.") from None
        if not secret.startswith(SECRET_PREFIX):
            raise exceptions.AuthenticationFailed("Unknown token: personal access tokens start with rs_.")
        try:
            token = token_for_secret(secret)
        except TokenRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        django_request = request._request
        django_request.program = token.program  # the token acts in its own program only
        django_request._program_late = True
        token_mark_used(token=token, ip=_address(django_request.META), request=django_request)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'


class PersonalAccessTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of personal access tokens."""

    target_class = PersonalAccessTokenAuthentication
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (rs_...) made on your API tokens page; it acts in its program "
            "with its scopes (read:<area>, write:<area>).",
        }
