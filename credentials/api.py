"""The credentials API under /api/v1/: certification types, certifications, procedures and procedure credentials
(the CSV upload of certifications, `POST certifications/import/`, is integrations.certifications.api).

Rows come from the request's program only. Admins, coordinators, faculty and residents read; admins and
coordinators write, each write one service call. Errors are RFC 7807 problem+json.
"""

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from credentials import selectors, services
from credentials.models import CertificationType, PersonCertification, Procedure, ProcedureCredential
from credentials.serializers import (
    CertificationSerializer,
    CertificationTypeSerializer,
    ProcedureCredentialSerializer,
    ProcedureSerializer,
    ReinstateSerializer,
    SuspendSerializer,
)
from tenants import filters
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer, ProgramReadOnlyViewSet, documented
from tenants.permissions import Action, Resource, can

PROBLEMS = {
    400: "Invalid input; `errors` names the fields.",
    401: "Not authenticated: send a session cookie or an `Authorization: Token <key>` header.",
    403: "No program you belong to was named, or you are not one of its admins or coordinators.",
    404: "No such row in the active program.",
    409: "The change conflicts with existing rows (a duplicate, or rows that still use it).",
}


def problems(*codes: int) -> dict:
    return {
        (code, PROBLEM_MEDIA_TYPE): OpenApiResponse(ProblemSerializer, description=PROBLEMS[code]) for code in codes
    }


def _writes(serializer_class: type, things: str) -> Callable[[type], type]:
    """Schema of the create, update and delete operations of a credentials viewset."""

    def schema(summary: str, request, response, *codes: int) -> extend_schema:
        return extend_schema(
            summary=summary,
            tags=[things],
            parameters=[PROGRAM_HEADER],
            request=request,
            responses={**response, **problems(*codes)},
        )

    return extend_schema_view(
        create=schema(
            f"Add one of the program's {things}", serializer_class, {201: serializer_class}, 400, 401, 403, 409
        ),
        update=schema(
            f"Change one of the program's {things}", serializer_class, {200: serializer_class}, 400, 401, 403, 404, 409
        ),  # fmt: skip
        partial_update=schema(
            f"Change part of one of the program's {things}",
            serializer_class,
            {200: serializer_class},
            400,
            401,
            403,
            404,
            409,
        ),  # fmt: skip
        destroy=schema(f"Delete one of the program's {things}", None, {204: None}, 401, 403, 404, 409),
    )


class CredentialViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ProgramReadOnlyViewSet
):
    """Read for the program's clinicians and managers; write for admins and coordinators, through services."""

    permission_resource = Resource.CREDENTIAL

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        program = self.active_program()
        manager = can(self.request.user, Action.CHANGE, Resource.CREDENTIAL, program)
        return {**context, "program": program, "manager": manager, "today": program.today()}

    def create_row(self, data: dict):
        raise NotImplementedError

    def update_row(self, instance, data: dict):
        raise NotImplementedError

    def delete_row(self, instance) -> None:
        raise NotImplementedError

    def perform_create(self, serializer) -> None:
        serializer.instance = self.create_row(dict(serializer.validated_data))

    def perform_update(self, serializer) -> None:
        serializer.instance = self.update_row(serializer.instance, dict(serializer.validated_data))

    def perform_destroy(self, instance) -> None:
        self.delete_row(instance)


@documented(CertificationTypeSerializer, "certification types")
@_writes(CertificationTypeSerializer, "certification types")
class CertificationTypeViewSet(CredentialViewSet):
    """BLS, ACLS, PALS, NRP, ALSO...: renewal period and who must hold each."""

    queryset = CertificationType.objects.none()
    serializer_class = CertificationTypeSerializer
    filterset_fields = ["code", "required_for_residents", "required_for_faculty"]
    ordering_fields = ["code", "name"]

    def get_queryset(self) -> QuerySet[CertificationType]:
        return selectors.certification_type_list(program=self.active_program())

    def create_row(self, data: dict) -> CertificationType:
        return services.certification_type_create(program=self.active_program(), user=self.request.user, **data)

    def update_row(self, instance: CertificationType, data: dict) -> CertificationType:
        return services.certification_type_update(certification_type=instance, user=self.request.user, **data)

    def delete_row(self, instance: CertificationType) -> None:
        services.certification_type_delete(certification_type=instance, user=self.request.user)


@documented(ProcedureSerializer, "procedures")
@_writes(ProcedureSerializer, "procedures")
class ProcedureViewSet(CredentialViewSet):
    """Procedures that need a credential: category, complexity, minimum PGY and supervision ratio."""

    queryset = Procedure.objects.none()
    serializer_class = ProcedureSerializer
    filterset_fields = ["code", "category", "complexity"]
    ordering_fields = ["name", "code", "complexity"]

    def get_queryset(self) -> QuerySet[Procedure]:
        return selectors.procedure_list(program=self.active_program())

    def create_row(self, data: dict) -> Procedure:
        return services.procedure_create(program=self.active_program(), user=self.request.user, **data)

    def update_row(self, instance: Procedure, data: dict) -> Procedure:
        return services.procedure_update(procedure=instance, user=self.request.user, **data)

    def delete_row(self, instance: Procedure) -> None:
        services.procedure_delete(procedure=instance, user=self.request.user)


