"""Resilience tier 1 under /api/v1/analytics/, for the program's managers (Resource.ANALYTICS, VIEW).

`analytics/resilience/` is the program's level on a day (today by default) and each service's figures over the
level's 14-day horizon; `analytics/forecast/` the figures of each service for `days` (1..180, 90 by default) from
`start` (today by default), with requested absences also taken out beside them. The rules are in
analytics/utilisation.py. A bad parameter is a 400 problem naming it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from analytics import utilisation
from analytics.utilisation import Forecast, LevelReport, ServiceDay
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProgramComputedViewSet, problem_response
from tenants.permissions import Resource
from tenants.serializer_fields import DateField

TAG = "analytics"
REDUNDANCY = ["N+2", "N+1", "N+0", "below"]


class LevelField(serializers.CharField):
    """A level's name: GREEN, YELLOW, ORANGE, RED or BLACK (a string, so the schema has one enum-free type)."""


class AsciiWholeField(serializers.IntegerField):
    """A whole number in ASCII digits only: "９0" or "1e2" is refused, not read as 90 or 100."""

    def to_internal_value(self, data: Any) -> int:
        text = str(data).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 6):
            self.fail("invalid")
        return super().to_internal_value(text)


class LevelQuerySerializer(serializers.Serializer):
    """The day the level is read on."""

    date = DateField(required=False, help_text="The day (YYYY-MM-DD); the program's today by default.")


class ForecastQuerySerializer(serializers.Serializer):
    """The forecast's window."""

    start = DateField(required=False, help_text="First day (YYYY-MM-DD); the program's today by default.")
    days = AsciiWholeField(
        required=False,
        min_value=1,
        max_value=utilisation.MAX_FORECAST_DAYS,
        help_text=f"How many days (1..{utilisation.MAX_FORECAST_DAYS}); {utilisation.FORECAST_DAYS} by default.",
    )


class ServiceDaySerializer(serializers.Serializer):
    """A service's figures on a day."""

    date = serializers.DateField(help_text="The day.")
    required = serializers.IntegerField(help_text="People the service needs that day.")
    eligible = serializers.IntegerField(help_text="Active people who may do it.")
    available = serializers.FloatField(help_text="Eligible people not on approved leave (a half-day counts 0.5).")
    safe_capacity = serializers.FloatField(help_text="available x 0.8.")
    utilisation = serializers.FloatField(
        allow_null=True, help_text="required / safe_capacity (0.75 = 75%); null when nobody is available."
    )
    level = LevelField(help_text="GREEN <70%, YELLOW >=70, ORANGE >=80, RED >=90, BLACK >=95.")
    available_if_requested = serializers.FloatField(help_text="available, with requested absences also taken out.")
    utilisation_if_requested = serializers.FloatField(allow_null=True, help_text="Utilisation with requested leave.")
    level_if_requested = LevelField(help_text="Level with requested leave.")
    covered = serializers.IntegerField(
        allow_null=True, help_text="Places the published schedule covers; null when none holds the day."
    )
    coverage = serializers.FloatField(allow_null=True, help_text="covered / required (1.0 = every place).")
    defense_level = LevelField(allow_null=True, help_text="The level from coverage alone: GREEN at 100%.")
    redundancy = serializers.ChoiceField(choices=REDUNDANCY, help_text="Available people beyond the need.")
    spare = serializers.IntegerField(help_text="Whole available people beyond the need (negative: short).")


class ServiceSerializer(serializers.Serializer):
    """A coverage requirement of the program and its figures per day."""

    key = serializers.CharField(help_text='"rot<id>" for a rotation, "call:…" for a call, "fmit".')
    label = serializers.CharField(help_text="Its name.")
    kind = serializers.ChoiceField(choices=["rotation", "call", "fmit"], help_text="What kind of service.")
    required_per_day = serializers.IntegerField(
        help_text="People needed on each of its days; for FMIT, whose need is each day's academic year's rule, the "
        "most any day of the window needs (each day's own is its `required`)."
    )
    days = ServiceDaySerializer(many=True, help_text="Its days in the window (only the days it runs).")


class WorstSerializer(serializers.Serializer):
    """A service-day at the program's level."""

    service = serializers.CharField(help_text="The service's key.")
    label = serializers.CharField(help_text="Its name.")
    date = serializers.DateField(help_text="The day.")
    utilisation = serializers.FloatField(allow_null=True, help_text="Its utilisation that day.")
    coverage = serializers.FloatField(allow_null=True, help_text="Its coverage that day.")
    level = LevelField(help_text="Its level weighted by coverage.")


class ResilienceSerializer(serializers.Serializer):
    """The program's level on a day and each service over the level's horizon."""

    level = LevelField(help_text="The program's level (analytics/utilisation.py).")
    words = serializers.CharField(help_text="What the level means, in words.")
    date = serializers.DateField(help_text="The day it is read on.")
    horizon_days = serializers.IntegerField(help_text="Days looked ahead from the day.")
    utilisation = serializers.FloatField(allow_null=True, help_text="The highest utilisation of any service-day.")
    coverage = serializers.FloatField(allow_null=True, help_text="Covered / required places; null: unpublished.")
    worst = WorstSerializer(many=True, help_text="The service-days that set the level.")
    services = ServiceSerializer(many=True, help_text="Each service's figures per day over the horizon.")


