"""What every app's API builds on: the program-scoped read-only viewset and schema helpers.

Each viewset acts in the request's program (`program_for`: the X-Organization-ID header or
the session) and documents that header and the RFC 7807 problem responses.
"""

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.filters import OrderingFilter

from tenants.api_permissions import NO_PROGRAM
from tenants.filters import FilterBackend
from tenants.middleware import program_for
from tenants.models import Organization

PROBLEM_MEDIA_TYPE = "application/problem+json"

PROGRAM_HEADER = OpenApiParameter(
    name="X-Organization-ID",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Id or slug of the program to act in; it must be one you belong to. "
    "Without it, the session's program (or your first program) is used.",
)


class ProblemSerializer(serializers.Serializer):
    """RFC 7807 problem details, as config.problems renders every API error (documentation only)."""

    type = serializers.CharField(default="about:blank", help_text="Always about:blank: `title` says the kind.")
    title = serializers.CharField(help_text="The HTTP status in words, e.g. Bad Request.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong, in words a person understands.")
    instance = serializers.CharField(required=False, help_text="The path of the request.")
    code = serializers.CharField(required=False, help_text="A stable code to branch on, e.g. rule_breach.")
    errors = serializers.DictField(required=False, help_text="Field name -> messages, for invalid input.")


PROBLEM_DESCRIPTIONS = {
    400: "Invalid query parameters; `errors` names them.",
    401: "Not authenticated: send a session cookie or an `Authorization: Token <key>` header.",
    403: "No program you belong to was named, or your role there may not read this.",
    404: "No such row in the active program.",
}


def problems(*status_codes: int) -> dict:
    """The documented problem+json answers of these status codes (for `extend_schema(responses=...)`)."""
    return {
        (code, PROBLEM_MEDIA_TYPE): OpenApiResponse(ProblemSerializer, description=PROBLEM_DESCRIPTIONS[code])
        for code in status_codes
    }


def documented(serializer_class: type[serializers.Serializer], things: str) -> Callable[[type], type]:
    """Schema of a program-scoped read-only viewset: a tag, the program header and the problem responses."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"List the program's {things}",
            tags=[things],
            parameters=[PROGRAM_HEADER],
            responses={200: serializer_class(many=True), **problems(400, 401, 403)},
        ),
        retrieve=extend_schema(
            summary=f"Show one of the program's {things}",
            tags=[things],
            parameters=[PROGRAM_HEADER],
            responses={200: serializer_class, **problems(401, 403, 404)},
        ),
    )


class ProgramScoped:
    """A viewset acting in the request's program."""

    request: Any

    def active_program(self) -> Organization:
        program = program_for(self.request)
        if program is None:  # ProgramRolePermission refuses such requests before any queryset is built
            raise exceptions.PermissionDenied(NO_PROGRAM)
        return program


class ProgramReadOnlyViewSet(ProgramScoped, viewsets.ReadOnlyModelViewSet):
    """Lists and shows rows of the request's program, filtered and ordered from the query string."""

    filter_backends = [FilterBackend, OrderingFilter]


class ProgramComputedViewSet(ProgramScoped, viewsets.GenericViewSet):
    """An answer computed for the request's program (a report, a day's list): no rows, so neither paged nor
    filtered; its query string is read by a serializer (`query`), whose errors are a 400 naming the parameter."""

    pagination_class = None
    filter_backends: list = []

    def query(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        """The query string as `serializer_class` validates it (its context holds the program)."""
        form = serializer_class(data=self.request.query_params, context={"program": self.active_program()})
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)


def problem_response(description: str) -> OpenApiResponse:
    """A documented problem+json answer."""
    return OpenApiResponse(ProblemSerializer, description=description)


WRITE_PROBLEMS = {
    400: "Invalid input: `errors` maps each field to its messages, or `detail` says which rule refused it.",
    401: PROBLEM_DESCRIPTIONS[401],
    403: "Your role in this program may not do this (admins and coordinators only).",
}


def write_schema(
    *,
    summary: str,
    description: str,
    tag: str,
    request: Any,
    ok: dict[int, Any],
    problems: dict[int, str] | None = None,
    examples: list[OpenApiExample] | None = None,
) -> Any:
    """The schema of a write endpoint: summary, the program header, its request examples and every problem
    answer as application/problem+json (400, 401 and 403 always; 404, 409... as given)."""
    described = {**WRITE_PROBLEMS, **(problems or {})}
    return extend_schema(
        summary=summary,
        description=description,
        tags=[tag],
        parameters=[PROGRAM_HEADER],
        request=request,
        examples=examples or [],
        responses={
            **ok,
            **{(code, PROBLEM_MEDIA_TYPE): problem_response(text) for code, text in sorted(described.items())},
        },
    )
