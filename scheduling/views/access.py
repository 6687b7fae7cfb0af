"""Helpers of the schedule pages (their gate is tenants.access.require): managers, the year asked for."""

from django.http import HttpRequest

from scheduling.models import AcademicYear
from scheduling.selectors import academic_year_current, academic_year_list
from tenants.params import parse_id
from tenants.permissions import Action, Resource, can


def is_manager(request: HttpRequest) -> bool:
    """Whether the user may change the schedule (and so see drafts) in the active program."""
    return can(request.user, Action.CHANGE, Resource.SCHEDULE, request.program)


def year_from_request(request: HttpRequest) -> AcademicYear | None:
    """The year named by `?year=<id>` in the active program, else the current year."""
    wanted = parse_id(request.GET.get("year"))
    if wanted is not None:
        year = academic_year_list(program=request.program).filter(pk=wanted).first()
        if year is not None:
            return year
    return academic_year_current(program=request.program)
