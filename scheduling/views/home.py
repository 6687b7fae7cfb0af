from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scheduling.selectors import program_overview
from tenants.permissions import Action, Resource, can


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The program's home: its current year and what it holds, by what the role may see."""
    program = request.program
    context = {"overview": None, "can_manage": False}
    if program is not None and can(request.user, Action.VIEW, Resource.CALENDAR, program):
        context["overview"] = program_overview(program=program)
        context["can_manage"] = can(request.user, Action.CHANGE, Resource.SCHEDULE, program)
    return render(request, "scheduling/home.html", context)
