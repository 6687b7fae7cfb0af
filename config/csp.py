"""The Content-Security-Policy: django-csp's middleware with one exception, the API documentation pages.

Every page of ours passes the strict policy in settings.CONTENT_SECURITY_POLICY (scripts only from our own
static files). Swagger UI and ReDoc (drf-spectacular's templates, under /api/docs/ and /api/redoc/) start
themselves with an inline script and style, so their views get settings.API_DOCS_CSP_DIRECTIVES instead:
those pages show the API's schema and nothing of a user's data.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

DOCS_VIEWS = (SpectacularSwaggerView, SpectacularRedocView)


def is_api_docs(request) -> bool:
    match = getattr(request, "resolver_match", None)
    view_class = getattr(match.func, "view_class", None) if match else None
    return isinstance(view_class, type) and issubclass(view_class, DOCS_VIEWS)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.replace is None and is_api_docs(request):
            parts.replace = settings.API_DOCS_CSP_DIRECTIVES
        return parts
