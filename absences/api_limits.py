"""Absence limits under /api/v1/absence-limits/: how many days of one kind of absence a person may take per
academic year (a kind without one is unlimited); the balances and every new request are checked against them.

Members who read the schedule read them; admins and coordinators set one (POST `{kind, days_per_year}`: a kind
that has one gets it changed), change it (PATCH/PUT) or remove it (DELETE), through `absence_limit_set` and
`absence_limit_delete` (absences.services).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from absences.models import AbsenceLimit
from absences.services import absence_limit_delete, absence_limit_set
from tenants import filters as bounded
from tenants.api import ProgramReadOnlyViewSet, documented, write_schema
from tenants.idempotency import idempotent
from tenants.permissions import Resource

TAG = "absence limits"


class AbsenceLimitSerializer(serializers.ModelSerializer):
    """A yearly limit of one kind of absence, also the body that sets one."""

    class Meta:
        model = AbsenceLimit
        fields = ["id", "kind", "days_per_year"]
        validators: list = []  # one per kind: the service changes the kind's limit
        extra_kwargs = {
            "kind": {"help_text": "The kind of absence (vacation, sick, conference...)."},
            "days_per_year": {"help_text": "Days of this kind a person may take per academic year (0-366)."},
        }


class AbsenceLimitFilter(bounded.FilterSet):
    class Meta:
        model = AbsenceLimit
        fields = ["kind"]


EXAMPLE = OpenApiExample("Twenty days of vacation", value={"kind": "vacation", "days_per_year": 20}, request_only=True)
NOT_FOUND = {404: "No such absence limit in the active program."}


def _write(summary: str, description: str, ok: int, **more: Any) -> Any:
    return write_schema(
        summary=summary,
        description=description,
        tag=TAG,
        request=more.get("request", AbsenceLimitSerializer),
        ok={code: more.get("response", AbsenceLimitSerializer) for code in more.get("codes", [ok])},
        problems=more.get("problems"),
        examples=more.get("examples", [EXAMPLE]),
    )


@documented(AbsenceLimitSerializer, TAG)
@extend_schema_view(
    create=_write(
        "Limit a kind of absence",
        "Admins and coordinators. A kind has one limit: if it has one already, that one is changed (200).",
        201,
        codes=[201, 200],
    ),
    update=_write("Change a limit", "The kind stays. Admins and coordinators.", 200, problems=NOT_FOUND),
    partial_update=_write(
        "Change a limit's days",
        "The kind stays. Admins and coordinators.",
        200,
        problems=NOT_FOUND,
        examples=[OpenApiExample("Fifteen days", value={"days_per_year": 15}, request_only=True)],
    ),
    destroy=_write(
        "Remove a limit",
        "That kind of absence is then unlimited. Admins and coordinators.",
        204,
        request=None,
        response=None,
        problems=NOT_FOUND,
        examples=[],
    ),
)
class AbsenceLimitViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ProgramReadOnlyViewSet
):
    """The program's yearly absence limits, by kind."""

    queryset = AbsenceLimit.objects.none()
    permission_resource = Resource.SCHEDULE  # a program rule (AbsenceLimit.permission_resource)
    serializer_class = AbsenceLimitSerializer
    filterset_class = AbsenceLimitFilter
    ordering_fields = ["kind", "days_per_year"]

    def get_queryset(self) -> QuerySet[AbsenceLimit]:
        return AbsenceLimit.objects.for_program(self.active_program())

    def _set(self, kind: str, days: int) -> AbsenceLimit:
        return absence_limit_set(program=self.active_program(), user=self.request.user, kind=kind, days_per_year=days)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        kind = form.validated_data["kind"]
        existed = self.get_queryset().filter(kind=kind).exists()
        limit = self._set(kind, form.validated_data["days_per_year"])
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(AbsenceLimitSerializer(limit).data, status=code)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        limit = self.get_object()
        form = self.get_serializer(limit, data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        if form.validated_data.get("kind", limit.kind) != limit.kind:
            raise serializers.ValidationError({"kind": ["A limit keeps its kind: set one for the other kind."]})
        days = form.validated_data.get("days_per_year", limit.days_per_year)
        return Response(AbsenceLimitSerializer(self._set(limit.kind, days)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        absence_limit_delete(limit=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: BaseRouter) -> None:
    router.register("absence-limits", AbsenceLimitViewSet, basename="absence-limit")
