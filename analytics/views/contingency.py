"""Contingency (N-1/N-2) pages: start an analysis, follow its progress, read its findings; the summary panel the
resilience page shows (`panel_context`). Admins and coordinators: VIEW to read, CHANGE to start or cancel."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from analytics.contingency import (
    ACTIVE,
    MAX_CANDIDATES,
    MAX_PAIRS,
    analyses_for,
    contingency_cancel,
    contingency_start,
)
from analytics.models import ContingencyAnalysis, ContingencyFinding
from scheduling.models import AcademicYear
from scheduling.selectors import academic_year_current, academic_year_list
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource, can

CARD = {
    "title": "Contingency (N-1 / N-2)",
    "url_name": "contingency-list",
    "summary": "Whom the program cannot lose: each person, and pairs of the most critical, taken away in turn.",
}
RECENT = 10


class ContingencyForm(forms.Form):
    """Start an analysis: the year, its first and last block, and the depth."""

    academic_year = forms.ModelChoiceField(queryset=AcademicYear.objects.none(), empty_label=None)
    first_block = forms.IntegerField(min_value=1, max_value=26, initial=1)
    last_block = forms.IntegerField(min_value=1, max_value=26, initial=1)
    depth = forms.TypedChoiceField(
        choices=[(1, "N-1: each person lost"), (2, f"N-2: also pairs of the most critical (at most {MAX_PAIRS})")],
        coerce=int,
        initial=1,
    )

    def __init__(self, *args, years, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = years

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first_block"), data.get("last_block")
        if first is not None and last is not None and first > last:
            self.add_error("last_block", "The last block cannot come before the first block.")
        return data


def _analysis(request: HttpRequest, pk: int) -> ContingencyAnalysis:
    """An analysis of the active program (404 for another program's)."""
    return get_object_or_404(analyses_for(request.program), pk=pk)


def _list_context(request: HttpRequest) -> dict:
    analyses = list(analyses_for(request.program)[:RECENT])
    return {"analyses": analyses, "any_active": any(a.status in ACTIVE for a in analyses)}


@require(Action.VIEW, Resource.ANALYTICS)
def contingency_list(request: HttpRequest) -> HttpResponse:
    """The start form (managers who may CHANGE) and the recent analyses with their progress."""
    may_start = can(request.user, Action.CHANGE, Resource.ANALYTICS, request.program)
    current = academic_year_current(program=request.program)
    initial = {"academic_year": current}
    today = request.program.today()
    block = current.blocks.filter(end_date__gte=today).order_by("number").first() if current is not None else None
    if block is not None:  # the block under way (or the next one): what a director asks about first
        initial.update(first_block=block.number, last_block=block.number)
    form = ContingencyForm(request.POST or None, years=academic_year_list(program=request.program), initial=initial)
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied("Only the program's admins and coordinators can start a contingency analysis.")
        if form.is_valid():
            try:
                analysis = contingency_start(user=request.user, **form.cleaned_data)
            except (DomainError, PermissionDenied) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{analysis} is queued; its progress shows below.")
                return redirect("contingency-detail", pk=analysis.pk)
    context = {"form": form, "may_start": may_start, "max_pairs": MAX_PAIRS, **_list_context(request)}
    return render(request, "analytics/contingency_list.html", context, status=400 if form.errors else 200)


@require(Action.VIEW, Resource.ANALYTICS)
def contingency_list_rows(request: HttpRequest) -> HttpResponse:
    """The analyses table htmx refreshes every 2 seconds while one of them is queued or running."""
    return render(request, "analytics/_contingency_list.html", _list_context(request))


def _detail_context(request: HttpRequest, analysis: ContingencyAnalysis) -> dict:
    findings = list(
        ContingencyFinding.objects.filter(analysis=analysis).select_related("person", "partner").order_by("pk")
    )
    order = {ContingencyFinding.Result.INFEASIBLE: 0, ContingencyFinding.Result.UNKNOWN: 1}
    singles = sorted((f for f in findings if f.partner_id is None), key=lambda f: (order.get(f.result, 2), f.pk))
    pairs = sorted((f for f in findings if f.partner_id is not None), key=lambda f: (order.get(f.result, 2), f.pk))
    return {
        "analysis": analysis,
        "active": analysis.status in ACTIVE,
        "may_change": can(request.user, Action.CHANGE, Resource.ANALYTICS, request.program),
        "summary": analysis.summary or {},
        "singles": singles,
        "pairs": pairs,
        "max_pairs": MAX_PAIRS,
        "candidates": MAX_CANDIDATES,
    }


@require(Action.VIEW, Resource.ANALYTICS)
def contingency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An analysis: progress while it runs; then who the program cannot lose, sole providers, fatal pairs,
    redundancy per requirement and every scenario's finding."""
    return render(request, "analytics/contingency_detail.html", _detail_context(request, _analysis(request, pk)))


@require(Action.VIEW, Resource.ANALYTICS)
def contingency_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial htmx polls; once the analysis has finished the page reloads itself."""
    analysis = _analysis(request, pk)
    context = {"analysis": analysis, "active": analysis.status in ACTIVE}
    context["may_change"] = can(request.user, Action.CHANGE, Resource.ANALYTICS, request.program)
    response = render(request, "analytics/_contingency_progress.html", context)
    if not context["active"] and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@require(Action.CHANGE, Resource.ANALYTICS)
@require_POST
def contingency_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop an analysis: scenarios not begun are skipped, the findings so far kept."""
    analysis = _analysis(request, pk)
    try:
        contingency_cancel(analysis=analysis, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{analysis} is being cancelled; the scenarios already decided are kept.")
    return redirect("contingency-detail", pk=analysis.pk)


def panel_context(request: HttpRequest) -> dict:
    """For the resilience page's `_contingency_panel.html`: the latest finished analysis's summary, or None."""
    latest = (
        analyses_for(request.program)
        .filter(status__in=(ContingencyAnalysis.Status.SUCCEEDED, ContingencyAnalysis.Status.CANCELLED))
        .first()
    )
    if latest is None:
        return {"contingency": None}
    summary = latest.summary or {}
    return {
        "contingency": {
            "analysis": latest,
            "critical": summary.get("critical", []),
            "sole_providers": summary.get("sole_providers", []),
            "fatal_pairs": summary.get("fatal_pairs", []),
            "pairs_checked": summary.get("pairs_checked", 0),
            "people": summary.get("people", 0),
            "thin": [item for item in summary.get("redundancy", []) if item.get("level") in ("N+0", "below")],
        }
    }


urlpatterns = [
    path("resilience/contingency/", contingency_list, name="contingency-list"),
    path("resilience/contingency/rows/", contingency_list_rows, name="contingency-list-rows"),
    path("resilience/contingency/<int:pk>/", contingency_detail, name="contingency-detail"),
    path("resilience/contingency/<int:pk>/progress/", contingency_progress, name="contingency-progress"),
    path("resilience/contingency/<int:pk>/cancel/", contingency_cancel_view, name="contingency-cancel"),
]
