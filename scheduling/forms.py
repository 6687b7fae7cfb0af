"""Forms of the pages: generating a schedule, publishing a draft, editing a cell of a version (managers), and
one's own contact numbers.

They check the shape of the input; the rules live in the services the views hand `cleaned_data` to.
"""

from django import forms

from scheduling.models import AcademicYear, RotationTemplate, SessionAssignment
from scheduling.models.people import CONTACT_NUMBER_HELP, validate_contact_number
from scheduling.services import CALL_ACTIONS, SEED_RANGE, TIME_LIMIT_RANGE

TIME_LIMIT_DEFAULT = 60


class RunForm(forms.Form):
    """Generate a schedule: the academic year, its first and last block, a time limit and an optional seed."""

    academic_year = forms.ModelChoiceField(queryset=AcademicYear.objects.none(), empty_label=None)
    first_block = forms.IntegerField(min_value=0, max_value=26, initial=1)
    last_block = forms.IntegerField(min_value=0, max_value=26, initial=13)
    time_limit = forms.IntegerField(
        label="Time limit (seconds)",
        min_value=TIME_LIMIT_RANGE[0],
        max_value=TIME_LIMIT_RANGE[1],
        initial=TIME_LIMIT_DEFAULT,
        help_text=f"The solver stops after this long with the best schedule found "
        f"({TIME_LIMIT_RANGE[0]}-{TIME_LIMIT_RANGE[1]} s).",
    )
    seed = forms.IntegerField(
        min_value=SEED_RANGE[0],
        max_value=SEED_RANGE[1],
        required=False,
        help_text="Optional: the same seed repeats a search. Blank: 0.",
    )

    def __init__(self, *args, years, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = years

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first_block"), data.get("last_block")
        if first is not None and last is not None and first > last:
            self.add_error("last_block", "The last block cannot come before the first block.")
        return data

    def run_options(self) -> dict:
        """The keyword arguments of schedule_run_start."""
        data = self.cleaned_data
        return {
            "academic_year": data["academic_year"],
            "first_block": data["first_block"],
            "last_block": data["last_block"],
            "time_limit": data["time_limit"],
            "seed": data["seed"] or 0,
        }


class PublishForm(forms.Form):
    """Publishing a draft: the reason, which the service requires when the draft breaks ACGME rules."""

    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason for publishing it anyway",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the version, shown on its compare and compliance pages and sent to the program's admins.",
    )

    def __init__(self, *args, breaches: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if breaches:  # the browser asks for it; the service decides
            self.fields["reason"].widget.attrs["required"] = True


class EditForm(forms.Form):
    """Common to the cell edits: the reason that acknowledges a broken rule (asked for once one is found)."""

    reason = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this rule is knowingly broken; saved with your name.",
    )

    def require_reason(self) -> None:
        """Show the reason as required (the change breaks a rule)."""
        self.fields["reason"].required = True
        self.fields["reason"].widget.attrs["required"] = True


class BlockEditForm(EditForm):
    """A resident's rotation for a whole block."""

    rotation = forms.ModelChoiceField(queryset=RotationTemplate.objects.none(), empty_label=None)
    field_order = ["rotation", "reason"]

    def __init__(self, *args, rotations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rotation"].queryset = rotations


class SessionEditForm(EditForm):
    """What a person does in one half-day."""

    activity = forms.ChoiceField(choices=SessionAssignment.Activity.choices)
    field_order = ["activity", "reason"]


class CallEditForm(EditForm):
    """Add, remove or move a resident's in-house call of one night."""

    action = forms.ChoiceField(choices=[(action, action.capitalize()) for action in CALL_ACTIONS])
    to_date = forms.DateField(
        required=False,
        label="Move to date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For a move: the night the call moves to.",
    )
    post_call = forms.BooleanField(
        required=False,
        initial=True,
        label="Make the next day post-call",
        help_text="Its duty half-days become post-call.",
    )
    field_order = ["action", "to_date", "post_call", "reason"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "move" and not data.get("to_date"):
            self.add_error("to_date", "Give the night the call moves to.")
        return data


class ContactsForm(forms.Form):
    """A person's own phone and pager numbers (either may be blank)."""

    phone = forms.CharField(max_length=32, required=False, validators=[validate_contact_number])
    pager = forms.CharField(max_length=32, required=False, validators=[validate_contact_number])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.help_text = CONTACT_NUMBER_HELP
            field.widget.attrs.update(inputmode="tel", autocomplete="tel" if name == "phone" else "off")
