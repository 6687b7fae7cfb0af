"""Wishes: "My wishes" (a resident's or faculty member's own: list, add, change, withdraw, and what the schedule
made of each), and the coordinators' page (every wish as a person x week heat map and by block, a wish entered for
anyone, the year's wish window). Rules live in scheduling.services.wishes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from scheduling.forms import WishForm, WishWeightsForm, WishWindowForm
from scheduling.models import WEEK_KINDS, AcademicYear, Block, Person, Preference, WishWindow
from scheduling.selectors import academic_year_list, person_list, rotation_list
from scheduling.services.wishes import (
    preference_change,
    preference_create,
    preference_withdraw,
    wish_settings_update,
    wish_window_set,
)
from scheduling.views import reading
from scheduling.views.access import year_from_request
from scheduling.wish_selectors import (
    is_wish_manager,
    version_wish_outcomes,
    wish_heat_map,
    wish_list,
    wish_outcome,
    wish_person_of_user,
    wish_window_state,
)
from scheduling.wish_settings import wish_settings
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

wishes_page = require(Action.VIEW, Resource.PREFERENCE, denied="Your role in this program makes no wishes.")
_FROM_REQUEST: Any = object()  # wish_rows: the version is the one the request asks for
managers_page = require(Action.CHANGE, Resource.SCHEDULE, denied="Only coordinators and admins see every wish.")


def _form(request: HttpRequest, year: AcademicYear, *, people=None, data=None, initial=None) -> WishForm:
    program = request.program
    return WishForm(
        data,
        people=people,
        rotations=rotation_list(program=program).filter(is_active=True).order_by("name"),
        blocks=Block.objects.filter(academic_year=year, program=program).order_by("number"),
        week_start_name=wish_settings(program).week_start_name,
        initial=initial,
    )


def _back(request: HttpRequest, year: AcademicYear | None) -> HttpResponse:
    """To the coordinators' page when the form came from it, else to My wishes; the year stays."""
    name = "wish-overview" if request.POST.get("back") == "overview" else "my-wishes"
    query = f"?year={year.pk}" if year is not None else ""
    return redirect(reverse(name) + query)


def wish_rows(
    request: HttpRequest, year: AcademicYear, wishes: list[Preference], version: Any = _FROM_REQUEST
) -> dict[str, Any]:
    """Each wish with what the latest run of the version the user reads (published, or a draft for managers;
    `version` when the page has it) made of it; a wish changed since that run started is flagged instead."""
    if not wishes:
        return {"rows": [], "outcome_version": None}
    if version is _FROM_REQUEST:
        try:
            version = reading.version_from_request(request, year).version
        except reading.Refusal:
            version = None
    run, outcomes = version_wish_outcomes(version)
    rows = []
    for wish in wishes:
        outcome, changed = wish_outcome(wish, run, outcomes)
        rows.append({"wish": wish, "outcome": outcome, "changed": changed})
    return {"rows": rows, "outcome_version": version if run is not None else None}


