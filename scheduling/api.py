"""The API of a program's people, rotations, calendar and schedule, under /api/v1/.

Every viewset lists and shows rows of the request's program only (`program_for`, from the
X-Organization-ID header or the session); ProgramRolePermission checks the role for the
viewset's `permission_resource`. The only writes are schedule runs (start, cancel) and a
version's life cycle (publish, discard, restore), each one service call.
"""

import hashlib

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from scheduling import filters, schedule_cache, selectors, services
from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.serializers import (
    AcademicYearSerializer,
    BlockAssignmentSerializer,
    BlockSerializer,
    CallAssignmentSerializer,
    PersonSerializer,
    PublishRefusedSerializer,
    RotationSerializer,
    ScheduleRunSerializer,
    ScheduleRunStartSerializer,
    ScheduleVersionPublishSerializer,
    ScheduleVersionSerializer,
    SessionAssignmentSerializer,
)
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer, ProgramReadOnlyViewSet, documented
from tenants.idempotency import idempotent
from tenants.permissions import Action, Resource, can


@documented(PersonSerializer, "people")
class PersonViewSet(ProgramReadOnlyViewSet):
    """Residents, faculty and other staff of the program, active or not (filter with `is_active`).

    Readable by admins, coordinators, faculty and residents; contact details are not exposed.
    """

    queryset = Person.objects.none()  # the model, for the router and the schema; rows come from get_queryset
    permission_resource = Resource.PERSON
    serializer_class = PersonSerializer
    filterset_class = filters.PersonFilter
    ordering_fields = ["last_name", "first_name", "kind", "pgy"]

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.person_list(program=self.active_program(), active=None)


@documented(RotationSerializer, "rotation templates")
class RotationViewSet(ProgramReadOnlyViewSet):
    """The program's rotation templates: kind, eligible PGY levels, staffing limits and flags."""

    queryset = RotationTemplate.objects.none()
    permission_resource = Resource.ROTATION
    serializer_class = RotationSerializer
    filterset_class = filters.RotationFilter
    ordering_fields = ["name", "abbreviation", "kind"]

    def get_queryset(self) -> QuerySet[RotationTemplate]:
        return selectors.rotation_list(program=self.active_program())


@documented(AcademicYearSerializer, "academic years")
class AcademicYearViewSet(ProgramReadOnlyViewSet):
    """The program's academic years, newest first, with how many of their blocks exist."""

    queryset = AcademicYear.objects.none()
    permission_resource = Resource.CALENDAR
    serializer_class = AcademicYearSerializer
    filterset_class = filters.AcademicYearFilter
    ordering_fields = ["start_date", "name"]

    def get_queryset(self) -> QuerySet[AcademicYear]:
        return selectors.academic_year_list(program=self.active_program())


@documented(BlockSerializer, "blocks")
class BlockViewSet(ProgramReadOnlyViewSet):
    """The rotation blocks of the program's academic years (block 0 is orientation), by year and number."""

    queryset = Block.objects.none()
    permission_resource = Resource.CALENDAR
    serializer_class = BlockSerializer
    filterset_class = filters.BlockFilter
    ordering_fields = ["start_date", "number"]

    def get_queryset(self) -> QuerySet[Block]:
        return selectors.block_list(program=self.active_program())


# The schedule: runs, versions and assignments.


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


NOT_AUTHENTICATED = _problem("Not authenticated: send a session cookie or an `Authorization: Token <key>` header.")
MANAGERS_ONLY = _problem("No program you belong to was named, or you are not one of its admins or coordinators.")
NOT_FOUND = _problem("No such row in the active program.")


def _action_schema(summary: str, tag: str, request, responses: dict) -> dict:
    """The schema of a write: the program header and its problem responses as application/problem+json."""
    problems = {(code, PROBLEM_MEDIA_TYPE): response for code, response in responses.items() if code >= 400}
    ok = {code: response for code, response in responses.items() if code < 400}
    return {
        "summary": summary,
        "tags": [tag],
        "parameters": [PROGRAM_HEADER],
        "request": request,
        "responses": {**ok, (401, PROBLEM_MEDIA_TYPE): NOT_AUTHENTICATED, **problems},
    }


