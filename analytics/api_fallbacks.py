"""Fallback schedules under /api/v1/fallbacks/ and the load-shedding order at /api/v1/fallbacks/load-shedding-order/.

The program's managers (analytics: VIEW to read, CHANGE to make a fallback or change the order) list and read
fallbacks, name a new scenario (POST: the fallback is computed in the background; poll its `status`), and read or
replace the order in which services are cut (GET/PUT). Rules live in analytics.fallbacks.
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

from analytics.fallbacks import (
    CLINIC_KEY,
    MAX_LOST,
    FallbackRow,
    fallback_create,
    fallback_create_for_cohort,
    fallback_rows,
    fallbacks_for,
    load_shedding_order,
    load_shedding_order_set,
    service_key_parse,
)
from analytics.models_fallbacks import Fallback
from scheduling.models import AcademicYear
from tenants import filters as bounded
from tenants.api import (
    PROBLEM_MEDIA_TYPE,
    PROGRAM_HEADER,
    ProgramReadOnlyViewSet,
    documented,
    problem_response,
    problems,
    write_schema,
)
from tenants.idempotency import idempotent
from tenants.permissions import Action, Resource

TAG = "fallbacks"


class SheddingServiceSerializer(serializers.Serializer):
    """A service in the load-shedding order: `key` is a rotation's id, or "clinic" for the continuity clinic."""

    key = serializers.CharField(help_text='A rotation id, or "clinic".')
    name = serializers.CharField()


class LoadSheddingOrderSerializer(serializers.Serializer):
    """The order in which a fallback cuts services, first cut first."""

    services = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=200,
        allow_empty=True,
        help_text='Rotation ids (as strings or numbers) or "clinic", first cut first; [] cuts nothing.',
    )

    def validate_services(self, value: list[str]) -> list[int | None]:
        return [service_key_parse(key) for key in value]


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class FallbackSerializer(serializers.Serializer):
    """A fallback: its scenario, the state of its computation, what it shed and left uncovered, and its draft."""

    id = serializers.IntegerField(source="fallback.pk")
    name = serializers.CharField(source="fallback.name")
    academic_year = serializers.IntegerField(source="fallback.academic_year_id")
    first_block = serializers.IntegerField(source="fallback.first_block")
    last_block = serializers.IntegerField(source="fallback.last_block")
    lost = serializers.SerializerMethodField()
    picked = serializers.CharField(source="fallback.picked")
    run = serializers.IntegerField(source="fallback.run_id", allow_null=True)
    status = serializers.CharField(help_text="queued, running, succeeded, infeasible, cancelled or failed.")
    message = serializers.CharField()
    shed = serializers.ListField(child=serializers.CharField(), help_text="Services cut, in order.")
    uncovered = serializers.ListField(child=serializers.CharField(), help_text="Coverage still short.")
    version = serializers.SerializerMethodField()
    compliant = serializers.BooleanField(allow_null=True, help_text="The ACGME checker's verdict on the whole year.")
    violations = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField(source="fallback.created_at")

    def get_lost(self, row: FallbackRow) -> list[dict[str, Any]]:
        return PersonRefSerializer(row.fallback.lost.all(), many=True).data

    def get_version(self, row: FallbackRow) -> dict[str, Any] | None:
        version = row.version
        if version is None:
            return None
        return {"id": version.pk, "number": version.number, "status": version.status}


