"""A program's settings sections under /api/v1/program/settings/<section>/: GET reads the section, PATCH changes it.

Each section is one small viewset over its reader (the section's `*_from_json`, defaults filled in) and its update
service, the one way the pages and the admin change it; this module only maps a refusal to a 400 naming the
setting (`errors`) and documents the endpoint. PATCH merges the given top-level keys over the stored section
(a nested object such as `requirements` is replaced whole), then the service validates the whole section: a bad
setting stores nothing. The security section (require MFA for everyone) is here too: admins only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProgramScoped, problem_response
from tenants.errors import DomainError
from tenants.mfa import SECURITY_SETTINGS_KEY, security_settings, security_settings_update
from tenants.models import Organization
from tenants.permissions import Action, Resource

TAG = "program settings"
SETTINGS_PREFIX = "program/settings"


def settings_schema(*, section: str, who: str, serializer: Any, example: dict[str, Any]) -> dict[str, Any]:
    """The `retrieve` (GET) and `partial_update` (PATCH) schemas of a settings section, for extend_schema_view."""
    problems = {
        (401, PROBLEM_MEDIA_TYPE): problem_response("Not authenticated."),
        (403, PROBLEM_MEDIA_TYPE): problem_response(f"Only {who} read and change these settings."),
    }
    return {
        "retrieve": extend_schema(
            summary=f"Read the program's {section} settings",
            description=f"The program's {section} settings, defaults filled in. {who.capitalize()} only.",
            tags=[TAG],
            parameters=[PROGRAM_HEADER],
            responses={200: serializer, **problems},
        ),
        "partial_update": extend_schema(
            summary=f"Change the program's {section} settings",
            description="The keys given replace those stored (a nested object is replaced whole); the whole section "
            "is then validated by the same reader the pages use. A setting that cannot be used is refused with "
            "400, `errors` naming it, and nothing is stored.",
            tags=[TAG],
            parameters=[PROGRAM_HEADER],
            request=serializer,
            examples=[OpenApiExample(f"Change {section} settings", value=example, request_only=True)],
            responses={
                200: serializer,
                (400, PROBLEM_MEDIA_TYPE): problem_response("A setting that cannot be used; `errors` names it."),
                **problems,
            },
        ),
    }


class SettingsSectionViewSet(ProgramScoped, viewsets.GenericViewSet):
    """One section of the active program's settings: GET (`retrieve`) and PATCH (`partial_update`) on its URL."""

    key: ClassVar[str]
    singleton = True  # config.api_router routes PATCH on the list URL to partial_update
    permission_actions = {"retrieve": Action.CHANGE, "partial_update": Action.CHANGE}
    pagination_class = None
    filter_backends: ClassVar[list] = []

    def read(self, program: Organization) -> dict[str, Any]:
        """The section as JSON, defaults filled in."""
        raise NotImplementedError

    def write(self, program: Organization, settings: dict[str, Any]) -> None:
        """Store the whole section through its update service (which validates it)."""
        raise NotImplementedError

    def setting_at_fault(self, exc: DomainError, data: dict[str, Any]) -> str:
        """The setting a refusal names, relative to the section (e.g. requirements.clinic_capacity)."""
        path = getattr(exc, "path", "")
        if path.startswith(f"{self.key}."):
            return path.removeprefix(f"{self.key}.")
        named = [name for name in data if f"{self.key}.{name}" in str(exc)]
        return named[0] if named else "non_field_errors"

    def retrieve(self, request: Request) -> Response:
        return Response(self.read(self.active_program()))

    def partial_update(self, request: Request) -> Response:
        program = self.active_program()
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object of settings."]})
        data = dict(request.data)
        try:
            self.write(program, {**self.read(program), **data})
        except DomainError as exc:
            raise serializers.ValidationError({self.setting_at_fault(exc, data): [str(exc)]}) from exc
        return Response(self.read(program))


class SecuritySettingsSerializer(serializers.Serializer):
    """The program's security section (documentation; tenants.mfa validates)."""

    require_mfa = serializers.BooleanField(
        help_text="Every member passes a second factor, not only the admins and coordinators (true or false)."
    )


@extend_schema_view(
    **settings_schema(
        section="security",
        who="the program's admins",
        serializer=SecuritySettingsSerializer,
        example={"require_mfa": True},
    )
)
class SecuritySettingsViewSet(SettingsSectionViewSet):
    """Organization.settings["security"]: whether every member must pass a second factor. Admins only."""

    key = SECURITY_SETTINGS_KEY
    serializer_class = SecuritySettingsSerializer
    permission_resource = Resource.PROGRAM

    def read(self, program: Organization) -> dict[str, Any]:
        return {"require_mfa": security_settings(program).require_mfa}

    def write(self, program: Organization, settings: dict[str, Any]) -> None:
        security_settings_update(program=program, user=self.request.user, settings=settings, request=self.request)


def register(router: BaseRouter) -> None:
    router.register(f"{SETTINGS_PREFIX}/security", SecuritySettingsViewSet, basename="program-settings-security")
