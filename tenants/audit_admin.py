"""The audit log in the admin: superusers read it; nobody adds, changes or deletes a row there.

Program admins read their program's events on the audit page (/audit/), which scopes them to the program.
"""

from django.contrib import admin
from django.http import HttpRequest

from tenants.audit_models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "actor_email", "action", "program", "target_type", "target_repr", "ip_address")
    list_filter = ("action", "target_type", ("program", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("program",)
    search_fields = ("actor_email", "target_repr", "detail", "path", "request_id")
    date_hierarchy = "occurred_at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    actions = None

    def has_view_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
