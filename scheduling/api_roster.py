"""The writable roster under /api/v1/: people (add, change, deactivate) and rotation templates (add, change,
archive, delete), for the program's admins and coordinators; everyone else who may read them reads them.

Each write is one service call (`person_*`, `rotation_*` in scheduling.services), the same the admin and the
pages use; the serializers check shape only. A rule the model states (a resident needs a PGY, a rotation's PGY
range, a name already taken) comes back as 400 with `errors` naming the field.
"""

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from scheduling import api, services
from scheduling.models import Person, RotationTemplate
from scheduling.serializers import PERSON_HELP, ROTATION_HELP, PersonSerializer, RotationSerializer, helped
from scheduling.services.rotations import ROTATION_FIELDS
from tenants.api import write_schema
from tenants.idempotency import idempotent
from tenants.models import User
from tenants.permissions import Action
from tenants.selectors import program_members

NAMES = ("kind", "first_name", "last_name", "email")


class PersonWriteSerializer(serializers.ModelSerializer):
    """A person to add or change. Model rules (PGY for residents only, clinic minimum not above the maximum)
    are the service's, answered per field."""

    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        help_text="Id of the login of a member of this program, linking them to this person (their own pages).",
    )
    faculty_role = serializers.ChoiceField(
        choices=Person.FacultyRole.choices, allow_blank=True, required=False, help_text=PERSON_HELP["faculty_role"]
    )

    class Meta:
        model = Person
        fields = [
            "kind",
            "first_name",
            "last_name",
            "email",
            "user",
            *(name for name in PERSON_HELP if name not in NAMES),
        ]
        extra_kwargs = {name: {"help_text": text} for name, text in PERSON_HELP.items() if name != "faculty_role"}
        validators: list = []  # uniqueness is the service's (model) check, with its message

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = self.context.get("program")
        if program is not None:
            self.fields["user"].queryset = program_members(program)


PERSON_EXAMPLES = [
    OpenApiExample(
        "A new PGY-1 resident",
        value={"kind": "resident", "first_name": "Ada", "last_name": "Okafor", "pgy": 1, "email": "ada@example.org"},
        request_only=True,
    ),
    OpenApiExample(
        "Core faculty with clinic targets",
        value={
            "kind": "faculty",
            "first_name": "Sam",
            "last_name": "Reyes",
            "faculty_role": "core",
            "clinic_min_per_week": 2,
            "clinic_max_per_week": 4,
        },
        request_only=True,
    ),
]
PERSON_CHANGE_EXAMPLES = [
    OpenApiExample("Promote to PGY-2", value={"pgy": 2}, request_only=True),
    OpenApiExample("New pager number", value={"pager": "+1 555 0100 x12"}, request_only=True),
]
NOT_FOUND = {404: "No such person in the active program."}


def _person_write(summary: str, description: str, ok: int, examples: list, **more: Any) -> Any:
    return write_schema(
        summary=summary,
        description=description,
        tag="people",
        request=more.get("request", PersonWriteSerializer),
        ok={ok: PersonSerializer},
        problems=more.get("problems"),
        examples=examples,
    )


