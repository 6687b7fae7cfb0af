"""The conflict view of an absence (managers): what it hits in the published schedule, approve, and repair."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from absences.models import Absence
from absences.services import absence_request_approve
from scheduling.absence_impact import absence_conflicts, absence_repair_runs, absence_repair_start
from scheduling.models import ScheduleRun, ScheduleVersion
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource


def _absence(request: HttpRequest, pk: int) -> Absence:
    """The absence of the active program (404 for another program's)."""
    absences = Absence.objects.for_program(request.program).select_related("person", "program", "decided_by")
    return get_object_or_404(absences, pk=pk)


@require(Action.APPROVE, Resource.ABSENCE)
def absence_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """The absence against the published schedule; POST approves it, or approves it and starts a repair run."""
    absence = _absence(request, pk)
    if request.method == "POST":
        wanted = request.POST.get("action", "")
        try:
            if absence.status == Absence.Status.REQUESTED and wanted in ("approve", "approve_repair"):
                absence = absence_request_approve(
                    absence=absence, user=request.user, reason=request.POST.get("reason", "")
                )
            if wanted in ("approve_repair", "repair"):
                run = absence_repair_start(absence=absence, user=request.user)
                messages.success(
                    request, f"{run} re-plans blocks {run.first_block}-{run.last_block} around the absence."
                )
                return redirect("run-detail", pk=run.pk)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The absence is approved.")
        return redirect("absence-impact", pk=absence.pk)
    context = {
        "absence": absence,
        "impact": absence_conflicts(absence=absence),
        "runs": absence_repair_runs(absence=absence),
    }
    return render(request, "scheduling/absence_impact.html", context)


@require(Action.GENERATE, Resource.SCHEDULE)
@require_POST
def absence_repair_review(request: HttpRequest, pk: int, run: int) -> HttpResponse:
    """Open a finished repair run's draft (the whole year: the run's blocks re-solved, the rest kept) to compare."""
    absence = _absence(request, pk)
    repair = get_object_or_404(
        ScheduleRun.objects.for_program(request.program).select_related("academic_year__program"), pk=run
    )
    version_id = (repair.statistics or {}).get("version_id")
    draft = ScheduleVersion.objects.filter(pk=version_id, program=request.program).first() if version_id else None
    if draft is None:
        messages.error(request, f"{repair} has no draft schedule to review.")
        return redirect("absence-impact", pk=absence.pk)
    return redirect("version-compare", pk=draft.pk)
