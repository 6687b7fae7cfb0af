"""Today's roster: who is where in the AM and the PM, and who is on call tonight (all roles of the program)."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scheduling.selectors import academic_year_on, schedule_version_pick, session_grid
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
        grid = session_grid(version=version, start=day, end=day)
        context["am"], context["pm"] = reading.roster(grid, day, "AM"), reading.roster(grid, day, "PM")
        context["calls"] = reading.call_entries(grid.calls_by_day.get(day, []), request.program.zone)
    return render(request, "scheduling/today_roster.html", context)
