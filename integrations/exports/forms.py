"""The export template page's form: the template's fields and, optionally, its scheduled email. Choices are
bounded by the program (its people, rotations, members), so a forged id is refused as an invalid choice; the
service checks the rules (formats per export, known columns, recipients who may read it)."""

from django import forms

from integrations.exports import catalogue
from integrations.exports.models import ExportDelivery, ExportTemplate
from integrations.exports.services import WEEKDAYS
from scheduling.models import Person, RotationTemplate
from tenants.selectors import program_members

COLUMNS_HELP = "; ".join(
    f"{dataset}: {', '.join(c.key for c in columns)}" for dataset, columns in catalogue.COLUMNS.items()
)


class ExportTemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    dataset = forms.ChoiceField(label="Export", choices=catalogue.DATASETS)
    file_format = forms.ChoiceField(label="Format", choices=catalogue.FORMATS, help_text="People: xlsx or CSV.")
    columns = forms.CharField(
        required=False,
        help_text=f"Column names in order, separated by commas (empty: all). {COLUMNS_HELP}.",
        widget=forms.TextInput(attrs={"size": 60}),
    )
    people = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    pgy = forms.TypedMultipleChoiceField(
        label="PGY", choices=[(n, f"PGY-{n}") for n in range(1, 9)], coerce=int, required=False
    )
    rotations = forms.ModelMultipleChoiceField(queryset=RotationTemplate.objects.none(), required=False)
    kinds = forms.MultipleChoiceField(
        label="Kinds of people", choices=Person.Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    range_preset = forms.ChoiceField(label="Days", choices=catalogue.RANGES, help_text="Counted from the day it runs.")
    start_offset_days = forms.IntegerField(label="From today +", initial=0, min_value=-366, max_value=366)
    length_days = forms.IntegerField(
        label="Number of days", initial=28, min_value=1, max_value=catalogue.MAX_LENGTH_DAYS
    )
    grouping = forms.ChoiceField(choices=catalogue.GROUPINGS)
    shared = forms.BooleanField(label="Share with the program's admins and coordinators", required=False, initial=True)
    frequency = forms.ChoiceField(
        label="Email it",
        choices=[("", "— not scheduled —"), *ExportDelivery.Frequency.choices],
        required=False,
    )
    weekday = forms.TypedChoiceField(choices=list(enumerate(WEEKDAYS)), coerce=int, initial=0, label="Weekly on")
    day_of_month = forms.IntegerField(label="Monthly on day", initial=1, min_value=1, max_value=28)
    hour = forms.IntegerField(label="At hour (program time)", initial=7, min_value=0, max_value=23)
    recipients = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)

    def __init__(self, *args, program, template: ExportTemplate | None = None, **kwargs) -> None:
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(template)
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.for_program(program).order_by("last_name", "first_name")
        self.fields["rotations"].queryset = RotationTemplate.objects.for_program(program).order_by("name")
        self.fields["recipients"].queryset = program_members(program).order_by("email")
        self.fields["recipients"].help_text = (
            "Members of the program who may read the export: the schedule goes to anyone who reads it, "
            "people and absences to admins and coordinators only."
        )

    def template_values(self) -> dict:
        data = self.cleaned_data
        filters = {
            "people": [p.pk for p in data["people"]],
            "pgy": data["pgy"],
            "rotations": [r.pk for r in data["rotations"]],
            "kinds": data["kinds"],
        }
        columns = [c.strip() for c in data["columns"].split(",") if c.strip()]
        return {
            "name": data["name"],
            "dataset": data["dataset"],
            "file_format": data["file_format"],
            "columns": columns,
            "filters": {k: v for k, v in filters.items() if v},
            "range_preset": data["range_preset"],
            "start_offset_days": data["start_offset_days"],
            "length_days": data["length_days"],
            "grouping": data["grouping"],
            "shared": data["shared"],
        }

    def delivery_values(self) -> dict | None:
        data = self.cleaned_data
        if not data["frequency"]:
            return None
        return {
            "frequency": data["frequency"],
            "weekday": data["weekday"],
            "day_of_month": data["day_of_month"],
            "hour": data["hour"],
            "recipients": [u.pk for u in data["recipients"]],
        }


def initial_of(template: ExportTemplate) -> dict:
    filters = template.filters or {}
    initial = {
        "name": template.name,
        "dataset": template.dataset,
        "file_format": template.file_format,
        "columns": ", ".join(template.columns),
        "people": filters.get("people", []),
        "pgy": filters.get("pgy", []),
        "rotations": filters.get("rotations", []),
        "kinds": filters.get("kinds", []),
        "range_preset": template.range_preset,
        "start_offset_days": template.start_offset_days,
        "length_days": template.length_days,
        "grouping": template.grouping,
        "shared": template.shared,
    }
    delivery = getattr(template, "delivery", None)
    if delivery is not None:
        initial.update(
            frequency=delivery.frequency,
            weekday=delivery.weekday,
            day_of_month=delivery.day_of_month,
            hour=delivery.hour,
            recipients=list(delivery.recipients.values_list("pk", flat=True)),
        )
    return initial
