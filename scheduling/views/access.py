"""The one gate every schedule page passes: logged in, in a program, and allowed by the role."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from scheduling.models import AcademicYear
from scheduling.selectors import academic_year_current, academic_year_list
from tenants.permissions import Action, Resource, can


def require(action: Action, resource: Resource) -> Callable:
    """A view decorator: 403 unless the user may do `action` on `resource` in the active program.

    The view then finds `request.program` set (never None).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            program = getattr(request, "program", None)
            if program is None or not can(request.user, action, resource, program):
                raise PermissionDenied("Your role in this program does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_manager(request: HttpRequest) -> bool:
    """Whether the user may change the schedule (and so see drafts) in the active program."""
    return can(request.user, Action.CHANGE, Resource.SCHEDULE, request.program)


def year_from_request(request: HttpRequest) -> AcademicYear | None:
    """The year named by `?year=<id>` in the active program, else the current year."""
    wanted = request.GET.get("year", "")
    if wanted.isdigit():
        year = academic_year_list(program=request.program).filter(pk=int(wanted)).first()
        if year is not None:
            return year
    return academic_year_current(program=request.program)
