"""The wishes API under /api/v1/wishes/: list and filter, enter, change, withdraw (DELETE).

Admins and coordinators see and enter every wish of the program at any time; residents and faculty see and
enter their own while the academic year's wish window is open (another person's wish answers 404). Each wish
carries what the latest run of the year's published schedule made of it (`outcome`). Every write is one service
call; refusals leave as RFC 7807 problems.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from scheduling.models import AcademicYear, Block, Person, Preference, RotationTemplate, ScheduleVersion
from scheduling.services.wishes import preference_change, preference_create, preference_withdraw
from scheduling.wish_selectors import run_wish_outcomes, wish_list, wish_outcome, wish_person_of_user
from scheduling.wish_settings import wish_settings
from tenants import filters as bounded
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer, ProgramReadOnlyViewSet, documented
from tenants.permissions import Resource


class OutcomeSerializer(serializers.Serializer):
    granted = serializers.BooleanField(help_text="Whether the run gave the wish.")
    reason = serializers.CharField(help_text="Why it was not granted: the rule or staffing need ('' if granted).")
    version = serializers.IntegerField(help_text="The published version whose run decided it.")


class WishSerializer(serializers.ModelSerializer):
    """A wish, also the body of a new one: `week_start` for the week kinds; `rotation` and `block` (blank: any
    block of `academic_year`) for the rotation kinds. `person` (managers only) defaults to the caller's own."""

    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), required=False, help_text="A person of the program (managers only)."
    )
    person_name = serializers.CharField(source="person.full_name", read_only=True, help_text="The person's name.")
    academic_year = serializers.PrimaryKeyRelatedField(
        queryset=AcademicYear.objects.none(), required=False, help_text="Needed only for a rotation in any block."
    )
    block = serializers.PrimaryKeyRelatedField(
        queryset=Block.objects.none(), required=False, allow_null=True, help_text="Id of the block (rotation kinds)."
    )
    rotation = serializers.PrimaryKeyRelatedField(
        queryset=RotationTemplate.objects.none(),
        required=False,
        allow_null=True,
        help_text="Id of the rotation wished for or to avoid (rotation kinds).",
    )
    weight = serializers.SerializerMethodField(help_text="The engine weight of its priority (program setting).")
    outcome = serializers.SerializerMethodField(
        help_text="What the published schedule's run made of it (null: not run)."
    )

    class Meta:
        model = Preference
        fields = [
            "id",
            "person",
            "person_name",
            "academic_year",
            "kind",
            "week_start",
            "block",
            "rotation",
            "priority",
            "weight",
            "reason",
            "status",
            "outcome",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_by", "created_at", "updated_at"]
        validators: list = []  # the uniqueness rules are the service's, with their messages
        extra_kwargs = {
            "kind": {"help_text": "blocked_week, preferred_week, rotation_wish or rotation_avoid."},
            "priority": {"help_text": "How much it matters (the program sets each priority's engine weight)."},
            "status": {"help_text": "active or withdrawn."},
            "created_by": {"help_text": "Id of the login that entered it."},
            "created_at": {"help_text": "When it was entered."},
            "updated_at": {"help_text": "When it last changed."},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        program = self.context.get("program")
        if program is not None:
            self.fields["person"].queryset = Person.objects.for_program(program)
            self.fields["academic_year"].queryset = AcademicYear.objects.for_program(program)
            self.fields["block"].queryset = Block.objects.for_program(program)
            self.fields["rotation"].queryset = RotationTemplate.objects.for_program(program)

    @extend_schema_field(OpenApiTypes.INT)
    def get_weight(self, wish: Preference) -> int:
        return wish_settings(self.context["program"]).weight(wish.priority)

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, wish: Preference) -> dict[str, Any] | None:
        version, by_id = self.context["outcomes"](wish.academic_year_id)
        outcome, _ = wish_outcome(wish, version.run if version is not None else None, by_id)
        if outcome is None:
            return None  # not given to that run, or changed since it started
        return {"granted": bool(outcome.get("granted")), "reason": outcome.get("reason", ""), "version": version.pk}


class WishFilter(bounded.FilterSet):
    """`week_from`/`week_to` keep week wishes whose week starts in the range."""

    person = bounded.IdFilter(field_name="person_id")
    academic_year = bounded.IdFilter(field_name="academic_year_id")
    block = bounded.WholeNumberFilter(field_name="block__number", min_value=0, max_value=99, label="Block number")
    week_from = bounded.DateFilter(field_name="week_start", lookup_expr="gte")
    week_to = bounded.DateFilter(field_name="week_start", lookup_expr="lte")

    class Meta:
        model = Preference
        fields = ["person", "academic_year", "kind", "priority", "status", "block", "week_from", "week_to"]


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


def _write(summary: str, description: str, ok: int, extra: dict[int, str], request: Any = WishSerializer) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        tags=["wishes"],
        parameters=[PROGRAM_HEADER],
        request=request,
        responses={
            ok: WishSerializer if ok != 204 else None,
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Your role may not do this (e.g. enter a wish for someone else)."),
            **{(code, PROBLEM_MEDIA_TYPE): _problem(text) for code, text in extra.items()},
        },
    )


