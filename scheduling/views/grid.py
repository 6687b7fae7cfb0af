"""Reading the schedule: the block grid of a year, and the month and week views of half-day sessions."""

import datetime as dt
from collections.abc import Callable
from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from scheduling import schedule_cache
from scheduling.absence_impact import Unrepaired, unrepaired_absences
from scheduling.day_view import block_grid, session_grid
from scheduling.models import Block, Person, ScheduleVersion
from scheduling.selectors import academic_year_on, person_ids_matching
from scheduling.views import reading
from scheduling.views.access import year_from_request
from tenants.access import require
from tenants.permissions import Action, Resource


@require(Action.VIEW, Resource.SCHEDULE)
def schedule_grid(request: HttpRequest) -> HttpResponse:
    """People (by PGY, then faculty) by blocks for a year; the published version unless a manager picks another."""
    try:
        context = reading.page_context(request, year_from_request(request))
    except reading.Refusal as refusal:
        return reading.refuse(request, refusal)
    version, filters = context["version"], context["filters"]
    if version is not None:
        # The grid is cached as rendered HTML (the template's {% cache %} keyed by the program's schedule stamp
        # and `grid_key`); its rows are built only when that HTML is missing.
        editable, manager = bool(context["editable"]), bool(context["manager"])
        wanted = (filters.pgy, getattr(filters.rotation, "pk", None), getattr(filters.person, "pk", None))
        context["grid_key"] = ":".join(str(part) for part in (version.pk, *wanted, editable, manager))
        context["today"] = request.program.today()
        context["schedule_stamp"] = schedule_cache.generation(request.program.pk)
        context["grid"] = SimpleLazyObject(partial(_grid_parts, request, version, filters, editable, manager))
    return render(request, "scheduling/grid_blocks.html", context)


def _grid_parts(request: HttpRequest, version: ScheduleVersion, filters, editable: bool, manager: bool) -> dict:
    """The grid's rows, legend and blocks (cached by the caller until anything they are drawn from changes)."""
    grid = block_grid(version=version, pgy=filters.pgy, rotation=filters.rotation, person=filters.person)
    edit_url = _edit_block_url(version) if editable else None
    short = _short_after_absence(request, version) if manager else []
    cells = frozenset((item.absence.person_id, block.pk) for item in short for block in item.blocks)
    table = reading.grid_table(grid, edit_url, cells)
    legend = reading.legend(grid.rotations, grid.codes)
    return {"table": table, "legend": legend, "blocks": grid.blocks, "short_after_absence": short}


def _short_after_absence(request: HttpRequest, version: ScheduleVersion) -> list[Unrepaired]:
    """Approved absences the published version still gives duty in (a draft is a repair in the making)."""
    if version.status != ScheduleVersion.Status.PUBLISHED:
        return []
    return unrepaired_absences(version=version, today=request.program.today())


def _edit_block_url(version: ScheduleVersion) -> Callable[[Person, Block], str | None]:
    """The edit page of a resident's block in this version (managers' grid cells link there; block rotations are
    for residents, so faculty and staff cells link nowhere)."""
    fill = reading.url_filler("edit-block", version.pk, reading.SLOT, reading.SLOT)
    return lambda person, block: fill(person.pk, block.pk) if person.kind == Person.Kind.RESIDENT else None


@require(Action.VIEW, Resource.SCHEDULE)
def schedule_month(request: HttpRequest) -> HttpResponse:
    """People by the days of a month (`?month=YYYY-MM`, this month by default), AM and PM, with the calls."""
    try:
        wanted = request.GET.get("month", "").strip()
        first = reading.parse_month(wanted) if wanted else request.program.today().replace(day=1)
    except reading.Refusal as refusal:
        return reading.refuse(request, refusal)
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    previous, following = (first - dt.timedelta(days=1)).replace(day=1), last + dt.timedelta(days=1)
    nav = {"prev": reading.query_with(request, month=f"{previous:%Y-%m}"), "label": f"{first:%B %Y}"}
    nav["next"] = reading.query_with(request, month=f"{following:%Y-%m}")
    return _days_page(request, first, last, nav, "scheduling/schedule_month.html")


@require(Action.VIEW, Resource.SCHEDULE)
def schedule_week(request: HttpRequest) -> HttpResponse:
    """People by the seven days of a week from Monday (`?start=YYYY-MM-DD`, this week by default)."""
    try:
        wanted = request.GET.get("start", "").strip()
        day = reading.parse_day(wanted, "week start") if wanted else request.program.today()
    except reading.Refusal as refusal:
        return reading.refuse(request, refusal)
    first = day - dt.timedelta(days=day.weekday())
    last = first + dt.timedelta(days=6)
    nav = {"label": f"Week of {first:%-d %B %Y}"}
    nav["prev"] = reading.query_with(request, start=(first - dt.timedelta(days=7)).isoformat())
    nav["next"] = reading.query_with(request, start=(first + dt.timedelta(days=7)).isoformat())
    return _days_page(request, first, last, nav, "scheduling/schedule_week.html")


def _days_page(request: HttpRequest, first: dt.date, last: dt.date, nav: dict, template: str) -> HttpResponse:
    """The month or week page of the academic year holding `first`, filtered like the grid."""
    try:
        context = reading.page_context(request, academic_year_on(program=request.program, day=first))
    except reading.Refusal as refusal:
        return reading.refuse(request, refusal)
    context.update(nav=nav, first=first, last=last)
    context["range_query"] = reading.query_with(request, start=first.isoformat(), end=last.isoformat(), month=None)
    version, filters = context["version"], context["filters"]
    if version is not None:
        ids = person_ids_matching(
            version=version, start=first, end=last, pgy=filters.pgy, rotation=filters.rotation, person=filters.person
        )
        grid = session_grid(version=version, start=first, end=last, person_ids=ids)
        edit_url = reading.url_filler("edit-session", version.pk, *[reading.SLOT] * 3) if context["editable"] else None
        context["table"] = reading.day_table(grid, request.program.zone, edit_url)
    return render(request, template, context)
