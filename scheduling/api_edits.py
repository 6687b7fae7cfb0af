"""Editing the schedule through the API: a resident's block rotation, a person's half-day and an in-house call,
for the program's admins and coordinators, through the very services the schedule pages' cell edits call
(`block_assignment_change`, `session_assignment_change`, `call_assignment_change`, `schedule_version_undo`).

So an API edit is checked the same way (PGY eligibility, the rotation's staffing limit, the ACGME rules, call
spacing), locks the version while it writes, is refused on an archived version, needs a `reason` to break a rule
(kept as an acknowledged override and in each row's history), announces the change to the person and can be
undone like a page edit. A rule broken without a reason answers 400 with code `rule_breach` and `findings`.
A whole version's ACGME check is read here too (`GET schedule-versions/{id}/compliance/`).
"""

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from scheduling import api, services
from scheduling.models import Block, Person, RotationTemplate, ScheduleVersion, Session, SessionAssignment
from scheduling.serializers import (
    BlockAssignmentSerializer,
    BreachSerializer,
    CallAssignmentSerializer,
    ScheduleVersionSerializer,
    SessionAssignmentSerializer,
)
from tenants import serializer_fields as bounded
from tenants.api import PROGRAM_HEADER, problems, write_schema
from tenants.idempotency import idempotent
from tenants.permissions import Action


class CellEditSerializer(serializers.Serializer):
    """What every edit names: the version (of the active program), the person, and the reason for breaking a
    rule. The ids must be the active program's; another program's are refused like unknown ones."""

    version = serializers.PrimaryKeyRelatedField(
        queryset=ScheduleVersion.objects.none(),
        help_text="Id of a draft or the published version of the program (an archived one is refused with 409).",
    )
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none(), help_text="Id of the person.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        default="",
        help_text="Why a rule is knowingly broken; needed only when the edit breaks one, then saved with your "
        "name on the rows and in their history.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = self.context.get("program")
        if program is None:
            return
        for name, model in self.scoped.items():
            self.fields[name].queryset = model.objects.for_program(program)

    scoped: dict[str, Any] = {"version": ScheduleVersion, "person": Person}


class BlockEditSerializer(CellEditSerializer):
    """A resident's rotation for a whole block; their half-days and calls in it are re-derived."""

    block = serializers.PrimaryKeyRelatedField(
        queryset=Block.objects.none(), help_text="Id of a block of the version's academic year."
    )
    rotation = serializers.PrimaryKeyRelatedField(
        queryset=RotationTemplate.objects.none(), help_text="Id of an active rotation of the program."
    )

    scoped = {**CellEditSerializer.scoped, "block": Block, "rotation": RotationTemplate}


class SessionEditSerializer(CellEditSerializer):
    """What a person does in one half-day of the version."""

    date = bounded.DateField(help_text="A date of the version's academic year (YYYY-MM-DD).")
    session = serializers.ChoiceField(choices=Session.choices, help_text="AM or PM.")
    activity = serializers.ChoiceField(
        choices=SessionAssignment.Activity.choices,
        help_text="The half-day's activity; a duty activity keeps the row's rotation.",
    )


class CallEditSerializer(CellEditSerializer):
    """Add, remove or move a resident's in-house call of one night."""

    date = bounded.DateField(help_text="The night the call starts (YYYY-MM-DD, in the version's year).")
    action = serializers.ChoiceField(
        choices=[(name, name) for name in services.CALL_ACTIONS], help_text="add, remove or move."
    )
    to_date = bounded.DateField(required=False, allow_null=True, help_text="For a move: the night the call moves to.")
    post_call = serializers.BooleanField(
        default=True, help_text="Make the duty half-days of the next day post-call (add and move)."
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["action"] == "move" and not attrs.get("to_date"):
            raise serializers.ValidationError({"to_date": "Give the night the call moves to."})
        return attrs


EDIT_PROBLEMS = {
    400: "Invalid input (`errors` names the field: an id not of this program, a date outside the year...), or "
    "the edit breaks rules and no `reason` was given: `code` is `rule_breach` and `findings` lists each rule "
    "(rule, clause, severity, message). Nothing was saved.",
    409: "The version is archived, or the call already exists on that night.",
}
RULES_NOTE = (
    "Checked as the schedule pages check a cell edit; breaking a rule needs a `reason`, saved as an acknowledged "
    "override and in each row's history. The person is told of the change. Admins and coordinators only."
)


def _edit_schema(summary: str, description: str, tag: str, request: Any, ok: dict, examples: list) -> Any:
    return write_schema(
        summary=summary,
        description=f"{description} {RULES_NOTE}",
        tag=tag,
        request=request,
        ok=ok,
        problems=EDIT_PROBLEMS,
        examples=examples,
    )


@extend_schema_view(
    create=_edit_schema(
        "Set a resident's rotation for a block",
        "Replaces whatever the resident had in the block (halves included) and re-derives their half-days and "
        "calls there as the engine would.",
        "block assignments",
        BlockEditSerializer,
        {200: BlockAssignmentSerializer},
        [
            OpenApiExample(
                "Night float in block 3, acknowledging a broken rule",
                value={
                    "version": 12,
                    "person": 7,
                    "block": 40,
                    "rotation": 5,
                    "reason": "Covering nights for a colleague on leave",
                },
                request_only=True,
            )
        ],
    )
)
class BlockAssignmentViewSet(api.BlockAssignmentViewSet):
    """Residents' block rotations: read by the program, set by its admins and coordinators."""

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(self, BlockEditSerializer, request)
        row = services.block_assignment_change(user=request.user, **data)
        return Response(BlockAssignmentSerializer(self.get_queryset().get(pk=row.pk)).data)


@extend_schema_view(
    create=_edit_schema(
        "Set what a person does in a half-day",
        "Sets the activity of one session (AM or PM) of a date.",
        "session assignments",
        SessionEditSerializer,
        {200: SessionAssignmentSerializer},
        [
            OpenApiExample(
                "Continuity clinic on a Tuesday morning",
                value={"version": 12, "person": 7, "date": "2026-07-07", "session": "AM", "activity": "clinic"},
                request_only=True,
            )
        ],
    )
)
class SessionAssignmentViewSet(api.SessionAssignmentViewSet):
    """Half-day activities: read by the program, set by its admins and coordinators."""

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(self, SessionEditSerializer, request)
        row = services.session_assignment_change(user=request.user, **data)
        return Response(SessionAssignmentSerializer(self.get_queryset().get(pk=row.pk)).data)


@extend_schema_view(
    create=_edit_schema(
        "Add, move or remove an in-house call",
        "A new call runs as the engine derives it (after the day's work, to the call end next morning). Answers "
        "the new call, or 204 when it was removed.",
        "call assignments",
        CallEditSerializer,
        {
            200: CallAssignmentSerializer,
            204: OpenApiResponse(description="The call was removed."),
        },
        [
            OpenApiExample(
                "Add a call",
                value={"version": 12, "person": 7, "date": "2026-07-10", "action": "add"},
                request_only=True,
            ),
            OpenApiExample(
                "Move a call to another night",
                value={
                    "version": 12,
                    "person": 7,
                    "date": "2026-07-10",
                    "action": "move",
                    "to_date": "2026-07-12",
                    "reason": "Swap agreed with the chief",
                },
                request_only=True,
            ),
        ],
    )
)
class CallAssignmentViewSet(api.CallAssignmentViewSet):
    """Call duty periods: read by the program, added, moved and removed by its admins and coordinators."""

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(self, CallEditSerializer, request)
        call = services.call_assignment_change(user=request.user, **data)
        if call is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CallAssignmentSerializer(self.get_queryset().get(pk=call.pk)).data)


