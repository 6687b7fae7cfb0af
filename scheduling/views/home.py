"""The dashboard: the program and its year, and by role the schedule's compliance, the latest run, one's own
next duties and quick actions; for the clinic staff, today's clinic and tonight's cover with contact numbers."""

import datetime as dt
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from absences.models import Absence
from absences.selectors import absence_list
from credentials.selectors import expiring_soon
from scheduling import schedule_cache
from scheduling.absence_impact import unrepaired_absences
from scheduling.compliance import version_report
from scheduling.day_view import UPCOMING_CALLS, person_upcoming_from
from scheduling.models import Person, ScheduleRun, ScheduleVersion
from scheduling.on_call import clinic_day
from scheduling.selectors import program_overview
from scheduling.views.access import my_person, published_version
from tenants.permissions import Action, Resource, can
from tenants.selectors import role_in


def _upcoming(program, version: ScheduleVersion, person: Person) -> tuple[list, list]:
    """person_upcoming, with the day's part kept in the cache until the schedule (or what it shows) changes."""
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(program.zone).date()
    parts = ("upcoming", version.pk, person.pk, today)
    halves, calls = schedule_cache.cached(
        program.pk, parts, lambda: person_upcoming_from(version=version, person=person, today=today)
    )
    return halves, [call for call in calls if call.end >= now][:UPCOMING_CALLS]


def _schedule_panel(request: HttpRequest, overview: dict[str, Any], can_manage: bool) -> dict[str, Any]:
    """The published version of the year (with its compliance for managers), the latest run and one's own duties."""
    program, year = request.program, overview["year"]
    published = None
    if year is not None:
        published = published_version(request, year)
        if published is not None:
            published.program, published.academic_year = program, year  # the same rows; spares queries
    panel: dict[str, Any] = {"published": published, "report": None, "latest_run": None, "me": None}
    if can_manage:
        if published is not None:
            report = version_report(version=published)
            panel["report"] = report
            panel["violation_count"] = sum(1 for v in report.violations if v.severity == "violation")
            panel["short_after_absence"] = unrepaired_absences(version=published, today=overview["today"])
        panel["latest_run"] = ScheduleRun.objects.for_program(program).select_related("academic_year").first()
    me = my_person(request)
    if me is not None:
        panel["me"] = me
        if published is not None:
            panel["my_sessions"], panel["my_calls"] = _upcoming(program, published, me)
    # Kept per reader until absences or credentials of the program change (both are watched by the cache).
    role = role_in(request.user, program)
    parts = ("coming-up", request.user.pk, role, can_manage, me.pk if me else None, overview["today"])
    panel.update(schedule_cache.cached(program.pk, parts, lambda: _coming_up(request, overview, can_manage, me)))
    return panel


def _coming_up(request: HttpRequest, overview: dict[str, Any], can_manage: bool, me: Person | None) -> dict[str, Any]:
    """The next 30 days' absences (the program's for managers, one's own otherwise) and certifications expiring
    within 90 days (the program's for managers, one's own otherwise)."""
    program, today = request.program, overview["today"]
    absences = absence_list(program=program, user=request.user, start=today, end=today + dt.timedelta(days=30))
    absences = absences.filter(status__in=[Absence.Status.REQUESTED, Absence.Status.APPROVED])
    expiring = expiring_soon(program=program, today=today).select_related("person", "type")
    if not can_manage:
        expiring = expiring.filter(person=me) if me is not None else expiring.none()
    return {
        "next_absences": list(absences.order_by("start_date", "person__last_name")[:DASHBOARD_ROWS]),
        "expiring": list(expiring[:DASHBOARD_ROWS]),
    }


DASHBOARD_ROWS = 10


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The program's home: its current year and what it holds, by what the role may see."""
    program = request.program
    context: dict[str, Any] = {"overview": None, "can_manage": False, "panel": None, "desk": None}
    if program is not None and can(request.user, Action.VIEW, Resource.CALENDAR, program):
        today = program.today()  # the summary is kept until the program's schedule or calendar changes
        overview = partial(program_overview, program=program, today=today)
        context["overview"] = schedule_cache.cached(program.pk, ("overview", today), overview)
        context["can_manage"] = can(request.user, Action.CHANGE, Resource.SCHEDULE, program)
        if can(request.user, Action.VIEW, Resource.SCHEDULE, program):
            context["panel"] = _schedule_panel(request, context["overview"], context["can_manage"])
    elif program is not None and can(request.user, Action.VIEW, Resource.ROSTER, program):
        context["desk"] = clinic_day(program=program, day=program.today())
    return render(request, "scheduling/home.html", context)
