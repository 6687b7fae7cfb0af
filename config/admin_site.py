from django.contrib import admin
from django.http import HttpRequest


class SchedulerAdminSite(admin.AdminSite):
    """Admin site open to superusers and to admins/coordinators of at least one program."""

    site_header = "Residency Scheduler"
    site_title = "Residency Scheduler admin"
    index_title = "Program administration"

    def has_permission(self, request: HttpRequest) -> bool:
        from tenants.selectors import managed_program_ids

        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or bool(managed_program_ids(user))
