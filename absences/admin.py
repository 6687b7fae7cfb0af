"""Admin for absences and the program's yearly absence limits, scoped to the programs the user manages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from absences.models import Absence, AbsenceLimit
from tenants.admin import ProgramScopedAdmin


@admin.register(Absence)
class AbsenceAdmin(ProgramScopedAdmin, SimpleHistoryAdmin):
    """Every absence of the program, with its decision and history. Requests are decided on the absence pages,
    where the rules (overlaps, limits, who may approve) and the notifications apply."""

    list_display = ("person", "kind", "start_date", "end_date", "half_day", "status", "decided_by", "program")
    list_filter = ("status", "kind", ("program", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("person", "decided_by", "program")
    search_fields = ("person__first_name", "person__last_name", "orders_reference", "location")
    date_hierarchy = "start_date"
    readonly_fields = ("requested_by", "decided_by", "decided_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("program", "person", "kind", "start_date", "end_date", "half_day", "status")}),
        ("Military", {"fields": ("orders_reference", "location", "report_date", "tentative_return_date")}),
        ("Decision", {"fields": ("requested_by", "decided_by", "decided_at", "decision_reason")}),
        ("Private", {"fields": ("note", "created_at", "updated_at")}),
    )


@admin.register(AbsenceLimit)
class AbsenceLimitAdmin(ProgramScopedAdmin, SimpleHistoryAdmin):
    """Days per academic year a person may take of one kind of absence (e.g. vacation 20)."""

    list_display = ("kind", "days_per_year", "program")
    list_filter = ("kind", ("program", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("program",)
