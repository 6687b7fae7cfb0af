"""Admin of certification types, certifications, procedures and procedure credentials.

Rows are scoped to the programs the user manages (tenants.admin.ProgramScopedAdmin). The certifications' CSV/XLSX
import and export are integrations' (integrations/certifications/admin.py re-registers PersonCertification).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from credentials.models import CertificationType, PersonCertification, Procedure, ProcedureCredential
from credentials.services import (
    CERTIFICATION_FIELDS,
    CREDENTIAL_FIELDS,
    PROCEDURE_FIELDS,
    TYPE_FIELDS,
    certification_delete,
    certification_record,
    certification_type_create,
    certification_type_delete,
    certification_type_update,
    certification_update,
    procedure_create,
    procedure_credential_delete,
    procedure_credential_grant,
    procedure_credential_reinstate,
    procedure_credential_update,
    procedure_delete,
    procedure_update,
)
from tenants.admin import ProgramScopedHistoryAdmin, ServiceAdminMixin
from tenants.errors import DomainError

RELATED_PROGRAM = ("program", admin.RelatedOnlyFieldListFilter)


def _picked(form: forms.ModelForm, names: tuple[str, ...]) -> dict:
    """The form's values of the fields a service takes (those the form shows)."""
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


class CredentialsAdmin(ServiceAdminMixin, ProgramScopedHistoryAdmin):
    """Saves and deletes go through the credentials services; a row keeps the person and kind it was made for."""

    fixed_on_change: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else (*fields, *self.fixed_on_change)


@admin.register(CertificationType)
class CertificationTypeAdmin(CredentialsAdmin):
    """BLS, ACLS, PALS...: renewal period and who must hold each."""

    list_display = ("code", "name", "renewal_months", "required_for_residents", "required_for_faculty",
                    "required_for_specialties", "program")  # fmt: skip
    list_filter = (RELATED_PROGRAM, "required_for_residents", "required_for_faculty")
    list_select_related = ("program",)
    search_fields = ("code", "name")

    def service_save(self, request: HttpRequest, obj: CertificationType, form, change: bool) -> CertificationType:
        fields = _picked(form, TYPE_FIELDS)
        if change:
            return certification_type_update(certification_type=obj, user=request.user, **fields)
        return certification_type_create(program=form.cleaned_data["program"], user=request.user, **fields)

    def service_delete(self, request: HttpRequest, obj: CertificationType) -> None:
        certification_type_delete(certification_type=obj, user=request.user)


@admin.register(PersonCertification)
class PersonCertificationAdmin(CredentialsAdmin):
    """People's certifications (Import and Export, CSV or XLSX, are added by integrations.certifications.admin)."""

    list_display = ("person", "type", "number", "issued_on", "expires_on", "verified_by", "program")
    list_filter = (RELATED_PROGRAM, ("type", admin.RelatedOnlyFieldListFilter), "expires_on")
    list_select_related = ("program", "person", "type", "verified_by")
    search_fields = ("person__first_name", "person__last_name", "person__email", "number", "type__code")
    readonly_fields = ("verified_by", "verified_at")
    fixed_on_change = ("person", "type")
    date_hierarchy = "expires_on"

    def get_form(self, request: HttpRequest, obj: PersonCertification | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "expires_on" in form.base_fields:
            form.base_fields["expires_on"].required = False
            form.base_fields["expires_on"].help_text = "Blank: the type's renewal period after the issue date."
        return form

    def service_save(self, request: HttpRequest, obj: PersonCertification, form, change: bool) -> PersonCertification:
        """Whoever records or corrects a certification here verifies it (the services say so)."""
        fields = _picked(form, CERTIFICATION_FIELDS)
        if change:
            return certification_update(certification=obj, user=request.user, **fields) if form.has_changed() else obj
        data = form.cleaned_data
        return certification_record(
            program=data["program"], person=data["person"], type=data["type"], user=request.user, **fields
        )

    def service_delete(self, request: HttpRequest, obj: PersonCertification) -> None:
        certification_delete(certification=obj, user=request.user)


@admin.register(Procedure)
class ProcedureAdmin(CredentialsAdmin):
    """Procedures: category, complexity, minimum PGY and how many residents one supervisor may oversee."""

    list_display = ("name", "code", "category", "complexity", "min_pgy", "supervision_ratio", "program")
    list_filter = (RELATED_PROGRAM, "category", "complexity")
    list_select_related = ("program",)
    search_fields = ("name", "code", "category")

    def service_save(self, request: HttpRequest, obj: Procedure, form, change: bool) -> Procedure:
        fields = _picked(form, PROCEDURE_FIELDS)
        if change:
            return procedure_update(procedure=obj, user=request.user, **fields)
        return procedure_create(program=form.cleaned_data["program"], user=request.user, **fields)

    def service_delete(self, request: HttpRequest, obj: Procedure) -> None:
        procedure_delete(procedure=obj, user=request.user)


@admin.register(ProcedureCredential)
class ProcedureCredentialAdmin(CredentialsAdmin):
    """Who may perform or supervise which procedure, at which level, and whether it is active.

    A credential is suspended with a reason on the person's credentials page; the action here reinstates one.
    """

    list_display = ("person", "procedure", "level", "status", "max_residents_supervised", "granted_on", "expires_on",
                    "program")  # fmt: skip
    list_filter = (RELATED_PROGRAM, ("procedure", admin.RelatedOnlyFieldListFilter), "level", "status")
    list_select_related = ("program", "person", "procedure")
    search_fields = ("person__first_name", "person__last_name", "procedure__name", "procedure__code")
    readonly_fields = ("status", "status_note")
    fixed_on_change = ("person", "procedure")
    actions = ("reinstate",)

    def service_save(self, request: HttpRequest, obj: ProcedureCredential, form, change: bool) -> ProcedureCredential:
        fields = _picked(form, CREDENTIAL_FIELDS)
        if change:
            return procedure_credential_update(credential=obj, user=request.user, **fields)
        data = form.cleaned_data
        return procedure_credential_grant(
            program=data["program"], person=data["person"], procedure=data["procedure"], user=request.user, **fields
        )

    def service_delete(self, request: HttpRequest, obj: ProcedureCredential) -> None:
        procedure_credential_delete(credential=obj, user=request.user)

    @admin.action(description="Reinstate the selected suspended or expired credentials", permissions=["change"])
    def reinstate(self, request: HttpRequest, queryset: QuerySet[ProcedureCredential]) -> None:
        for credential in queryset.select_related("person", "procedure", "program"):
            try:
                procedure_credential_reinstate(credential=credential, user=request.user)
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, f"{credential}: {exc}", messages.WARNING)
            else:
                self.message_user(request, f"Reinstated: {credential}.", messages.SUCCESS)
