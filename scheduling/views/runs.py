"""Generating a schedule (a run with live progress) and cancelling it: managers only. Its draft is compared and
published on the version pages (scheduling.views.versions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from scheduling.forms import RunForm
from scheduling.models import ScheduleRun, ScheduleVersion
from scheduling.selectors import academic_year_current, academic_year_list
from scheduling.services import ACTIVE_RUN_STATUSES, schedule_run_cancel, schedule_run_start
from scheduling.views.versions import confirmed
from scheduling.wish_selectors import run_wish_shares
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

RECENT_RUNS = 8

# The run's figures in words: the engine's keys (PROBLEM/SOLUTION formats) stay in its statistics.
COUNT_LABELS = {
    "rotations": "Block rotations",
    "sessions": "Half-days",
    "calls": "Residents' calls",
    "attending_calls": "Attending (faculty) calls",
    "fmit_weeks": "FMIT weeks",
}
FAIRNESS_LABELS = {
    "call_nights": "Call nights",
    "weekend_calls": "Weekend calls",
    "holiday_calls": "Holiday calls",
    "fmit_weeks": "FMIT weeks",
}
SPREAD = (
    "how far the most and the fewest in each PGY cohort, and among the faculty taking attending call, differ, "
    "beyond 1 (an even split is not always possible)"
)
# Each soft cost of the engine (docs/engine.md, "Soft"): its name and what it counts, times the term's weight.
SOFT_COSTS = {
    "coverage_shortfall": (
        "Coverage shortfall",
        "Residents missing below a rotation's minimum, call nights without a resident, attending call nights "
        "without a faculty member and FMIT weeks without an attending.",
    ),
    "call_fairness": ("Call nights (spread)", f"Call nights: {SPREAD}."),
    "weekend_fairness": ("Weekend calls (spread)", f"Weekend calls: {SPREAD}."),
    "holiday_fairness": ("Holiday calls (spread)", f"Holiday calls: {SPREAD}."),
    "fmit_fairness": (
        "FMIT weeks (against targets)",
        "For each FMIT faculty member, the weeks above or below their own yearly target (prorated to the blocks "
        "solved), plus how far those differences spread. Targets differ per person, so faculty with 2 and 6 weeks "
        "against targets of 2 and 6 cost 0: the fairness figures above compare weeks, not weeks against targets.",
    ),
    "preferences": ("Preferences not met", "Blocked or preferred-off weeks and rotation wishes not honoured."),
    "clinic_continuity": (
        "Clinic continuity",
        "Continuity-clinic half-days short of each resident's weekly target, and faculty clinic half-days short of "
        "their minimum.",
    ),
    "change": (
        "Changes to the published schedule",
        "Rotations, call nights, FMIT weeks and clinic half-days that differ from the published schedule.",
    ),
}


def _words(key: str, labels: dict[str, str]) -> str:
    """A key in words: its label, else the key with spaces ("new_term" -> "New term")."""
    return labels.get(key) or key.replace("_", " ").capitalize()


def _run(request: HttpRequest, pk: int) -> ScheduleRun:
    """The run of the active program (404 for another program's)."""
    runs = ScheduleRun.objects.for_program(request.program).select_related("academic_year", "created_by")
    return get_object_or_404(runs, pk=pk)


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


def _cohort_label(cohort: str) -> str:
    """A fairness cohort as people say it: "PGY-2" as the engine names it, "faculty" as "Faculty"."""
    return cohort if cohort[:1].isupper() else cohort.capitalize()


@require(Action.GENERATE, Resource.SCHEDULE)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: live progress while it runs; then its outcome, the draft's summary and links to compare it."""
    run = _run(request, pk)
    context = _progress_context(run)
    version_id = (run.statistics or {}).get("version_id")
    context["version"] = ScheduleVersion.objects.filter(pk=version_id, program=request.program).first()
    context["stats"] = stats = run.statistics or {}
    context["fairness_rows"] = [
        (_words(measure, FAIRNESS_LABELS), _cohort_label(cohort), figures)
        for measure, cohorts in (stats.get("fairness") or {}).items()
        if isinstance(cohorts, dict)
        for cohort, figures in cohorts.items()
        if isinstance(figures, dict)
    ]
    context["counts"] = [(_words(name, COUNT_LABELS), value) for name, value in (stats.get("counts") or {}).items()]
    context["soft_costs"] = [
        (*SOFT_COSTS.get(name, (_words(name, {}), "")), value)
        for name, value in (stats.get("soft_costs") or {}).items()
    ]
    context["wish_shares"] = run_wish_shares(run)
    summary = (stats.get("wishes") or {}).get("summary") or {}
    context["wish_cohorts"], context["wish_overall"] = summary.get("cohorts") or {}, summary.get("overall")
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
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the run to stop once confirmed; the best schedule found so far is kept as a draft."""
    run = _run(request, pk)
    if not (request.method == "POST" and confirmed(request)):
        context = {
            "title": f"Cancel run #{run.pk}?",
            "question": "The engine stops within a second or two; the best schedule it has found so far is kept "
            "as a draft. The published schedule is not changed.",
            "action_url": request.path,
            "button": "Cancel the run",
            "back_url": reverse("run-detail", args=[run.pk]),
            "back_label": "Let it run",
        }
        return render(request, "scheduling/confirm_action.html", context)
    try:
        schedule_run_cancel(run=run, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{run} is being cancelled; the best schedule found so far is kept.")
    return redirect("run-detail", pk=run.pk)