class CertificationFilter(filters.FilterSet):
    person = filters.IdFilter(field_name="person_id")
    type = filters.IdFilter(field_name="type_id")
    code = filters.CharFilter(field_name="type__code", lookup_expr="iexact", help_text="Certification type code.")
    expires_after = filters.DateFilter(field_name="expires_on", lookup_expr="gte", help_text="Expiring on or after.")
    expires_before = filters.DateFilter(field_name="expires_on", lookup_expr="lte", help_text="Expiring on or before.")

    class Meta:
        model = PersonCertification
        fields = ["person", "type", "code", "expires_after", "expires_before"]


@documented(CertificationSerializer, "certifications")
@_writes(CertificationSerializer, "certifications")
class CertificationViewSet(CredentialViewSet):
    """People's certifications, renewals included; filter by person, type, code or expiry dates."""

    queryset = PersonCertification.objects.none()
    serializer_class = CertificationSerializer
    filterset_class = CertificationFilter
    ordering_fields = ["expires_on", "issued_on"]

    def get_queryset(self) -> QuerySet[PersonCertification]:
        return selectors.certification_list(program=self.active_program())

    def create_row(self, data: dict) -> PersonCertification:
        return services.certification_record(program=self.active_program(), user=self.request.user, **data)

    def update_row(self, instance: PersonCertification, data: dict) -> PersonCertification:
        data = {key: value for key, value in data.items() if key not in ("person", "type")}
        return services.certification_update(certification=instance, user=self.request.user, **data)

    def delete_row(self, instance: PersonCertification) -> None:
        services.certification_delete(certification=instance, user=self.request.user)


class ProcedureCredentialFilter(filters.FilterSet):
    person = filters.IdFilter(field_name="person_id")
    procedure = filters.IdFilter(field_name="procedure_id")

    class Meta:
        model = ProcedureCredential
        fields = ["person", "procedure", "level", "status"]


def _credential_action(summary: str, request) -> extend_schema:
    return extend_schema(
        summary=summary,
        tags=["procedure credentials"],
        parameters=[PROGRAM_HEADER],
        request=request,
        responses={200: ProcedureCredentialSerializer, **problems(400, 401, 403, 404, 409)},
    )


@documented(ProcedureCredentialSerializer, "procedure credentials")
@_writes(ProcedureCredentialSerializer, "procedure credentials")
@extend_schema_view(
    suspend=_credential_action("Suspend an active procedure credential", SuspendSerializer),
    reinstate=_credential_action("Reinstate a suspended or expired procedure credential", ReinstateSerializer),
)
class ProcedureCredentialViewSet(CredentialViewSet):
    """Who may perform or supervise which procedure, at which level. Creating one for a person and procedure
    that already have a credential re-grants it (new level and dates, active again).
    """

    queryset = ProcedureCredential.objects.none()
    serializer_class = ProcedureCredentialSerializer
    filterset_class = ProcedureCredentialFilter
    ordering_fields = ["granted_on", "expires_on", "level"]
    permission_actions = {"suspend": Action.CHANGE, "reinstate": Action.CHANGE}

    def get_queryset(self) -> QuerySet[ProcedureCredential]:
        return selectors.procedure_credential_list(program=self.active_program())

    def create_row(self, data: dict) -> ProcedureCredential:
        return services.procedure_credential_grant(program=self.active_program(), user=self.request.user, **data)

    def update_row(self, instance: ProcedureCredential, data: dict) -> ProcedureCredential:
        data = {key: value for key, value in data.items() if key not in ("person", "procedure")}
        return services.procedure_credential_update(credential=instance, user=self.request.user, **data)

    def delete_row(self, instance: ProcedureCredential) -> None:
        services.procedure_credential_delete(credential=instance, user=self.request.user)

    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str) -> Response:
        credential = self.get_object()  # another program's row is a 404 before its body is read
        form = SuspendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        credential = services.procedure_credential_suspend(
            credential=credential, user=request.user, reason=form.validated_data["reason"]
        )
        return Response(self.get_serializer(credential).data)

    @action(detail=True, methods=["post"])
    def reinstate(self, request: Request, pk: str) -> Response:
        credential = self.get_object()
        form = ReinstateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        credential = services.procedure_credential_reinstate(
            credential=credential, user=request.user, note=form.validated_data["note"]
        )
        return Response(self.get_serializer(credential).data)


def register(router: BaseRouter) -> None:
    router.register("certification-types", CertificationTypeViewSet, basename="certification-type")
    router.register("certifications", CertificationViewSet, basename="certification")
    router.register("procedures", ProcedureViewSet, basename="procedure")
    router.register("procedure-credentials", ProcedureCredentialViewSet, basename="procedure-credential")
