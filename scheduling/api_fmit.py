"""FMIT configurations under /api/v1/fmit-configs/: each academic year's FMIT rules (week start day, attendings per
week, most consecutive weeks, minimum gap, recovery day, the quarter imbalance tolerance).

Every member who reads the schedule reads them; admins and coordinators change one (PATCH/PUT) through
`fmit_year_config_update`, the service the admin uses. A year gets its row when it is created (a copy of the
program's latest year's rules); there is no POST or DELETE. These rules left the scheduling settings section
(/api/v1/program/settings/scheduling/), which refuses them with a pointer here (docs/api.md).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from scheduling.fmit_config import FIELDS
from scheduling.models import FmitYearConfig
from scheduling.services import fmit_year_config_update
from tenants import filters as bounded
from tenants.api import ProgramReadOnlyViewSet, documented, write_schema
from tenants.permissions import Resource

TAG = "FMIT configurations"


class FmitYearConfigSerializer(serializers.ModelSerializer):
    """An academic year's FMIT rules; the year itself cannot change."""

    academic_year_name = serializers.CharField(source="academic_year.name", read_only=True)

    class Meta:
        model = FmitYearConfig
        fields = ["id", "academic_year", "academic_year_name", *FIELDS]
        read_only_fields = ["academic_year"]
        extra_kwargs = {
            "week_start_day": {"help_text": "Weekday FMIT weeks start on (0 Monday - 6 Sunday)."},
            "min_attendings": {"help_text": "Least FMIT attendings in a week (0-10)."},
            "max_attendings": {"help_text": "Most FMIT attendings in a week (0-10, not below min_attendings)."},
            "max_consecutive_weeks": {"help_text": "FMIT weeks one faculty member attends in a row at most (0-52)."},
            "min_gap_weeks": {"help_text": "Free weeks between two stints of one faculty member at least (0-52)."},
            "recovery_day": {"help_text": "No clinic or call on the day after an FMIT week."},
            "imbalance_tolerance_weeks": {
                "help_text": "Coordinators are warned 4 weeks before a quarter whose FMIT weeks differ by more than "
                "this between faculty (most minus least, 0-52)."
            },
        }


class FmitYearConfigFilter(bounded.FilterSet):
    academic_year = bounded.IdFilter(field_name="academic_year_id", label="Id of the academic year.")

    class Meta:
        model = FmitYearConfig
        fields: list[str] = []


def _write(summary: str, description: str, example: OpenApiExample) -> Any:
    return write_schema(
        summary=summary,
        description=description,
        tag=TAG,
        request=FmitYearConfigSerializer,
        ok={200: FmitYearConfigSerializer},
        problems={404: "No such FMIT configuration in the active program."},
        examples=[example],
    )


@documented(FmitYearConfigSerializer, TAG)
@extend_schema_view(
    update=_write(
        "Set an academic year's FMIT rules",
        "Every rule; admins and coordinators. A value the configuration refuses is a 400 naming it; nothing is stored.",
        OpenApiExample(
            "Monday weeks, one or two attendings",
            value={
                "week_start_day": 0,
                "min_attendings": 1,
                "max_attendings": 2,
                "max_consecutive_weeks": 1,
                "min_gap_weeks": 2,
                "recovery_day": True,
                "imbalance_tolerance_weeks": 1,
            },
            request_only=True,
        ),
    ),
    partial_update=_write(
        "Change some of an academic year's FMIT rules",
        "Only the rules given; admins and coordinators.",
        OpenApiExample("Two weeks in a row allowed", value={"max_consecutive_weeks": 2}, request_only=True),
    ),
)
class FmitYearConfigViewSet(mixins.UpdateModelMixin, ProgramReadOnlyViewSet):
    """The program's FMIT configurations, one per academic year, newest year first."""

    queryset = FmitYearConfig.objects.none()
    permission_resource = Resource.SCHEDULE
    serializer_class = FmitYearConfigSerializer
    filterset_class = FmitYearConfigFilter
    ordering_fields = ["academic_year__start_date"]

    def get_queryset(self) -> QuerySet[FmitYearConfig]:
        return FmitYearConfig.objects.for_program(self.active_program()).select_related("academic_year")

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        form = self.get_serializer(row, data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        values = {name: value for name, value in form.validated_data.items() if name in FIELDS}
        row = fmit_year_config_update(academic_year=row.academic_year, user=request.user, values=values)
        return Response(self.get_serializer(row).data)


def register(router: BaseRouter) -> None:
    router.register("fmit-configs", FmitYearConfigViewSet, basename="fmit-config")
