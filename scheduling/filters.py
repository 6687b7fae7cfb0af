"""Query-string filters of the scheduling API. Choices that name rows are scoped to the active program."""

import django_filters
from django.db.models import Q, QuerySet

from scheduling.models import AcademicYear, Block, Person, RotationTemplate
from tenants.middleware import program_for


class PersonFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label="Part of a first or last name; with several words, each must match."
    )

    class Meta:
        model = Person
        fields = ["kind", "pgy", "is_active"]

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        for word in value.split():
            queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return queryset


class RotationFilter(django_filters.FilterSet):
    class Meta:
        model = RotationTemplate
        fields = ["kind", "is_active"]


class AcademicYearFilter(django_filters.FilterSet):
    class Meta:
        model = AcademicYear
        fields = ["is_current"]


def _program_academic_years(request) -> QuerySet[AcademicYear]:
    """Only the active program's years are valid choices, so another program's ids are refused like unknown ones."""
    program = None if request is None else program_for(request)
    if program is None:
        return AcademicYear.objects.none()
    return AcademicYear.objects.for_program(program)


class BlockFilter(django_filters.FilterSet):
    academic_year = django_filters.ModelChoiceFilter(queryset=_program_academic_years, label="Academic year id.")

    class Meta:
        model = Block
        fields = ["academic_year", "number"]
