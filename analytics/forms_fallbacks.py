"""Forms of the fallback pages: a named scenario (chosen people, or N people of a PGY cohort) and a block range."""

from __future__ import annotations

from typing import Any

from django import forms

from analytics.fallbacks import MAX_LOST
from scheduling.models import AcademicYear, Person
from tenants.filters import WholeNumberField
from tenants.models import Organization


class ScenarioForm(forms.Form):
    """A scenario: its name, the year and blocks, and who is lost (the people ticked, or the most critical
    `count` of the PGY cohort when no one is ticked)."""

    name = forms.CharField(max_length=120, strip=True, help_text="E.g. 'Lose 2 PGY-2s for block 6'.")
    academic_year = forms.ModelChoiceField(queryset=AcademicYear.objects.none(), empty_label=None)
    first_block = WholeNumberField(min_value=1, max_value=99)
    last_block = WholeNumberField(min_value=1, max_value=99)
    people = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    pgy = WholeNumberField(min_value=1, max_value=10, required=False, label="PGY cohort")
    count = WholeNumberField(min_value=1, max_value=MAX_LOST, required=False, label="How many of the cohort")

    def __init__(self, *args: Any, program: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = AcademicYear.objects.for_program(program).order_by("-start_date")
        self.fields["people"].queryset = (
            Person.objects.for_program(program)
            .filter(is_active=True, kind__in=(Person.Kind.RESIDENT, Person.Kind.FACULTY))
            .order_by("kind", "pgy", "last_name", "first_name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        if not data.get("people") and not (data.get("pgy") and data.get("count")):
            raise forms.ValidationError("Tick the people the scenario loses, or give a PGY cohort and how many.")
        if data.get("people") and data.get("pgy"):
            raise forms.ValidationError("Either tick people or give a PGY cohort, not both.")
        return data


class ShedMoveForm(forms.Form):
    """One change to the load-shedding order: move a service up or down, add it last, remove it."""

    service = forms.CharField(max_length=20)
    move = forms.ChoiceField(choices=[(m, m) for m in ("up", "down", "add", "remove")])
