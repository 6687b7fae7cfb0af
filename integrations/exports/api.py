"""Saved export templates under /api/v1/export-templates/: list, show, create, change, delete, and
`GET /api/v1/export-templates/{id}/run/` (`?format=json`): the template's rows as JSON, over the days it covers
today. A people or absences template is how an integrator reads those exports as JSON (an absence's private note is
never in them). Admins and coordinators only; another coordinator's private template is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from integrations.exports import services
from integrations.exports.models import ExportDelivery, ExportTemplate
from integrations.exports.tables import template_table
from tenants.api import PROGRAM_HEADER, ProgramReadOnlyViewSet, documented, problems, write_schema
from tenants.idempotency import idempotent
from tenants.permissions import Action, Resource

TAG = "export templates"


class ExportDeliverySerializer(serializers.ModelSerializer):
    """A template's scheduled email (read-only here: set it on the export template page)."""

    recipients = serializers.SlugRelatedField(many=True, read_only=True, slug_field="email")

    class Meta:
        model = ExportDelivery
        fields = ["frequency", "weekday", "day_of_month", "hour", "recipients", "is_active", "last_sent_period"]
        read_only_fields = fields


class ExportTemplateSerializer(serializers.ModelSerializer):
    """A saved export: what, which columns and people, which days (relative to the day it runs), which format."""

    columns = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Column keys in order; empty: all of the export's."
    )
    filters = serializers.JSONField(
        required=False, help_text='{"people": [ids], "pgy": [1..8], "rotations": [ids], "kinds": ["resident"...]}.'
    )
    created_by = serializers.SlugRelatedField(read_only=True, slug_field="email")
    delivery = ExportDeliverySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ExportTemplate
        fields = ["id", *services.TEMPLATE_FIELDS, "created_by", "created_at", "updated_at", "delivery"]
        read_only_fields = ["id", "created_by", "created_at", "updated_at", "delivery"]
        validators: list = []  # the name's uniqueness is the service's (a 409 that says so)
        extra_kwargs = {
            "dataset": {"help_text": "schedule, people or absences."},
            "file_format": {"help_text": "The file of the page's Run now: xlsx, pdf, csv or ics (schedule)."},
            "range_preset": {"help_text": "next_4_weeks, this_block, next_block, this_academic_year or custom."},
            "start_offset_days": {"help_text": "custom: the first day is today plus this many days."},
            "length_days": {"help_text": "custom: how many days."},
            "grouping": {"help_text": "person, day or rotation."},
            "shared": {"help_text": "Shared with the program's admins and coordinators (else only yours)."},
        }


class ExportColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class ExportGroupSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The person, day or rotation of the group ('' when ungrouped).")
    rows = serializers.ListField(child=serializers.DictField(), help_text="Each row: column key -> value.")


class ExportRunSerializer(serializers.Serializer):
    """A template's rows as of today."""

    template = serializers.IntegerField()
    name = serializers.CharField()
    dataset = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    columns = ExportColumnSerializer(many=True)
    groups = ExportGroupSerializer(many=True)


EXAMPLE = OpenApiExample(
    "Residents' next four weeks",
    value={
        "name": "Residents, next 4 weeks",
        "dataset": "schedule",
        "file_format": "xlsx",
        "columns": ["date", "session", "person", "code"],
        "filters": {"kinds": ["resident"]},
        "range_preset": "next_4_weeks",
        "grouping": "person",
        "shared": True,
    },
    request_only=True,
)
NOT_FOUND = {404: "No such export template in the active program (or it is another coordinator's private one)."}
CONFLICT = {409: "The program already has an export template of that name."}


def _write(summary: str, description: str, ok: int, **more: Any) -> Any:
    return write_schema(
        summary=summary,
        description=description,
        tag=TAG,
        request=more.get("request", ExportTemplateSerializer),
        ok={ok: more.get("response", ExportTemplateSerializer)},
        problems=more.get("problems"),
        examples=more.get("examples", [EXAMPLE]),
    )


@documented(ExportTemplateSerializer, TAG)
@extend_schema_view(
    create=_write("Save an export template", "Admins and coordinators.", 201, problems=CONFLICT),
    update=_write("Change an export template", "Admins and coordinators.", 200, problems={**NOT_FOUND, **CONFLICT}),
    partial_update=_write(
        "Change some of an export template",
        "Admins and coordinators.",
        200,
        problems={**NOT_FOUND, **CONFLICT},
        examples=[OpenApiExample("Rename", value={"name": "Next block"}, request_only=True)],
    ),
    destroy=_write(
        "Delete an export template",
        "Its scheduled email stops too. Admins and coordinators.",
        204,
        request=None,
        response=None,
        problems=NOT_FOUND,
        examples=[],
    ),
)
class ExportTemplateViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ProgramReadOnlyViewSet
):
    """The program's shared export templates and the user's own private ones."""

    queryset = ExportTemplate.objects.none()
    permission_resource = Resource.EXPORT
    permission_actions = {"run": Action.VIEW}
    serializer_class = ExportTemplateSerializer
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> QuerySet[ExportTemplate]:
        return services.export_template_list(program=self.active_program(), user=self.request.user)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        template = services.export_template_create(
            program=self.active_program(), user=request.user, values=dict(form.validated_data)
        )
        return Response(self.get_serializer(template).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        template = self.get_object()
        form = self.get_serializer(template, data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        saved = services.export_template_update(template=template, user=request.user, values=dict(form.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=saved.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.export_template_delete(template=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Run an export template",
        description="The template's rows as JSON, over the days it covers as of the program's today, grouped as "
        "the template says. Admins and coordinators.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={200: ExportRunSerializer, **problems(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def run(self, request: Request, pk: str) -> Response:
        template = self.get_object()
        table = template_table(template=template)
        body = {
            "template": template.pk,
            "name": template.name,
            "dataset": template.dataset,
            "start": table.start,
            "end": table.end,
            "columns": [{"key": c.key, "label": c.label} for c in table.columns],
            "groups": [
                {"label": label, "rows": [{c.key: row.get(c.key, "") for c in table.columns} for row in rows]}
                for label, rows in table.groups
            ],
        }
        return Response(ExportRunSerializer(body).data)


def register(router: BaseRouter) -> None:
    router.register("export-templates", ExportTemplateViewSet, basename="export-template")
