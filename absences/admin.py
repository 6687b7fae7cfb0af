"""Admin for absences and the program's yearly absence limits, scoped to the programs the user manages.

Absences are entered and decided through their services (overlaps, yearly limits, who may approve,
notifications); rejecting needs a reason the person reads, so it is done on the absence's page.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from absences.models import Absence, AbsenceLimit
from absences.services import absence_request_approve, absence_request_cancel, absence_request_create
from tenants.admin import ProgramScopedHistoryAdmin, ServiceAdminMixin
from tenants.errors import DomainError
from tenants.permissions import Action

REQUEST_FIELDS = (
    "person",
    "kind",
    "start_date",
    "end_date",
    "half_day",
    "note",
    "orders_reference",
    "location",
    "report_date",
    "tentative_return_date",
)


@admin.register(Absence)
class AbsenceAdmin(ServiceAdminMixin, ProgramScopedHistoryAdmin):
    """Every absence of the program, with its decision and history. Adding one requests it for the person;
    the actions approve or cancel through the same services as the pages; an absence is never edited here."""

    list_display = ("person", "kind", "start_date", "end_date", "half_day", "status", "decided_by", "page", "program")
    list_filter = ("status", "kind", ("program", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("person", "decided_by", "program")
    search_fields = ("person__first_name", "person__last_name", "orders_reference", "location")
    date_hierarchy = "start_date"
    actions = ("approve", "cancel")
    readonly_fields = ("status", "requested_by", "decided_by", "decided_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("program", "person", "kind", "start_date", "end_date", "half_day", "status")}),
        ("Military", {"fields": ("orders_reference", "location", "report_date", "tentative_return_date")}),
        ("Decision", {"fields": ("requested_by", "decided_by", "decided_at", "decision_reason")}),
        ("Private", {"fields": ("note", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"fields": ("program", "person", "kind", "start_date", "end_date", "half_day")}),
        ("Military", {"fields": ("orders_reference", "location", "report_date", "tentative_return_date")}),
        ("Private", {"fields": ("note",)}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Absence | None = None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def has_change_permission(self, request: HttpRequest, obj: Absence | None = None) -> bool:
        return False  # decisions, cancellations and new dates go through the services (actions, pages)

    def has_delete_permission(self, request: HttpRequest, obj: Absence | None = None) -> bool:
        return False  # an absence is cancelled, never deleted: its decision and history stay

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.APPROVE)

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.APPROVE)

    @admin.display(description="Decide")
    def page(self, obj: Absence) -> str:
        return format_html('<a href="{}">open</a>', reverse("absence-detail", args=[obj.pk]))

    def service_save(self, request: HttpRequest, obj: Absence, form, change: bool) -> Absence:
        data = form.cleaned_data
        return absence_request_create(
            user=request.user, program=data["program"], **{name: data.get(name) for name in REQUEST_FIELDS}
        )

    def _decide(self, request: HttpRequest, queryset: QuerySet[Absence], decide, done: str) -> None:
        count = 0
        for absence in queryset.select_related("person", "program"):
            try:
                decide(absence=absence, user=request.user)
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, f"{absence.person.full_name}, {absence.start_date:%d %b %Y}: {exc}",
                                  messages.WARNING)  # fmt: skip
            else:
                count += 1
        if count:
            self.message_user(request, f"{done} {count} absence(s).", messages.SUCCESS)

    @admin.action(description="Approve the selected requests", permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Absence]) -> None:
        self._decide(request, queryset, absence_request_approve, "Approved")

    @admin.action(description="Cancel the selected absences", permissions=["cancel"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Absence]) -> None:
        self._decide(request, queryset, absence_request_cancel, "Cancelled")


@admin.register(AbsenceLimit)
class AbsenceLimitAdmin(ProgramScopedHistoryAdmin):
    """Days per academic year a person may take of one kind of absence (e.g. vacation 20)."""

    list_display = ("kind", "days_per_year", "program")
    list_filter = ("kind", ("program", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("program",)
