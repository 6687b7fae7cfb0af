"""Admin of certification types, certifications (with CSV import/export), procedures and procedure credentials.

Rows are scoped to the programs the user manages (tenants.admin.ProgramScopedAdmin). An import goes into one
program the user chooses among those where they may add credentials; every row of the file lands there.
"""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from credentials.models import CertificationType, PersonCertification, Procedure, ProcedureCredential
from credentials.resources import FormulaSafeCSV, FormulaSafeXLSX, PersonCertificationResource
from tenants.admin import ProgramScopedHistoryAdmin, allowed_program_ids
from tenants.models import Organization
from tenants.permissions import Action, Resource

RELATED_PROGRAM = ("program", admin.RelatedOnlyFieldListFilter)


class ProgramImportForm(ImportForm):
    """The import form, plus the program the rows go into."""

    program = forms.ModelChoiceField(
        queryset=Organization.objects.none(), help_text="Every row of the file is imported into this program."
    )


class ProgramConfirmImportForm(ConfirmImportForm):
    """The confirm step carries the chosen program, checked again against the user's programs."""

    program = forms.ModelChoiceField(queryset=Organization.objects.none(), widget=forms.HiddenInput)


@admin.register(CertificationType)
class CertificationTypeAdmin(ProgramScopedHistoryAdmin):
    """BLS, ACLS, PALS...: renewal period and who must hold each."""

    list_display = ("code", "name", "renewal_months", "required_for_residents", "required_for_faculty",
                    "required_for_specialties", "program")  # fmt: skip
    list_filter = (RELATED_PROGRAM, "required_for_residents", "required_for_faculty")
    list_select_related = ("program",)
    search_fields = ("code", "name")


@admin.register(PersonCertification)
class PersonCertificationAdmin(ImportExportMixin, ProgramScopedHistoryAdmin):
    """People's certifications; Import reads a CSV or XLSX (person, type, number, issued_on, expires_on) with a
    preview; Export writes the same columns."""

    resource_classes = [PersonCertificationResource]
    # Spreadsheet formats only, each writing formula-like text as text (TSV, JSON, YAML and HTML are not offered).
    formats = [FormulaSafeCSV, FormulaSafeXLSX]
    import_form_class = ProgramImportForm
    confirm_form_class = ProgramConfirmImportForm
    list_display = ("person", "type", "number", "issued_on", "expires_on", "verified_by", "program")
    list_filter = (RELATED_PROGRAM, ("type", admin.RelatedOnlyFieldListFilter), "expires_on")
    list_select_related = ("program", "person", "type", "verified_by")
    search_fields = ("person__first_name", "person__last_name", "person__email", "number", "type__code")
    readonly_fields = ("verified_by", "verified_at")
    date_hierarchy = "expires_on"

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

    def save_model(self, request: HttpRequest, obj: PersonCertification, form, change: bool) -> None:
        """Whoever records or corrects a certification here verifies it."""
        if not change or form.has_changed():
            obj.verified_by, obj.verified_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Procedure)
class ProcedureAdmin(ProgramScopedHistoryAdmin):
    """Procedures: category, complexity, minimum PGY and how many residents one supervisor may oversee."""

    list_display = ("name", "code", "category", "complexity", "min_pgy", "supervision_ratio", "program")
    list_filter = (RELATED_PROGRAM, "category", "complexity")
    list_select_related = ("program",)
    search_fields = ("name", "code", "category")


@admin.register(ProcedureCredential)
class ProcedureCredentialAdmin(ProgramScopedHistoryAdmin):
    """Who may perform or supervise which procedure, at which level, and whether it is active."""

    list_display = ("person", "procedure", "level", "status", "max_residents_supervised", "granted_on", "expires_on",
                    "program")  # fmt: skip
    list_filter = (RELATED_PROGRAM, ("procedure", admin.RelatedOnlyFieldListFilter), "level", "status")
    list_select_related = ("program", "person", "procedure")
    search_fields = ("person__first_name", "person__last_name", "procedure__name", "procedure__code")