@wishes_page
def my_wishes(request: HttpRequest) -> HttpResponse:
    """One's own wishes for the year (add, change, withdraw while the window is open) and, once a schedule was
    made with them, whether each was granted and why not."""
    year = year_from_request(request)
    person = wish_person_of_user(program=request.program, user=request.user)
    if year is None or person is None:
        return render(request, "scheduling/wishes_none.html", {"year": year, "person": person})
    form = _form(request, year, data=request.POST or None)
    if person.kind != Person.Kind.RESIDENT:  # rotation wishes are the residents'
        form.fields["kind"].choices = [(k, label) for k, label in Preference.Kind.choices if k in WEEK_KINDS]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            wish = preference_create(
                user=request.user, program=request.program, person=person, academic_year=year, **data
            )
        except (DomainError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Your wish is saved: {wish.get_kind_display().lower()}, {wish.what}.")
            return _back(request, year)
    wishes = list(wish_list(program=request.program, user=request.user, person_id=person.pk, academic_year=year))
    context = {
        "year": year,
        "years": list(academic_year_list(program=request.program)),
        "person": person,
        "form": form,
        "state": wish_window_state(program=request.program, academic_year=year, person=person),
        "manager": is_wish_manager(request.user, request.program),
        **wish_rows(request, year, wishes),
    }
    return render(request, "scheduling/my_wishes.html", context)


def _wish(request: HttpRequest, pk: int) -> Preference:
    """A wish the user may see in the active program (404 otherwise, also for another resident's)."""
    return get_object_or_404(wish_list(program=request.program, user=request.user, status=None), pk=pk)


@wishes_page
def wish_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a wish's week or rotation and block, priority or reason (its kind stays)."""
    wish = _wish(request, pk)
    initial = {
        "kind": wish.kind,
        "week_start": wish.week_start,
        "rotation": wish.rotation,
        "block": wish.block,
        "priority": wish.priority,
        "reason": wish.reason,
    }
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["kind"] = wish.kind  # the kind is not changed here
    form = _form(request, wish.academic_year, data=data, initial=initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            preference_change(
                preference=wish,
                user=request.user,
                priority=values["priority"],
                week_start=values["week_start"],
                rotation=values["rotation"],
                block=values["block"],
                reason=values["reason"],
            )
        except (DomainError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The wish is changed.")
            return _back(request, wish.academic_year)
    back = request.GET.get("back") or request.POST.get("back", "")
    return render(request, "scheduling/wish_edit.html", {"wish": wish, "form": form, "back": back})


@wishes_page
@require_POST
def wish_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a wish: one's own while the window is open, anyone's for managers (the history keeps it)."""
    wish = _wish(request, pk)
    error = ""
    try:
        wish = preference_withdraw(preference=wish, user=request.user)
    except (DomainError, PermissionDenied) as exc:
        error = str(exc)
    if request.htmx:  # the list item again, withdrawn or with the refusal
        context = {
            "row": {"wish": wish},
            "error": error,
            "can_edit": True,
            "show_person": request.POST.get("back") == "overview",
            "back": request.POST.get("back", ""),
        }
        return render(request, "scheduling/_wish_item.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"The wish is withdrawn: {wish.get_kind_display().lower()}, {wish.what}.")
    return _back(request, wish.academic_year)


@managers_page
def wish_overview(request: HttpRequest) -> HttpResponse:
    """Every wish of the year: the person x week heat map, rotation wishes by block, the list, a form to enter a
    wish for anyone and the year's wish window."""
    year = year_from_request(request)
    if year is None:
        return render(request, "scheduling/wishes_none.html", {"year": None, "person": True})
    people = person_list(program=request.program).exclude(kind="staff").order_by("last_name", "first_name")
    form = _form(request, year, people=people, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person")
        try:
            wish = preference_create(
                user=request.user, program=request.program, person=person, academic_year=year, **data
            )
        except (DomainError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Wish saved for {person.full_name}: {wish.get_kind_display().lower()}, {wish.what}."
            )
            return redirect(reverse("wish-overview") + f"?year={year.pk}")
    window = WishWindow.objects.filter(academic_year=year).first()
    window_initial = (
        {name: getattr(window, name) for name in WishWindowForm.base_fields} if window is not None else None
    )
    wishes = list(wish_list(program=request.program, user=request.user, academic_year=year))
    context = {
        "year": year,
        "years": list(academic_year_list(program=request.program)),
        "form": form,
        "window_form": WishWindowForm(initial=window_initial),
        "state": wish_window_state(program=request.program, academic_year=year, person=None),
        "heat": wish_heat_map(program=request.program, academic_year=year),
        "weights": (weights := wish_settings(request.program)),
        "weights_form": WishWeightsForm(initial={"high": weights.high, "medium": weights.medium, "low": weights.low}),
        **wish_rows(request, year, wishes),
    }
    return render(request, "scheduling/wish_overview.html", context)


@managers_page
@require_POST
def wish_window_edit(request: HttpRequest) -> HttpResponse:
    """Set the year's wish window and the per-kind limits."""
    year = year_from_request(request)
    form = WishWindowForm(request.POST)
    if year is None:
        messages.error(request, "There is no academic year to open wishes for.")
    elif not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            wish_window_set(user=request.user, academic_year=year, **form.cleaned_data)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"The wish window for {year} is saved.")
    return redirect(reverse("wish-overview") + (f"?year={year.pk}" if year else ""))


@managers_page
@require_POST
def wish_weights_edit(request: HttpRequest) -> HttpResponse:
    """Set the engine weight of each priority (the weekday wished weeks start on is kept)."""
    year = year_from_request(request)
    form = WishWeightsForm(request.POST)
    back = redirect(reverse("wish-overview") + (f"?year={year.pk}" if year else ""))
    if not form.is_valid():
        messages.error(
            request, " ".join(f"{form[name].label}: {e}" for name, errors in form.errors.items() for e in errors)
        )
        return back
    current = wish_settings(request.program)
    try:
        wish_settings_update(
            program=request.program,
            user=request.user,
            settings={"weights": form.cleaned_data, "week_start": current.week_start},
        )
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The priority weights are saved; the next schedule run uses them.")
    return back
