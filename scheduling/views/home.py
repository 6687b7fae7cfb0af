"""The dashboard: the program and its year, and by role the schedule's compliance, the latest run, one's own
next duties and quick actions."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scheduling.compliance import version_report
from scheduling.models import Person, ScheduleRun, ScheduleVersion
from scheduling.selectors import person_upcoming, program_overview
from tenants.permissions import Action, Resource, can


def _schedule_panel(request: HttpRequest, overview: dict[str, Any], can_manage: bool) -> dict[str, Any]:
    """The published version of the year (with its compliance for managers), the latest run and one's own duties."""
    program, year = request.program, overview["year"]
    published = None
    if year is not None:
        published = ScheduleVersion.objects.filter(academic_year=year, status=ScheduleVersion.Status.PUBLISHED).first()
    panel: dict[str, Any] = {"published": published, "report": None, "latest_run": None, "me": None}
    if can_manage:
        if published is not None:
            report = version_report(version=published)
            panel["report"] = report
            panel["violation_count"] = sum(1 for v in report.violations if v.severity == "violation")
        panel["latest_run"] = ScheduleRun.objects.for_program(program).select_related("academic_year").first()
    me = Person.objects.for_program(program).filter(user=request.user).first()
    if me is not None:
        panel["me"] = me
        if published is not None:
            panel["my_sessions"], panel["my_calls"] = person_upcoming(version=published, person=me)
    return panel


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The program's home: its current year and what it holds, by what the role may see."""
    program = request.program
    context: dict[str, Any] = {"overview": None, "can_manage": False, "panel": None}
    if program is not None and can(request.user, Action.VIEW, Resource.CALENDAR, program):
        context["overview"] = program_overview(program=program)
        context["can_manage"] = can(request.user, Action.CHANGE, Resource.SCHEDULE, program)
        if can(request.user, Action.VIEW, Resource.SCHEDULE, program):
            context["panel"] = _schedule_panel(request, context["overview"], context["can_manage"])
    return render(request, "scheduling/home.html", context)
