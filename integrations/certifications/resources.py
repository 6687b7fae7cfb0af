"""django-import-export resource of person certifications, bound to one program.

Columns: `person` (email address, or "Last name, First name"), `type` (certification type code), `number`,
`issued_on` and `expires_on` (YYYY-MM-DD or MM/DD/YYYY; a blank expiry is the type's renewal period after issue).
A row is the same certification as an existing one when person, type and issue date match (then it updates it).

The admin offers CSV and XLSX (FormulaSafeCSV, FormulaSafeXLSX): text a spreadsheet would evaluate is written as
text, and the apostrophe a CSV cell gets for it is taken off again on import.
"""

import datetime as dt
import io
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import IllegalCharacterError

from credentials.models import CertificationType, PersonCertification
from credentials.selectors import person_model
from tenants.models import Organization

REQUIRED_COLUMNS = ("person", "type", "issued_on")
OPTIONAL_COLUMNS = ("number", "expires_on")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
# What Excel, LibreOffice and Google Sheets may evaluate; the same starts as scheduling.spreadsheet_safety
# (kept apart from it since this module was credentials').
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _escape_on_export() -> bool:
    return getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False) is True


class FormulaSafeCSV(base_formats.CSV):
    """CSV whose text cells starting like a formula get a leading apostrophe (the import takes it off)."""

    def _escape_formulae(self, dataset: tablib.Dataset) -> None:
        """Called by export_data when IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is on."""
        # Replaces import-export's escape, which drops a leading "=" (changing the value) and misses + - @ tab CR.
        for index in range(len(dataset)):
            dataset[index] = [_csv_text(value) for value in dataset[index]]


class FormulaSafeXLSX(base_formats.XLSX):
    """XLSX whose text cells are string cells: shown as written and never evaluated, so no apostrophe is needed."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        """The dataset as a workbook (bold header, frozen first row); tablib's writer lets "=..." become a formula."""
        if not _escape_on_export():
            return super().export_data(dataset, **kwargs)
        workbook = Workbook()
        sheet = workbook.active
        try:
            for row, values in enumerate([dataset.headers or [], *dataset], start=1):
                for column, value in enumerate(values, start=1):
                    cell = sheet.cell(row=row, column=column, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"
        except IllegalCharacterError as error:  # a control character: the admin shows a ValueError as a message
            raise ValueError("The export failed: a cell holds a control character that Excel cannot store.") from error
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


class _CachedLookupWidget(widgets.ForeignKeyWidget):
    """Looks rows up within one program and remembers each answer (an upload names the same people often)."""

    def __init__(self, model: type, program: Organization | None) -> None:
        super().__init__(model)
        self.program = program
        self._cache: dict[str, object] = {}

    def get_queryset(self, value, row, *args, **kwargs) -> QuerySet:
        return self.model.objects.filter(program=self.program) if self.program else self.model.objects.none()

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if text not in self._cache:
            try:
                self._cache[text] = self.find(text, self.get_queryset(value, row))
            except ValueError as error:
                self._cache[text] = error
        found = self._cache[text]
        if isinstance(found, ValueError):
            raise found
        return found

    def find(self, text: str, queryset: QuerySet):
        raise NotImplementedError


class PersonWidget(_CachedLookupWidget):
    """A person of the program by email address (theirs or their login's), or by "Last name, First name"."""

    def find(self, text: str, queryset: QuerySet):
        if not text:
            raise ValueError("Name the person: their email address, or “Last name, First name”.")
        if "@" in text:
            matches = queryset.filter(Q(email__iexact=text) | Q(user__email__iexact=text))
        elif "," in text:
            last, first = (part.strip() for part in text.split(",", 1))
            matches = queryset.filter(last_name__iexact=last, first_name__iexact=first)
        else:
            raise ValueError(f"“{text}” is neither an email address nor “Last name, First name”.")
        found = list(matches.distinct()[:2])
        if not found:
            raise ValueError(f"No person “{text}” in this program.")
        if len(found) > 1:
            raise ValueError(f"Several people match “{text}”; use their email address.")
        return found[0]

    def render(self, value, obj=None, **kwargs) -> str:
        if value is None:
            return ""
        return value.email or f"{value.last_name}, {value.first_name}"


class TypeWidget(_CachedLookupWidget):
    """A certification type of the program by its code, in any case."""

    def find(self, text: str, queryset: QuerySet):
        if not text:
            raise ValueError("Give the certification type code, such as ACLS.")
        found = queryset.filter(code__iexact=text).first()
        if found is None:
            codes = ", ".join(queryset.order_by("code").values_list("code", flat=True)) or "none yet"
            raise ValueError(f"No certification type “{text}” in this program (known: {codes}).")
        return found

    def render(self, value, obj=None, **kwargs) -> str:
        return value.code if value is not None else ""


class DateWidget(widgets.Widget):
    """A date as YYYY-MM-DD (or MM/DD/YYYY), with a message a person understands when it is not one."""

    def __init__(self, label: str, required: bool) -> None:
        super().__init__()
        self.label, self.required = label, required

    def clean(self, value, row=None, **kwargs) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value if value is not None else "").strip()
        if not text:
            if self.required:
                raise ValueError(f"The {self.label} is missing.")
            return None
        for pattern in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}” is not a date; write the {self.label} as YYYY-MM-DD.")

    def render(self, value, obj=None, **kwargs) -> str:
        return value.isoformat() if value else ""


