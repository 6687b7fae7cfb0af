"""The one API router: each app's api.py registers its viewsets here, mounted at /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from absences import api as absences_api
from absences import api_limits as absences_api_limits
from analytics import api_contingency as analytics_api_contingency
from analytics import api_fairness as analytics_api_fairness
from analytics import api_fallbacks as analytics_api_fallbacks
from analytics import api_fmit as analytics_api_fmit
from analytics import api_resilience as analytics_api_resilience
from analytics import api_workload as analytics_api_workload
from credentials import api as credentials_api
from integrations.certifications.api import CertificationUploadView
from integrations.exports import api as exports_api
from integrations.feeds import api as feeds_api
from integrations.jobs import api as jobs_api
from mobile import api as mobile_api
from notifications import api as notifications_api
from scheduling import api as scheduling_api
from scheduling import api_calendar as scheduling_api_calendar
from scheduling import api_edits as scheduling_api_edits
from scheduling import api_fmit as scheduling_api_fmit
from scheduling import api_oncall as scheduling_api_oncall
from scheduling import api_roster as scheduling_api_roster
from scheduling import api_settings as scheduling_api_settings
from scheduling import api_wish_windows as scheduling_api_wish_windows
from scheduling import api_wishes as scheduling_api_wishes
from swaps import api as swaps_api
from tenants import api_members as tenants_api_members
from tenants import api_settings as tenants_api_settings
from tenants import audit_api as tenants_audit_api


class Router(DefaultRouter):
    """DefaultRouter, and a singleton viewset (`singleton = True`, e.g. a settings section) answers PATCH
    (`partial_update`) and GET (`retrieve`) on its list URL."""

    def get_method_map(self, viewset, method_map):
        bound = super().get_method_map(viewset, method_map)
        if getattr(viewset, "singleton", False):  # one URL only: no detail routes
            if method_map.get("get") != "list":
                return {}
            wanted = {"get": "retrieve", "patch": "partial_update"}
            return {method: action for method, action in wanted.items() if hasattr(viewset, action)}
        return bound


router = Router()
scheduling_api.register(router)
scheduling_api_roster.register(router)
scheduling_api_edits.register(router)
scheduling_api_calendar.register(router)
notifications_api.register(router)
feeds_api.register(router)
credentials_api.register(router)
absences_api.register(router)
scheduling_api_wishes.register(router)
swaps_api.register(router)
tenants_audit_api.register(router)
tenants_api_members.register(router)
scheduling_api_settings.register(router)
tenants_api_settings.register(router)
scheduling_api_oncall.register(router)
scheduling_api_wish_windows.register(router)
scheduling_api_fmit.register(router)
absences_api_limits.register(router)
exports_api.register(router)
analytics_api_fairness.register(router)
analytics_api_resilience.register(router)
analytics_api_contingency.register(router)
analytics_api_fallbacks.register(router)
analytics_api_workload.register(router)
jobs_api.register(router)
mobile_api.register(router)
analytics_api_fmit.register(router)

app_name = "api"
urlpatterns = [
    # Before the router's routes, where certifications/<pk>/ would take it (integrations.certifications).
    path("certifications/import/", CertificationUploadView.as_view(), name="certification-upload"),
    *router.urls,
]
