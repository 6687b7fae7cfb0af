"""Workload under /api/v1/analytics/workload/ (GET): the workload page's figures (analytics.workload.workload_report)
for the program's admins and coordinators.

`year` (an academic year id of the program; the current year by default), `version` ("published" by default,
"draft" or a version id of the program) and `person` (a person of the schedule: only their rows) pick what is read;
any other value is a 400 naming the parameter. Hours per week come as arrays aligned with `weeks` (their Mondays).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from analytics.api_common import ReportQuerySerializer, report_version
from analytics.workload import CohortContinuity, ContinuityRow, PersonHours, WorkloadReport, workload_report
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProgramComputedViewSet, problem_response
from tenants.permissions import Resource
from tenants.serializer_fields import IdField

TAG = "analytics"
MANAGERS = "the program's admins and coordinators"
FLAGS = ["over", "near", ""]


class WorkloadQuerySerializer(ReportQuerySerializer):
    """What to read: the year, the version and, optionally, one person."""

    person = IdField(required=False, help_text="A person's id (people/): only their hours and continuity.")


class PersonHoursSerializer(serializers.Serializer):
    """A person's hours per week, aligned with the document's `weeks`, and their summary."""

    person = serializers.IntegerField(help_text="The person's id (people/).")
    name = serializers.CharField(help_text="The person's full name.")
    cohort = serializers.CharField(help_text='"PGY-1".."PGY-n" or "Faculty".')
    hours = serializers.ListField(child=serializers.FloatField(), help_text="Hours on duty in each week.")
    over = serializers.ListField(
        child=serializers.BooleanField(), help_text="Each week over the weekly limit (never for faculty)."
    )
    averages = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="The 4-week average of the 28 days ending each week, leave left out as the ACGME checker does; "
        "null for the first three weeks or 28 days all on leave.",
    )
    average_flags = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        help_text='"over" the limit, "near" (within near_margin hours of it) or "" for each week\'s average.',
    )
    max_week = serializers.FloatField(help_text="The highest week's hours.")
    max_average = serializers.FloatField(allow_null=True, help_text="The highest 4-week average.")
    weeks_over = serializers.IntegerField(help_text="Weeks over the limit.")
    averages_over = serializers.IntegerField(help_text="4-week averages over the limit.")
    averages_near = serializers.IntegerField(help_text="4-week averages within near_margin hours of the limit.")
    checker_breaches = serializers.IntegerField(
        help_text="The ACGME checker's weekly-hours violations for the person (any 28-day window)."
    )
    leave_days = serializers.IntegerField(help_text="Days of leave in the year's weeks.")
    flag = serializers.ChoiceField(choices=FLAGS, help_text='"over", "near" or "".')


class ContinuitySerializer(serializers.Serializer):
    """A resident's continuity clinics over the year."""

    person = serializers.IntegerField(help_text="The resident's id (people/).")
    name = serializers.CharField()
    cohort = serializers.CharField(help_text='"PGY-1".."PGY-n".')
    sessions = serializers.IntegerField(help_text="Continuity clinic half-days (approved leave taken out).")
    usual_weekday = serializers.IntegerField(
        allow_null=True, help_text="The weekday most of them fall on (0 Monday .. 6 Sunday); null without clinic."
    )
    usual_weekday_name = serializers.CharField(help_text='"Tuesday"; "" without clinic.')
    on_usual = serializers.IntegerField(help_text="Clinic half-days on the usual weekday.")
    share = serializers.FloatField(allow_null=True, help_text="on_usual / sessions; null without clinic.")


class CohortContinuitySerializer(serializers.Serializer):
    """A cohort's average continuity."""

    cohort = serializers.CharField(help_text='"PGY-1".."PGY-n", then "All residents".')
    residents = serializers.IntegerField(help_text="Active residents of the cohort.")
    with_clinic = serializers.IntegerField(help_text="Those with continuity clinic, whose shares are averaged.")
    average_share = serializers.FloatField(allow_null=True, help_text="The mean share; null when nobody has clinic.")


class RuleCountSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="The rule as the compliance page names it.")
    count = serializers.IntegerField()


class BlockComplianceSerializer(serializers.Serializer):
    """The ACGME checker's findings on the version that start in one block."""

    number = serializers.IntegerField(help_text="The block's number.")
    start = serializers.DateField()
    end = serializers.DateField()
    violations = serializers.IntegerField()
    warnings = serializers.IntegerField()
    people = serializers.IntegerField(help_text="People (or residents of a session) the findings are about.")
    clean = serializers.BooleanField(help_text="No violation and no warning.")
    rules = RuleCountSerializer(many=True, help_text="Findings per rule, most first.")


