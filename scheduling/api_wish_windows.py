"""Wish windows under /api/v1/wish-windows/: when the people of a program enter their wishes for an academic year,
and how many of each kind one person may make (null: no limit).

Every member who reads the schedule reads them; admins and coordinators open one (POST, one per academic year: a
year that has one gets it moved) and move it or change its limits (PATCH/PUT), through `wish_window_set`, the
service the wishes page and the admin use. There is no DELETE: a window is closed by moving its dates.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from scheduling.models import AcademicYear, WishWindow
from scheduling.services.wishes import wish_window_set
from tenants import filters as bounded
from tenants.api import ProgramReadOnlyViewSet, documented, write_schema
from tenants.idempotency import idempotent
from tenants.permissions import Resource

TAG = "wish windows"
LIMITS = ("blocked_week_limit", "preferred_week_limit", "rotation_wish_limit", "rotation_avoid_limit")


class WishWindowSerializer(serializers.ModelSerializer):
    """An academic year's wish window, also the body that opens or moves one."""

    academic_year = serializers.PrimaryKeyRelatedField(
        queryset=AcademicYear.objects.none(), help_text="Id of the academic year (one window per year)."
    )

    class Meta:
        model = WishWindow
        fields = ["id", "academic_year", "opens_on", "closes_on", *LIMITS]
        validators: list = []  # one window per year: the service moves the year's window
        extra_kwargs = {
            "opens_on": {"help_text": "First day wishes are entered (the program's date)."},
            "closes_on": {"help_text": "Last day wishes are entered; not before opens_on."},
            "blocked_week_limit": {"help_text": "Blocked weeks one person may ask for (0-53; null: no limit)."},
            "preferred_week_limit": {"help_text": "Preferred weeks one person may ask for (0-53; null: no limit)."},
            "rotation_wish_limit": {"help_text": "Rotation wishes one person may make (0-26; null: no limit)."},
            "rotation_avoid_limit": {"help_text": "Rotations one person may ask to avoid (0-26; null: no limit)."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = self.context.get("program")
        if program is not None:
            self.fields["academic_year"].queryset = AcademicYear.objects.for_program(program)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        opens = attrs.get("opens_on", getattr(self.instance, "opens_on", None))
        closes = attrs.get("closes_on", getattr(self.instance, "closes_on", None))
        if opens is not None and closes is not None and closes < opens:
            raise serializers.ValidationError({"closes_on": ["The wish window cannot close before it opens."]})
        return attrs


class WishWindowFilter(bounded.FilterSet):
    academic_year = bounded.IdFilter(field_name="academic_year_id", label="Id of the academic year.")

    class Meta:
        model = WishWindow
        fields: list[str] = []


EXAMPLE = OpenApiExample(
    "Wishes in May, at most four blocked weeks",
    value={"academic_year": 1, "opens_on": "2026-05-01", "closes_on": "2026-05-31", "blocked_week_limit": 4},
    request_only=True,
)
NOT_FOUND = {404: "No such wish window in the active program."}


def _write(summary: str, description: str, ok: int, **more: Any) -> Any:
    return write_schema(
        summary=summary,
        description=description,
        tag=TAG,
        request=WishWindowSerializer,
        ok=dict.fromkeys(more.get("codes", [ok]), WishWindowSerializer),
        problems=more.get("problems"),
        examples=[more.get("example", EXAMPLE)],
    )


@documented(WishWindowSerializer, TAG)
@extend_schema_view(
    create=_write(
        "Open an academic year's wish window",
        "Admins and coordinators. A year has one window: if it has one already, that one is moved and given these "
        "limits (200). A limit left out or null is no limit.",
        201,
        codes=[201, 200],
    ),
    update=_write(
        "Move a wish window and set its limits", "Every field; admins and coordinators.", 200, problems=NOT_FOUND
    ),  # fmt: skip
    partial_update=_write(
        "Move a wish window or change a limit",
        "Only the fields given; the academic year stays. Admins and coordinators.",
        200,
        problems=NOT_FOUND,
        example=OpenApiExample("Close it a week later", value={"closes_on": "2026-06-07"}, request_only=True),
    ),
)
class WishWindowViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ProgramReadOnlyViewSet):
    """The program's wish windows, newest first."""

    queryset = WishWindow.objects.none()
    permission_resource = Resource.SCHEDULE
    serializer_class = WishWindowSerializer
    filterset_class = WishWindowFilter
    ordering_fields = ["opens_on", "closes_on"]

    def get_queryset(self) -> QuerySet[WishWindow]:
        return WishWindow.objects.for_program(self.active_program()).select_related("academic_year")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "program": self.active_program()}

    def _set(self, year: AcademicYear, data: dict[str, Any]) -> WishWindow:
        return wish_window_set(
            user=self.request.user,
            academic_year=year,
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            **{name: data.get(name) for name in LIMITS},
        )

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        year = form.validated_data["academic_year"]
        existed = WishWindow.objects.filter(academic_year=year).exists()
        window = self._set(year, form.validated_data)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(WishWindowSerializer(window, context=self.get_serializer_context()).data, status=code)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        window = self.get_object()
        partial = kwargs.get("partial", False)
        form = self.get_serializer(window, data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data.get("academic_year", window.academic_year) != window.academic_year:
            raise serializers.ValidationError({"academic_year": ["A window stays with its academic year."]})
        current = {name: getattr(window, name) for name in ("opens_on", "closes_on", *LIMITS)}
        window = self._set(window.academic_year, {**current, **data} if partial else data)
        return Response(WishWindowSerializer(window, context=self.get_serializer_context()).data)


def register(router: BaseRouter) -> None:
    router.register("wish-windows", WishWindowViewSet, basename="wish-window")
