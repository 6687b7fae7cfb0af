"""Query-string filters of the scheduling API. Choices that name rows are scoped to the active program."""

import datetime as dt

from django import forms
from django.db.models import Q, QuerySet
from rest_framework import exceptions

from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.selectors import date_range_refusal, newest_drafts
from tenants import filters as bounded
from tenants.middleware import program_for
from tenants.permissions import Action, Resource, can


class PersonFilter(bounded.FilterSet):
    search = bounded.CharFilter(
        method="filter_search", label="Part of a first or last name; with several words, each must match."
    )

    class Meta:
        model = Person
        fields = ["kind", "pgy", "is_active"]

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        for word in value.split():
            queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return queryset


class RotationFilter(bounded.FilterSet):
    class Meta:
        model = RotationTemplate
        fields = ["kind", "is_active"]


class AcademicYearFilter(bounded.FilterSet):
    class Meta:
        model = AcademicYear
        fields = ["is_current"]


def _program_academic_years(request) -> QuerySet[AcademicYear]:
    """Only the active program's years are valid choices, so another program's ids are refused like unknown ones."""
    program = None if request is None else program_for(request)
    if program is None:
        return AcademicYear.objects.none()
    return AcademicYear.objects.for_program(program)


class BlockFilter(bounded.FilterSet):
    academic_year = bounded.ModelChoiceFilter(queryset=_program_academic_years, label="Academic year id.")

    class Meta:
        model = Block
        fields = ["academic_year", "number"]


# The schedule: runs, versions and assignments.


class ScheduleRunFilter(bounded.FilterSet):
    academic_year = bounded.ModelChoiceFilter(queryset=_program_academic_years, label="Academic year id.")

    class Meta:
        model = ScheduleRun
        fields = ["academic_year", "status"]


class ScheduleVersionFilter(bounded.FilterSet):
    academic_year = bounded.ModelChoiceFilter(queryset=_program_academic_years, label="Academic year id.")

    class Meta:
        model = ScheduleVersion
        fields = ["academic_year", "status"]


def _program_people(request) -> QuerySet[Person]:
    program = None if request is None else program_for(request)
    return Person.objects.none() if program is None else Person.objects.for_program(program)


def _program_rotations(request) -> QuerySet[RotationTemplate]:
    program = None if request is None else program_for(request)
    return RotationTemplate.objects.none() if program is None else RotationTemplate.objects.for_program(program)


ISO_DATE = {
    "input_formats": ["%Y-%m-%d"],
    "error_messages": {"invalid": "Enter a date as YYYY-MM-DD, e.g. 2026-07-01."},
}
VERSION_HELP = (
    "Which schedule: `published` (the default: the published version of each academic year), "
    "`draft` (the newest draft of each year) or a version id. Drafts and archived versions are for "
    "admins and coordinators."
)
DRAFTS_FOR_MANAGERS = "Draft and archived schedules are visible to the program's admins and coordinators only."


class AssignmentFilterForm(forms.Form):
    """Checks the query string as a whole: the date range (both ends, at most two years) and the version."""

    def clean_version(self) -> str:
        value = (self.cleaned_data.get("version") or "published").strip()
        is_id = value.isascii() and value.isdigit() and len(value) <= 18  # beyond that no database id fits
        if value not in ("published", "draft") and not is_id:
            # the value goes in params: django-filter formats the message with them (a "%" typed would break it)
            raise forms.ValidationError(
                "Use published (the default), draft or a version id, not %(value)r.", params={"value": value}
            )
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start is not None or end is not None:
            refusal = date_range_refusal(start, end)
            if refusal:
                self.add_error("date_from" if start is None else "date_to", refusal)
        return cleaned


class AssignmentFilter(bounded.FilterSet):
    """Filters every assignment list shares. The version is always applied: by default the published one."""

    person = bounded.ModelChoiceFilter(queryset=_program_people, label="Person id.")
    academic_year = bounded.ModelChoiceFilter(
        field_name="version__academic_year", queryset=_program_academic_years, label="Academic year id."
    )
    version = bounded.CharFilter(method="filter_version", label=VERSION_HELP)
    date_from = bounded.DateFilter(
        method="filter_date_from", label="From this date (YYYY-MM-DD); give date_to too.", **ISO_DATE
    )
    date_to = bounded.DateFilter(
        method="filter_date_to",
        label="Up to this date, inclusive (YYYY-MM-DD); at most two years after date_from.",
        **ISO_DATE,
    )

    class Meta:
        form = AssignmentFilterForm
        fields = ["person", "academic_year", "version", "date_from", "date_to"]

    def filter_version(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied in filter_queryset, also when the parameter is absent

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset).filter(version__in=self._versions())

    def _versions(self) -> QuerySet[ScheduleVersion]:
        """The versions asked for; a draft or archived one for managers only (403), an unknown id is a 400."""
        which = self.form.cleaned_data.get("version") or "published"
        program = program_for(self.request)
        versions = ScheduleVersion.objects.for_program(program)
        if which == "published":
            return versions.filter(status=ScheduleVersion.Status.PUBLISHED)
        manager = can(self.request.user, Action.CHANGE, Resource.SCHEDULE, program)
        if which == "draft":
            if not manager:
                raise exceptions.PermissionDenied(DRAFTS_FOR_MANAGERS)
            return newest_drafts(program=program)
        status = versions.filter(pk=int(which)).values_list("status", flat=True).first()
        if status is None:
            raise exceptions.ValidationError({"version": [f"The program has no schedule version with id {which}."]})
        if status != ScheduleVersion.Status.PUBLISHED and not manager:
            raise exceptions.PermissionDenied(DRAFTS_FOR_MANAGERS)
        return versions.filter(pk=int(which))

    # Each assignment list says what a date range keeps (overlapping blocks, dates, call starts).
    def filter_date_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        raise NotImplementedError

    def filter_date_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        raise NotImplementedError


class BlockAssignmentFilter(AssignmentFilter):
    """Block rotations; a date range keeps the blocks that overlap it."""

    rotation = bounded.ModelChoiceFilter(queryset=_program_rotations, label="Rotation id.")

    class Meta(AssignmentFilter.Meta):
        model = BlockAssignment
        fields = [*AssignmentFilter.Meta.fields, "rotation", "half"]

    def filter_date_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(block__end_date__gte=value)

    def filter_date_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(block__start_date__lte=value)


class SessionAssignmentFilter(AssignmentFilter):
    """Half-day activities between two dates (inclusive)."""

    rotation = bounded.ModelChoiceFilter(queryset=_program_rotations, label="Rotation id.")

    class Meta(AssignmentFilter.Meta):
        model = SessionAssignment
        fields = [*AssignmentFilter.Meta.fields, "rotation", "session", "activity"]

    def filter_date_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(date__gte=value)

    def filter_date_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(date__lte=value)


class CallAssignmentFilter(AssignmentFilter):
    """Calls that start between two dates (inclusive, in the program's time zone)."""

    class Meta(AssignmentFilter.Meta):
        model = CallAssignment
        fields = [*AssignmentFilter.Meta.fields, "kind"]

    def _local_midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=program_for(self.request).zone)

    def filter_date_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(start__gte=self._local_midnight(value))

    def filter_date_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(start__lt=self._local_midnight(value + dt.timedelta(days=1)))