@extend_schema_view(
    list=extend_schema(
        summary="List the program's schedule runs",
        description="Newest first. Admins and coordinators only.",
        tags=["schedule runs"],
        parameters=[PROGRAM_HEADER],
        responses={
            200: ScheduleRunSerializer(many=True),
            (400, PROBLEM_MEDIA_TYPE): _problem("Invalid query parameters; `errors` names them."),
            (401, PROBLEM_MEDIA_TYPE): NOT_AUTHENTICATED,
            (403, PROBLEM_MEDIA_TYPE): MANAGERS_ONLY,
        },
    ),
    retrieve=extend_schema(
        summary="Show a schedule run and its progress",
        description="Poll it while the run is queued or running: `solutions_found`, `objective`, `best_bound`, "
        "`gap` and `elapsed_seconds` change at most once a second. Admins and coordinators only.",
        tags=["schedule runs"],
        parameters=[PROGRAM_HEADER],
        responses={
            200: ScheduleRunSerializer,
            (401, PROBLEM_MEDIA_TYPE): NOT_AUTHENTICATED,
            (403, PROBLEM_MEDIA_TYPE): MANAGERS_ONLY,
            (404, PROBLEM_MEDIA_TYPE): NOT_FOUND,
        },
    ),
    create=extend_schema(
        description="Starts generating a schedule for the year's blocks in the background and answers at once "
        "with the queued run; poll the run for its progress. A finished run with a schedule names its draft "
        "`version`, to be published with `POST /schedule-versions/{id}/publish/`.",
        **_action_schema(
            "Start a schedule run",
            "schedule runs",
            ScheduleRunStartSerializer,
            {
                201: ScheduleRunSerializer,
                400: _problem("Invalid input (`errors` names the fields) or program data the engine cannot use."),
                403: MANAGERS_ONLY,
                409: _problem("The academic year already has a run in progress: wait for it or cancel it."),
            },
        ),
    ),
    cancel=extend_schema(
        description="A queued run ends cancelled at once; a running one stops within a second or two and keeps "
        "the best schedule found so far as a draft. Asking again is harmless.",
        **_action_schema(
            "Cancel a schedule run",
            "schedule runs",
            None,
            {
                200: ScheduleRunSerializer,
                403: MANAGERS_ONLY,
                404: NOT_FOUND,
                409: _problem("The run has already finished."),
            },
        ),
    ),
)
class ScheduleRunViewSet(ProgramReadOnlyViewSet):
    """Schedule generations of the program: start one, follow its progress, cancel it. Managers only."""

    queryset = ScheduleRun.objects.none()
    permission_resource = Resource.SCHEDULE
    permission_actions = dict.fromkeys(("list", "retrieve", "create", "cancel"), Action.GENERATE)
    serializer_class = ScheduleRunSerializer
    filterset_class = filters.ScheduleRunFilter
    ordering_fields = ["created_at", "status"]

    def get_queryset(self) -> QuerySet[ScheduleRun]:
        return selectors.program_schedule_runs(program=self.active_program())

    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        form = ScheduleRunStartSerializer(data=request.data, program=self.active_program())
        form.is_valid(raise_exception=True)
        run = services.schedule_run_start(user=request.user, **form.validated_data)
        url = self.reverse_action("detail", args=[run.pk])
        body = self.get_serializer(self.get_queryset().get(pk=run.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": url})

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        run = services.schedule_run_cancel(run=self.get_object(), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=run.pk)).data)


