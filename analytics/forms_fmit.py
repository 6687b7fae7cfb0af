"""The form of an academic year's FMIT rules on the FMIT page (saved by scheduling's fmit_year_config_update)."""

from __future__ import annotations

from django import forms

from scheduling.fmit_config import FIELDS
from scheduling.models import FmitYearConfig


class FmitRulesForm(forms.ModelForm):
    """The year's week start day, attendings per week, most consecutive weeks, minimum gap, recovery day and
    the quarter imbalance tolerance; the model's own ranges and checks apply."""

    week_start_day = forms.TypedChoiceField(
        coerce=int,
        choices=list(enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))),
        label="Weeks start on",
    )

    class Meta:
        model = FmitYearConfig
        fields = list(FIELDS)
