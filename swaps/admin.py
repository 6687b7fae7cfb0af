"""Admin of swaps, read-mostly and scoped to the programs the user manages.

A swap is created, accepted, decided, executed and rolled back through its services (permissions, re-checks,
row locks, history, notifications), never edited here: the admin lists swaps with their legs, the rows they
moved and their compliance proof, and approves accepted swaps through the same service as the pages.
"""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from swaps.models import Swap, SwapLeg, SwapMove
from swaps.services import swap_approve
from tenants.admin import ProgramScopedHistoryAdmin
from tenants.audit_admin import NoWritesAdminMixin
from tenants.errors import DomainError
from tenants.permissions import Action


class ReadOnlyInline(NoWritesAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class SwapLegInline(ReadOnlyInline):
    model = SwapLeg
    fields = ("position", "giver", "taker", "shift", "date", "session", "block", "accepted_at")
    readonly_fields = fields


class SwapMoveInline(ReadOnlyInline):
    model = SwapMove
    fields = ("model", "row_id", "before", "after")
    readonly_fields = fields


@admin.register(Swap)
class SwapAdmin(ProgramScopedHistoryAdmin):
    """Every swap of the program with its legs, moved rows and proof; approving goes through the service."""

    list_display = ("__str__", "requester", "kind", "status", "needs_approval", "created_at", "expires_at", "program")
    list_filter = ("status", "kind", "needs_approval", ("program", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("requester", "program")
    search_fields = ("requester__first_name", "requester__last_name", "reason", "decision_note")
    date_hierarchy = "created_at"
    actions = ("approve",)
    inlines = (SwapLegInline, SwapMoveInline)
    fieldsets = (
        (None, {"fields": ("program", "academic_year", "kind", "status", "requester", "reason", "needs_approval")}),
        ("Times", {"fields": ("created_by", "created_at", "submitted_at", "accepted_at", "expires_at")}),
        ("Decision", {"fields": ("decided_by", "decided_at", "decision_note")}),
        ("Execution", {"fields": ("executed_by", "executed_at", "version", "proof_text")}),
        ("Rollback", {"fields": ("rolled_back_by", "rolled_back_at", "rollback_reason")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Swap | None = None) -> tuple[str, ...]:
        names = [name for _, options in self.fieldsets for name in options["fields"]]
        return tuple(names)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # swaps are asked for on the swap pages or the API, with their checks

    def has_change_permission(self, request: HttpRequest, obj: Swap | None = None) -> bool:
        return False  # decisions, executions and rollbacks go through the services

    def has_delete_permission(self, request: HttpRequest, obj: Swap | None = None) -> bool:
        return False  # a swap's decision, moves and history stay

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.APPROVE)

    @admin.display(description="Compliance proof")
    def proof_text(self, obj: Swap) -> str:
        if not obj.proof:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(obj.proof, indent=2, ensure_ascii=False))

    @admin.action(description="Approve (and carry out) the selected swaps", permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Swap]) -> None:
        count = 0
        for swap in queryset.order_by("pk"):
            try:
                swap_approve(swap=swap, user=request.user)
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, f"Swap #{swap.pk}: {exc}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, f"Approved and carried out {count} swap(s).", messages.SUCCESS)