def _valid(view: api.AssignmentViewSet, serializer_class: type[CellEditSerializer], request: Request) -> dict:
    """The request body checked by the edit's serializer, with ids of the active program only."""
    form = serializer_class(data=request.data, context={"program": view.active_program()})
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


class ComplianceSerializer(serializers.Serializer):
    """A version's ACGME verdict: its violations, as the compliance page lists them."""

    version = serializers.IntegerField(help_text="The version's id.")
    compliant = serializers.BooleanField(help_text="True when the version breaks no ACGME rule.")
    breaches = BreachSerializer(many=True, help_text="Each violation: rule, clause, resident, window, value, limit.")


class UndoSerializer(serializers.Serializer):
    undone = serializers.CharField(help_text="What was undone, as the version's history says it.")
    version = ScheduleVersionSerializer(help_text="The version as it is after the undo.")


@extend_schema_view(
    undo=write_schema(
        summary="Undo the version's last cell edit",
        description="Every row the last edit wrote (through the pages or the API) is put back as it was, from the "
        "history, and the undo is itself recorded. One level: an undo is not undone, and an edit followed by "
        "another change of the version is refused. Admins and coordinators only.",
        tag="schedule versions",
        request=None,
        ok={200: UndoSerializer},
        problems={
            400: "The version has no cell edit to undo.",
            404: "No such version in the active program.",
            409: "Already undone, changed since, or archived.",
        },
        examples=[OpenApiExample("No body", value={}, request_only=True)],
    ),
    compliance=extend_schema(
        summary="Check a version against the ACGME rules",
        description="The whole year of the version as the compliance page checks it (cached until a row changes): "
        "every violation with its rule, clause, resident, window, measured value and limit. Admins and "
        "coordinators only.",
        tags=["schedule versions"],
        parameters=[PROGRAM_HEADER],
        responses={200: ComplianceSerializer, **problems(401, 403, 404)},
    ),
)
class ScheduleVersionViewSet(api.ScheduleVersionViewSet):
    """Schedule versions, with undo of the last cell edit and the ACGME check of a whole version."""

    permission_actions = {
        **api.ScheduleVersionViewSet.permission_actions,
        "undo": Action.CHANGE,
        "compliance": Action.CHANGE,
    }

    @action(detail=True, methods=["get"])
    def compliance(self, request: Request, pk: str) -> Response:
        version = self.get_object()
        breaches = [breach.as_dict() for breach in services.schedule_version_breaches(version=version)]
        return Response({"version": version.pk, "compliant": not breaches, "breaches": breaches})

    @idempotent
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str) -> Response:
        undone = services.schedule_version_undo(version=self.get_object(), user=request.user)
        version = self.get_queryset().get(pk=pk)
        return Response({"undone": undone, "version": self.get_serializer(version).data})


def register(router: BaseRouter) -> None:
    router.register("schedule-versions", ScheduleVersionViewSet, basename="schedule-version")
    router.register("block-assignments", BlockAssignmentViewSet, basename="block-assignment")
    router.register("session-assignments", SessionAssignmentViewSet, basename="session-assignment")
    router.register("call-assignments", CallAssignmentViewSet, basename="call-assignment")
