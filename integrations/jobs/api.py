"""Background jobs under /api/v1/jobs/: start an export as a job, list and show my jobs in the program (progress,
status, file), cancel one, download its file. A job is its owner's only; another person's, or another program's,
is 404."""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from integrations.exports.job_requests import ExportJobStartSerializer
from integrations.exports.jobs import export_job_start
from integrations.jobs.downloads import job_file_response
from integrations.jobs.models import FileJob
from integrations.jobs.services import job_cancel, job_progress, jobs_of
from tenants import filters as bounded
from tenants.api import (
    PROBLEM_MEDIA_TYPE,
    PROGRAM_HEADER,
    ProblemSerializer,
    ProgramReadOnlyViewSet,
    problems,
    write_schema,
)
from tenants.audit import record_export
from tenants.idempotency import idempotent
from tenants.permissions import Action, Resource

TAG = "background jobs"


class FileJobSerializer(serializers.ModelSerializer):
    """A background job: what it makes, its status and progress (`done` of `total` rows), and its file."""

    done = serializers.SerializerMethodField(help_text="Rows done so far.")
    total = serializers.SerializerMethodField(help_text="Rows in all (an estimate until the job is done).")
    has_file = serializers.SerializerMethodField(help_text="Whether the file can be downloaded (`/file/`).")
    url = serializers.SerializerMethodField(help_text="Where to follow the job (this API).")

    class Meta:
        model = FileJob
        fields = [
            "id",
            "url",
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

    def get_url(self, job: FileJob) -> str:
        return reverse("api:job-detail", args=[job.pk])

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
START_EXAMPLES = [
    OpenApiExample(
        "The published assignments of PGY-1 as CSV",
        value={"kind": "export", "export": "assignments_csv", "params": {"pgy": 1}},
        request_only=True,
    ),
    OpenApiExample(
        "A month by half-day as a workbook",
        value={"kind": "export", "export": "range_xlsx", "params": {"start": "2026-07-01", "end": "2026-07-31"}},
        request_only=True,
    ),
]


@extend_schema_view(
    create=write_schema(
        summary="Start an export as a background job",
        description="Makes the file of `/exports/assignments.csv` or `/exports/range.xlsx` (the same bytes, "
        "whatever its size) in the background and answers at once with the queued job (`Location`: its URL); "
        "poll it, then `GET /api/v1/jobs/{id}/file/`. Anyone who may read the program's schedule; a draft or a "
        "version id only for admins and coordinators (else 403). A refused param is named in `errors` "
        "(`params.version`...).",
        tag=TAG,
        request=ExportJobStartSerializer,
        ok={202: FileJobSerializer},
        problems={403: "Your role may not export this (a draft: admins and coordinators only)."},
        examples=START_EXAMPLES,
    ),
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
    permission_actions = {
        "create": Action.VIEW,
        "list": Action.VIEW,
        "retrieve": Action.VIEW,
        "cancel": Action.VIEW,
        "file": Action.VIEW,
    }
    serializer_class = FileJobSerializer
    filterset_class = FileJobFilter
    ordering_fields = ["created_at", "status"]

    def get_queryset(self) -> QuerySet[FileJob]:
        return jobs_of(user=self.request.user, program=self.active_program())

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program = self.active_program()
        form = ExportJobStartSerializer(data=request.data, context={"program": program, "user": request.user})
        form.is_valid(raise_exception=True)
        picked = form.validated_data["picked"]
        job = export_job_start(
            program=program,
            user=request.user,
            export=form.validated_data["export"],
            picked=picked,
            span=form.validated_data["span"],
        )
        record_export(request, job.title, target=picked.version, program=program)
        url = self.reverse_action("detail", args=[job.pk])
        return Response(FileJobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": url})

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        job = job_cancel(job=self.get_object(), user=request.user)
        return Response(FileJobSerializer(job).data)

    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> FileResponse:
        return job_file_response(request, self.get_object())


def register(router: BaseRouter) -> None:
    router.register("jobs", FileJobViewSet, basename="job")
