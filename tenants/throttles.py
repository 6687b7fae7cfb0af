"""API rate limits per role and per token: one bucket per personal access token, per signed-in user, or per
address for anonymous callers. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]; a caller past its
rate gets 429 problem+json with Retry-After (DRF's Throttled, rendered by config.problems).
"""

from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from tenants.middleware import program_for
from tenants.models import PersonalAccessToken, Role
from tenants.selectors import role_in

ANONYMOUS, RESIDENT, COORDINATOR, ADMIN, TOKEN = "anonymous", "resident", "coordinator", "admin", "token"


def throttle_bucket(request) -> tuple[str, str]:
    """(scope, identity) of a request: its token, else its user's role in the active program, else its address.

    Clinicians and clinic staff share the `resident` rate; superusers have the `admin` rate.
    """
    if isinstance(request.auth, PersonalAccessToken):
        return TOKEN, f"pat{request.auth.pk}"
    user = request.user
    if not (user and user.is_authenticated):
        return ANONYMOUS, ""
    role = Role.ADMIN if user.is_superuser else role_in(user, program_for(request))
    scope = {Role.ADMIN: ADMIN, Role.COORDINATOR: COORDINATOR}.get(role, RESIDENT)
    return scope, f"user{user.pk}"


class RoleRateThrottle(SimpleRateThrottle):
    """One throttle class whose scope (and so rate) is chosen per request by `throttle_bucket`."""

    scope = ANONYMOUS

    def __init__(self) -> None:  # the rate is read per request, once the scope is known
        pass

    def allow_request(self, request, view) -> bool:
        self.scope, self.ident = throttle_bucket(request)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        ident = self.ident or self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def document_rate_limit(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: every operation is rate limited, so each documents its 429 (problem+json,
    with the seconds to wait in Retry-After)."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    too_many = {
        "content": problem,
        "description": "Too many requests for this caller's rate (per token, per role, per anonymous address).",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
    }
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("429", too_many)
    return result
