from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class SchedulerAdminSite(admin.AdminSite):
    """Admin site open to superusers and to admins/coordinators of at least one program, once their session
    passed a second factor (a password alone never opens it).

    It has no login page of its own: the site's login (rate-limited, by email, then the second factor) serves it.
    """

    site_header = "Residency Scheduler"
    site_title = "Residency Scheduler admin"
    index_title = "Program administration"

    def has_permission(self, request: HttpRequest) -> bool:
        from tenants.mfa import mfa_passed
        from tenants.selectors import managed_program_ids

        user = request.user
        if not (user.is_active and user.is_authenticated and mfa_passed(request)):
            return False
        return user.is_superuser or bool(managed_program_ids(user))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        from tenants.mfa import mfa_passed, mfa_required, second_factor_url

        if request.user.is_authenticated:
            if mfa_required(request.user) and not mfa_passed(request):
                return redirect(second_factor_url(request))
            raise PermissionDenied("Only program admins and coordinators use the admin.")
        return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("account_login"))