class WorkloadSerializer(serializers.Serializer):
    """The workload of one schedule version: hours per week, continuity, findings per block."""

    academic_year = serializers.IntegerField(help_text="The academic year's id.")
    academic_year_name = serializers.CharField()
    version = serializers.IntegerField(help_text="The schedule version read.")
    version_number = serializers.IntegerField()
    version_status = serializers.CharField(help_text="published, draft or archived.")
    limit = serializers.FloatField(help_text="The weekly limit in hours (80 unless the program sets another).")
    near_margin = serializers.FloatField(help_text="An average within this many hours of the limit is flagged near.")
    compliant = serializers.BooleanField(help_text="The ACGME checker's verdict on the version.")
    violations = serializers.IntegerField(help_text="The checker's violations (as on the compliance page).")
    warnings = serializers.IntegerField(help_text="The checker's warnings.")
    people_over = serializers.IntegerField(help_text="Residents with a week or a 4-week average over the limit.")
    people_near = serializers.IntegerField(help_text="Residents with an average near the limit and none over.")
    weeks = serializers.ListField(child=serializers.DateField(), help_text="The Monday of each week of the year.")
    residents = PersonHoursSerializer(many=True)
    faculty = PersonHoursSerializer(many=True)
    faculty_note = serializers.CharField(help_text="What faculty hours count.")
    continuity = ContinuitySerializer(many=True)
    cohorts = CohortContinuitySerializer(many=True, help_text="Empty when one person is asked for.")
    blocks = BlockComplianceSerializer(many=True)


def hours_json(row: PersonHours) -> dict[str, Any]:
    return {
        "person": row.person.id,
        "name": row.person.name,
        "cohort": row.person.cohort,
        "hours": [w.hours for w in row.weeks],
        "over": [w.over for w in row.weeks],
        "averages": [w.average for w in row.weeks],
        "average_flags": [w.average_flag for w in row.weeks],
        **{
            key: getattr(row, key)
            for key in (
                "max_week",
                "max_average",
                "weeks_over",
                "averages_over",
                "averages_near",
                "checker_breaches",
                "leave_days",
                "flag",
            )
        },
    }


def continuity_json(row: ContinuityRow) -> dict[str, Any]:
    return {
        "person": row.person.id,
        "name": row.person.name,
        "cohort": row.person.cohort,
        "sessions": row.sessions,
        "usual_weekday": row.usual_weekday,
        "usual_weekday_name": row.usual_weekday_name,
        "on_usual": row.on_usual,
        "share": row.share,
    }


def report_json(report: WorkloadReport, *, person: int | None = None) -> dict[str, Any]:
    """The report as the API's document (only `person`'s rows when given)."""

    def wanted(rows):
        return [row for row in rows if person in (None, row.person.id)]

    return {
        "version": report.version_id,
        "version_number": report.version_number,
        "version_status": report.version_status,
        "limit": report.limit,
        "near_margin": report.near_margin,
        "compliant": report.compliant,
        "violations": report.violations,
        "warnings": report.warnings,
        "people_over": report.people_over,
        "people_near": report.people_near,
        "weeks": list(report.weeks),
        "residents": [hours_json(row) for row in wanted(report.residents)],
        "faculty": [hours_json(row) for row in wanted(report.faculty)],
        "faculty_note": report.faculty_note,
        "continuity": [continuity_json(row) for row in wanted(report.continuity)],
        "cohorts": [] if person else [cohort_json(c) for c in report.cohorts],
        "blocks": [
            {
                **{k: getattr(b, k) for k in ("number", "start", "end", "violations", "warnings", "people", "clean")},
                "rules": [{"rule": rule, "count": count} for rule, count in b.rules],
            }
            for b in report.blocks
        ],
    }


def cohort_json(cohort: CohortContinuity) -> dict[str, Any]:
    return {k: getattr(cohort, k) for k in ("cohort", "residents", "with_clinic", "average_share")}


@extend_schema_view(
    retrieve=extend_schema(
        summary="Workload: hours per week, clinic continuity, ACGME findings per block",
        description="Per resident and faculty member, hours on duty in each week of the year as the ACGME checker "
        "counts them, with the rolling 4-week average and the weeks and averages over the 80-hour line (or within "
        "5 h of it); each resident's share of continuity clinics on their usual weekday, per cohort; and the "
        f"checker's violations and warnings per block. The figures of the workload page. {MANAGERS.capitalize()} "
        "only.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER, WorkloadQuerySerializer],
        responses={
            200: WorkloadSerializer,
            (400, PROBLEM_MEDIA_TYPE): problem_response("A year, version or person that cannot be read; named."),
            (401, PROBLEM_MEDIA_TYPE): problem_response("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): problem_response(f"Only {MANAGERS} read workload."),
            (404, PROBLEM_MEDIA_TYPE): problem_response("The year has no schedule of the kind asked for."),
        },
    )
)
class WorkloadViewSet(ProgramComputedViewSet):
    """Workload of a schedule version (GET only, one URL)."""

    singleton = True  # config.api_router: one URL, no rows
    permission_resource = Resource.ANALYTICS
    serializer_class = WorkloadSerializer

    def retrieve(self, request: Request) -> Response:
        asked = self.query(WorkloadQuerySerializer)
        version = report_version(self.active_program(), asked)
        report = workload_report(version=version)
        person = asked.get("person")
        if person is not None and report.hours_of(person) is None:
            raise serializers.ValidationError({"person": ["Choose a person of this schedule (people/)."]})
        document = report_json(report, person=person)
        document |= {"academic_year": version.academic_year_id, "academic_year_name": report.year_name}
        return Response(WorkloadSerializer(document).data)


def register(router: BaseRouter) -> None:
    router.register("analytics/workload", WorkloadViewSet, basename="analytics-workload")