@documented(ScheduleVersionSerializer, "schedule versions")
@extend_schema_view(
    publish=extend_schema(
        description="The year's previously published version is archived (it stays readable to managers). "
        "A draft that breaks ACGME rules (the whole year is checked, as the compliance page shows it) is "
        "published only with a `reason`, kept as the version's `publish_reason` and sent to the program's "
        "admins; without one the answer is 409 with code `acgme_breach` and a `breaches` list (rule, clause, "
        "label, person {id, name}, start, end, value, limit). Admins and coordinators only.",
        **_action_schema(
            "Publish a draft schedule version",
            "schedule versions",
            ScheduleVersionPublishSerializer,
            {
                200: ScheduleVersionSerializer,
                400: _problem("The reason is not text (`errors` names it)."),
                403: MANAGERS_ONLY,
                404: NOT_FOUND,
                409: OpenApiResponse(
                    PublishRefusedSerializer,
                    description="The version is not a draft (already published or archived), or it breaks ACGME "
                    "rules and no reason was given: `code` is `acgme_breach` and `breaches` lists each violation.",
                ),
            },
        ),
    ),
    discard=extend_schema(
        description="Deletes a draft and all its assignments; every deletion is kept in the history. "
        "Admins and coordinators only.",
        **_action_schema(
            "Discard a draft schedule version",
            "schedule versions",
            None,
            {
                204: OpenApiResponse(description="Discarded."),
                403: MANAGERS_ONLY,
                404: NOT_FOUND,
                409: _problem("The version is published or archived; only a draft can be discarded."),
            },
        ),
    ),
    restore=extend_schema(
        description="Copies an archived version's assignments into a new draft of its year (the next number, "
        'noted "Restored from version N"), to edit and publish again. Admins and coordinators only.',
        **_action_schema(
            "Restore an archived schedule version as a new draft",
            "schedule versions",
            None,
            {
                201: ScheduleVersionSerializer,
                400: _problem("An Idempotency-Key that is not 1 to 255 printable ASCII characters."),
                403: MANAGERS_ONLY,
                404: NOT_FOUND,
                409: _problem("The version is a draft or the published one; only an archived version is restored."),
            },
        ),
    ),
)
class ScheduleVersionViewSet(ProgramReadOnlyViewSet):
    """Whole schedules of the program's years. Faculty and residents see published ones; managers see drafts
    and archived versions too, and publish drafts.
    """

    queryset = ScheduleVersion.objects.none()
    permission_resource = Resource.SCHEDULE
    permission_actions = {"publish": Action.PUBLISH, "discard": Action.DELETE, "restore": Action.ADD}
    serializer_class = ScheduleVersionSerializer
    filterset_class = filters.ScheduleVersionFilter
    ordering_fields = ["created_at", "published_at", "number"]

    def get_queryset(self) -> QuerySet[ScheduleVersion]:
        program = self.active_program()
        manager = can(self.request.user, Action.CHANGE, Resource.SCHEDULE, program)
        return selectors.program_schedule_versions(program=program, drafts_visible=manager)

    @idempotent
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        form = ScheduleVersionPublishSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = services.schedule_version_publish(
            version=self.get_object(), user=request.user, reason=form.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=version.pk)).data)

    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str) -> Response:
        services.schedule_version_discard(version=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @idempotent
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        draft = services.schedule_version_restore(version=self.get_object(), user=request.user)
        url = self.reverse_action("detail", args=[draft.pk])
        body = self.get_serializer(self.get_queryset().get(pk=draft.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": url})


ASSIGNMENTS_NOTE = (
    "By default the published version of each academic year; `version=draft` or `version=<id>` for drafts "
    "and archived versions (admins and coordinators). `date_from` and `date_to` (YYYY-MM-DD) come together "
    "and span at most two years. Readable by admins, coordinators, faculty and residents."
)
ASSIGNMENTS_LIST = extend_schema_view(list=extend_schema(description=ASSIGNMENTS_NOTE))


class AssignmentViewSet(ProgramReadOnlyViewSet):
    """Assignments of the program. Lists show one version per year (see the filter); a row shown by id is
    any the user may see: of any version for managers, of a published version for everyone else.
    """

    permission_resource = Resource.SCHEDULE

    def list(self, request: Request, *args, **kwargs) -> Response:
        """A page of the published schedule is kept until anything it is drawn from changes (schedule_cache):
        integrators poll the same pages. The role was checked before; managers and others are kept apart."""
        if (request.query_params.get("version") or "published").strip() != "published":
            return super().list(request, *args, **kwargs)  # drafts are written in bulk, without a new generation
        program = self.active_program()
        query = sorted((key, tuple(values)) for key, values in request.query_params.lists())
        digest = hashlib.sha256(repr((request.build_absolute_uri("/"), query)).encode()).hexdigest()
        manager = can(request.user, Action.CHANGE, Resource.SCHEDULE, program)
        data = schedule_cache.cached(
            program.pk,
            ("api", self.basename, manager, digest),
            lambda: super(AssignmentViewSet, self).list(request, *args, **kwargs).data,
        )
        return Response(data)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "retrieve":
            return super().filter_queryset(queryset)
        if can(self.request.user, Action.CHANGE, Resource.SCHEDULE, self.active_program()):
            return queryset
        return queryset.filter(version__status=ScheduleVersion.Status.PUBLISHED)


@ASSIGNMENTS_LIST
@documented(BlockAssignmentSerializer, "block assignments")
class BlockAssignmentViewSet(AssignmentViewSet):
    """Residents' rotations per block (or half-block). A date range keeps blocks overlapping it."""

    queryset = BlockAssignment.objects.none()
    serializer_class = BlockAssignmentSerializer
    filterset_class = filters.BlockAssignmentFilter
    ordering_fields = ["block__start_date", "person__last_name"]

    def get_queryset(self) -> QuerySet[BlockAssignment]:
        return selectors.program_block_assignments(program=self.active_program())


@ASSIGNMENTS_LIST
@documented(SessionAssignmentSerializer, "session assignments")
class SessionAssignmentViewSet(AssignmentViewSet):
    """What each person does in each half-day session (AM, PM) of a date."""

    queryset = SessionAssignment.objects.none()
    serializer_class = SessionAssignmentSerializer
    filterset_class = filters.SessionAssignmentFilter
    ordering_fields = ["date", "person__last_name"]

    def get_queryset(self) -> QuerySet[SessionAssignment]:
        return selectors.program_session_assignments(program=self.active_program())


@ASSIGNMENTS_LIST
@documented(CallAssignmentSerializer, "call assignments")
class CallAssignmentViewSet(AssignmentViewSet):
    """Call duty periods (in-house, home, backup, weekend); a date range keeps calls starting in it
    (dates in the program's time zone).
    """

    queryset = CallAssignment.objects.none()
    serializer_class = CallAssignmentSerializer
    filterset_class = filters.CallAssignmentFilter
    ordering_fields = ["start", "person__last_name"]

    def get_queryset(self) -> QuerySet[CallAssignment]:
        return selectors.program_call_assignments(program=self.active_program())


def register(router: BaseRouter) -> None:
    router.register("academic-years", AcademicYearViewSet, basename="academic-year")
    router.register("blocks", BlockViewSet, basename="block")
    router.register("schedule-runs", ScheduleRunViewSet, basename="schedule-run")