class FallbackCreateSerializer(serializers.Serializer):
    """A scenario: chosen people (`lost`), or the `count` most critical of PGY cohort `pgy`, for some blocks."""

    name = serializers.CharField(max_length=120, help_text="E.g. 'Lose 2 PGY-2s for block 6'.")
    academic_year = serializers.PrimaryKeyRelatedField(queryset=AcademicYear.objects.none())
    first_block = serializers.IntegerField(min_value=1, max_value=99)
    last_block = serializers.IntegerField(min_value=1, max_value=99)
    lost = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=MAX_LOST,
        help_text="Ids of the people lost.",
    )
    pgy = serializers.IntegerField(min_value=1, max_value=10, required=False)
    count = serializers.IntegerField(min_value=1, max_value=MAX_LOST, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = self.context.get("program")
        if program is not None:
            self.fields["academic_year"].queryset = AcademicYear.objects.for_program(program)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        by_people, by_cohort = "lost" in attrs, "pgy" in attrs or "count" in attrs
        if by_people == by_cohort:
            raise serializers.ValidationError(
                {"lost": ["Give either `lost` (the people) or `pgy` and `count` (a cohort), not both or neither."]}
            )
        if by_cohort and not ("pgy" in attrs and "count" in attrs):
            raise serializers.ValidationError({"count": ["A cohort needs both `pgy` and `count`."]})
        return attrs


class FallbackFilter(bounded.FilterSet):
    academic_year = bounded.IdFilter(field_name="academic_year_id", label="Id of the academic year.")

    class Meta:
        model = Fallback
        fields: list[str] = []


CREATE_EXAMPLE = OpenApiExample(
    "Lose the 2 most critical PGY-2s for block 6",
    value={"name": "Lose 2 PGY-2s for block 6", "academic_year": 1, "first_block": 6, "last_block": 6, "pgy": 2,
           "count": 2},
    request_only=True,
)  # fmt: skip


@documented(FallbackSerializer, TAG)
@extend_schema_view(
    create=write_schema(
        summary="Name a scenario and compute its fallback schedule",
        description="Admins and coordinators. The published schedule is re-solved for the blocks with the people "
        "absent, in the background; the fallback's `status` says when its draft is ready.",
        tag=TAG,
        request=FallbackCreateSerializer,
        ok={201: FallbackSerializer},
        problems={409: "A schedule run of the year is already in progress."},
        examples=[CREATE_EXAMPLE],
    ),
)
class FallbackViewSet(mixins.CreateModelMixin, ProgramReadOnlyViewSet):
    """The program's fallbacks, newest first."""

    queryset = Fallback.objects.none()
    permission_resource = Resource.ANALYTICS
    permission_actions = {"create": Action.CHANGE}
    serializer_class = FallbackSerializer
    filterset_class = FallbackFilter
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Fallback]:
        return fallbacks_for(program=self.active_program())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        data = FallbackSerializer(fallback_rows(program=self.active_program(), fallbacks=items), many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = fallback_rows(program=self.active_program(), fallbacks=[self.get_object()])[0]
        return Response(FallbackSerializer(row).data)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program = self.active_program()
        form = FallbackCreateSerializer(data=request.data, context={"program": program})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        common = {key: data[key] for key in ("academic_year", "first_block", "last_block", "name")}
        if "lost" in data:
            fallback = fallback_create(lost_person_ids=data["lost"], user=request.user, **common)
        else:
            fallback = fallback_create_for_cohort(pgy=data["pgy"], count=data["count"], user=request.user, **common)
        row = fallback_rows(program=program, fallbacks=[fallbacks_for(program=program).get(pk=fallback.pk)])[0]
        return Response(FallbackSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The load-shedding order",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={200: SheddingServiceSerializer(many=True), **problems(401, 403)},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Replace the load-shedding order",
        description='Admins and coordinators. Rotation ids or "clinic", first cut first; each once.',
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        request=LoadSheddingOrderSerializer,
        responses={
            200: SheddingServiceSerializer(many=True),
            (400, PROBLEM_MEDIA_TYPE): problem_response("A service named twice or not of this program."),
            **problems(401, 403),
        },
        examples=[OpenApiExample("Electives, then clinic", value={"services": ["12", CLINIC_KEY]}, request_only=True)],
    )
    @action(detail=False, methods=["get", "put"], url_path="load-shedding-order", pagination_class=None)
    def load_shedding_order(self, request: Request) -> Response:
        program = self.active_program()
        if request.method == "PUT":
            form = LoadSheddingOrderSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            order = load_shedding_order_set(
                program=program, user=request.user, services=form.validated_data["services"]
            )
        else:
            order = load_shedding_order(program=program)
        return Response(SheddingServiceSerializer([{"key": s.key, "name": s.name} for s in order], many=True).data)


def register(router: BaseRouter) -> None:
    router.register("fallbacks", FallbackViewSet, basename="fallback")
