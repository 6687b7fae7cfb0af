"""Forms of the absence pages: they check the shape; the rules are in absences.services."""

import datetime as dt

from django import forms

from absences.models import Absence, AbsenceKind

DATE = forms.DateInput(attrs={"type": "date"})


class AbsenceRequestForm(forms.Form):
    """A request for oneself, or (managers) for a person of the program."""

    person = forms.ModelChoiceField(queryset=None, required=False, help_text="Whom the absence is for.")
    kind = forms.ChoiceField(choices=AbsenceKind.choices)
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE, help_text="The last day away (inclusive).")
    half_day = forms.ChoiceField(choices=Absence.HalfDay.choices, required=False, label="Half day")
    orders_reference = forms.CharField(max_length=80, required=False, help_text="Required for deployment and TDY.")
    location = forms.CharField(max_length=120, required=False)
    report_date = forms.DateField(widget=DATE, required=False)
    tentative_return_date = forms.DateField(widget=DATE, required=False)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Private: only you and the program's coordinators see it.",
    )

    def __init__(self, *args, people=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
            self.fields["person"].required = True

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end_date", "The absence ends before it starts; check the dates.")
        return data


class DecisionForm(forms.Form):
    """Approve or reject a request; a rejection says why."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the absence is rejected; the person reads the reason.")
        return data


class ExtendForm(forms.Form):
    """A new last day (a deployment's return date moves)."""

    end_date = forms.DateField(widget=DATE, label="New last day")
    tentative_return_date = forms.DateField(widget=DATE, required=False)


class AbsenceFilterForm(forms.Form):
    """Filters of the list: person (managers), kind, status and a date range."""

    person = forms.ModelChoiceField(queryset=None, required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *AbsenceKind.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Absence.Status.choices], required=False)
    start = forms.DateField(widget=DATE, required=False, label="From")
    end = forms.DateField(widget=DATE, required=False, label="To")

    def __init__(self, *args, people=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The range ends before it starts.")
        return data