@extend_schema_view(
    create=_person_write(
        "Add a person",
        "A resident (with `pgy`), faculty member or other staff. Admins and coordinators only.",
        201,
        PERSON_EXAMPLES,
    ),
    update=_person_write(
        "Replace a person's details",
        "Every field as on creation; the history keeps the old values. Admins and coordinators only.",
        200,
        PERSON_EXAMPLES[:1],
        problems=NOT_FOUND,
    ),
    partial_update=_person_write(
        "Change some of a person's details",
        "Only the fields given; `is_active: true` brings back someone deactivated. Admins and coordinators only.",
        200,
        PERSON_CHANGE_EXAMPLES,
        problems=NOT_FOUND,
    ),
    deactivate=_person_write(
        "Deactivate a person",
        "For someone who left: the engine and the edit forms stop offering them; their schedules stay as they "
        "are, and the person stays readable (`is_active: false`). Asking again is harmless.",
        200,
        [OpenApiExample("No body", value={}, request_only=True)],
        request=None,
        problems=NOT_FOUND,
    ),
)
class PersonViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, api.PersonViewSet):
    """People of the program: everyone who may read them lists them; admins and coordinators add, change and
    deactivate them (people are never deleted: their schedules name them)."""

    permission_actions = {"deactivate": Action.CHANGE}

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PersonWriteSerializer if self.action in ("create", "update", "partial_update") else PersonSerializer

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        return {**context, "program": self.active_program()}

    def _answer(self, person: Person, code: int = status.HTTP_200_OK) -> Response:
        body = PersonSerializer(self.get_queryset().get(pk=person.pk)).data
        headers = {"Location": self.reverse_action("detail", args=[person.pk])} if code == 201 else {}
        return Response(body, status=code, headers=headers)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = services.person_create(program=self.active_program(), user=request.user, **form.validated_data)
        return self._answer(person, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        form = self.get_serializer(person, data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        return self._answer(services.person_update(person=person, user=request.user, **form.validated_data))

    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        return self._answer(services.person_deactivate(person=self.get_object(), user=request.user))


# Rotation templates.


class RotationWriteSerializer(serializers.ModelSerializer):
    """A rotation template to add or change; the PGY range and staffing limits are checked by the service."""

    class Meta:
        model = RotationTemplate
        fields = list(ROTATION_FIELDS)
        extra_kwargs = helped(ROTATION_HELP)
        validators: list = []  # uniqueness is the service's check, answered per field


ROTATION_EXAMPLES = [
    OpenApiExample(
        "An inpatient rotation for PGY 1-2",
        value={
            "name": "Inpatient medicine",
            "abbreviation": "IM",
            "colour": "#1f77b4",
            "kind": "inpatient",
            "min_pgy": 1,
            "max_pgy": 2,
            "min_residents": 2,
            "max_residents": 4,
            "call_eligible": True,
            "work_days": [0, 1, 2, 3, 4, 5],
        },
        request_only=True,
    ),
]
ROTATION_NOT_FOUND = {404: "No such rotation in the active program."}


def _rotation_write(summary: str, description: str, ok: int, examples: list, **more: Any) -> Any:
    return write_schema(
        summary=summary,
        description=description,
        tag="rotation templates",
        request=more.get("request", RotationWriteSerializer),
        ok={ok: more.get("response", RotationSerializer)},
        problems=more.get("problems"),
        examples=examples,
    )


@extend_schema_view(
    create=_rotation_write(
        "Add a rotation template",
        "Admins and coordinators only. A name or abbreviation already used in the program is refused (400).",
        201,
        ROTATION_EXAMPLES,
    ),
    update=_rotation_write(
        "Replace a rotation template",
        "Every field as on creation. Schedules already made keep their rows; the next run and the edit checks "
        "read the new values. Admins and coordinators only.",
        200,
        ROTATION_EXAMPLES,
        problems=ROTATION_NOT_FOUND,
    ),
    partial_update=_rotation_write(
        "Change or archive a rotation template",
        "Only the fields given; `is_active: false` archives it. Admins and coordinators only.",
        200,
        [
            OpenApiExample("Archive", value={"is_active": False}, request_only=True),
            OpenApiExample("At most three residents", value={"max_residents": 3}, request_only=True),
        ],
        problems=ROTATION_NOT_FOUND,
    ),
    destroy=_rotation_write(
        "Delete a rotation template",
        "Only one no schedule version uses; one in use is refused with 409: archive it instead.",
        204,
        [],
        request=None,
        response=None,
        problems={**ROTATION_NOT_FOUND, 409: "A schedule uses the rotation: archive it (`is_active: false`)."},
    ),
)
class RotationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, api.RotationViewSet):
    """Rotation templates of the program: readable by its members, written by its admins and coordinators."""

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return RotationWriteSerializer if self.action in ("create", "update", "partial_update") else RotationSerializer

    def _answer(self, rotation: RotationTemplate, code: int = status.HTTP_200_OK) -> Response:
        headers = {"Location": self.reverse_action("detail", args=[rotation.pk])} if code == 201 else {}
        return Response(RotationSerializer(rotation).data, status=code, headers=headers)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        rotation = services.rotation_create(program=self.active_program(), user=request.user, **form.validated_data)
        return self._answer(rotation, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rotation = self.get_object()
        form = self.get_serializer(rotation, data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        return self._answer(services.rotation_update(rotation=rotation, user=request.user, **form.validated_data))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.rotation_delete(rotation=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: BaseRouter) -> None:
    router.register("people", PersonViewSet, basename="person")
    router.register("rotations", RotationViewSet, basename="rotation")
