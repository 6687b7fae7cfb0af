"""A year's schedule versions and their life cycle, for managers: list, compare, publish (a draft that breaks
ACGME rules only with a reason), discard a draft, restore an archived version, undo the last cell edit.

Publish and discard ask for confirmation: a form marked `data-confirm` asks in a dialog and posts
`confirmed=yes`; an unconfirmed post (no JavaScript) gets the confirmation page instead.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from scheduling.compliance import version_report
from scheduling.forms import PublishForm
from scheduling.models import ScheduleVersion
from scheduling.selectors import academic_year_list, schedule_version_list, version_changes
from scheduling.services import (
    ComplianceBreachError,
    schedule_version_breaches,
    schedule_version_discard,
    schedule_version_last_edit,
    schedule_version_publish,
    schedule_version_restore,
    schedule_version_undo,
)
from scheduling.views.access import year_from_request
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

BREACHES_LISTED = 25


def _version(request: HttpRequest, pk: int) -> ScheduleVersion:
    """The version of the active program (404 for another program's)."""
    versions = ScheduleVersion.objects.for_program(request.program).select_related(
        "academic_year", "run", "program", "published_by"
    )
    return get_object_or_404(versions, pk=pk)


def confirmed(request: HttpRequest) -> bool:
    """Whether the post says the person confirmed it (the dialog, or the confirmation page's button)."""
    return request.POST.get("confirmed") == "yes"


def _list_url(version: ScheduleVersion) -> str:
    return f"{reverse('version-list')}?year={version.academic_year_id}"


@require(Action.CHANGE, Resource.SCHEDULE)
def version_list(request: HttpRequest) -> HttpResponse:
    """A year's versions (the current year by default), newest first: drafts to compare, publish or discard,
    the published one, archived ones to restore as a new draft."""
    year = year_from_request(request)
    versions = list(schedule_version_list(academic_year=year).select_related("run", "published_by")) if year else []
    context = {"year": year, "years": list(academic_year_list(program=request.program)), "versions": versions}
    return render(request, "scheduling/version_list.html", context)


def _publish_context(version: ScheduleVersion, form: PublishForm) -> dict[str, Any]:
    """What the publish form shows: the draft's ACGME breaches (the first few) and the version it replaces."""
    breaches = schedule_version_breaches(version=version) if version.status == ScheduleVersion.Status.DRAFT else []
    published = (
        ScheduleVersion.objects.filter(academic_year=version.academic_year, status=ScheduleVersion.Status.PUBLISHED)
        .exclude(pk=version.pk)
        .first()
    )
    return {
        "version": version,
        "published": published,
        "breaches": breaches[:BREACHES_LISTED],
        "breach_count": len(breaches),
        "form": form,
    }


@require(Action.CHANGE, Resource.SCHEDULE)
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """What a version changes against the year's published one: rotations, half-days and calls; a draft's
    publish form (with its ACGME breaches and the reason they need) and the version's last cell edit."""
    version = _version(request, pk)
    context = _publish_context(version, PublishForm(breaches=True))
    context.update(
        changes=version_changes(version=version, base=context["published"]),
        report=version_report(version=version),
        last_edit=schedule_version_last_edit(version=version),
    )
    return render(request, "scheduling/version_compare.html", context)


@require(Action.PUBLISH, Resource.SCHEDULE)
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft once confirmed (the previous published version is archived), then show the schedule.
    A draft that breaks ACGME rules needs a reason; without one the page lists the breaches and asks for it."""
    version = _version(request, pk)
    form = PublishForm(request.POST or None, breaches=True)
    if request.method == "POST" and form.is_valid() and confirmed(request):
        try:
            published = schedule_version_publish(version=version, user=request.user, reason=form.cleaned_data["reason"])
        except ComplianceBreachError as exc:
            form.add_error("reason", str(exc))
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("version-compare", pk=version.pk)
        else:
            done = f"Version {published.number} of {published.academic_year} is now the published schedule."
            messages.success(request, done)
            return redirect(f"{reverse('schedule-grid')}?year={published.academic_year_id}")
    return render(request, "scheduling/version_publish.html", _publish_context(version, form))


@require(Action.DELETE, Resource.SCHEDULE)
def version_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft and its assignments once confirmed (kept in the history); published and archived
    versions are refused."""
    version = _version(request, pk)
    if request.method == "POST" and confirmed(request):
        try:
            deleted = schedule_version_discard(version=version, user=request.user)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Draft version {version.number} of {version.academic_year} was discarded ({deleted} rows)."
            )
        return redirect(_list_url(version))
    context = {
        "title": f"Discard draft version {version.number}?",
        "question": f"Version {version.number} of {version.academic_year} and all its assignments are deleted. "
        "The deletion is kept in the history, but the draft cannot be brought back here.",
        "action_url": request.path,
        "button": f"Discard version {version.number}",
        "back_url": _list_url(version),
    }
    return render(request, "scheduling/confirm_action.html", context)


@require(Action.ADD, Resource.SCHEDULE)
@require_POST
def version_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy an archived version into a new draft of its year and open the draft's compare page."""
    version = _version(request, pk)
    try:
        draft = schedule_version_restore(version=version, user=request.user)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect(_list_url(version))
    messages.success(request, f"Version {draft.number} is a new draft restored from version {version.number}.")
    return redirect("version-compare", pk=draft.pk)


@require(Action.CHANGE, Resource.SCHEDULE)
@require_POST
def version_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo the version's last cell edit, then go back to the page it was asked from (`next`)."""
    version = _version(request, pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("version-compare", args=[version.pk])
    try:
        undone = schedule_version_undo(version=version, user=request.user)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Undone: {undone}.")
    return redirect(back)
