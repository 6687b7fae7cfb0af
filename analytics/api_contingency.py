"""The contingency (N-1/N-2) API under /api/v1/analytics/contingency/: start an analysis (Idempotency-Key), list
the program's analyses, show one with its summary and every scenario's finding, cancel it. Managers only."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from analytics.contingency import DEPTHS, analyses_for, contingency_cancel, contingency_start
from analytics.models import ContingencyAnalysis, ContingencyFinding
from scheduling.models import AcademicYear
from scheduling.serializers import UserSummarySerializer
from tenants import filters as bounded
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer, ProgramReadOnlyViewSet
from tenants.idempotency import idempotent
from tenants.middleware import program_for
from tenants.permissions import Action, Resource

TAG = "contingency analyses"


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


NOT_AUTHENTICATED = _problem("Not authenticated: send a session cookie or an `Authorization: Token <key>` header.")
MANAGERS_ONLY = _problem("No program you belong to was named, or you are not one of its admins or coordinators.")
NOT_FOUND = _problem("No such analysis in the active program.")


class ContingencyFindingSerializer(serializers.ModelSerializer):
    """One scenario: the person (and partner) lost, the verdict, what was left uncovered, and the search's time."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    partner_name = serializers.CharField(source="partner.full_name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ContingencyFinding
        fields = ["id", "person", "person_name", "partner", "partner_name", "result", "uncoverable", "seconds"]
        read_only_fields = fields
        extra_kwargs = {
            "result": {"help_text": "feasible (covered), infeasible (not covered) or unknown (undecided in time)."},
            "uncoverable": {"help_text": "[{requirement, message}]: what cannot be covered without them."},
        }


class ContingencyAnalysisSerializer(serializers.ModelSerializer):
    """An analysis: its blocks and depth, progress (`done` of `total` scenarios) and, once finished, its summary."""

    created_by = UserSummarySerializer(read_only=True, allow_null=True, help_text="Who asked (null: weekly job).")

    class Meta:
        model = ContingencyAnalysis
        fields = [
            "id",
            "academic_year",
            "version",
            "first_block",
            "last_block",
            "depth",
            "status",
            "cancel_requested",
            "done",
            "total",
            "time_limit",
            "summary",
            "message",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status": {"help_text": "queued, running, succeeded, failed or cancelled."},
            "summary": {
                "help_text": "critical people, sole_providers, fatal_pairs, pairs_checked, redundancy, seconds."
            },
        }


class ContingencyAnalysisDetailSerializer(ContingencyAnalysisSerializer):
    findings = ContingencyFindingSerializer(many=True, read_only=True, help_text="Every scenario decided so far.")

    class Meta(ContingencyAnalysisSerializer.Meta):
        fields = [*ContingencyAnalysisSerializer.Meta.fields, "findings"]
        read_only_fields = fields