class PersonCertificationResource(resources.ModelResource):
    """Certifications of one program, from or to CSV; rows always land in that program."""

    person = fields.Field(attribute="person", column_name="person", widget=PersonWidget(person_model(), None))
    type = fields.Field(attribute="type", column_name="type", widget=TypeWidget(CertificationType, None))
    number = fields.Field(attribute="number", column_name="number", widget=widgets.CharWidget(allow_blank=True))
    issued_on = fields.Field(attribute="issued_on", column_name="issued_on", widget=DateWidget("issue date", True))
    expires_on = fields.Field(attribute="expires_on", column_name="expires_on", widget=DateWidget("expiry date", False))

    class Meta:
        model = PersonCertification
        fields = ("person", "type", "number", "issued_on", "expires_on")
        import_id_fields = ("person", "type", "issued_on")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, program: Organization | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.program = program
        self.fields["person"].widget = PersonWidget(person_model(), program)
        self.fields["type"].widget = TypeWidget(CertificationType, program)
        self._lines: dict[tuple, int] = {}

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        """Take off the apostrophe an export (ours or a spreadsheet's) puts before text that starts like a formula."""
        for column, value in row.items():
            if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
                row[column] = value[1:]

    def get_queryset(self) -> QuerySet[PersonCertification]:
        if self.program is None:
            return PersonCertification.objects.none()
        return PersonCertification.objects.filter(program=self.program).select_related("person", "type")

    def get_instance(self, instance_loader, row):
        """An unknown person or type, or a bad date, is reported by import_instance as the row's error, not here."""
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def after_init_instance(self, instance: PersonCertification, new: bool, row, **kwargs) -> None:
        if new:
            instance.program = self.program

    def import_instance(self, instance: PersonCertification, row, **kwargs) -> None:
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if instance.expires_on is None and instance.issued_on and instance.type_id:
                instance.expires_on = instance.type.expiry_for(instance.issued_on)
        key = (instance.person_id, instance.type_id, instance.issued_on)
        line = kwargs.get("row_number", 0) + 1  # the header is line 1
        if None not in key:
            if key in self._lines:
                raise ValidationError({"issued_on": f"Line {self._lines[key]} already has this certification."})
            self._lines[key] = line

    def before_save_instance(self, instance: PersonCertification, row, **kwargs) -> None:
        """Whoever uploads the file vouches for the rows it adds or changes."""
        user = kwargs.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            instance.verified_by, instance.verified_at = user, timezone.now()
            instance._history_user = user
