"""The audit log in the admin: superusers read it; nobody adds, changes or deletes a row there. And the user
admin's writes (accounts created, their flags changed, accounts deleted) go into it.

Program admins read their program's events on the audit page (/audit/), which scopes them to the program.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tenants.audit import PLATFORM, record
from tenants.audit_models import AuditAction, AuditEvent

AUDITED_USER_FIELDS = ("email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")


class NoWritesAdminMixin:
    """Rows nobody adds, changes or deletes in the admin (logs): they are read."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class SuperuserReadOnlyAdmin(NoWritesAdminMixin, admin.ModelAdmin):
    """Rows only superusers read in the admin, and nobody writes there."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserReadOnlyAdmin):
    list_display = ("occurred_at", "actor_email", "action", "program", "target_type", "target_repr", "ip_address")
    list_filter = ("action", "target_type", ("program", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("program",)
    search_fields = ("actor_email", "target_repr", "detail", "path", "request_id")
    date_hierarchy = "occurred_at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    actions = None


class AuditedUserAdminMixin:
    """For the user admin: who created an account, changed its email, name or flags (superuser, staff, active),
    or deleted it, with the values before and after."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            after = {name: getattr(obj, name) for name in AUDITED_USER_FIELDS}
            record(AuditAction.USER_CREATED, request=request, program=PLATFORM, target=obj, after=after)
            return
        changed = [name for name in AUDITED_USER_FIELDS if name in form.changed_data]
        if changed:
            before = {name: form.initial.get(name) for name in changed}
            after = {name: getattr(obj, name) for name in changed}
            record(AuditAction.USER_CHANGED, request=request, program=PLATFORM, target=obj, before=before, after=after)

    def delete_model(self, request: HttpRequest, obj) -> None:
        self._deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self._deleted(request, obj)
        super().delete_queryset(request, queryset)

    def _deleted(self, request: HttpRequest, obj) -> None:
        before = {name: getattr(obj, name) for name in AUDITED_USER_FIELDS}
        record(AuditAction.USER_DELETED, request=request, program=PLATFORM, target=obj, before=before)
