"""The analytics overview: where a program director starts to see whether the schedule is fair and safe."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from analytics.views import contingency, fairness, fallbacks, fmit, report, resilience, workload
from tenants.access import require
from tenants.permissions import Action, Resource

AREAS = (fairness, fmit, workload, resilience, contingency, fallbacks, report)


@require(Action.VIEW, Resource.ANALYTICS)
def analytics_home(request: HttpRequest) -> HttpResponse:
    """One card per area; an area module shows itself with `CARD = {"title", "url_name", "summary"}`."""
    cards = [{**area.CARD, "url": reverse(area.CARD["url_name"])} for area in AREAS if getattr(area, "CARD", None)]
    return render(request, "analytics/home.html", {"cards": cards})
