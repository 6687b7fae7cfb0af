"""Editing one cell of a version (a block rotation, a half-day, a call night): managers only.

A change that breaks a rule comes back listing each rule and asks for a reason; with one it is saved as an
acknowledged override. Requested by htmx (the grid opening it inline) only the form is returned. The page
also shows the version's last cell edit with a button that undoes it.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from scheduling.forms import BlockEditForm, CallEditForm, SessionEditForm
from scheduling.models import (
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    ScheduleVersion,
    Session,
    SessionAssignment,
)
from scheduling.selectors import rotation_list
from scheduling.services import (
    RuleBreachError,
    block_assignment_change,
    call_assignment_change,
    schedule_version_last_edit,
    session_assignment_change,
)
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource


def _cell(request: HttpRequest, pk: int, person: int) -> tuple[ScheduleVersion, Person]:
    """The version and person of the active program (404 for another program's)."""
    versions = ScheduleVersion.objects.for_program(request.program).select_related("academic_year", "program")
    return get_object_or_404(versions, pk=pk), get_object_or_404(Person.objects.for_program(request.program), pk=person)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404("Not a date (YYYY-MM-DD).") from None


def _week_url(version: ScheduleVersion, person: Person, day: dt.date) -> str:
    monday = day - dt.timedelta(days=day.weekday())
    return f"{reverse('schedule-week')}?start={monday.isoformat()}&person={person.pk}&version={version.pk}"


def _submit(request: HttpRequest, form: Form, context: dict[str, Any], save: Callable[[dict], str]) -> HttpResponse:
    """Validate, call the service through `save` (returns a success message), render the form or redirect."""
    if request.method == "POST" and form.is_valid():
        try:
            done = save(form.cleaned_data)
        except RuleBreachError as exc:
            context["findings"] = exc.findings
            form.require_reason()
            form.add_error(None, str(exc))
            if not form.cleaned_data.get("reason", "").strip():
                form.add_error("reason", "A reason is required to save a change that breaks a rule.")
        except (DomainError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                context["saved"] = done
                context["last_edit"] = schedule_version_last_edit(version=context["version"])
                response = render(request, "scheduling/_edit_form.html", {**context, "form": None})
                response["HX-Trigger"] = "schedule-changed"
                return response
            messages.success(request, done)
            return redirect(context["back_url"])
    context["form"] = form
    template = "scheduling/_edit_form.html" if request.htmx else "scheduling/edit_cell.html"
    return render(request, template, context)


def _context(version: ScheduleVersion, person: Person, what: str, current: str, back_url: str) -> dict[str, Any]:
    return {
        "version": version,
        "person": person,
        "what": what,
        "current": current,
        "back_url": back_url,
        "findings": [],
        "last_edit": schedule_version_last_edit(version=version),
    }


@require(Action.CHANGE, Resource.SCHEDULE)
def edit_block(request: HttpRequest, pk: int, person: int, block: int) -> HttpResponse:
    """A resident's rotation for a block of the version."""
    version, person = _cell(request, pk, person)
    block = get_object_or_404(Block.objects.filter(academic_year_id=version.academic_year_id), pk=block)
    rows = list(BlockAssignment.objects.filter(version=version, person=person, block=block).select_related("rotation"))
    current = " / ".join(row.rotation.name for row in rows) or "none"
    rotations = rotation_list(program=request.program).filter(is_active=True)
    initial = {"rotation": rows[0].rotation_id} if rows else {}
    form = BlockEditForm(request.POST or None, rotations=rotations, initial=initial)
    back = _week_url(version, person, max(block.start_date, min(block.end_date, request.program.today())))
    context = _context(
        version, person, f"Block {block.number} ({block.start_date:%d %b} – {block.end_date:%d %b})", current, back
    )
    context["action_url"] = request.path

    def save(data: dict) -> str:
        block_assignment_change(
            version=version,
            person=person,
            block=block,
            rotation=data["rotation"],
            user=request.user,
            reason=data["reason"],
        )
        return f"{person.full_name} is on {data['rotation'].name} in block {block.number}."

    return _submit(request, form, context, save)


@require(Action.CHANGE, Resource.SCHEDULE)
def edit_session(request: HttpRequest, pk: int, person: int, date: str, session: str) -> HttpResponse:
    """What a person does in one half-day of the version."""
    version, person = _cell(request, pk, person)
    day = _date(date)
    if session not in Session.values:
        raise Http404("The session is AM or PM.")
    row = SessionAssignment.objects.filter(version=version, person=person, date=day, session=session).first()
    form = SessionEditForm(request.POST or None, initial={"activity": row.activity if row else None})
    context = _context(
        version,
        person,
        f"{day:%a %d %b %Y} {session}",
        row.get_activity_display() if row else "nothing",
        _week_url(version, person, day),
    )
    context["action_url"] = request.path

    def save(data: dict) -> str:
        session_assignment_change(
            version=version,
            person=person,
            date=day,
            session=session,
            activity=data["activity"],
            user=request.user,
            reason=data["reason"],
        )
        label = dict(SessionAssignment.Activity.choices)[data["activity"]]
        return f"{person.full_name}: {label} on {day:%a %d %b} {session}."

    return _submit(request, form, context, save)


@require(Action.CHANGE, Resource.SCHEDULE)
def edit_call(request: HttpRequest, pk: int, person: int, date: str) -> HttpResponse:
    """Add, remove or move a resident's in-house call starting on a night of the version."""
    version, person = _cell(request, pk, person)
    day = _date(date)
    zone = version.program.zone
    nights = CallAssignment.objects.filter(
        version=version,
        person=person,
        kind=CallAssignment.Kind.IN_HOUSE,
        start__gte=dt.datetime.combine(day, dt.time(), zone),
        start__lt=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone),
    )
    current = ", ".join(
        f"in-house call {c.start.astimezone(zone):%H:%M} – {c.end.astimezone(zone):%a %H:%M}" for c in nights
    )
    form = CallEditForm(request.POST or None, initial={"action": "remove" if nights else "add", "post_call": True})
    context = _context(
        version, person, f"Call night {day:%a %d %b %Y}", current or "no call", _week_url(version, person, day)
    )
    context["action_url"] = request.path

    def save(data: dict) -> str:
        call_assignment_change(
            version=version,
            person=person,
            date=day,
            action=data["action"],
            to_date=data.get("to_date"),
            post_call=data["post_call"],
            user=request.user,
            reason=data["reason"],
        )
        verb = {"add": "added", "remove": "removed", "move": "moved"}[data["action"]]
        return f"{person.full_name}'s call of {day:%a %d %b} was {verb}."

    return _submit(request, form, context, save)
