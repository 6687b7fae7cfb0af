"""Forms of the pages: generating a schedule, publishing a draft, editing a cell of a version (managers),
one's own contact numbers, and wishes with their window.

They check the shape of the input; the rules live in the services the views hand `cleaned_data` to.
"""

from django import forms

from scheduling.models import (
    ROTATION_KINDS,
    WEEK_KINDS,
    AcademicYear,
    Block,
    Person,
    Preference,
    RotationTemplate,
    SessionAssignment,
)
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


def _block_label(block: Block) -> str:
    return f"Block {block.number} ({block.start_date:%-d %b}–{block.end_date:%-d %b})"


class WishForm(forms.Form):
    """A wish: its kind, the week (week kinds) or the rotation and block (rotation kinds), a priority and a reason;
    `person` for managers entering one for anyone. The service checks the rules (window, limits, week start)."""

    person = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    kind = forms.ChoiceField(choices=Preference.Kind.choices, label="What do you wish?")
    week_start = forms.DateField(label="Week starting", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rotation = forms.ModelChoiceField(queryset=RotationTemplate.objects.none(), required=False)
    block = forms.ModelChoiceField(queryset=Block.objects.none(), required=False, empty_label="Any block")
    priority = forms.ChoiceField(
        choices=Preference.Priority.choices, initial=Preference.Priority.MEDIUM, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: a wedding, a board exam, a conference... Only you and the coordinators see it.",
    )

    WEEK_FIELDS = ("week_start",)
    ROTATION_FIELDS = ("rotation", "block")

    def __init__(self, *args, people=None, rotations, blocks, week_start_name: str = "Monday", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
            self.fields["person"].required = True
        self.fields["rotation"].queryset = rotations
        self.fields["block"].queryset = blocks
        self.fields["block"].label_from_instance = lambda b: (
            f"Block {b.number} ({b.start_date:%-d %b}–{b.end_date:%-d %b})"
        )
        self.fields["week_start"].help_text = f"The {week_start_name} the week starts on."

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind in WEEK_KINDS and not data.get("week_start"):
            self.add_error("week_start", "Choose the week.")
        if kind in ROTATION_KINDS and not data.get("rotation"):
            self.add_error("rotation", "Choose the rotation.")
        if kind in WEEK_KINDS:
            data["rotation"] = data["block"] = None
        elif kind in ROTATION_KINDS:
            data["week_start"] = None
        return data


class WishWeightsForm(forms.Form):
    """The engine weight of each priority a person picks (1-100; high at least medium, medium at least low)."""

    high = forms.IntegerField(label="High", min_value=1, max_value=100)
    medium = forms.IntegerField(label="Medium", min_value=1, max_value=100)
    low = forms.IntegerField(label="Low", min_value=1, max_value=100)


class WishWindowForm(forms.Form):
    """When people enter their wishes for a year, and how many of each kind one person may make (blank: any)."""

    opens_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    blocked_week_limit = forms.IntegerField(label="Blocked weeks", min_value=0, max_value=53, required=False)
    preferred_week_limit = forms.IntegerField(label="Preferred weeks off", min_value=0, max_value=53, required=False)
    rotation_wish_limit = forms.IntegerField(label="Rotation wishes", min_value=0, max_value=26, required=False)
    rotation_avoid_limit = forms.IntegerField(label="Rotations to avoid", min_value=0, max_value=26, required=False)
