"""Editing one cell of a version (a block rotation, a half-day, a call night): managers only.

The block grid and the month and week views open these forms in place (htmx, `static/js/cell_edit.js`):
asked by htmx, a view answers with the form alone. "Check" runs the edit through its service without keeping
it and lists the ACGME and program rules it would break; "Save" saves it (breaking a rule needs a reason, kept
as an acknowledged override) and tells the page to redraw its schedule (`HX-Trigger: schedule-changed`); the
answer offers to undo that edit, which is posted back here. Without JavaScript the cells link to these pages,
which work the same with whole pages. What the cell holds now is read through `scheduling.day_view`.

Bad input (a malformed date or session, a date outside the version's year, a choice not offered) is answered
with a message and 400, an unknown version or person of the program with 404, an archived version with 409.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from scheduling.day_view import activity_label, block_grid, session_grid
from scheduling.forms import BlockEditForm, CallEditForm, EditForm, SessionEditForm
from scheduling.models import Block, CallAssignment, Person, ScheduleVersion, Session, SessionAssignment
from scheduling.selectors import rotation_list
from scheduling.services import (
    RuleBreachError,
    block_assignment_change,
    call_assignment_change,
    schedule_version_last_edit,
    schedule_version_undo,
    session_assignment_change,
)
from scheduling.services.checks import cell_edit_check
from scheduling.views import reading
from scheduling.views.reading import Refusal
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

CHANGED = "schedule-changed"  # the event the schedule pages redraw on


@dataclass
class Edit:
    """What a valid form asks for: the service to call, its arguments (all but the reason) and what to say once
    it is saved."""

    service: Callable[..., object]
    arguments: dict[str, Any]
    done: str


@dataclass
class Cell:
    """A cell being edited: its version and person, its name, where to go back to, how to read what it holds
    now (text and the form's initial values), the form, and the edit a valid form makes."""

    version: ScheduleVersion
    person: Person
    what: str
    back_url: str
    read: Callable[[], tuple[str, dict[str, Any]]]
    form: Callable[..., EditForm]
    edit: Callable[[dict[str, Any]], Edit]
    extra: dict[str, Any] = field(default_factory=dict)


def _answers_refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A Refusal raised by the view becomes its message: the fragment (htmx) or the edit page, with its status."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Refusal as refusal:
            template = "scheduling/_edit_refused.html" if request.htmx else "scheduling/edit_cell.html"
            return render(request, template, {"refused": refusal.message}, status=refusal.status)

    return wrapped


def _cell_of(request: HttpRequest, pk: int, person: int, resident_only: str = "") -> tuple[ScheduleVersion, Person]:
    """The version and person of the active program; another program's are unknown here (404). `resident_only`
    names what only residents have (a person of another kind is refused)."""
    versions = ScheduleVersion.objects.for_program(request.program).select_related("academic_year", "program")
    version = versions.filter(pk=pk).first()
    if version is None:
        raise Refusal("There is no such schedule version in this program.", status=404)
    if version.status == ScheduleVersion.Status.ARCHIVED:
        raise Refusal(f"Version {version.number} is archived; edit the draft or the published schedule.", status=409)
    found = Person.objects.for_program(request.program).filter(pk=person).first()
    if found is None:
        raise Refusal("There is no such person in this program.", status=404)
    if resident_only and found.kind != Person.Kind.RESIDENT:
        raise Refusal(f"{resident_only} are for residents; {found.full_name} is not one.")
    return version, found


def _day_of(version: ScheduleVersion, value: str) -> dt.date:
    """A date of the version's academic year, else a Refusal (400)."""
    day = reading.parse_day(value)
    year = version.academic_year
    if not year.start_date <= day <= year.end_date:
        raise Refusal(
            f"{day:%-d %b %Y} is outside {year.name} ({year.start_date:%-d %b %Y} to {year.end_date:%-d %b %Y})."
        )
    return day


def _week_url(version: ScheduleVersion, person: Person, day: dt.date) -> str:
    monday = day - dt.timedelta(days=day.weekday())
    return f"{reverse('schedule-week')}?start={monday.isoformat()}&person={person.pk}&version={version.pk}"


def _status(exc: Exception) -> int:
    return 403 if isinstance(exc, PermissionDenied) else getattr(exc, "status_code", 400)


def _answer(request: HttpRequest, cell: Cell) -> HttpResponse:
    """The form (GET); a check that keeps nothing ("check"); a save; or the undo of the last edit ("undo")."""
    if request.method == "POST" and request.POST.get("undo"):
        return _undo(request, cell)
    current, initial = cell.read()
    form = cell.form(request.POST or None, initial=initial)
    context = _context(request, cell, current)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST":
        edit = cell.edit(form.cleaned_data)
        try:
            if "check" in request.POST:
                context["findings"] = cell_edit_check(edit.service, **edit.arguments)
                context["checked"] = True
            else:
                edit.service(**edit.arguments, reason=form.cleaned_data["reason"])
        except RuleBreachError as exc:
            context["findings"] = exc.findings
            form.add_error(None, str(exc))
            if not form.cleaned_data.get("reason", "").strip():
                form.add_error("reason", "A reason is required to save a change that breaks a rule.")
        except (DomainError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
            status = _status(exc)
        else:
            if "check" not in request.POST:
                return _saved(request, cell, edit.done)
        if context["findings"]:
            form.require_reason()
    context["form"] = form
    return render(request, _template(request), context, status=status)


def _template(request: HttpRequest) -> str:
    return "scheduling/_edit_form.html" if request.htmx else "scheduling/edit_cell.html"


def _context(request: HttpRequest, cell: Cell, current: str) -> dict[str, Any]:
    return {
        "version": cell.version,
        "person": cell.person,
        "what": cell.what,
        "current": current,
        "back_url": cell.back_url,
        "action_url": request.path,
        "findings": [],
        "last_edit": schedule_version_last_edit(version=cell.version),
        **cell.extra,
    }


def _saved(request: HttpRequest, cell: Cell, done: str) -> HttpResponse:
    """After a save: back to the schedule (a page), or the cell as it is now with the undo (htmx)."""
    if not request.htmx:
        messages.success(request, done)
        return redirect(cell.back_url)
    context = {**_context(request, cell, cell.read()[0]), "saved": done, "form": None}
    response = render(request, "scheduling/_edit_form.html", context)
    response["HX-Trigger"] = CHANGED
    return response


def _undo(request: HttpRequest, cell: Cell) -> HttpResponse:
    """Undo the version's last cell edit (`schedule_version_undo`), then show this cell as it is now."""
    try:
        undone = f"Undone: {schedule_version_undo(version=cell.version, user=request.user)}."
    except (DomainError, PermissionDenied) as exc:
        if not request.htmx:
            messages.error(request, str(exc))
            return redirect(request.path)
        current = cell.read()[0]
        context = {**_context(request, cell, current), "form": None, "refusal": str(exc)}
        return render(request, "scheduling/_edit_form.html", context, status=_status(exc))
    if not request.htmx:
        messages.success(request, undone)
        return redirect(request.path)
    current, initial = cell.read()
    context = {**_context(request, cell, current), "saved": undone, "form": cell.form(initial=initial)}
    response = render(request, "scheduling/_edit_form.html", context)
    response["HX-Trigger"] = CHANGED
    return response


@require(Action.CHANGE, Resource.SCHEDULE)
@_answers_refusals
def edit_block(request: HttpRequest, pk: int, person: int, block: int) -> HttpResponse:
    """A resident's rotation for a block of the version."""
    version, person = _cell_of(request, pk, person, resident_only="Block rotations")
    block = Block.objects.filter(academic_year_id=version.academic_year_id, pk=block).first()
    if block is None:
        raise Refusal(f"There is no such block in {version.academic_year.name}.", status=404)
    rotations = rotation_list(program=request.program).filter(is_active=True)

    def read() -> tuple[str, dict[str, Any]]:
        grid = block_grid(version=version, person=person, include_faculty=False)
        rows = [row for _label, group in grid.groups for row in group]
        index = [b.pk for b in grid.blocks].index(block.pk)
        parts, assigned = (rows[0].parts[index], rows[0].cells[index]) if rows else ([], [])
        initial = {"rotation": assigned[0].rotation_id} if assigned else {}
        if any(a.half for a in assigned):  # the edit sets whole blocks only: say so before it merges the halves
            halves = " / ".join(part.title for part in parts)
            return f"{halves}. Split in halves: a change here sets one rotation for the whole block", initial
        return " / ".join(part.label for part in parts) or "nothing", initial

    def edit(data: dict[str, Any]) -> Edit:
        arguments = {"version": version, "person": person, "block": block, "rotation": data["rotation"]}
        done = f"{person.full_name} is on {data['rotation'].name} in block {block.number}."
        return Edit(block_assignment_change, {**arguments, "user": request.user}, done)

    def form(*args: Any, **kwargs: Any) -> EditForm:
        return BlockEditForm(*args, rotations=rotations, **kwargs)

    day = max(block.start_date, min(block.end_date, request.program.today()))
    what = f"Block {block.number} ({block.start_date:%d %b} – {block.end_date:%d %b})"
    return _answer(request, Cell(version, person, what, _week_url(version, person, day), read, form, edit))


@require(Action.CHANGE, Resource.SCHEDULE)
@_answers_refusals
def edit_session(request: HttpRequest, pk: int, person: int, date: str, session: str) -> HttpResponse:
    """What a person does in one half-day of the version; the half-day's night call is a link away."""
    version, person = _cell_of(request, pk, person)
    day = _day_of(version, date)
    if session not in Session.values:
        raise Refusal(f"The session is AM or PM, not “{session}”.")
    resident = person.kind == Person.Kind.RESIDENT

    def read() -> tuple[str, dict[str, Any]]:
        grid = session_grid(version=version, start=day, end=day, person_ids=[person.pk])
        half = grid.halves.get((person.pk, day, session))
        if half is None:
            return "nothing", {}
        return half.label + (f" ({half.detail})" if half.detail else ""), {"activity": half.stored or None}

    def form(*args: Any, **kwargs: Any) -> EditForm:
        made = SessionEditForm(*args, **kwargs)  # a resident's FMIT reads as inpatient work, as everywhere
        made.fields["activity"].choices = [
            (a, activity_label(a, resident=resident)) for a in SessionAssignment.Activity
        ]
        return made

    def edit(data: dict[str, Any]) -> Edit:
        arguments = {"version": version, "person": person, "date": day, "session": session}
        done = f"{person.full_name}: {activity_label(data['activity'], resident=resident)} on {day:%a %d %b} {session}."
        return Edit(session_assignment_change, {**arguments, "activity": data["activity"], "user": request.user}, done)

    cell = Cell(version, person, f"{day:%a %d %b %Y} {session}", _week_url(version, person, day), read, form, edit)
    if resident:
        call_url = reverse("edit-call", args=[version.pk, person.pk, day.isoformat()])
        cell.extra = {"call_url": call_url, "call_label": f"In-house call on the night of {day:%a %d %b}"}
    return _answer(request, cell)


@require(Action.CHANGE, Resource.SCHEDULE)
@_answers_refusals
def edit_call(request: HttpRequest, pk: int, person: int, date: str) -> HttpResponse:
    """Add, remove or move a resident's in-house call starting on a night of the version."""
    version, person = _cell_of(request, pk, person, resident_only="In-house calls")
    day = _day_of(version, date)
    zone = version.program.zone

    def read() -> tuple[str, dict[str, Any]]:
        grid = session_grid(version=version, start=day, end=day, person_ids=[person.pk])
        taken = [call for call in grid.calls_by_day.get(day, []) if call.person_id == person.pk]
        dropped = [call for call in grid.dropped_calls if call.person_id == person.pk]
        texts = [f"{entry.kind} call {entry.times}" for entry in reading.call_entries(taken, zone)]
        texts += [
            f"{entry.kind} call {entry.times} (on leave: not taken)" for entry in reading.call_entries(dropped, zone)
        ]
        in_house = any(call.kind == CallAssignment.Kind.IN_HOUSE for call in taken + dropped)
        return ", ".join(texts) or "no call", {"action": "remove" if in_house else "add", "post_call": True}

    def edit(data: dict[str, Any]) -> Edit:
        arguments = {"version": version, "person": person, "date": day, "action": data["action"]}
        arguments |= {"to_date": data.get("to_date"), "post_call": data["post_call"], "user": request.user}
        verb = {"add": "added", "remove": "removed", "move": "moved"}[data["action"]]
        return Edit(call_assignment_change, arguments, f"{person.full_name}'s call of {day:%a %d %b} was {verb}.")

    what = f"Call night {day:%a %d %b %Y}"
    return _answer(request, Cell(version, person, what, _week_url(version, person, day), read, CallEditForm, edit))