class ContingencyStartSerializer(serializers.Serializer):
    """A new analysis: one of the program's years, its first and last block, and the depth (1 or 2)."""

    academic_year = serializers.PrimaryKeyRelatedField(
        queryset=AcademicYear.objects.none(), help_text="Id of one of the program's academic years."
    )
    first_block = serializers.IntegerField(min_value=1, max_value=26, help_text="First block analysed.")
    last_block = serializers.IntegerField(min_value=1, max_value=26, help_text="Last block analysed.")
    depth = serializers.ChoiceField(
        choices=DEPTHS, default=1, help_text="1: each person lost; 2: also pairs among the most critical."
    )

    def __init__(self, *args, program=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if program is not None:
            self.fields["academic_year"].queryset = AcademicYear.objects.for_program(program)


def _program_years(request) -> QuerySet[AcademicYear]:
    program = program_for(request)
    return AcademicYear.objects.for_program(program) if program else AcademicYear.objects.none()


class ContingencyAnalysisFilter(bounded.FilterSet):
    academic_year = bounded.ModelChoiceFilter(queryset=_program_years, label="Academic year id.")

    class Meta:
        model = ContingencyAnalysis
        fields = ["academic_year", "status", "depth"]


@extend_schema_view(
    list=extend_schema(
        summary="List the program's contingency analyses",
        description="Newest first, without findings. Admins and coordinators only.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={
            200: ContingencyAnalysisSerializer(many=True),
            (400, PROBLEM_MEDIA_TYPE): _problem("Invalid query parameters; `errors` names them."),
            (401, PROBLEM_MEDIA_TYPE): NOT_AUTHENTICATED,
            (403, PROBLEM_MEDIA_TYPE): MANAGERS_ONLY,
        },
    ),
    retrieve=extend_schema(
        summary="Show a contingency analysis with its findings",
        description="Poll it while it is queued or running: `done` counts the scenarios decided.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={
            200: ContingencyAnalysisDetailSerializer,
            (401, PROBLEM_MEDIA_TYPE): NOT_AUTHENTICATED,
            (403, PROBLEM_MEDIA_TYPE): MANAGERS_ONLY,
            (404, PROBLEM_MEDIA_TYPE): NOT_FOUND,
        },
    ),
    create=extend_schema(
        summary="Start a contingency analysis",
        description="N-1 over the blocks (each person lost in turn), and with depth 2 the pairs among the most "
        "critical people (at most 40). Runs in the background; answers at once with the queued analysis.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        request=ContingencyStartSerializer,
        responses={
            201: ContingencyAnalysisSerializer,
            (400, PROBLEM_MEDIA_TYPE): _problem("Invalid input: `errors` names the fields, or `detail` the rule."),
            (401, PROBLEM_MEDIA_TYPE): NOT_AUTHENTICATED,
            (403, PROBLEM_MEDIA_TYPE): MANAGERS_ONLY,
            (409, PROBLEM_MEDIA_TYPE): _problem("The year already has an analysis in progress."),
        },
    ),
    cancel=extend_schema(
        summary="Cancel a contingency analysis",
        description="Scenarios not yet begun are skipped; the findings so far are kept.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        request=None,
        responses={
            200: ContingencyAnalysisSerializer,
            (401, PROBLEM_MEDIA_TYPE): NOT_AUTHENTICATED,
            (403, PROBLEM_MEDIA_TYPE): MANAGERS_ONLY,
            (404, PROBLEM_MEDIA_TYPE): NOT_FOUND,
            (409, PROBLEM_MEDIA_TYPE): _problem("The analysis has already finished."),
        },
    ),
)
class ContingencyAnalysisViewSet(ProgramReadOnlyViewSet):
    """The program's N-1/N-2 analyses: start one, follow it, read its findings, cancel it. Managers only."""

    queryset = ContingencyAnalysis.objects.none()
    permission_resource = Resource.ANALYTICS
    permission_actions = {
        "list": Action.VIEW,
        "retrieve": Action.VIEW,
        "create": Action.CHANGE,
        "cancel": Action.CHANGE,
    }
    serializer_class = ContingencyAnalysisSerializer
    filterset_class = ContingencyAnalysisFilter
    ordering_fields = ["created_at", "status"]

    def get_queryset(self) -> QuerySet[ContingencyAnalysis]:
        queryset = analyses_for(self.active_program())
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("findings__person", "findings__partner")
        return queryset

    def get_serializer_class(self):
        return ContingencyAnalysisDetailSerializer if self.action == "retrieve" else ContingencyAnalysisSerializer

    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        form = ContingencyStartSerializer(data=request.data, program=self.active_program())
        form.is_valid(raise_exception=True)
        analysis = contingency_start(user=request.user, **form.validated_data)
        url = self.reverse_action("detail", args=[analysis.pk])
        body = ContingencyAnalysisSerializer(self.get_queryset().get(pk=analysis.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": url})

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        analysis = contingency_cancel(analysis=self.get_object(), user=request.user)
        return Response(ContingencyAnalysisSerializer(self.get_queryset().get(pk=analysis.pk)).data)


def register(router: BaseRouter) -> None:
    router.register("analytics/contingency", ContingencyAnalysisViewSet, basename="contingency-analysis")
