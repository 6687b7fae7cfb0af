"""The scheduling and wishes sections of the program's settings under /api/v1/program/settings/ (GET, PATCH),
for the program's admins and coordinators: read by scheduling.program_settings / scheduling.wish_settings,
changed by `scheduling_settings_update` and `wish_settings_update`, as on the pages (tenants.api_settings)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers
from rest_framework.routers import BaseRouter

from scheduling import services
from scheduling.program_settings import SETTINGS_KEY, scheduling_settings, settings_to_json
from scheduling.services.wishes import wish_settings_update
from scheduling.wish_settings import WISH_SETTINGS_KEY, wish_settings
from tenants.api_settings import SETTINGS_PREFIX, SettingsSectionViewSet, settings_schema
from tenants.models import Organization
from tenants.permissions import Resource

MANAGERS = "the program's admins and coordinators"


class SchedulingSettingsSerializer(serializers.Serializer):
    """The program's scheduling requirements and rules (documentation; scheduling.program_settings validates)."""

    requirements = serializers.JSONField(
        help_text="Clinic half-days per week by PGY, clinic capacity, in-house call kinds, the didactics half-day "
        "(or null) and the faculty call roster (or null). FMIT rules are per academic year: fmit-configs/."
    )
    rules = serializers.JSONField(help_text="The program's scheduling rules (ProgramRules), by name.")
    acgme = serializers.JSONField(help_text="Program overrides of the ACGME limits, e.g. weekly_hours.")
    weights = serializers.JSONField(help_text="The engine's objective weights, by name.")
    faculty_clinic_max_per_week = serializers.JSONField(
        help_text='Weekly clinic half-days by faculty role, e.g. {"apd": 2}; a person\'s own maximum wins.'
    )


class WishWeightsSerializer(serializers.Serializer):
    """The engine weight of each wish priority (1-100, high >= medium >= low)."""

    high = serializers.IntegerField(help_text="Weight of a high-priority wish.")
    medium = serializers.IntegerField(help_text="Weight of a medium-priority wish.")
    low = serializers.IntegerField(help_text="Weight of a low-priority wish.")


class WishSettingsSerializer(serializers.Serializer):
    """How the program weighs wishes (documentation; scheduling.wish_settings validates)."""

    weights = WishWeightsSerializer(help_text="The engine weight of each priority.")
    week_start = serializers.IntegerField(help_text="Weekday wished weeks start on (0 Monday - 6 Sunday).")


@extend_schema_view(
    **settings_schema(
        section="scheduling",
        who=MANAGERS,
        serializer=SchedulingSettingsSerializer,
        example={"faculty_clinic_max_per_week": {"apd": 2, "core": 4}},
    )
)
class SchedulingSettingsViewSet(SettingsSectionViewSet):
    """Organization.settings["scheduling"]: requirements, rules, ACGME overrides, weights."""

    key = SETTINGS_KEY
    serializer_class = SchedulingSettingsSerializer
    permission_resource = Resource.SCHEDULE

    def read(self, program: Organization) -> dict[str, Any]:
        return settings_to_json(scheduling_settings(program))

    def write(self, program: Organization, settings: dict[str, Any]) -> None:
        services.scheduling_settings_update(program=program, user=self.request.user, settings=settings)


@extend_schema_view(
    **settings_schema(
        section="wishes",
        who=MANAGERS,
        serializer=WishSettingsSerializer,
        example={"weights": {"high": 12, "medium": 6, "low": 2}, "week_start": 0},
    )
)
class WishSettingsViewSet(SettingsSectionViewSet):
    """Organization.settings["wishes"]: the weight of each priority and the weekday wished weeks start on."""

    key = WISH_SETTINGS_KEY
    serializer_class = WishSettingsSerializer
    permission_resource = Resource.SCHEDULE

    def read(self, program: Organization) -> dict[str, Any]:
        value = wish_settings(program)
        weights = {"high": value.high, "medium": value.medium, "low": value.low}
        return {"weights": weights, "week_start": value.week_start}

    def write(self, program: Organization, settings: dict[str, Any]) -> None:
        wish_settings_update(program=program, user=self.request.user, settings=settings)


def register(router: BaseRouter) -> None:
    router.register(f"{SETTINGS_PREFIX}/scheduling", SchedulingSettingsViewSet, basename="program-settings-scheduling")
    router.register(f"{SETTINGS_PREFIX}/wishes", WishSettingsViewSet, basename="program-settings-wishes")
