"""Analytics pages: fallback schedules for named failure scenarios, and the load-shedding order (see analytics/urls.py).

Reading needs VIEW on analytics, making a fallback or changing the order CHANGE (the program's managers).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from analytics.fallbacks import (
    fallback_create,
    fallback_create_for_cohort,
    fallback_rows,
    fallback_summary,
    load_shedding_order,
    load_shedding_order_move,
    load_shedding_services,
)
from analytics.forms_fallbacks import ScenarioForm, ShedMoveForm
from scheduling.selectors import academic_year_current
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource, can

CARD = {
    "title": "Fallback schedules",
    "url_name": "analytics-fallbacks",
    "summary": "Ready-to-publish drafts for named failure scenarios, and which services are cut first.",
}


def panel_context(request: HttpRequest) -> dict[str, Any]:
    """The resilience page's summary of the fallbacks: counts (total, computing, ready) and the latest five."""
    return {"fallbacks": fallback_summary(program=request.program)}


def _scenario_form(request: HttpRequest, data: Any = None) -> ScenarioForm:
    year = academic_year_current(program=request.program)
    block = year.blocks.filter(end_date__gte=request.program.today()).order_by("number").first() if year else None
    number = block.number if block is not None else 1  # the block under way (or the next one)
    initial = {"academic_year": year.pk if year else None, "first_block": number, "last_block": number}
    return ScenarioForm(data, program=request.program, initial=initial)


def _page(request: HttpRequest, form: ScenarioForm, status: int = 200) -> HttpResponse:
    program = request.program
    context = {
        "rows": fallback_rows(program=program),
        "order": load_shedding_order(program=program),
        "form": form,
        "can_change": can(request.user, Action.CHANGE, Resource.ANALYTICS, program),
    }
    return render(request, "analytics/fallback_list.html", context, status=status)


@require(Action.VIEW, Resource.ANALYTICS)
def fallback_list(request: HttpRequest) -> HttpResponse:
    """Every fallback with its state, scenario, what it shed, and links to its draft; the form to name one."""
    return _page(request, _scenario_form(request))


@require(Action.CHANGE, Resource.ANALYTICS)
@require_POST
def fallback_new(request: HttpRequest) -> HttpResponse:
    """Start a fallback for the scenario posted; a bad scenario is shown again with the reason, nothing written."""
    form = _scenario_form(request, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    common = {
        "academic_year": data["academic_year"],
        "first_block": data["first_block"],
        "last_block": data["last_block"],
        "name": data["name"],
        "user": request.user,
    }
    try:
        if data["people"]:
            fallback = fallback_create(lost_person_ids=[p.pk for p in data["people"]], **common)
        else:
            fallback = fallback_create_for_cohort(pgy=data["pgy"], count=data["count"], **common)
    except (DomainError, PermissionDenied) as exc:
        form.add_error(None, str(exc))
        return _page(request, form, status=400)
    messages.success(request, f"The fallback “{fallback.name}” is being computed; its draft appears here when ready.")
    return redirect("analytics-fallbacks")


@require(Action.VIEW, Resource.ANALYTICS)
def load_shedding(request: HttpRequest) -> HttpResponse:
    """The program's load-shedding order (first cut first) with up/down/remove buttons, and the services to add."""
    program = request.program
    if request.method == "POST":
        if not can(request.user, Action.CHANGE, Resource.ANALYTICS, program):
            raise PermissionDenied("Only the program's admins and coordinators can change the load-shedding order.")
        form = ShedMoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a service and a move (up, down, add or remove).")
        else:
            try:
                load_shedding_order_move(program=program, user=request.user, **_move(form.cleaned_data))
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "The load-shedding order was saved.")
        return redirect("analytics-load-shedding")
    order = load_shedding_order(program=program)
    keys = {service.key for service in order}
    context = {
        "order": order,
        "available": [s for s in load_shedding_services(program=program) if s.key not in keys],
        "can_change": can(request.user, Action.CHANGE, Resource.ANALYTICS, program),
    }
    return render(request, "analytics/fallback_shedding.html", context)


def _move(data: dict[str, Any]) -> dict[str, str]:
    return {"key": data["service"], "move": data["move"]}


urlpatterns: list[URLPattern] = [
    path("resilience/fallbacks/", fallback_list, name="analytics-fallbacks"),
    path("resilience/fallbacks/new/", fallback_new, name="analytics-fallback-new"),
    path("resilience/fallbacks/load-shedding/", load_shedding, name="analytics-load-shedding"),
]
