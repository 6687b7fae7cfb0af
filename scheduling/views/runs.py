"""Generating a schedule (a run with live progress), comparing its draft and publishing it: managers only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from scheduling.compliance import version_report
from scheduling.forms import RunForm
from scheduling.models import ScheduleRun, ScheduleVersion
from scheduling.selectors import academic_year_current, academic_year_list, version_changes
from scheduling.services import ACTIVE_RUN_STATUSES, schedule_run_cancel, schedule_run_start, schedule_version_publish
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

RECENT_RUNS = 8


def _run(request: HttpRequest, pk: int) -> ScheduleRun:
    """The run of the active program (404 for another program's)."""
    runs = ScheduleRun.objects.for_program(request.program).select_related("academic_year", "created_by")
    return get_object_or_404(runs, pk=pk)


def _version(request: HttpRequest, pk: int) -> ScheduleVersion:
    """The version of the active program (404 for another program's)."""
    versions = ScheduleVersion.objects.for_program(request.program).select_related("academic_year", "run", "program")
    return get_object_or_404(versions, pk=pk)


@require(Action.GENERATE, Resource.SCHEDULE)
def run_new(request: HttpRequest) -> HttpResponse:
    """The generate form: on a valid, accepted request the run is queued and its page opens."""
    years = academic_year_list(program=request.program)
    current = academic_year_current(program=request.program)
    initial = {"academic_year": current, "last_block": current.blocks_count if current else 13}
    form = RunForm(request.POST or None, years=years, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            run = schedule_run_start(user=request.user, **form.run_options())
        except (DomainError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("run-detail", pk=run.pk)
    runs = ScheduleRun.objects.for_program(request.program).select_related("academic_year")[:RECENT_RUNS]
    return render(request, "scheduling/run_new.html", {"form": form, "runs": runs})


def _progress_context(run: ScheduleRun) -> dict:
    time_limit = float((run.parameters or {}).get("time_limit", 60)) or 1.0
    return {
        "run": run,
        "active": run.status in ACTIVE_RUN_STATUSES,
        "time_limit": time_limit,
        "elapsed_percent": min(100, round(100 * run.elapsed_seconds / time_limit)),
        "gap_percent": None if run.gap is None else round(100 * run.gap, 1),
    }


@require(Action.GENERATE, Resource.SCHEDULE)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: live progress while it runs; then its outcome, the draft's summary and links to compare it."""
    run = _run(request, pk)
    context = _progress_context(run)
    version_id = (run.statistics or {}).get("version_id")
    context["version"] = ScheduleVersion.objects.filter(pk=version_id, program=request.program).first()
    context["stats"] = stats = run.statistics or {}
    context["fairness_rows"] = [
        (measure.replace("_", " ").capitalize(), cohort, figures)
        for measure, cohorts in (stats.get("fairness") or {}).items()
        if isinstance(cohorts, dict)
        for cohort, figures in cohorts.items()
        if isinstance(figures, dict)
    ]
    return render(request, "scheduling/run_detail.html", context)


@require(Action.GENERATE, Resource.SCHEDULE)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial htmx polls every second; once the run has finished the page reloads itself."""
    run = _run(request, pk)
    response = render(request, "scheduling/_run_progress.html", _progress_context(run))
    if run.status not in ACTIVE_RUN_STATUSES and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@require(Action.GENERATE, Resource.SCHEDULE)
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the run to stop; the best schedule found so far is kept as a draft."""
    run = _run(request, pk)
    try:
        schedule_run_cancel(run=run, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{run} is being cancelled; the best schedule found so far is kept.")
    return redirect("run-detail", pk=run.pk)


@require(Action.CHANGE, Resource.SCHEDULE)
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """What a version changes against the year's published one: rotations, half-days and calls."""
    version = _version(request, pk)
    published = (
        ScheduleVersion.objects.filter(academic_year=version.academic_year, status=ScheduleVersion.Status.PUBLISHED)
        .exclude(pk=version.pk)
        .first()
    )
    context = {
        "version": version,
        "published": published,
        "changes": version_changes(version=version, base=published),
        "report": version_report(version=version),
    }
    return render(request, "scheduling/version_compare.html", context)


@require(Action.PUBLISH, Resource.SCHEDULE)
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft (the previous published version is archived), then show the schedule."""
    version = _version(request, pk)
    try:
        published = schedule_version_publish(version=version, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("version-compare", pk=version.pk)
    messages.success(request, f"Version {published.number} of {published.academic_year} is now the published schedule.")
    return redirect(f"{reverse('schedule-grid')}?year={published.academic_year_id}")
