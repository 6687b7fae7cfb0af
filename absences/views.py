"""Absence pages: the list with filters, the month calendar, the request form and the decision page.

Admins and coordinators see and decide every absence of the program; residents and faculty see, request and
cancel their own (another person's absence answers 404). What an absence does to the schedule is the
scheduling app's page (URL name "absence-impact"), linked from the decision page.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from absences import selectors, services
from absences.forms import AbsenceFilterForm, AbsenceRequestForm, DecisionForm, ExtendForm
from absences.models import MILITARY_KINDS, Absence, AbsenceKind
from tenants import access
from tenants.errors import DomainError
from tenants.params import parse_month
from tenants.permissions import Action, Resource

LIST_LIMIT = 200
CALENDAR_STATUSES = (Absence.Status.APPROVED, Absence.Status.REQUESTED)
MILITARY_FIELDS = ("orders_reference", "location", "report_date", "tentative_return_date")


absences_page = access.require(Action.VIEW, Resource.ABSENCE, denied="Your role in this program has no absences.")


def _absence(request: HttpRequest, pk: int) -> Absence:
    """An absence the user may see in the active program (404 otherwise, also for another resident's)."""
    return get_object_or_404(selectors.absence_list(program=request.program, user=request.user), pk=pk)


@absences_page
def absence_list(request: HttpRequest) -> HttpResponse:
    """Absences with filters: all of the program's for managers, one's own for residents and faculty."""
    manager = selectors.is_absence_manager(request.user, request.program)
    people = selectors.program_people(program=request.program) if manager else None
    form = AbsenceFilterForm(request.GET or None, people=people)
    filters = form.cleaned_data if form.is_valid() else {}
    person = filters.get("person")
    absences = selectors.absence_list(
        program=request.program,
        user=request.user,
        person_id=person.pk if person else None,
        kind=filters.get("kind") or None,
        status=filters.get("status") or None,
        start=filters.get("start"),
        end=filters.get("end"),
    )
    rows = list(absences[:LIST_LIMIT])
    context = {"form": form, "absences": rows, "manager": manager, "capped": len(rows) == LIST_LIMIT}
    return render(request, "absences/absence_list.html", context)


def _month(value: str, today: dt.date) -> dt.date:
    return parse_month(value) or today.replace(day=1)


@absences_page
def absence_calendar(request: HttpRequest) -> HttpResponse:
    """A month by person: one row per person with an absence, one column per day, coloured by kind."""
    month = _month(request.GET.get("month", ""), request.program.today())
    grid = selectors.absence_calendar(
        program=request.program, user=request.user, month=month, statuses=CALENDAR_STATUSES
    )
    kinds = AbsenceKind.choices
    return render(request, "absences/absence_calendar.html", {"grid": grid, "kinds": kinds})


@absences_page
def absence_new(request: HttpRequest) -> HttpResponse:
    """Request an absence: for oneself, or (managers) for anyone of the program."""
    manager = selectors.is_absence_manager(request.user, request.program)
    own = selectors.person_of_user(program=request.program, user=request.user)
    people = selectors.program_people(program=request.program) if manager else None
    form = AbsenceRequestForm(request.POST or None, people=people, initial={"person": own})
    if not manager and own is None:
        messages.error(request, "Your account is not linked to a person of this program; ask a coordinator.")
        return redirect("absence-list")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person", None) or own
        try:
            absence = services.absence_request_create(user=request.user, program=request.program, person=person, **data)
        except (DomainError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{absence} for {person.full_name} is requested.")
            return redirect("absence-detail", pk=absence.pk)
    context = {
        "form": form,
        "manager": manager,
        "military_fields": MILITARY_FIELDS,
        "military_kinds": sorted(MILITARY_KINDS),
    }
    return render(request, "absences/absence_form.html", context)


@absences_page
def absence_sick_today(request: HttpRequest) -> HttpResponse:
    """My schedule's quick action "I'm sick today": one tap to confirm requests a sick day for today for one's own
    person; the program's coordinators are told at once."""
    own = selectors.person_of_user(program=request.program, user=request.user)
    today = request.program.today()
    problem = "" if own is not None else "Your account is not linked to a person of this program; ask a coordinator."
    already = selectors.absence_on_day(program=request.program, person=own, day=today) if own else None
    if already is not None:
        problem = services.already_absent(already)
    if request.method == "POST" and not problem:
        try:
            absence = services.absence_sick_today(user=request.user, program=request.program, person=own)
        except (DomainError, PermissionDenied) as exc:
            problem = str(exc)
        else:
            messages.success(request, "Get well soon. Your sick day is requested and your coordinators are told now.")
            return redirect("absence-detail", pk=absence.pk)
    status = 409 if request.method == "POST" else 200
    context = {"today": today, "problem": problem, "already": already}
    return render(request, "absences/sick_today.html", context, status=status)


@absences_page
def absence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One absence: its details and, for managers, the decision form, the extension and the schedule impact."""
    absence = _absence(request, pk)
    manager = selectors.is_absence_manager(request.user, request.program)
    balances = selectors.absence_balances(program=request.program, person=absence.person, day=absence.start_date)
    context = {
        "absence": absence,
        "manager": manager,
        "own": absence.person.user_id == request.user.pk,
        "note_visible": selectors.note_visible(absence=absence, user=request.user, program=request.program),
        "balance": balances[absence.kind],
        "decision_form": DecisionForm(),
        "extend_form": ExtendForm(initial={"end_date": absence.end_date}),
    }
    return render(request, "absences/absence_detail.html", context)


@absences_page
@require_POST
def absence_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a request (managers, never their own absence)."""
    absence = _absence(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("absence-detail", pk=absence.pk)
    reason = form.cleaned_data["reason"]
    try:
        if form.cleaned_data["decision"] == "approve":
            services.absence_request_approve(absence=absence, user=request.user, reason=reason)
        else:
            services.absence_request_reject(absence=absence, user=request.user, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The absence is {form.cleaned_data['decision']}d.")
    return redirect("absence-detail", pk=absence.pk)


@absences_page
@require_POST
def absence_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an absence: one's own request, or any absence for managers."""
    absence = _absence(request, pk)
    try:
        services.absence_request_cancel(absence=absence, user=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The absence is cancelled.")
    return redirect("absence-detail", pk=absence.pk)


@absences_page
@require_POST
def absence_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the last day of an absence (a deployment's return date moves)."""
    absence = _absence(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new last day as a date.")
        return redirect("absence-detail", pk=absence.pk)
    try:
        services.absence_extend(absence=absence, user=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The absence now ends on {form.cleaned_data['end_date']:%d %b %Y}.")
    return redirect("absence-detail", pk=absence.pk)
