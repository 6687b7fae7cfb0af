"""The absences API under /api/v1/absences/: list and filter, request, approve, reject, cancel, balances.

Admins and coordinators see every absence of the program and decide them; residents and faculty see and
request their own (another person's absence answers 404). The private note shows to the absent person and
the managers only. Every write is one service call; refusals leave as RFC 7807 problems.
"""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from absences import selectors, services
from absences.models import Absence
from tenants import filters as bounded
from tenants import serializer_fields as bounded_fields
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer, ProgramReadOnlyViewSet, documented
from tenants.idempotency import idempotent
from tenants.permissions import Action, Resource


class AbsenceSerializer(serializers.ModelSerializer):
    """An absence, also the body of a request; `note` is left out for readers who are neither the person nor a
    manager. `person` (managers only) defaults to the caller's own person."""

    person = serializers.PrimaryKeyRelatedField(
        queryset=Absence.objects.none(), required=False, help_text="A person of the program (managers only)."
    )
    person_name = serializers.CharField(source="person.full_name", read_only=True, help_text="The person's name.")
    days = serializers.FloatField(read_only=True, help_text="Calendar days; a half-day absence counts 0.5.")

    class Meta:
        model = Absence
        fields = [
            "id",
            "person",
            "person_name",
            "kind",
            "start_date",
            "end_date",
            "half_day",
            "days",
            "status",
            "orders_reference",
            "location",
            "report_date",
            "tentative_return_date",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_reason",
            "note",
            "created_at",
        ]
        read_only_fields = ["status", "requested_by", "decided_by", "decided_at", "decision_reason", "created_at"]
        extra_kwargs = {
            "kind": {"help_text": "vacation, sick, medical, conference, parental, bereavement, military kinds..."},
            "start_date": {"help_text": "First day away (YYYY-MM-DD)."},
            "end_date": {"help_text": "Last day away, included."},
            "half_day": {"help_text": "AM or PM for a half-day absence of one date; blank for whole days."},
            "status": {"help_text": "requested, approved, rejected or cancelled."},
            "location": {"help_text": "Where (military absences and conferences)."},
            "tentative_return_date": {"help_text": "Expected return for open-ended military absences."},
            "requested_by": {"help_text": "Id of the login that asked for it."},
            "decided_by": {"help_text": "Id of the manager who approved or rejected it."},
            "decided_at": {"help_text": "When it was approved or rejected."},
            "decision_reason": {"help_text": "The manager's reason, e.g. for a rejection."},
            "created_at": {"help_text": "When it was requested."},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "person" not in self.fields:  # a read-only subset (mobile's offline absence)
            return
        program = self.context.get("program")
        people = selectors.person_model().objects.filter(program=program) if program else Absence.objects.none()
        self.fields["person"].queryset = people

    def to_representation(self, instance: Absence) -> dict:
        data = super().to_representation(instance)
        request, program = self.context.get("request"), self.context.get("program")
        if request is None or not selectors.note_visible(absence=instance, user=request.user, program=program):
            data.pop("note", None)
        return data


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Why, kept with the decision (may be blank)."
    )


class BalanceSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The absence kind, e.g. vacation.")
    label = serializers.CharField(help_text="The kind in words.")
    limit = serializers.IntegerField(allow_null=True, help_text="Days allowed a year (null: no limit).")
    used = serializers.FloatField(help_text="Approved days this academic year.")
    pending = serializers.FloatField(help_text="Requested, undecided days this academic year.")
    remaining = serializers.FloatField(allow_null=True, help_text="Null: the kind has no limit.")


class BalanceQuerySerializer(serializers.Serializer):
    person = bounded_fields.IdField(required=False)
    date = bounded_fields.DateField(required=False)


class AbsenceFilter(bounded.FilterSet):
    """`date_from`/`date_to` keep absences with a day in the range."""

    person = bounded.IdFilter(field_name="person_id")
    date_from = bounded.DateFilter(field_name="end_date", lookup_expr="gte")
    date_to = bounded.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Absence
        fields = ["person", "kind", "status", "date_from", "date_to"]


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


def _write_schema(summary: str, request, extra: dict, ok: int = 200) -> dict:
    return {
        "summary": summary,
        "tags": ["absences"],
        "parameters": [PROGRAM_HEADER],
        "request": request,
        "responses": {
            ok: AbsenceSerializer,
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Your role may not do this (e.g. approve, or act for others)."),
            (404, PROBLEM_MEDIA_TYPE): _problem("No such absence that you may see in the active program."),
            **{(code, PROBLEM_MEDIA_TYPE): _problem(text) for code, text in extra.items()},
        },
    }


