"""Who covers a day and who is in clinic, with their contact numbers: the on-call directory.

Read from the one reading of a half-day (`day_view.session_grid`), never from assignment rows: a call on a
whole day of leave is not taken, and a person on leave is not in clinic. A day's cover is the residents' calls
that start that day and the faculty's: their own calls where the schedule has them, and the FMIT attending
of the inpatient week (who covers the service, its weekend included). Contact numbers are the people's own
(`Person.phone`, `Person.pager`), for the program's members; feeds and exports leave them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scheduling.day_view import SESSIONS, Activity, SessionGrid, session_grid
from scheduling.models import AcademicYear, CalendarDay, CallAssignment, Person, ScheduleVersion
from scheduling.selectors import academic_year_on, schedule_version_pick
from tenants.models import Organization

FMIT_COVER = "FMIT attending (inpatient service)"
CLINIC_FACULTY = frozenset({Activity.CLINIC, Activity.SUPERVISING})


@dataclass(frozen=True)
class Cover:
    """Someone covering a day or night: a call (with local start and end) or a whole day's FMIT attending."""

    person: Person
    duty: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    @property
    def times(self) -> str:
        """ "17:00 – Tue 08:00" for a call, "all day" for a day's cover."""
        if self.start is None or self.end is None:
            return "all day"
        end = f"{self.end:%H:%M}" if self.end.date() == self.start.date() else f"{self.end:%a %H:%M}"
        return f"{self.start:%H:%M} – {end}"


@dataclass
class OnCallDay:
    """A day's cover: residents' calls and faculty cover; `published` is False when no published schedule
    holds the day (nothing is known, which is not the same as nobody)."""

    day: dt.date
    residents: list[Cover] = field(default_factory=list)
    faculty: list[Cover] = field(default_factory=list)
    special: CalendarDay | None = None
    published: bool = True

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass
class ClinicSession:
    """Who is in clinic in one session: the faculty there (who supervise) and the residents, each with the
    clinic they are in ("Continuity clinic" when the row names none)."""

    session: str
    faculty: list[Person]
    residents: list[tuple[Person, str]]


def _call_cover(call: CallAssignment, zone) -> Cover:
    return Cover(call.person, f"{call.get_kind_display()} call", call.start.astimezone(zone), call.end.astimezone(zone))


def day_cover(grid: SessionGrid, day: dt.date, zone) -> OnCallDay:
    """The cover of one day of `grid`: calls starting that day (residents', then faculty's) and the faculty on
    FMIT that day, by name."""
    people = {p.pk: p for p in grid.people}
    calls = grid.calls_by_day.get(day, [])
    cover = OnCallDay(day=day, special=grid.special_days.get(day))
    cover.residents = [_call_cover(c, zone) for c in calls if c.person.kind == Person.Kind.RESIDENT]
    cover.faculty = [_call_cover(c, zone) for c in calls if c.person.kind != Person.Kind.RESIDENT]
    fmit = {
        half.person_id
        for session in SESSIONS
        for person_id in people
        if (half := grid.halves.get((person_id, day, session))) is not None
        and half.activity == Activity.FMIT
        and not half.resident
    }
    attendings = sorted((people[pk] for pk in fmit), key=lambda p: (p.last_name, p.first_name))
    cover.faculty += [Cover(person, FMIT_COVER) for person in attendings]
    return cover


def clinic_sessions(grid: SessionGrid, day: dt.date) -> list[ClinicSession]:
    """The AM and PM of a day in clinic: faculty in clinic or supervising, and residents in clinic."""
    sessions = []
    for session in SESSIONS:
        faculty, residents = [], []
        for person in grid.people:
            half = grid.halves.get((person.pk, day, session))
            if half is None or half.activity not in CLINIC_FACULTY:
                continue
            if person.kind == Person.Kind.RESIDENT:
                if half.activity == Activity.CLINIC:
                    residents.append((person, half.rotation.name if half.rotation else "Continuity clinic"))
            else:
                faculty.append(person)
        sessions.append(ClinicSession(session, faculty, residents))
    return sessions


@dataclass
class ClinicDay:
    """A day at the clinic desk: the year and published version holding it (None when there is none), who is
    in clinic in the AM and PM, and the night's cover."""

    day: dt.date
    year: AcademicYear | None = None
    version: ScheduleVersion | None = None
    clinic: list[ClinicSession] = field(default_factory=list)
    cover: OnCallDay | None = None


def clinic_day(*, program: Organization, day: dt.date) -> ClinicDay:
    """Who is in clinic on `day` (faculty and residents, AM and PM) and who covers its night, in the published
    schedule of the year holding it."""
    found = ClinicDay(day=day, year=academic_year_on(program=program, day=day))
    if found.year is not None:
        found.version = schedule_version_pick(academic_year=found.year)
    if found.version is not None:
        found.version.program = program  # the same row; spares session_grid a query
        grid = session_grid(version=found.version, start=day, end=day)
        found.clinic = clinic_sessions(grid, day)
        found.cover = day_cover(grid, day, program.zone)
    return found


def published_versions(*, program: Organization, start: dt.date, end: dt.date) -> list[ScheduleVersion]:
    """The published versions of the program's academic years overlapping start..end, by start date, each with
    its program and year set (the same rows; spares the selectors a query each)."""
    years = AcademicYear.objects.for_program(program).filter(start_date__lte=end, end_date__gte=start)
    versions = list(
        ScheduleVersion.objects.filter(academic_year__in=years, status=ScheduleVersion.Status.PUBLISHED)
        .select_related("academic_year")
        .order_by("academic_year__start_date")
    )
    for version in versions:
        version.program = program
    return versions


def on_call_days(*, program: Organization, start: dt.date, end: dt.date) -> list[OnCallDay]:
    """Each day's cover from `start` to `end` inclusive in the published schedule of the year holding it (a
    range may cross into the next academic year); days no published schedule holds say so."""
    zone = program.zone
    found: dict[dt.date, OnCallDay] = {}
    for version in published_versions(program=program, start=start, end=end):
        year = version.academic_year
        first, last = max(start, year.start_date), min(end, year.end_date)
        grid = session_grid(version=version, start=first, end=last)
        for day in grid.days:
            found[day] = day_cover(grid, day, zone)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [found.get(day) or OnCallDay(day=day, published=False) for day in days]
