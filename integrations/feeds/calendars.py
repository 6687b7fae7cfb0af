"""ICS calendars of the published schedule, for the secret feed URLs (DESIGN.md section 11).

A person's feed holds their block rotations (all-day; a block mostly on leave is the leave), half-day
sessions (a day's AM and PM of the same activity merge into one event; "Off" and half-days spent on call
are left out) and calls with their real start and end, all read through scheduling.day_view (approved
leave wins, a call on a whole day of leave is not taken). The program's feed holds every call taken and
the holidays and closures. Only the PUBLISHED version of the current and the next academic year is read.
Event UIDs come from (feed, program, person, date, session or call, kind), never from row ids, so a
re-published schedule updates events in place and drops removed ones.
"""

import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass

import icalendar

from absences.models import Absence
from integrations.feeds.models import FeedToken
from scheduling.compliance import absence_changes
from scheduling.day_view import CALL, SessionGrid, block_grid, session_clock, session_grid
from scheduling.models import (
    AcademicYear,
    CalendarDay,
    CallAssignment,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.selectors import academic_year_current
from tenants.models import Organization

PRODID = "-//Residency Scheduler//Schedule feed//EN"
REFRESH = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class FeedCalendar:
    """An ICS body and when what it shows last changed (for Last-Modified)."""

    body: bytes
    last_modified: dt.datetime


def feed_versions(*, program: Organization, today: dt.date | None = None) -> list[ScheduleVersion]:
    """The published versions of the program's current academic year and of the next one, if they exist."""
    current = academic_year_current(program=program, today=today or program.today())
    if current is None:
        return []
    years = [current.pk]
    following = (
        AcademicYear.objects.for_program(program).filter(start_date__gt=current.start_date).order_by("start_date")
    ).first()
    if following is not None:
        years.append(following.pk)
    return list(
        ScheduleVersion.objects.filter(
            program=program, academic_year_id__in=years, status=ScheduleVersion.Status.PUBLISHED
        )
        .select_related("academic_year", "program")
        .order_by("academic_year__start_date")
    )


def _uid(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"{digest}@residency-scheduler"


def _calendar(name: str, zone: str, versions: list[ScheduleVersion]) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    first = min((v.academic_year.start_date for v in versions), default=dt.date.today()) - dt.timedelta(days=366)
    last = max((v.academic_year.end_date for v in versions), default=dt.date.today()) + dt.timedelta(days=366)
    cal.add_component(icalendar.Timezone.from_tzid(zone, first_date=first, last_date=last))
    return cal


def _event(uid: str, summary: str, start, end, stamp: dt.datetime, description: str = "") -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    return event


def _finish(cal: icalendar.Calendar, token: FeedToken, versions: list[ScheduleVersion]) -> FeedCalendar:
    moments = [v.published_at for v in versions if v.published_at] + [token.regenerated_at or token.created_at]
    return FeedCalendar(body=cal.to_ical(), last_modified=max(moments))


def _session_events(
    grid: SessionGrid,
    person_id: int,
    clock: dict[str, tuple[dt.time, dt.time]],
    zone: zoneinfo.ZoneInfo,
    key: tuple,
    stamp: dt.datetime,
) -> list[icalendar.Event]:
    events = []
    for day in grid.days:
        am, pm = grid.day(person_id, day)
        # Off is no event; a half-day spent on call is the call's own event, with its real times.
        parts = [h for h in (am, pm) if h is not None and h.activity not in (SessionAssignment.Activity.OFF, CALL)]
        merged = am in parts and pm in parts and (am.label, am.detail) == (pm.label, pm.detail)
        groups = [[am, pm]] if merged else [[h] for h in parts]
        for group in groups:
            first, last = group[0], group[-1]
            summary = first.label if merged else f"{first.label} ({first.session})"
            start = dt.datetime.combine(day, clock[first.session][0], tzinfo=zone)
            end = dt.datetime.combine(day, clock[last.session][1], tzinfo=zone)
            about = f"Rotation: {first.detail}" if first.detail else ""
            events.append(_event(_uid(*key, day, first.session, "session"), summary, start, end, stamp, about))
    return events


def person_feed_calendar(*, token: FeedToken, today: dt.date | None = None) -> FeedCalendar:
    """The ICS feed of a person's published schedule (current and next academic year)."""
    program, person = token.program, token.person
    zone_name = program.time_zone
    zone = zoneinfo.ZoneInfo(zone_name)
    versions = feed_versions(program=program, today=today)
    cal = _calendar(f"{person.full_name} · {program.name}", zone_name, versions)
    clock = session_clock(program)
    key = ("person-feed", program.pk, person.pk)
    for version in versions:
        stamp, year = version.published_at, version.academic_year
        blocks = block_grid(version=version, person=person)
        for row in (row for _, rows in blocks.groups for row in rows):
            for block, parts in zip(blocks.blocks, row.parts, strict=True):
                for part in parts:
                    if part.kind not in ("rotation", "leave"):
                        continue  # a faculty member's load per block: their half-days say it day by day
                    uid = _uid(*key, year.start_date, block.number, part.half, "block")
                    summary = f"Block {block.number}: {part.label}"
                    cal.add_component(_event(uid, summary, part.start, part.end + dt.timedelta(days=1), stamp))
        grid = session_grid(version=version, start=year.start_date, end=year.end_date, person_ids=[person.pk])
        for event in _session_events(grid, person.pk, clock, zone, key, stamp):
            cal.add_component(event)
        for call in grid.calls:
            local_start, local_end = call.start.astimezone(zone), call.end.astimezone(zone)
            uid = _uid(*key, local_start.date(), "call")
            cal.add_component(_event(uid, f"{call.get_kind_display()} call", local_start, local_end, stamp))
    return _finish(cal, token, versions)


def program_feed_calendar(*, token: FeedToken, today: dt.date | None = None) -> FeedCalendar:
    """The ICS feed of the program: everyone's calls and the holidays and closures (published versions)."""
    program = token.program
    zone_name = program.time_zone
    zone = zoneinfo.ZoneInfo(zone_name)
    versions = feed_versions(program=program, today=today)
    cal = _calendar(f"{program.name} · calls", zone_name, versions)
    key = ("program-feed", program.pk)
    for version in versions:
        stamp, year = version.published_at, version.academic_year
        calls = list(
            CallAssignment.objects.filter(version=version, person__is_active=True)
            .select_related("person")
            .order_by("start", "person__last_name")
        )
        absences = Absence.objects.filter(program=program).approved().overlapping(year.start_date, year.end_date)
        on_leave = absence_changes(absences=absences, calls=calls, zone=zone).calls_removed
        for call in (c for c in calls if c.pk not in on_leave):
            local_start, local_end = call.start.astimezone(zone), call.end.astimezone(zone)
            uid = _uid(*key, call.person_id, local_start.date(), "call")
            summary = f"{call.get_kind_display()} call: {call.person.full_name}"
            cal.add_component(_event(uid, summary, local_start, local_end, stamp))
        special = (
            CalendarDay.objects.for_program(program)
            .filter(date__gte=year.start_date, date__lte=year.end_date)
            .exclude(day_type=CalendarDay.DayType.NORMAL)
            .order_by("date")
        )
        for day in special:
            summary = day.name or day.get_day_type_display()
            uid = _uid(*key, day.date, "day")
            cal.add_component(_event(uid, summary, day.date, day.date + dt.timedelta(days=1), stamp))
    return _finish(cal, token, versions)
