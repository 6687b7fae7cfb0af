"""Background jobs under /api/v1/jobs/: list and show my jobs in the program (progress, status, file), cancel one,
download its file. A job is its owner's only; another person's, or another program's, is 404."""

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from integrations.jobs.downloads import job_file_response
from integrations.jobs.models import FileJob
from integrations.jobs.services import job_cancel, job_progress, jobs_of
from tenants import filters as bounded
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer, ProgramReadOnlyViewSet, problems
from tenants.permissions import Action, Resource

TAG = "background jobs"


class FileJobSerializer(serializers.ModelSerializer):
    """A background job: what it makes, its status and progress (`done` of `total` rows), and its file."""

    done = serializers.SerializerMethodField(help_text="Rows done so far.")
    total = serializers.SerializerMethodField(help_text="Rows in all (an estimate until the job is done).")
    has_file = serializers.SerializerMethodField(help_text="Whether the file can be downloaded (`/file/`).")

    class Meta:
        model = FileJob
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "done",
            "total",
            "cancel_requested",
            "has_file",
            "filename",
            "content_type",
            "size",
            "link",
            "message",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "kind": {"help_text": "export_assignments_csv, export_range_xlsx, import_check or import_commit."},
            "title": {"help_text": "What the job makes (the file's name, or the import's)."},
            "status": {"help_text": "queued, running, done, failed or cancelled."},
            "cancel_requested": {"help_text": "A cancel was asked; a running job stops at its next report."},
            "filename": {"help_text": "The name the file is downloaded as."},
            "content_type": {"help_text": "The file's media type."},
            "size": {"help_text": "The file's size in bytes (null: no file, or removed)."},
            "link": {"help_text": "The page holding the result (an import's check or draft), if any."},
            "message": {"help_text": "What it did, or why it failed."},
            "created_at": {"help_text": "When it was asked for."},
            "started_at": {"help_text": "When a worker began it."},
            "finished_at": {"help_text": "When it ended."},
            "expires_at": {"help_text": "When its file is removed (7 days after it finished)."},
        }

    def get_done(self, job: FileJob) -> int:
        return job_progress(job)[0]

    def get_total(self, job: FileJob) -> int:
        return job_progress(job)[1]

    def get_has_file(self, job: FileJob) -> bool:
        return job.status == FileJob.Status.DONE and bool(job.file)


class FileJobFilter(bounded.FilterSet):
    class Meta:
        model = FileJob
        fields = ["status", "kind"]


NOT_FOUND = OpenApiResponse(ProblemSerializer, description="No such job of yours in the active program.")


@extend_schema_view(
    list=extend_schema(
        summary="List my background jobs",
        description="My jobs in the active program, newest first: exports and imports too large for one request.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={200: FileJobSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Show one of my background jobs",
        description="Poll it while it is queued or running: `done` of `total` rows.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={200: FileJobSerializer, **problems(401, 403), (404, PROBLEM_MEDIA_TYPE): NOT_FOUND},
    ),
    cancel=extend_schema(
        summary="Cancel one of my background jobs",
        description="A queued job is cancelled at once; a running one stops at its next progress report. "
        "No file is kept.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        request=None,
        responses={
            200: FileJobSerializer,
            **problems(401, 403),
            (404, PROBLEM_MEDIA_TYPE): NOT_FOUND,
            (409, PROBLEM_MEDIA_TYPE): OpenApiResponse(ProblemSerializer, description="The job has finished."),
        },
    ),
    file=extend_schema(
        summary="Download the file of one of my background jobs",
        description="The file of a finished job, while it is kept (7 days).",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **problems(401, 403),
            (404, PROBLEM_MEDIA_TYPE): OpenApiResponse(
                ProblemSerializer, description="No such job of yours, or it has no file (yet, or any more)."
            ),
        },
    ),
)
class FileJobViewSet(ProgramReadOnlyViewSet):
    """My background jobs in the active program: follow them, cancel them, download their files."""

    queryset = FileJob.objects.none()
    permission_resource = Resource.SCHEDULE
    permission_actions = {"list": Action.VIEW, "retrieve": Action.VIEW, "cancel": Action.VIEW, "file": Action.VIEW}
    serializer_class = FileJobSerializer
    filterset_class = FileJobFilter
    ordering_fields = ["created_at", "status"]

    def get_queryset(self) -> QuerySet[FileJob]:
        return jobs_of(user=self.request.user, program=self.active_program())

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        job = job_cancel(job=self.get_object(), user=request.user)
        return Response(FileJobSerializer(job).data)

    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> FileResponse:
        return job_file_response(request, self.get_object())


def register(router: BaseRouter) -> None:
    router.register("jobs", FileJobViewSet, basename="job")