class ForecastDaySerializer(serializers.Serializer):
    """One day ahead: the program-wide figures of its services."""

    date = serializers.DateField(help_text="The day.")
    utilisation = serializers.FloatField(allow_null=True, help_text="Its busiest service's utilisation.")
    level = LevelField(help_text="The gravest utilisation level of its services.")
    level_if_requested = LevelField(help_text="The same with requested leave.")
    coverage = serializers.FloatField(allow_null=True, help_text="Covered / required places; null: unpublished.")


class ForecastSerializer(serializers.Serializer):
    """Each service's figures for each day of the window."""

    start = serializers.DateField(help_text="First day.")
    end = serializers.DateField(help_text="Last day.")
    days = ForecastDaySerializer(many=True, help_text="Each day, program-wide.")
    services = ServiceSerializer(many=True, help_text="Each service, day by day.")


def service_day_json(row: ServiceDay) -> dict[str, Any]:
    defense = row.defense
    return {
        "date": row.date,
        "required": row.required,
        "eligible": row.eligible,
        "available": row.available,
        "safe_capacity": round(row.safe_capacity, 4),
        "utilisation": _rounded(row.utilisation),
        "level": row.level.name,
        "available_if_requested": row.available_if_requested,
        "utilisation_if_requested": _rounded(row.utilisation_if_requested),
        "level_if_requested": row.level_if_requested.name,
        "covered": row.covered,
        "coverage": _rounded(row.coverage),
        "defense_level": defense.name if defense is not None else None,
        "redundancy": row.redundancy,
        "spare": row.spare,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def services_json(figures: Forecast, *, end: dt.date | None = None) -> list[dict[str, Any]]:
    last = end or figures.end
    return [
        {
            "key": service.key,
            "label": service.label,
            "kind": service.kind,
            "required_per_day": service.per_day,
            "days": [service_day_json(row) for row in figures.for_service(service.key) if row.date <= last],
        }
        for service in figures.services
    ]


def level_json(report: LevelReport, figures: Forecast) -> dict[str, Any]:
    return {
        "level": report.name,
        "words": report.words,
        "date": report.day,
        "horizon_days": report.horizon_days,
        "utilisation": _rounded(report.utilisation),
        "coverage": _rounded(report.coverage),
        "worst": [
            {
                "service": w.service,
                "label": w.label,
                "date": w.date,
                "utilisation": _rounded(w.utilisation),
                "coverage": _rounded(w.coverage),
                "level": w.level.name,
            }
            for w in report.worst
        ],
        "services": services_json(figures),
    }


class _ReadViewSet(ProgramComputedViewSet):
    singleton = True  # config.api_router: one URL, GET only
    permission_resource = Resource.ANALYTICS


PROBLEMS = {
    (400, PROBLEM_MEDIA_TYPE): problem_response(
        "A date that cannot be read or days outside 1..180; `errors` names it."
    ),
    (401, PROBLEM_MEDIA_TYPE): problem_response("Not authenticated."),
    (403, PROBLEM_MEDIA_TYPE): problem_response("Not a coordinator or admin of the program named."),
}


@extend_schema_view(
    retrieve=extend_schema(
        summary="The program's resilience level",
        description="The level (GREEN..BLACK) on a day, from utilisation weighted by the published schedule's "
        "real coverage over the 14 days ahead, and each service's utilisation, coverage and redundancy per day. "
        "Coordinators and admins.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER, LevelQuerySerializer],
        responses={200: ResilienceSerializer, **PROBLEMS},
    )
)
class ResilienceViewSet(_ReadViewSet):
    """The program's level and the services behind it."""

    serializer_class = ResilienceSerializer

    def retrieve(self, request: Request) -> Response:
        program = self.active_program()
        day = self.query(LevelQuerySerializer).get("date") or program.today()
        figures = utilisation.forecast(program=program, start=day, days=utilisation.LEVEL_HORIZON_DAYS)
        report = utilisation.level_of(figures.rows, day=day)
        return Response(ResilienceSerializer(level_json(report, figures)).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Utilisation forecast",
        description="Each service's utilisation, level, coverage and redundancy for each day of the window, from "
        "approved absences, and beside them with requested absences also taken out. Coordinators and admins.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER, ForecastQuerySerializer],
        responses={200: ForecastSerializer, **PROBLEMS},
    )
)
class ForecastViewSet(_ReadViewSet):
    """The forecast of the days ahead."""

    serializer_class = ForecastSerializer

    def retrieve(self, request: Request) -> Response:
        program = self.active_program()
        query = self.query(ForecastQuerySerializer)
        start = query.get("start") or program.today()
        figures = utilisation.forecast(
            program=program, start=start, days=query.get("days") or utilisation.FORECAST_DAYS
        )
        days = [
            {
                "date": day.date,
                "utilisation": _rounded(day.utilisation),
                "level": day.level.name,
                "level_if_requested": day.level_if_requested.name,
                "coverage": _rounded(day.coverage),
            }
            for day in utilisation.day_summaries(figures)
        ]
        answer = {"start": figures.start, "end": figures.end, "days": days, "services": services_json(figures)}
        return Response(ForecastSerializer(answer).data)


def register(router: BaseRouter) -> None:
    router.register("analytics/resilience", ResilienceViewSet, basename="analytics-resilience")
    router.register("analytics/forecast", ForecastViewSet, basename="analytics-forecast")
