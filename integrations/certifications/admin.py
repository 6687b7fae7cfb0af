"""The certifications' import and export in the admin (CSV or XLSX, formula-safe): PersonCertification's admin
from credentials, re-registered with django-import-export's buttons. An import goes into one program the user
chooses among those where they may add credentials; every row of the file lands there.
"""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from credentials.admin import PersonCertificationAdmin
from credentials.models import PersonCertification
from integrations.certifications.resources import FormulaSafeCSV, FormulaSafeXLSX, PersonCertificationResource
from integrations.certifications.services import IMPORT_MAX_BYTES
from tenants.admin import allowed_program_ids
from tenants.audit import record_export
from tenants.models import Organization
from tenants.permissions import Action, Resource
from tenants.uploads import UploadRefused, check_upload


class ProgramImportForm(ImportForm):
    """The import form, plus the program the rows go into."""

    program = forms.ModelChoiceField(
        queryset=Organization.objects.none(), help_text="Every row of the file is imported into this program."
    )

    def __init__(self, formats, resources, **kwargs) -> None:
        super().__init__(formats, resources, **kwargs)
        self.upload_formats = formats

    def clean(self) -> dict:
        """The file is what the chosen format says (its bytes, not its name) and at most 1 MB."""
        cleaned = super().clean()
        upload, index = cleaned.get("import_file"), cleaned.get("format")
        if upload is not None and index not in (None, ""):
            try:
                check_upload(upload, kind=self.upload_formats[int(index)]().get_title(), max_bytes=IMPORT_MAX_BYTES)
            except UploadRefused as refused:
                self.add_error("import_file", str(refused))
        return cleaned


class ProgramConfirmImportForm(ConfirmImportForm):
    """The confirm step carries the chosen program, checked again against the user's programs."""

    program = forms.ModelChoiceField(queryset=Organization.objects.none(), widget=forms.HiddenInput)


class PersonCertificationImportAdmin(ImportExportMixin, PersonCertificationAdmin):
    """People's certifications; Import reads a CSV or XLSX (person, type, number, issued_on, expires_on) with a
    preview; Export writes the same columns."""

    resource_classes = [PersonCertificationResource]
    # Spreadsheet formats only, each writing formula-like text as text (TSV, JSON, YAML and HTML are not offered).
    formats = [FormulaSafeCSV, FormulaSafeXLSX]
    import_form_class = ProgramImportForm
    confirm_form_class = ProgramConfirmImportForm

    def _import_programs(self, request: HttpRequest):
        if request.user.is_superuser:
            return Organization.objects.programs()
        return Organization.objects.filter(pk__in=allowed_program_ids(request, Action.ADD, Resource.CREDENTIAL))

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.ADD)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.VIEW)

    def create_import_form(self, request: HttpRequest):
        form = super().create_import_form(request)
        form.fields["program"].queryset = self._import_programs(request)
        return form

    def create_confirm_form(self, request: HttpRequest, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.fields["program"].queryset = self._import_programs(request)
        return form

    def get_import_form_initial(self, request: HttpRequest) -> dict:
        programs = list(self._import_programs(request).values_list("pk", flat=True)[:2])
        return {"program": programs[0]} if len(programs) == 1 else {}

    def get_confirm_form_initial(self, request: HttpRequest, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["program"] = import_form.cleaned_data["program"].pk
        return initial

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs) -> dict:
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        return {"program": cleaned.get("program")}

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs) -> dict:
        return {}

    def get_export_data(self, file_format, request: HttpRequest, queryset: QuerySet, **kwargs):
        """The file, and one audit event per program whose certifications it holds."""
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        name = self.get_export_filename(request, queryset, file_format)
        programs = Organization.objects.filter(pk__in=queryset.values("program_id"))
        for program in programs or [None]:
            record_export(request, name, program=program)
        return data


admin.site.unregister(PersonCertification)
admin.site.register(PersonCertification, PersonCertificationImportAdmin)
