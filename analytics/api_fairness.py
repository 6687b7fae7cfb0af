"""Fairness per cohort under /api/v1/analytics/fairness/ (GET), and the program's fairness settings under
/api/v1/program/settings/fairness/ (GET, PATCH): the page's figures (analytics.fairness.fairness_report) for the
program's admins and coordinators.

`year` (an academic year id of the program; the current year by default), `version` ("published" by default,
"draft" or a version id of the program) and `span` ("year" or "ytd") pick what is read; any other value is a 400
naming the parameter.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from analytics.api_common import ReportQuerySerializer, report_version
from analytics.fairness import MEASURES, SPANS, FairnessReport, MeasureFigures, fairness_report
from analytics.fairness_settings import (
    FAIRNESS_SETTINGS_KEY,
    fairness_settings,
    fairness_settings_to_json,
    fairness_settings_update,
)
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProgramComputedViewSet, problem_response
from tenants.api_settings import SETTINGS_PREFIX, SettingsSectionViewSet, settings_schema
from tenants.models import Organization
from tenants.permissions import Resource

TAG = "analytics"
MANAGERS = "the program's admins and coordinators"


class FairnessQuerySerializer(ReportQuerySerializer):
    """What to read: the year, the version and the span."""

    span = serializers.ChoiceField(
        choices=SPANS, required=False, default="year", help_text='"year" (the academic year) or "ytd" (year to date).'
    )


class MeasureSerializer(serializers.Serializer):
    """What is counted."""

    key = serializers.CharField(help_text="call_nights, weekend_duties, holiday_duties, fmit_weeks, ...")
    label = serializers.CharField(help_text="Its name on the page.")
    unit = serializers.CharField(help_text='"%" for wishes granted, else "" (a count).')
    burden = serializers.BooleanField(help_text="True: more is heavier (flagged above the mean); False: less is worse.")
    margin = serializers.FloatField(help_text="How far from the cohort mean before a person is flagged.")
    carried = serializers.BooleanField(help_text="Counts that carry over from last year when the program asks.")


class PersonFigureSerializer(serializers.Serializer):
    """One person's figure in a cohort's measure."""

    person = serializers.IntegerField(help_text="The person's id (people/).")
    name = serializers.CharField(help_text="The person's full name.")
    value = serializers.FloatField(help_text="This span's count plus what carried over.")
    this_span = serializers.FloatField(help_text="The count of this span.")
    carried_over = serializers.FloatField(help_text="The count carried over from last year (0 when not asked).")
    deviation = serializers.FloatField(help_text="value - cohort mean.")
    flagged = serializers.BooleanField(help_text="More than the margin above the cohort mean (below, for wishes).")


class MeasureFiguresSerializer(serializers.Serializer):
    """A cohort's figures for one measure."""

    measure = serializers.CharField(help_text="The measure's key.")
    gini = serializers.FloatField(help_text="The Gini coefficient (0: everyone carries the same).")
    fairness = serializers.FloatField(help_text="1 - Gini.")
    rating = serializers.ChoiceField(choices=["good", "warning", "poor"], help_text=">= 0.9 good, >= 0.75 warning.")
    min = serializers.FloatField()
    max = serializers.FloatField()
    spread = serializers.FloatField(help_text="max - min.")
    mean = serializers.FloatField(help_text="The cohort mean, to 2 places.")
    people = PersonFigureSerializer(many=True, help_text="Heaviest first (for wishes: least granted first).")


class CohortSerializer(serializers.Serializer):
    """A cohort and its measures."""

    label = serializers.CharField(help_text='"PGY-1".."PGY-n" or "Faculty".')
    size = serializers.IntegerField(help_text="Active people in the cohort.")
    measures = MeasureFiguresSerializer(many=True, help_text="The measures that apply to the cohort.")


class FairnessSerializer(serializers.Serializer):
    """Fairness per cohort of one schedule version over a span."""

    academic_year = serializers.IntegerField(help_text="The academic year's id.")
    academic_year_name = serializers.CharField()
    version = serializers.IntegerField(help_text="The schedule version read.")
    version_number = serializers.IntegerField()
    version_status = serializers.CharField(help_text="published, draft or archived.")
    span = serializers.ChoiceField(choices=SPANS)
    start = serializers.DateField(help_text="First day counted.")
    end = serializers.DateField(help_text="Last day counted (before start when nothing has happened yet).")
    carry_over = serializers.BooleanField(help_text="Whether the program adds last year's published counts.")
    carried_from = serializers.IntegerField(allow_null=True, help_text="Last year's published version added.")
    notes = serializers.ListField(child=serializers.CharField(), help_text="What a reader should know.")
    measures = MeasureSerializer(many=True)
    cohorts = CohortSerializer(many=True)


