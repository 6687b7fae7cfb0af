"""The certification upload in the API: `POST /api/v1/certifications/import/?dry_run=1`, the same path, name
("api:certification-upload") and operation as when credentials held it, in front of credentials' router routes.
"""

from dataclasses import asdict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.certifications import services
from integrations.certifications.services import IMPORT_MAX_BYTES
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer, ProgramScoped
from tenants.idempotency import idempotent
from tenants.permissions import Resource
from tenants.uploads import UploadRefused, check_upload

PROBLEMS = {
    400: "Invalid input; `errors` names the fields.",
    401: "Not authenticated: send a session cookie or an `Authorization: Token <key>` header.",
    403: "No program you belong to was named, or you are not one of its admins or coordinators.",
}

DRY_RUN = OpenApiParameter(
    name="dry_run",
    type=OpenApiTypes.BOOL,
    location=OpenApiParameter.QUERY,
    required=False,
    description="1/true: report what each line would do and write nothing.",
)


class CertificationImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV, UTF-8, columns: person, type, number, issued_on, expires_on; 1 MB at most."
    )

    def validate_file(self, upload):
        try:
            check_upload(upload, kind="csv", max_bytes=IMPORT_MAX_BYTES)
        except UploadRefused as refused:
            raise serializers.ValidationError(str(refused)) from None
        return upload


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line of the file (the header is line 1).")
    action = serializers.ChoiceField(
        choices=["new", "update", "skip", "error"], help_text="What the import does (or would do) with the line."
    )
    person = serializers.CharField(help_text="The person the line names.")
    type = serializers.CharField(help_text="The certification type the line names.")
    issued_on = serializers.CharField(help_text="The issue date as written in the file.")
    messages = serializers.ListField(child=serializers.CharField(), help_text="Why a line is skipped or refused.")


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text="True when nothing was written (a check of the file).")
    imported = serializers.BooleanField(help_text="True once every row was written (never on a dry run).")
    totals = serializers.DictField(child=serializers.IntegerField(), help_text="Rows per action.")
    errors = serializers.ListField(child=serializers.CharField(), help_text="Problems with the file itself.")
    rows = ImportRowSerializer(many=True, help_text="Each line of the file and what became of it.")


class CertificationUploadView(ProgramScoped, APIView):
    """Upload certifications from CSV into the active program (admins and coordinators)."""

    permission_resource = Resource.CREDENTIAL
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Upload certifications from CSV",
        description="Multipart field `file`: UTF-8 CSV whose first line names the columns `person` (email, or "
        "“Last name, First name”), `type` (code), `number`, `issued_on`, `expires_on` (YYYY-MM-DD; blank: the "
        "type's renewal period after issue). A line matching a person, type and issue date already recorded "
        "updates it. With `?dry_run=1` the report says per line new/update/skip/error and nothing is written; "
        "without it every line is written, or none when any line has an error (400, the report in `report`).",
        operation_id="certifications_import_create",
        tags=["certifications"],
        parameters=[PROGRAM_HEADER, DRY_RUN],
        request={"multipart/form-data": CertificationImportSerializer},
        responses={
            200: OpenApiResponse(ImportReportSerializer, description="Dry run: the report; nothing was written."),
            201: OpenApiResponse(ImportReportSerializer, description="Every line was written."),
            **{
                (code, PROBLEM_MEDIA_TYPE): OpenApiResponse(ProblemSerializer, description=text)
                for code, text in PROBLEMS.items()
            },
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        program = self.active_program()
        form = CertificationImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        report = services.certifications_import(
            program=program, user=request.user, content=form.validated_data["file"].read(), dry_run=dry_run
        )
        body = asdict(report)
        if dry_run:
            return Response(body)
        if report.imported:
            return Response(body, status=status.HTTP_201_CREATED)
        problem = {
            "type": "about:blank",
            "title": "Bad Request",
            "status": 400,
            "detail": "Nothing was imported: fix the lines with errors (see `report`) and upload the file again.",
            "instance": request.path,
            "code": "import_failed",
            "report": body,
        }
        return Response(problem, status=status.HTTP_400_BAD_REQUEST, content_type=PROBLEM_MEDIA_TYPE)