RULES = (
    "Refused with a message: another person's wish (residents and faculty), a closed wish window (they may add, "
    "change and withdraw only while it is open; coordinators at any time), more wishes of a kind than the window "
    "allows, a week not starting on the program's week start or outside every academic year, a rotation wish of "
    "faculty, a second wish for the same week or the same rotation and block."
)


@documented(WishSerializer, "wishes")
@extend_schema_view(
    create=_write(
        "Enter a wish",
        f"For yourself (residents, faculty) or anyone (admins, coordinators). {RULES}",
        201,
        {
            400: "Invalid input or a broken rule, explained in `detail`.",
            404: "Your account is not linked to a person of the program; name the `person`.",
            409: "A wish for that week exists.",
        },
    ),
    update=_write(
        "Change a wish",
        f"Its week, rotation and block, priority or reason; the kind stays. {RULES}",
        200,
        {400: "Invalid input or a broken rule.", 404: "No such wish you may see.", 409: "Withdrawn, or a clash."},
    ),
    partial_update=_write(
        "Change part of a wish",
        f"As PUT, with only the fields given. {RULES}",
        200,
        {400: "Invalid input or a broken rule.", 404: "No such wish you may see.", 409: "Withdrawn, or a clash."},
    ),
    destroy=_write(
        "Withdraw a wish",
        "The wish stays in the history, withdrawn; the engine no longer reads it. Residents and faculty only while "
        "the window is open.",
        204,
        {400: "The wish window is closed.", 404: "No such wish you may see.", 409: "Already withdrawn."},
        request=None,
    ),
)
class WishViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ProgramReadOnlyViewSet):
    """Wishes of the program: managers see all, residents and faculty their own."""

    queryset = Preference.objects.none()
    permission_resource = Resource.PREFERENCE
    serializer_class = WishSerializer
    filterset_class = WishFilter
    ordering_fields = ["week_start", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Preference]:
        return wish_list(program=self.active_program(), user=self.request.user, status=None)

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        cache: dict[int, tuple[ScheduleVersion | None, dict]] = {}

        def outcomes(year_id: int) -> tuple[ScheduleVersion | None, dict]:
            """The published version of the year and its run's outcomes, read once per year."""
            if year_id not in cache:
                version = (
                    ScheduleVersion.objects.filter(academic_year_id=year_id, status=ScheduleVersion.Status.PUBLISHED)
                    .select_related("run")
                    .first()
                )
                cache[year_id] = (version, run_wish_outcomes(version.run if version is not None else None))
            return cache[year_id]

        return {**context, "program": self.active_program(), "outcomes": outcomes}

    def _answer(self, wish: Preference, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=wish.pk)).data, status=code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        program = self.active_program()
        person = data.pop("person", None) or wish_person_of_user(program=program, user=request.user)
        if person is None:
            raise NotFound("Your account is not linked to a person of this program; name the `person`.")
        data.pop("status", None)
        wish = preference_create(user=request.user, program=program, person=person, **data)
        return self._answer(wish, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        wish = self.get_object()
        form = self.get_serializer(wish, data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if data.get("kind", wish.kind) != wish.kind:
            raise serializers.ValidationError({"kind": ["The kind of a wish stays; withdraw it and enter another."]})
        if data.get("person", wish.person) != wish.person:
            raise serializers.ValidationError({"person": ["A wish stays with its person."]})
        changes = {
            name: data[name] for name in ("priority", "week_start", "rotation", "block", "reason") if name in data
        }
        wish = preference_change(preference=wish, user=request.user, **changes)
        return self._answer(wish)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        preference_withdraw(preference=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: BaseRouter) -> None:
    router.register("wishes", WishViewSet, basename="wish")