def _figures_json(f: MeasureFigures) -> dict[str, Any]:
    people = [
        {
            "person": p.person_id,
            "name": p.name,
            "value": p.value,
            "this_span": p.current,
            "carried_over": p.carried,
            "deviation": round(p.deviation, 4),
            "flagged": p.flagged,
        }
        for p in f.people
    ]
    figures = {k: getattr(f, k) for k in ("gini", "fairness", "rating", "min", "max", "spread", "mean")}
    return {"measure": f.measure.key, **figures, "people": people}


def report_json(report: FairnessReport) -> dict[str, Any]:
    """The report as the API's document."""
    version = report.version
    return {
        "academic_year": report.academic_year.pk,
        "academic_year_name": report.academic_year.name,
        "version": version.pk,
        "version_number": version.number,
        "version_status": version.status,
        "span": report.span,
        "start": report.start,
        "end": report.end,
        "carry_over": report.carry_over,
        "carried_from": report.carried_from.pk if report.carried_from is not None else None,
        "notes": list(report.notes),
        "measures": [
            {k: getattr(m, k) for k in ("key", "label", "unit", "burden", "margin", "carried")} for m in MEASURES
        ],
        "cohorts": [
            {"label": c.label, "size": c.size, "measures": [_figures_json(f) for f in c.measures]}
            for c in report.cohorts
        ],
    }


@extend_schema_view(
    retrieve=extend_schema(
        summary="Fairness per cohort",
        description="Per cohort (PGY-n, Faculty) and measure (call nights, weekend and holiday duties, FMIT and "
        "night-float weeks, wishes granted, swap shifts taken and given): each person's count, the Gini "
        "coefficient, fairness = 1 - Gini with its rating, min, max, spread and mean, and who is flagged; the "
        f"figures of the fairness page. {MANAGERS.capitalize()} only.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER, FairnessQuerySerializer],
        responses={
            200: FairnessSerializer,
            (400, PROBLEM_MEDIA_TYPE): problem_response("A year, version or span that cannot be read; named."),
            (401, PROBLEM_MEDIA_TYPE): problem_response("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): problem_response(f"Only {MANAGERS} read fairness."),
            (404, PROBLEM_MEDIA_TYPE): problem_response("The year has no schedule of the kind asked for."),
        },
    )
)
class FairnessViewSet(ProgramComputedViewSet):
    """Fairness of a schedule version (GET only, one URL)."""

    singleton = True  # config.api_router: one URL, no rows
    permission_resource = Resource.ANALYTICS
    serializer_class = FairnessSerializer

    def retrieve(self, request: Request) -> Response:
        asked = self.query(FairnessQuerySerializer)
        version = report_version(self.active_program(), asked)
        report = fairness_report(version=version, span=asked["span"])
        return Response(FairnessSerializer(report_json(report)).data)


class FairnessSettingsSerializer(serializers.Serializer):
    """How the program reads fairness (documentation; analytics.fairness_settings validates)."""

    carry_over_equity = serializers.BooleanField(
        help_text="Add each person's counts of last year's published schedule to this year's (true or false)."
    )


@extend_schema_view(
    **settings_schema(
        section="fairness",
        who=MANAGERS,
        serializer=FairnessSettingsSerializer,
        example={"carry_over_equity": True},
    )
)
class FairnessSettingsViewSet(SettingsSectionViewSet):
    """Organization.settings["fairness"]: whether last year's counts carry over."""

    key = FAIRNESS_SETTINGS_KEY
    serializer_class = FairnessSettingsSerializer
    permission_resource = Resource.ANALYTICS

    def read(self, program: Organization) -> dict[str, Any]:
        return fairness_settings_to_json(fairness_settings(program))

    def write(self, program: Organization, settings: dict[str, Any]) -> None:
        fairness_settings_update(program=program, user=self.request.user, settings=settings)


def register(router: BaseRouter) -> None:
    router.register("analytics/fairness", FairnessViewSet, basename="analytics-fairness")
    router.register(
        f"{SETTINGS_PREFIX}/{FAIRNESS_SETTINGS_KEY}", FairnessSettingsViewSet, basename="program-settings-fairness"
    )
