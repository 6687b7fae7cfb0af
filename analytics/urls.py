"""Pages of the analytics app: each area's module under analytics/views/ lists its own URL patterns."""

from django.urls import path

from analytics.views import contingency, fairness, fallbacks, fmit, home, report, resilience, workload

urlpatterns = [
    path("", home.analytics_home, name="analytics-home"),
    *fairness.urlpatterns,
    *fmit.urlpatterns,
    *workload.urlpatterns,
    *resilience.urlpatterns,
    *contingency.urlpatterns,
    *fallbacks.urlpatterns,
    *report.urlpatterns,
]
