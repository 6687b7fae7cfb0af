"""The FMIT report under /api/v1/analytics/fmit/ (GET): the FMIT page's figures (analytics.fmit.fmit_report) for the
program's admins and coordinators.

`year` (an academic year id of the program; the current year by default), `version` ("published" by default,
"draft" or a version id of the program) and `quarter` (1-4, or "year": the whole year, the default) pick what is
read; any other value is a 400 naming the parameter. Every quarter's spread comes with it in `quarters`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from analytics.api_common import ReportQuerySerializer, report_version
from analytics.fmit import FmitReport, PeriodFmit, fmit_report
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProgramComputedViewSet, problem_response
from tenants.errors import DomainError
from tenants.permissions import Resource

TAG = "analytics"
MANAGERS = "the program's admins and coordinators"


class FmitQuerySerializer(ReportQuerySerializer):
    """What to read: the year, the version and the quarter."""

    quarter = serializers.ChoiceField(
        choices=["1", "2", "3", "4", "year"],
        required=False,
        help_text='1-4 (13 blocks: 1-3, 4-6, 7-9, 10-13) or "year" (the default): the period of `faculty`.',
    )


class FmitFacultySerializer(serializers.Serializer):
    """One faculty member's FMIT figures in the period."""

    person = serializers.IntegerField(help_text="The person's id (people/).")
    name = serializers.CharField()
    role = serializers.CharField(help_text="The faculty role, as shown.")
    target_year = serializers.IntegerField(allow_null=True, help_text="The yearly FMIT target (weeks); null: none.")
    target = serializers.FloatField(help_text="The target prorated to the period by its share of blocks.")
    weeks = serializers.IntegerField(help_text="FMIT weeks starting in the period.")
    against_target = serializers.FloatField(help_text="weeks - target.")
    weekend_calls = serializers.IntegerField(help_text="Calls on the Friday and Saturday nights of those weeks.")
    clinic_lost = serializers.IntegerField(
        help_text="Clinic half-days lost: per week, the weekly clinic maximum, at most its open-weekday FMIT half-days."
    )
    week_starts = serializers.ListField(child=serializers.DateField(), help_text="First day of each FMIT week.")


class FmitSpreadSerializer(serializers.Serializer):
    """The spread of FMIT weeks across faculty in one period."""

    quarter = serializers.IntegerField(allow_null=True, help_text="1-4; null for the whole year.")
    label = serializers.CharField()
    start = serializers.DateField(allow_null=True, help_text="First day of the quarter; null for the year.")
    end = serializers.DateField(allow_null=True, help_text="Last day of the quarter; null for the year.")
    gini = serializers.FloatField(help_text="Gini coefficient of FMIT weeks across the counted faculty.")
    fairness = serializers.FloatField(help_text="1 - Gini.")
    rating = serializers.ChoiceField(choices=["good", "warning", "poor"])
    spread = serializers.FloatField(
        help_text="Most minus least of (FMIT weeks - prorated target) across the counted faculty, in weeks."
    )
    fairest = serializers.FloatField(
        help_text="The least spread any split of the period's FMIT weeks into whole weeks among the same faculty "
        "could have (prorated targets are fractional, weeks whole)."
    )
    balanced = serializers.BooleanField(
        help_text="spread within the year's tolerance, or no whole-week split has a smaller spread (spread <= fairest)."
    )
    weeks = serializers.IntegerField(help_text="FMIT weeks of all counted faculty.")


class FmitReportSerializer(serializers.Serializer):
    """The FMIT report of one schedule version and period."""

    academic_year = serializers.IntegerField(help_text="The academic year's id.")
    academic_year_name = serializers.CharField()
    version = serializers.IntegerField(help_text="The schedule version read.")
    version_number = serializers.IntegerField()
    version_status = serializers.CharField(help_text="published, draft or archived.")
    week_start_day = serializers.IntegerField(help_text="Weekday FMIT weeks start on (0 Monday - 6 Sunday).")
    tolerance = serializers.IntegerField(help_text="The year's imbalance tolerance (weeks).")
    period = FmitSpreadSerializer(help_text="The period asked for.")
    faculty = FmitFacultySerializer(many=True, help_text="The counted faculty, by name.")
    quarters = FmitSpreadSerializer(many=True, help_text="Every quarter's spread.")


def spread_json(period: PeriodFmit) -> dict[str, Any]:
    q = period.quarter
    return {
        "quarter": q.number if q else None,
        "label": period.label,
        "start": q.start if q else None,
        "end": q.end if q else None,
        **{key: getattr(period, key) for key in ("gini", "fairness", "rating", "spread", "fairest", "balanced")},
        "weeks": period.totals["weeks"],
    }


def report_json(report: FmitReport, quarter: int | None) -> dict[str, Any]:
    period = report.period(quarter)
    return {
        "academic_year": report.academic_year_id,
        "academic_year_name": report.academic_year_name,
        "version": report.version_id,
        "version_number": report.version_number,
        "version_status": report.version_status,
        "week_start_day": report.week_start_day,
        "tolerance": report.tolerance,
        "period": spread_json(period),
        "faculty": [
            {
                "person": row.person_id,
                "name": row.name,
                "role": row.role,
                "target_year": row.target_year,
                "target": row.target,
                "weeks": row.weeks,
                "against_target": row.against_target,
                "weekend_calls": row.weekend_calls,
                "clinic_lost": row.clinic_lost,
                "week_starts": list(row.week_starts),
            }
            for row in period.rows
        ],
        "quarters": [spread_json(p) for p in report.quarters],
    }


@extend_schema_view(
    retrieve=extend_schema(
        summary="FMIT: weeks, weekend calls and clinic lost per faculty member and quarter",
        description="Per faculty member, FMIT weeks in the quarter (or year), the Friday and Saturday calls that came "
        "with them and the clinic half-days they cost, against the yearly target prorated to the period; the Gini "
        f"and spread of FMIT weeks across faculty. The figures of the FMIT page. {MANAGERS.capitalize()} only.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER, FmitQuerySerializer],
        responses={
            200: FmitReportSerializer,
            (400, PROBLEM_MEDIA_TYPE): problem_response("A year, version or quarter that cannot be read; named."),
            (401, PROBLEM_MEDIA_TYPE): problem_response("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): problem_response(f"Only {MANAGERS} read the FMIT report."),
            (404, PROBLEM_MEDIA_TYPE): problem_response("The year has no schedule of the kind asked for."),
        },
    )
)
class FmitReportViewSet(ProgramComputedViewSet):
    """The FMIT report of a schedule version (GET only, one URL)."""

    singleton = True  # config.api_router: one URL, no rows
    permission_resource = Resource.ANALYTICS
    serializer_class = FmitReportSerializer

    def retrieve(self, request: Request) -> Response:
        asked = self.query(FmitQuerySerializer)
        version = report_version(self.active_program(), asked)
        raw = asked.get("quarter") or "year"
        quarter = None if raw == "year" else int(raw)
        report = fmit_report(version=version)
        try:
            document = report_json(report, quarter)
        except DomainError as exc:
            raise serializers.ValidationError({"quarter": [str(exc)]}) from exc
        return Response(FmitReportSerializer(document).data)


def register(router: BaseRouter) -> None:
    router.register("analytics/fmit", FmitReportViewSet, basename="analytics-fmit")
