"""What `POST /api/v1/jobs/` reads to start an export job: which export and the rows it picks (year, version, grid
filters, a workbook's range), as the download pages read them from their query string, each refusal naming its
field (`params.version`...) instead of the pages' 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers

from integrations.exports.jobs import KIND_OF
from integrations.exports.picking import DRAFTS_REFUSED, Picked
from scheduling.models import AcademicYear, Person, RotationTemplate
from scheduling.selectors import academic_year_current, academic_year_list, date_range_refusal, schedule_version_pick
from tenants.params import DATE_MAX, DATE_MIN, ID_MAX
from tenants.permissions import Action, Resource, can

DAY = [MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)]


def _id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX, help_text=help_text)


class ExportJobParamsSerializer(serializers.Serializer):
    """The rows of the export, as the download pages' query string picks them."""

    year = _id(
        "Id of one of the program's academic years; default: the current one (range_xlsx: the one with `start`)."
    )
    version = serializers.CharField(
        required=False,
        max_length=40,
        help_text="published (default), draft (the newest) or a version id of the year; draft and ids: admins "
        "and coordinators.",
    )
    pgy = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=8, help_text="PGY 1-8.")
    rotation = _id("Only people on this rotation (an id).")
    person = _id("Only this person (an id).")
    start = serializers.DateField(required=False, validators=DAY, help_text="range_xlsx: the first day.")
    end = serializers.DateField(
        required=False, validators=DAY, help_text="range_xlsx: the last day (two years at most)."
    )


class ExportJobStartSerializer(serializers.Serializer):
    """A background export to start: the same file as the direct download, made whatever its size."""

    kind = serializers.ChoiceField(choices=["export"], help_text="export (the only kind started here).")
    export = serializers.ChoiceField(
        choices=sorted(KIND_OF),
        help_text="assignments_csv (/exports/assignments.csv) or range_xlsx (/exports/range.xlsx, needs start "
        "and end).",
    )
    params = ExportJobParamsSerializer(required=False, help_text="The rows it holds; every member is optional.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Resolve the params to the program's rows (`picked`, and `span` for a workbook); refuse a draft to
        those who may not read it (403), anything missing with 400 naming `params.<field>`."""
        program, user = self.context["program"], self.context["user"]
        params = attrs.get("params") or {}

        def refuse(field: str, message: str) -> serializers.ValidationError:
            return serializers.ValidationError({"params": {field: [message]}})

        span = None
        if attrs["export"] == "range_xlsx":
            for field in ("start", "end"):
                if params.get(field) is None:
                    raise refuse(field, "A range workbook needs a start and an end date (YYYY-MM-DD).")
            refusal = date_range_refusal(params["start"], params["end"])
            if refusal:
                raise refuse("end", refusal)
            span = (params["start"], params["end"])
        years = academic_year_list(program=program)
        year: AcademicYear | None
        if params.get("year") is not None:
            year = years.filter(pk=params["year"]).first()
            if year is None:
                raise refuse("year", "No such academic year in this program.")
        else:
            holding = years.filter(start_date__lte=span[0], end_date__gte=span[0]).first() if span else None
            year = holding or academic_year_current(program=program)
            if year is None:
                raise refuse("year", "This program has no academic year yet.")
        manager = can(user, Action.CHANGE, Resource.SCHEDULE, program)
        which = params.get("version") or "published"
        if which != "published" and not manager:
            raise PermissionDenied(DRAFTS_REFUSED)
        version = schedule_version_pick(academic_year=year, which=which, drafts_visible=manager)
        if version is None:
            raise refuse("version", f"{year} has no such schedule version (published, draft or a version id).")
        picked = Picked(year=year, version=version, pgy=params.get("pgy"))
        for field, model in (("rotation", RotationTemplate), ("person", Person)):
            if params.get(field) is not None:
                found = model.objects.for_program(program).filter(pk=params[field]).first()
                if found is None:
                    raise refuse(field, f"No such {field} in this program.")
                setattr(picked, field, found)
        return {**attrs, "picked": picked, "span": span}
