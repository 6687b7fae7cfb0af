from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class SchedulerAdminSite(admin.AdminSite):
    """Admin site open to superusers and to admins/coordinators of at least one program.

    It has no login page of its own: the site's login (rate-limited, by email) serves it.
    """

    site_header = "Residency Scheduler"
    site_title = "Residency Scheduler admin"
    index_title = "Program administration"

    def has_permission(self, request: HttpRequest) -> bool:
        from tenants.selectors import managed_program_ids

        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or bool(managed_program_ids(user))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied("Only program admins and coordinators use the admin.")
        return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("account_login"))
