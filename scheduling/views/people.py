"""A person's schedule page (their own through /me/, or anyone's in the program, read-only), and one's own
contact numbers."""

import datetime as dt
from functools import partial

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject

from scheduling import schedule_cache
from scheduling.compliance import WEEKLY_LIMIT_DEFAULT, weekly_hours
from scheduling.day_view import block_grid, session_grid
from scheduling.forms import ContactsForm
from scheduling.models import Person
from scheduling.person_page import person_page_sections
from scheduling.program_settings import scheduling_settings
from scheduling.selectors import person_list
from scheduling.services import person_contacts_change
from scheduling.views import reading
from scheduling.views.access import my_person, year_from_request
from scheduling.views.wishes import wish_rows
from scheduling.wish_selectors import is_wish_manager, wish_list
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource, can

UPCOMING_SESSION_DAYS = 14
UPCOMING_CALL_DAYS = 60
HOURS_WEEKS_BEFORE, HOURS_WEEKS_AFTER = 4, 8


@require(Action.VIEW, Resource.SCHEDULE)
def my_schedule(request: HttpRequest) -> HttpResponse:
    """The schedule of the person linked to the user's login in the active program, or a page saying there is none."""
    person = my_person(request)
    if person is None:
        return render(request, "scheduling/person_none.html")
    return _person_page(request, person)


@require(Action.VIEW, Resource.SCHEDULE)
def person_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone's schedule in the active program (404 for another program's person); clinic staff are refused."""
    person = get_object_or_404(person_list(program=request.program, active=None), pk=pk)
    return _person_page(request, person)


@require()
def my_contacts(request: HttpRequest) -> HttpResponse:
    """The phone and pager of the person linked to the user's login, which the program's members see."""
    person = person_list(program=request.program, active=None).filter(user=request.user).first()
    if person is None:
        raise Http404("Your login is not linked to a person of this program.")
    form = ContactsForm(request.POST or None, initial={"phone": person.phone, "pager": person.pager})
    if request.method == "POST" and form.is_valid():
        try:
            person_contacts_change(person=person, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your contact numbers are saved.")
            own_page = can(request.user, Action.VIEW, Resource.SCHEDULE, request.program)
            return redirect("my-schedule" if own_page else "home")
    return render(request, "scheduling/contacts_form.html", {"form": form, "person": person})


def _schedule_parts(request: HttpRequest, person: Person, version, year, today: dt.date) -> dict:
    """What the page shows of the version: block cells, the coming days and calls, weekly hours (cached by the
    caller until the schedule, or anything else it is drawn from, changes)."""
    parts: dict = {}
    grid = block_grid(version=version, person=person)
    rows = [cells for _label, group in reading.grid_table(grid) for _person, cells, _html in group]
    parts["block_cells"] = rows[0] if rows and any(cell.parts for cell in rows[0]) else []
    last = today + dt.timedelta(days=UPCOMING_CALL_DAYS - 1)
    days = session_grid(version=version, start=today, end=last, person_ids=[person.pk])
    parts["upcoming"] = reading.upcoming_days(days, person, today, UPCOMING_SESSION_DAYS)
    parts["calls"] = reading.call_entries(days.calls, request.program.zone)
    # Weeks run Monday to Sunday: the last four and the next eight (within the year), not all 52 on a phone.
    anchor = min(max(today, year.start_date), year.end_date)
    first = max(year.start_date, anchor - dt.timedelta(weeks=HOURS_WEEKS_BEFORE))
    monday = first - dt.timedelta(days=first.weekday())
    last = min(year.end_date, monday + dt.timedelta(weeks=HOURS_WEEKS_BEFORE + HOURS_WEEKS_AFTER, days=-1))
    hours = weekly_hours(version=version, person=person, start=monday, end=last)
    # The ACGME limits are for residents: faculty and staff hours are drawn without the resident line.
    limit = None
    if person.kind == Person.Kind.RESIDENT:
        limit = float(scheduling_settings(request.program).acgme.get("weekly_hours", WEEKLY_LIMIT_DEFAULT))
    parts["hours"], parts["hours_limit"] = reading.week_hours(hours, limit), limit
    return parts


def _person_page(request: HttpRequest, person: Person) -> HttpResponse:
    """Rotations by block, the next two weeks of sessions, the next 60 days of calls, weekly hours, and the
    sections higher apps add (the feed link, scheduling.person_page)."""
    try:
        context = reading.page_context(request, year_from_request(request), with_filters=False)
    except reading.Refusal as refusal:
        return reading.refuse(request, refusal)
    person.program = request.program  # the same row (looked up in it); spares a query
    today = request.program.today()
    context.update(person=person, today=today, is_me=person.user_id == request.user.pk)
    context.update(person_page_sections(request, person))  # the feed link (integrations.feeds), ...
    version, year = context["version"], context["year"]
    if version is not None:
        # The schedule sections are cached as rendered HTML (the template's {% cache %} keyed by the program's
        # schedule stamp); their figures are read, from the cache or built, only when that HTML is missing.
        parts = ("person-page", version.pk, person.pk, today)
        build = partial(_schedule_parts, request, person, version, year, today)
        context["schedule_stamp"] = schedule_cache.generation(request.program.pk)
        context["sched"] = SimpleLazyObject(partial(schedule_cache.cached, request.program.pk, parts, build))
    if year is not None and (context["is_me"] or is_wish_manager(request.user, request.program)):
        parts = ("person-wishes", person.pk, request.user.pk, year.pk)  # kept until a wish (a watched row) changes
        read = partial(wish_list, program=request.program, user=request.user, person_id=person.pk, academic_year=year)
        wishes = schedule_cache.cached(request.program.pk, parts, lambda: list(read()))
        context["wishes"] = wish_rows(request, year, wishes, version=context["version"])
    return render(request, "scheduling/person_detail.html", context)
