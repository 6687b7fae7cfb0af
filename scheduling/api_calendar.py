"""The rest of the program's calendar and rules under /api/v1/, read-only: the clock times of the AM and PM
sessions, the day types of dates (holidays, minimal manning, closures) and the required rotations per PGY.

They are set up on the admin site (the academic-year services lay out the blocks and holidays); the API reads
them as every member who may read the schedule does.
"""

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.routers import BaseRouter

from scheduling.models import CalendarDay, RotationRequirement, SessionTime
from tenants import filters as bounded
from tenants.api import ProgramReadOnlyViewSet, documented
from tenants.permissions import Resource


class SessionTimeSerializer(serializers.ModelSerializer):
    """The clock times of a half-day session of the program, from which duty hours are counted."""

    hours = serializers.FloatField(read_only=True, help_text="Length of the session in hours.")

    class Meta:
        model = SessionTime
        fields = ["id", "session", "start_time", "end_time", "hours"]
        read_only_fields = fields
        extra_kwargs = {
            "session": {"help_text": "AM or PM."},
            "start_time": {"help_text": "Local start time (HH:MM:SS, the program's time zone)."},
            "end_time": {"help_text": "Local end time, after the start."},
        }


class CalendarDaySerializer(serializers.ModelSerializer):
    """A date with a day type other than normal, and how much clinic capacity it needs."""

    class Meta:
        model = CalendarDay
        fields = ["id", "date", "day_type", "name", "capacity_factor"]
        read_only_fields = fields
        extra_kwargs = {
            "date": {"help_text": "The date (YYYY-MM-DD)."},
            "day_type": {"help_text": "normal, federal_holiday, training_holiday, minimal_manning or closure."},
            "name": {"help_text": "The holiday's or the day's name, e.g. Independence Day."},
        }


class RotationRequirementSerializer(serializers.ModelSerializer):
    """Blocks of a rotation every resident of a PGY level spends in the year."""

    rotation_name = serializers.CharField(source="rotation.name", read_only=True, help_text="The rotation's name.")

    class Meta:
        model = RotationRequirement
        fields = ["id", "pgy", "rotation", "rotation_name", "min_blocks", "max_blocks"]
        read_only_fields = fields
        extra_kwargs = {
            "pgy": {"help_text": "The PGY level (1-8) the requirement applies to."},
            "rotation": {"help_text": "Id of the rotation template."},
            "min_blocks": {"help_text": "Fewest blocks of the rotation in the year."},
        }


class CalendarDayFilter(bounded.FilterSet):
    date_from = bounded.DateFilter(field_name="date", lookup_expr="gte", label="First date (YYYY-MM-DD).")
    date_to = bounded.DateFilter(field_name="date", lookup_expr="lte", label="Last date (YYYY-MM-DD).")

    class Meta:
        model = CalendarDay
        fields = ["day_type", "date_from", "date_to"]


class RotationRequirementFilter(bounded.FilterSet):
    rotation = bounded.IdFilter(field_name="rotation_id", label="Id of the rotation template.")

    class Meta:
        model = RotationRequirement
        fields = ["pgy", "rotation"]


@documented(SessionTimeSerializer, "session times")
class SessionTimeViewSet(ProgramReadOnlyViewSet):
    """The clock times of the program's AM and PM sessions."""

    queryset = SessionTime.objects.none()
    permission_resource = Resource.CALENDAR
    serializer_class = SessionTimeSerializer
    ordering_fields = ["session", "start_time"]

    def get_queryset(self) -> QuerySet[SessionTime]:
        return SessionTime.objects.for_program(self.active_program())


@documented(CalendarDaySerializer, "calendar days")
class CalendarDayViewSet(ProgramReadOnlyViewSet):
    """Dates of the program with a day type: federal and training holidays, minimal manning, closures."""

    queryset = CalendarDay.objects.none()
    permission_resource = Resource.CALENDAR
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilter
    ordering_fields = ["date", "day_type"]

    def get_queryset(self) -> QuerySet[CalendarDay]:
        return CalendarDay.objects.for_program(self.active_program())


@documented(RotationRequirementSerializer, "rotation requirements")
class RotationRequirementViewSet(ProgramReadOnlyViewSet):
    """Required rotations: blocks of a rotation every resident of a PGY level spends in the year."""

    queryset = RotationRequirement.objects.none()
    permission_resource = Resource.ROTATION
    serializer_class = RotationRequirementSerializer
    filterset_class = RotationRequirementFilter
    ordering_fields = ["pgy", "rotation__name"]

    def get_queryset(self) -> QuerySet[RotationRequirement]:
        return RotationRequirement.objects.for_program(self.active_program()).select_related("rotation")


def register(router: BaseRouter) -> None:
    router.register("session-times", SessionTimeViewSet, basename="session-time")
    router.register("calendar-days", CalendarDayViewSet, basename="calendar-day")
    router.register("rotation-requirements", RotationRequirementViewSet, basename="rotation-requirement")
