from django.contrib.admin.apps import AdminConfig


class SchedulerAdminConfig(AdminConfig):
    """The Django admin, served by our site that lets program managers in."""

    default_site = "config.admin_site.SchedulerAdminSite"
