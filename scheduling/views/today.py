"""Today's roster: who is where in the AM and the PM, who is on call tonight with their phone and pager, and what
leave leaves short (all roles of the program)."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scheduling.absence_impact import day_shortfalls
from scheduling.day_view import session_grid
from scheduling.on_call import day_cover
from scheduling.selectors import academic_year_on, schedule_version_pick
from scheduling.views import reading
from tenants.access import require
from tenants.permissions import Action, Resource, can


@require(Action.VIEW, Resource.ROSTER)
def today(request: HttpRequest) -> HttpResponse:
    """The published schedule of one day (`?date=YYYY-MM-DD`, today in the program's zone by default)."""
    try:
        wanted = request.GET.get("date", "").strip()
        day = reading.parse_day(wanted) if wanted else request.program.today()
    except reading.Refusal as refusal:
        return reading.refuse(request, refusal)
    year = academic_year_on(program=request.program, day=day)
    version = schedule_version_pick(academic_year=year) if year is not None else None
    context = {
        "day": day,
        "year": year,
        "version": version,
        "is_today": day == request.program.today(),
        "prev": (day - dt.timedelta(days=1)).isoformat(),
        "next": (day + dt.timedelta(days=1)).isoformat(),
        "link_people": can(request.user, Action.VIEW, Resource.SCHEDULE, request.program),
    }
    if version is not None:
        version.program = request.program  # the same row; spares the selectors a query
        grid = session_grid(version=version, start=day, end=day)
        context["am"], context["pm"] = reading.roster(grid, day, "AM"), reading.roster(grid, day, "PM")
        context["cover"] = day_cover(grid, day, request.program.zone)
        context["shortfalls"] = day_shortfalls(version=version, day=day, grid=grid)
        context["uncovered"] = reading.uncovered_duty(grid, request.program.zone)
        context["link_repair"] = can(request.user, Action.APPROVE, Resource.ABSENCE, request.program)
    return render(request, "scheduling/today_roster.html", context)
