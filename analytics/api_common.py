"""What the analytics report endpoints share: the year and version a query asks for (their views are
tenants.api.ProgramComputedViewSet, which reads the query and the program)."""

from rest_framework import exceptions, serializers

from analytics.fairness import fairness_version_pick
from scheduling.models import ScheduleVersion
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.serializer_fields import IdField


class ReportQuerySerializer(serializers.Serializer):
    """The year and version a report endpoint reads (each report's query adds its own parameters)."""

    year = IdField(required=False, help_text="An academic year id of the program; the current year by default.")
    version = serializers.RegexField(
        r"^(published|draft|[1-9][0-9]{0,18})$",
        required=False,
        max_length=19,
        error_messages={"invalid": 'Choose "published", "draft" or a version id.'},
        help_text='"published" (the default), "draft" (the newest draft) or a schedule version id of the program.',
    )


def report_version(program: Organization, asked: dict) -> ScheduleVersion:
    """The program's version `?year=&version=` name (published by default): a year or version that cannot be read
    is a 400 naming the parameter, a year without such a schedule a 404."""
    try:
        picked = fairness_version_pick(program=program, year_id=asked.get("year"), which=asked.get("version"))
    except DomainError as exc:
        field = {"invalid_year": "year", "invalid_version": "version"}.get(exc.code, "non_field_errors")
        raise serializers.ValidationError({field: [str(exc)]}) from exc
    if picked.version is None:
        what = "draft" if picked.wanted == "draft" else "published"
        raise exceptions.NotFound(f"{picked.year.name if picked.year else 'This program'} has no {what} schedule.")
    return picked.version