@documented(AbsenceSerializer, "absences")
@extend_schema_view(
    create=extend_schema(
        description="Request an absence for yourself (residents, faculty) or anyone (admins, coordinators). "
        "Refused: an end before the start, an overlap with a requested or approved absence of the person, days "
        "beyond the program's yearly limit (the message says how many remain), a deployment or TDY without orders.",
        **_write_schema(
            "Request an absence",
            AbsenceSerializer,
            {400: "Invalid input or a broken rule, explained in `detail`.", 409: "Overlaps another absence."},
            ok=201,
        ),
    ),
    approve=extend_schema(
        description="Admins and coordinators; never one's own absence. The person is notified.",
        **_write_schema("Approve an absence request", ReasonSerializer, {409: "Not a request any more."}),
    ),
    reject=extend_schema(
        description="Admins and coordinators, with a reason the person reads.",
        **_write_schema(
            "Reject an absence request", ReasonSerializer, {400: "No reason.", 409: "Not a request any more."}
        ),
    ),
    cancel=extend_schema(
        description="The person while it is requested; admins and coordinators at any time.",
        **_write_schema("Cancel an absence", ReasonSerializer, {409: "Already rejected or cancelled."}),
    ),
    balances=extend_schema(
        summary="Leave balances per kind for an academic year",
        description="Approved and requested days per kind in the academic year (1 July to 30 June) holding `date` "
        "(default today), against the program's limits. `person` (managers) defaults to your own person.",
        tags=["absences"],
        parameters=[
            PROGRAM_HEADER,
            OpenApiParameter("person", OpenApiTypes.INT, description="Person id (managers)."),
            OpenApiParameter("date", OpenApiTypes.DATE, description="A day of the academic year."),
        ],
        responses={
            200: BalanceSerializer(many=True),
            (400, PROBLEM_MEDIA_TYPE): _problem("`person` is not an id or `date` not a day of 1900-2200."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Another person's balances (residents and faculty)."),
            (404, PROBLEM_MEDIA_TYPE): _problem("No such person."),
        },
    ),
)
class AbsenceViewSet(ProgramReadOnlyViewSet):
    """Absences of the program: managers see all, residents and faculty their own."""

    queryset = Absence.objects.none()
    permission_resource = Resource.ABSENCE
    permission_actions = {
        "create": Action.ADD,
        "approve": Action.APPROVE,
        "reject": Action.APPROVE,
        "cancel": Action.CHANGE,
        "balances": Action.VIEW,
    }
    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilter
    ordering_fields = ["start_date", "end_date", "created_at"]

    def get_queryset(self) -> QuerySet[Absence]:
        return selectors.absence_list(program=self.active_program(), user=self.request.user)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "program": self.active_program()}

    def _answer(self, absence: Absence, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=absence.pk)).data, status=code)

    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        program = self.active_program()
        person = data.pop("person", None) or self._person(None)
        absence = services.absence_request_create(user=request.user, program=program, person=person, **data)
        return self._answer(absence, status.HTTP_201_CREATED)

    def _person(self, person_id: int | None):
        program = self.active_program()
        if person_id is None:
            person = selectors.person_of_user(program=program, user=self.request.user)
            if person is None:
                raise NotFound("Your account is not linked to a person of this program; name the `person`.")
            return person
        person = selectors.person_model().objects.filter(program=program, pk=person_id).first()
        if person is None:
            raise NotFound(f"No person {person_id} in this program.")
        return person

    def _reason(self, request: Request) -> str:
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return form.validated_data["reason"]

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        absence = services.absence_request_approve(
            absence=self.get_object(), user=request.user, reason=self._reason(request)
        )
        return self._answer(absence)

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        absence = services.absence_request_reject(
            absence=self.get_object(), user=request.user, reason=self._reason(request)
        )
        return self._answer(absence)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        absence = services.absence_request_cancel(
            absence=self.get_object(), user=request.user, reason=self._reason(request)
        )
        return self._answer(absence)

    @action(detail=False, methods=["get"], pagination_class=None)  # one row per kind: never paged
    def balances(self, request: Request) -> Response:
        query = BalanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        program = self.active_program()
        person = self._person(query.validated_data.get("person"))
        if not selectors.is_absence_manager(request.user, program) and person.user_id != request.user.pk:
            raise PermissionDenied("You can see your own balances only.")
        day = query.validated_data.get("date") or program.today()
        balances = selectors.absence_balances(program=program, person=person, day=day)
        rows = [{**vars(b), "remaining": b.remaining} for b in balances.values()]
        return Response(BalanceSerializer(rows, many=True).data)


def register(router: BaseRouter) -> None:
    router.register("absences", AbsenceViewSet, basename="absence")
