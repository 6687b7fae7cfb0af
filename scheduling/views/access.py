"""Helpers of the schedule pages (their gate is tenants.access.require): managers, the year asked for."""

from django.http import HttpRequest

from scheduling import schedule_cache
from scheduling.models import AcademicYear, Person, ScheduleVersion
from scheduling.selectors import academic_year_list, person_list, schedule_version_pick
from tenants.params import parse_id
from tenants.permissions import Action, Resource, can


def is_manager(request: HttpRequest) -> bool:
    """Whether the user may change the schedule (and so see drafts) in the active program."""
    return can(request.user, Action.CHANGE, Resource.SCHEDULE, request.program)


def program_years(request: HttpRequest) -> list[AcademicYear]:
    """The active program's academic years (`academic_year_list`: newest first, with `blocks_count`), read once
    per request and kept until the program's schedule data changes (scheduling.schedule_cache)."""
    years = getattr(request, "_academic_years", None)
    if years is None:
        program = request.program
        years = schedule_cache.cached(program.pk, ("years",), lambda: list(academic_year_list(program=program)))
        request._academic_years = years
    return years


def year_from_request(request: HttpRequest) -> AcademicYear | None:
    """The year named by `?year=<id>` in the active program, else the current year: the one flagged current, else
    the one holding today, else the latest (as `selectors.academic_year_current`)."""
    years = program_years(request)
    wanted = parse_id(request.GET.get("year"))
    named = next((year for year in years if year.pk == wanted), None) if wanted is not None else None
    if named is not None:
        return named
    today = request.program.today()
    return (
        next((year for year in years if year.is_current), None)
        or next((year for year in years if year.start_date <= today <= year.end_date), None)
        or max(years, key=lambda year: year.start_date, default=None)
    )


def my_person(request: HttpRequest) -> Person | None:
    """The person linked to the user's login in the active program (active or not), kept like `program_years`."""
    program, user_id = request.program, request.user.pk
    found = schedule_cache.cached(
        program.pk,
        ("my-person", user_id),
        lambda: person_list(program=program, active=None).filter(user_id=user_id).first() or 0,
    )
    return found or None


def published_version(request: HttpRequest, year: AcademicYear) -> ScheduleVersion | None:
    """The published version of the year (with its run and publisher), kept like `program_years`."""
    return schedule_cache.cached(
        request.program.pk, ("published-version", year.pk), lambda: schedule_version_pick(academic_year=year)
    )
