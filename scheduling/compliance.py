"""ACGME compliance of a stored schedule version: its duty periods (DUTIES format) and the checker's report.

The stored rows are read the way the engine derives them (docs/engine.md, "Duty derivation"), so a version
written by the engine reads back as the duties the engine checked:
- a date's duty half-days make one work period: both sessions from the AM start to the PM end, one session
  its own clock times (the program's SessionTime rows, else 07:00-12:00 and 13:00-17:00);
- a night-float date is a night shift from the program's `night_start` to `night_end` the next morning;
- "off" and "post_call" are free time; a date whose every session is "leave" is a leave day, left out of
  the averages (DESIGN.md section 5);
- calls are duty periods with their stored start and end: in-house and weekend calls in the hospital,
  home and backup calls from home (their worked hours count).
Only residents are checked (the ACGME rules are for residents). The rules themselves are the engine's.

The whole version's document also holds its supervision (DUTIES "sessions", the program's `supervision_ratio`):
per half-day and site, the residents in continuity clinic (a clinic row without a rotation) with the faculty in
clinic or supervising without a rotation, as the engine schedules them; and the residents working on a rotation
that requires supervision with the faculty supervising (or in clinic) on that rotation, for the rotations whose
supervising faculty the version schedules at all (the engine schedules none: their supervision is then outside
the schedule).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Q

from absences.models import Absence
from scheduling.engine.acgme import PROGRAM_RULE, RULES, Report, Violation, check, merge_periods
from scheduling.engine.derive import derive_calls, derive_sessions
from scheduling.engine.duties import (
    DEFAULT_SESSION_TIMES,
    format_local,
    parse_duties,
    session_times_to_json,
    supervision_rules,
)
from scheduling.engine.facts import Facts
from scheduling.engine.problem import Reference, SessionClock
from scheduling.engine_io import (
    CONTINUITY_CLINIC,
    ENGINE_ACTIVITIES,
    _session_clock,
    person_key,
    problem_for,
    rotation_key,
)
from scheduling.models import (
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
    SessionTime,
)
from scheduling.program_settings import scheduling_settings

Activity = SessionAssignment.Activity
FREE_ACTIVITIES = frozenset({Activity.OFF, Activity.POST_CALL, Activity.LEAVE})
HOME_CALL_KINDS = frozenset({CallAssignment.Kind.HOME, CallAssignment.Kind.BACKUP})
ON_DUTY_KINDS = ("work", "inhouse_call", "moonlighting")  # the kinds whose hours count as they happen
CACHE_SECONDS = 24 * 3600
WEEKLY_LIMIT_DEFAULT = 80.0
CLINIC_SITE = "clinic"  # the DUTIES site of continuity clinic, as the engine names it
CLINIC_SITE_LABEL = "Continuity clinic"
SUPERVISING = frozenset({Activity.CLINIC, Activity.SUPERVISING})  # a faculty member's half-day supervising residents
# A resident's half-days of work on their rotation, supervised where the rotation requires it.
SUPERVISED_WORK = frozenset({Activity.CLINIC, Activity.INPATIENT, Activity.PROCEDURE, Activity.ELECTIVE, Activity.FMIT})


@dataclass(frozen=True, slots=True)
class CallChange:
    """A call to add in a hypothetical edit (aware start and end)."""

    person_id: int
    kind: str
    start: dt.datetime
    end: dt.datetime
    worked_hours: float | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """A hypothetical edit of a version, applied on top of its stored rows without saving.

    `sessions[(person_id, date, "AM"|"PM")]` is the new (activity, rotation id), or None to remove the row;
    `calls_removed` are CallAssignment ids; `calls_added` new calls; `blocks[(person_id, block_id)]` the new
    rotation id (whole block) of a block edit.
    """

    sessions: Mapping[tuple[int, dt.date, str], tuple[str, int | None] | None] = field(default_factory=dict)
    calls_removed: frozenset[int] = frozenset()
    calls_added: tuple[CallChange, ...] = ()
    blocks: Mapping[tuple[int, int], int] = field(default_factory=dict)

    @property
    def people(self) -> set[int]:
        """The people whose duties the change touches."""
        touched = {key[0] for key in self.sessions} | {call.person_id for call in self.calls_added}
        return touched | {key[0] for key in self.blocks}


def _stamp(day: dt.date, at: dt.time) -> str:
    """ "2026-07-01T07:00": a local date-time to the minute (what strftime("%Y-%m-%dT%H:%M") writes, faster)."""
    return f"{day.isoformat()}T{at.hour:02d}:{at.minute:02d}"


def activities_with_changes(
    version: ScheduleVersion, person_ids: Iterable[int], changes: Changes | None
) -> dict[tuple[int, dt.date], dict[str, str]]:
    """(person, date) -> {session: activity} from the stored rows with the changes applied."""
    wanted = set(person_ids)
    by_day: dict[tuple[int, dt.date], dict[str, str]] = defaultdict(dict)
    rows = (
        SessionAssignment.objects.filter(version=version, person_id__in=wanted)
        .order_by()  # a dict: no need for the model's ordering (a join on people)
        .values_list("person_id", "date", "session", "activity")
    )
    for person_id, day, session, activity in rows:
        by_day[(person_id, day)][session] = activity
    for (person_id, day, session), value in (changes.sessions if changes else {}).items():
        if person_id not in wanted:
            continue
        if value is None:
            by_day[(person_id, day)].pop(session, None)
        else:
            by_day[(person_id, day)][session] = value[0]
    return by_day


def calls_with_changes(
    version: ScheduleVersion, person_ids: Iterable[int], changes: Changes | None
) -> list[CallChange]:
    """The calls of the people with the changes applied."""
    wanted = set(person_ids)
    removed = changes.calls_removed if changes else frozenset()
    calls = [
        CallChange(c.person_id, c.kind, c.start, c.end, None if c.worked_hours is None else float(c.worked_hours))
        for c in CallAssignment.objects.filter(version=version, person_id__in=wanted)
        if c.pk not in removed
    ]
    calls += [call for call in (changes.calls_added if changes else ()) if call.person_id in wanted]
    return calls


def absent_half_days(
    absences: Iterable[Absence], start: dt.date | None = None, end: dt.date | None = None
) -> dict[tuple[int, dt.date, str], Absence]:
    """(person, date, "AM"|"PM") -> the approved absence that makes it leave: both sessions of a whole absent day,
    the one session of a half-day absence; only days within start..end when given (the last absence wins)."""
    found: dict[tuple[int, dt.date, str], Absence] = {}
    for absence in absences:
        low = max(absence.start_date, start) if start else absence.start_date
        high = min(absence.end_date, end) if end else absence.end_date
        sessions = {"am": ("AM",), "pm": ("PM",)}.get(absence.half_day, ("AM", "PM"))
        for offset in range((high - low).days + 1):
            day = low + dt.timedelta(days=offset)
            for session in sessions:
                found[(absence.person_id, day, session)] = absence
    return found


def absence_changes(
    *,
    absences: Iterable[Absence],
    calls: Iterable[CallAssignment],
    zone: zoneinfo.ZoneInfo,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Changes:
    """Approved absences read as the checker reads leave: every absent half-day becomes leave and a call that
    starts on a whole absent day is dropped (a half-day absence keeps the night's call)."""
    absences = list(absences)
    half_days = absent_half_days(absences, start, end)
    whole = {(person, day) for (person, day, _), absence in half_days.items() if not absence.half_day}
    removed = frozenset(call.pk for call in calls if (call.person_id, call.start.astimezone(zone).date()) in whole)
    return Changes(sessions=dict.fromkeys(half_days, (Activity.LEAVE, None)), calls_removed=removed)


def _leave_runs(days: list[dt.date]) -> list[dict[str, str]]:
    """Contiguous runs of leave dates, dates inclusive."""
    runs: list[dict[str, str]] = []
    for day in sorted(days):
        if runs and dt.date.fromisoformat(runs[-1]["end"]) + dt.timedelta(days=1) == day:
            runs[-1]["end"] = day.isoformat()
        else:
            runs.append({"start": day.isoformat(), "end": day.isoformat()})
    return runs


DUTY_ORDER = {"work": 0, "inhouse_call": 1, "home_call": 1, "moonlighting": 2}  # at the same start


def day_duties(
    day: dt.date, sessions: Mapping[str, str], clock: SessionClock, rules: Any
) -> tuple[list[dict[str, Any]], bool]:
    """One date's duty periods from its half-days (its work period, a night-float shift) and whether the date is
    a leave day (every session "leave": no duty)."""
    if sessions and all(activity == Activity.LEAVE for activity in sessions.values()):
        return [], True
    items = []
    working = {s for s, activity in sessions.items() if activity not in FREE_ACTIVITIES | {Activity.NIGHT_FLOAT}}
    span = None
    if working == {"AM", "PM"}:
        span = (clock.am_start, clock.pm_end)
    elif working == {"AM"}:
        span = (clock.am_start, clock.am_end)
    elif working == {"PM"}:
        span = (clock.pm_start, clock.pm_end)
    if span is not None:
        items.append({"start": _stamp(day, span[0]), "end": _stamp(day, span[1]), "kind": "work"})
    if Activity.NIGHT_FLOAT in sessions.values():
        after = day + dt.timedelta(days=1)
        items.append({"start": _stamp(day, rules.night_start), "end": _stamp(after, rules.night_end), "kind": "work"})
    return items, False


def call_duty(call: CallChange, zone: zoneinfo.ZoneInfo) -> dict[str, Any] | None:
    """A call's duty period (None for an attending call: faculty call is not a resident duty, DESIGN.md 5)."""
    if call.kind == CallAssignment.Kind.ATTENDING:
        return None
    kind = "home_call" if call.kind in HOME_CALL_KINDS else "inhouse_call"
    item = {"start": format_local(call.start, zone), "end": format_local(call.end, zone), "kind": kind}
    if kind == "home_call" and call.worked_hours:
        span_hours = (call.end - call.start).total_seconds() / 3600
        item["worked_hours"] = min(float(call.worked_hours), span_hours)
    return item


def sorted_duties(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Duty periods in the DUTIES order: by start, a day's work before a call starting at the same time."""
    return sorted(items, key=lambda item: (item["start"], DUTY_ORDER[item["kind"]]))


def _person_duties(
    days: Mapping[dt.date, Mapping[str, str]], calls: list[CallChange], clock: SessionClock, rules: Any, zone
) -> tuple[list[dict[str, Any]], list[dt.date]]:
    """One person's duty periods (sorted by start) and leave dates."""
    duties: list[dict[str, Any]] = []
    leave: list[dt.date] = []
    for day, sessions in days.items():
        items, on_leave = day_duties(day, sessions, clock, rules)
        if on_leave:
            leave.append(day)
        duties += items
    duties += [item for call in calls if (item := call_duty(call, zone)) is not None]
    return sorted_duties(duties), leave


def person_entry(person: Person, duties: list[dict[str, Any]], leave: Iterable[dt.date]) -> dict[str, Any]:
    """A person's DUTIES "people" entry from their sorted duty periods and leave dates."""
    return {"id": person_key(person.pk), "pgy": person.pgy, "duties": duties, "leave": _leave_runs(list(leave))}


def _duties(
    *, version: ScheduleVersion, changes: Changes | None, people: list[Person], rules: Any, clock: SessionClock
) -> list[dict[str, Any]]:
    """The DUTIES "people" entries of these people in the version (with the changes)."""
    ids = [p.pk for p in people]
    by_day = activities_with_changes(version, ids, changes)
    calls = calls_with_changes(version, ids, changes)
    zone = version.program.zone
    return duties_entries(people=people, by_day=by_day, calls=calls, rules=rules, clock=clock, zone=zone)


def duties_entries(
    *,
    people: Iterable[Person],
    by_day: Mapping[tuple[int, dt.date], Mapping[str, str]],
    calls: Iterable[CallChange],
    rules: Any,
    clock: SessionClock,
    zone: zoneinfo.ZoneInfo,
) -> list[dict[str, Any]]:
    """The DUTIES "people" entries of these people from rows read beforehand (any changes already applied):
    `by_day[(person, date)]` is the person's {session: activity} that day, `calls` their calls. What `_duties`
    builds from the database, for callers that hold the rows in memory (the swap matcher)."""
    calls_of: dict[int, list[CallChange]] = defaultdict(list)
    for call in calls:
        calls_of[call.person_id].append(call)
    days_of: dict[int, dict[dt.date, Mapping[str, str]]] = defaultdict(dict)
    for (person_id, day), sessions in sorted(by_day.items(), key=lambda item: item[0][1]):
        days_of[person_id][day] = sessions
    entries = []
    for person in people:
        duties, leave = _person_duties(days_of.get(person.pk, {}), calls_of.get(person.pk, []), clock, rules, zone)
        entries.append(person_entry(person, duties, leave))
    return entries


def duties_rules(settings: Any) -> dict[str, Any]:
    """The DUTIES "rules" of a program: its ACGME limits and its supervision ratio."""
    return dict(settings.acgme) | supervision_rules(settings.rules.supervision)


def _residents(version: ScheduleVersion, person_ids: Iterable[int] | None = None) -> list[Person]:
    """Active residents of the program and any resident with rows in the version, by id."""
    people = Person.objects.filter(program_id=version.program_id, kind=Person.Kind.RESIDENT)
    if person_ids is not None:
        return list(people.filter(pk__in=list(person_ids)).order_by("pk"))
    with_rows = BlockAssignment.objects.filter(version=version).values("person_id")
    return list(people.filter(Q(is_active=True) | Q(pk__in=with_rows)).order_by("pk"))


def version_duties(
    *, version: ScheduleVersion, changes: Changes | None = None, person_ids: Iterable[int] | None = None
) -> dict[str, Any]:
    """The DUTIES document of a stored version (residents only, or those of `person_ids`), with a hypothetical
    edit applied when `changes` is given; the program's ACGME limits and supervision ratio travel in "rules".
    The whole version's document (no `person_ids`) also holds the supervision of its sessions (module docstring).
    """
    program = version.program
    settings = scheduling_settings(program)
    people = _residents(version, person_ids)
    clock = _session_clock(program)
    entries = _duties(version=version, changes=changes, people=people, rules=settings.rules, clock=clock)
    document = {"timezone": program.time_zone, "rules": duties_rules(settings), "people": entries}
    if person_ids is None:
        residents = {person.pk for person in people}
        sessions = _sessions_section(session_sites(version=version, changes=changes), residents)
        document |= _with_sessions(sessions, clock)
    return document


def _with_sessions(sessions: list[dict[str, Any]], clock: SessionClock) -> dict[str, Any]:
    """The "sessions" section and, when the program's clock times are not the defaults, "session_times"."""
    if not sessions:
        return {}
    times = clock.times()
    return {"sessions": sessions} | (
        {} if times == dict(DEFAULT_SESSION_TIMES) else {"session_times": session_times_to_json(times)}
    )


Sites = dict[tuple[dt.date, str, str], tuple[list[int], list[int]]]


def _supervised_rotations(version: ScheduleVersion, changes: Changes | None, kinds: Mapping[int, str]) -> set[int]:
    """The rotations requiring supervision on which the version (with the changes) has a faculty member's clinic
    or supervising half-day: the rotations whose supervision it schedules."""

    def requiring(pks: set[int]) -> set[int]:
        return set(RotationTemplate.objects.filter(pk__in=pks, requires_supervision=True).values_list("pk", flat=True))

    return supervised_rotations(base=supervised_base(version), changes=changes, kinds=kinds, requiring=requiring)


def supervised_base(version: ScheduleVersion) -> set[int]:
    """The rotations requiring supervision on which the stored version has a faculty member's clinic or
    supervising half-day (one query)."""
    faculty_rows = SessionAssignment.objects.filter(
        version=version, person__kind=Person.Kind.FACULTY, activity__in=SUPERVISING, rotation__isnull=False
    )
    return set(
        faculty_rows.filter(rotation__requires_supervision=True)
        .order_by()
        .values_list("rotation_id", flat=True)
        .distinct()
    )


def supervised_rotations(
    *, base: set[int], changes: Changes | None, kinds: Mapping[int, str], requiring: Any
) -> set[int]:
    """`base` (see `supervised_base`) with the rotations the changes give a faculty member a supervising
    half-day on, among those `requiring(pks)` says require supervision."""
    rotations = set(base)
    added = {
        value[1]
        for (person_id, _, _), value in (changes.sessions if changes else {}).items()
        if value is not None and value[1] is not None and value[0] in SUPERVISING
        if kinds.get(person_id) == Person.Kind.FACULTY and value[1] not in rotations
    }
    if added:
        rotations |= requiring(added)
    return rotations


def session_sites(
    *, version: ScheduleVersion, changes: Changes | None = None, keys: Iterable[tuple[dt.date, str]] | None = None
) -> Sites:
    """(date, "AM"|"PM", site) -> (residents, faculty) by pk, for the version's half-days (all, or those of `keys`)
    with the changes applied: who is where for the supervision ratio (module docstring). Sites are CLINIC_SITE
    and rotation keys ("rot<pk>")."""
    changed = changes.sessions if changes else {}
    kinds = dict(Person.objects.filter(pk__in={key[0] for key in changed}).values_list("pk", "kind")) if changed else {}
    scope = _supervised_rotations(version, changes, kinds)
    rows = SessionAssignment.objects.filter(version=version).filter(
        Q(activity__in=SUPERVISING) | Q(rotation_id__in=scope, activity__in=SUPERVISED_WORK)
    )
    wanted = None if keys is None else set(keys)
    if wanted is not None:
        rows = rows.filter(date__in={day for day, _ in wanted})
    half_days = {}
    for person_id, kind, day, session, activity, rotation_id in rows.values_list(
        "person_id", "person__kind", "date", "session", "activity", "rotation_id"
    ):
        half_days[(person_id, day, session)] = (activity, rotation_id)
        kinds.setdefault(person_id, kind)
    return sites_of(half_days=half_days, changes=changes, kinds=kinds, scope=scope, wanted=wanted)


def is_site_row(activity: str, rotation_id: int | None, scope: set[int]) -> bool:
    """Whether a stored half-day can count for the supervision ratio (what `session_sites` reads)."""
    return activity in SUPERVISING or (rotation_id in scope and activity in SUPERVISED_WORK)


def sites_of(
    *,
    half_days: Mapping[tuple[int, dt.date, str], tuple[str, int | None]],
    changes: Changes | None,
    kinds: Mapping[int, str],
    scope: set[int],
    wanted: set[tuple[dt.date, str]] | None,
) -> Sites:
    """The sites of `session_sites` from half-days read beforehand (the rows `is_site_row` keeps, at least those
    of `wanted`), with the changes applied; `kinds` maps each person to their kind."""
    half_days = dict(half_days)
    for key, value in (changes.sessions if changes else {}).items():
        if value is None:
            half_days.pop(key, None)
        else:
            half_days[key] = value
    sites: Sites = {}
    for (person_id, day, session), (activity, rotation_id) in sorted(half_days.items(), key=lambda item: item[0]):
        if wanted is not None and (day, session) not in wanted:
            continue
        resident = kinds.get(person_id) == Person.Kind.RESIDENT
        site = _site(activity, rotation_id, resident=resident, scope=scope)
        if site is not None and (resident or kinds.get(person_id) == Person.Kind.FACULTY):
            sites.setdefault((day, session, site), ([], []))[0 if resident else 1].append(person_id)
    return sites


def _site(activity: str, rotation_id: int | None, *, resident: bool, scope: set[int]) -> str | None:
    """Where a half-day supervises or is supervised: continuity clinic, a supervised rotation, or nowhere."""
    if rotation_id is None:
        supervised = activity == Activity.CLINIC if resident else activity in SUPERVISING
        return CLINIC_SITE if supervised else None
    if rotation_id in scope and activity in (SUPERVISED_WORK if resident else SUPERVISING):
        return rotation_key(rotation_id)
    return None


def _sessions_section(sites: Sites, residents: set[int]) -> list[dict[str, Any]]:
    """The DUTIES "sessions" of the sites holding residents of the document's people."""
    section = []
    for (day, session, site), (held, faculty) in sorted(sites.items()):
        present = [person_key(pk) for pk in held if pk in residents]
        if present:
            section.append(
                {
                    "date": day.isoformat(),
                    "session": session,
                    "site": site,
                    "residents": present,
                    "faculty": [person_key(pk) for pk in faculty],
                }
            )
    return section


def supervision_report(
    *, version: ScheduleVersion, keys: Iterable[tuple[dt.date, str]], changes: Changes | None = None
) -> Report:
    """The supervision of these half-day sessions of a version, with a hypothetical edit applied: the checker's
    report on a DUTIES document holding only those sessions and their residents' PGY levels (no duty periods)."""
    program = version.program
    settings = scheduling_settings(program)
    sites = session_sites(version=version, changes=changes, keys=keys)
    held = {pk for residents, _ in sites.values() for pk in residents}
    people = Person.objects.filter(pk__in=held, kind=Person.Kind.RESIDENT).order_by("pk")
    pgy = dict(people.values_list("pk", "pgy"))
    return supervision_check(
        time_zone=program.time_zone, rules=duties_rules(settings), sites=sites, pgy=pgy, clock=_session_clock(program)
    )


def supervision_check(
    *, time_zone: str, rules: dict[str, Any], sites: Sites, pgy: Mapping[int, int | None], clock: SessionClock
) -> Report:
    """The checker's report on the supervision of `sites`, whose residents' PGY levels `pgy` gives (the residents
    among the people of `sites`): the second half of `supervision_report`, for sites computed in memory."""
    held = {pk for residents, _ in sites.values() for pk in residents}
    document = {
        "timezone": time_zone,
        "rules": rules,
        "people": [{"id": person_key(pk), "pgy": pgy[pk], "duties": []} for pk in sorted(held) if pk in pgy],
    }
    document |= _with_sessions(_sessions_section(sites, held), clock)
    return check(parse_duties(document))


def site_labels(*, program_id: int, sites: Iterable[str]) -> dict[str, str]:
    """Readable names of DUTIES sites: "Continuity clinic", or the rotation's name."""
    wanted = set(sites)
    labels = {CLINIC_SITE: CLINIC_SITE_LABEL} if CLINIC_SITE in wanted else {}
    pks = {int(site[3:]) for site in wanted if site.startswith("rot") and site[3:].isdigit()}
    for pk, name in RotationTemplate.objects.filter(program_id=program_id, pk__in=pks).values_list("pk", "name"):
        labels[rotation_key(pk)] = name
    return {site: labels.get(site, site) for site in wanted}


def _change_stamp(version: ScheduleVersion) -> str:
    """Cheap fingerprint of everything the report reads: the newest history row of each assignment table
    (every save, bulk write and delete adds one), the program's settings and session times."""
    parts: list[Any] = [version.pk]
    for model in (SessionAssignment, CallAssignment, BlockAssignment):
        parts.append(model.history.filter(version_id=version.pk).aggregate(last=Max("history_id"))["last"])
    parts.append(version.program.settings)
    parts.append(
        list(SessionTime.objects.filter(program_id=version.program_id).values_list("session", "start_time", "end_time"))
    )
    digest = hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:20]
    return digest


@dataclass(frozen=True, slots=True)
class VersionCompliance:
    """A version's duties document and the checker's report on it, computed together and cached."""

    duties: dict[str, Any]
    report: Report


def version_compliance(*, version: ScheduleVersion) -> VersionCompliance:
    """The duties and report of a version, cached in Django's cache until one of its rows (or the program's
    settings) changes."""
    key = f"scheduling:compliance:2:{version.pk}:{_change_stamp(version)}"  # 2: with the sessions' supervision
    found = cache.get(key)
    if found is None:
        duties = version_duties(version=version)
        found = VersionCompliance(duties=duties, report=check(parse_duties(duties)))
        cache.set(key, found, CACHE_SECONDS)
    return found


def version_report(*, version: ScheduleVersion) -> Report:
    """The ACGME checker's report on a stored version (cached: see `version_compliance`)."""
    return version_compliance(version=version).report


def person_report(*, version: ScheduleVersion, person_ids: Iterable[int], changes: Changes | None = None) -> Report:
    """The checker's report for a few residents of a version, with a hypothetical edit applied (not cached)."""
    return check(parse_duties(version_duties(version=version, changes=changes, person_ids=person_ids)))


# Hours per week.


def _weekly_seconds(duties: list[dict[str, Any]], zone: zoneinfo.ZoneInfo, start: dt.date, weeks: int) -> list[float]:
    """Hours on duty in each of `weeks` weeks from local midnight of `start` (periods clipped to each week;
    work done on a home call counts in the week its call starts)."""
    edges = [
        dt.datetime.combine(start + dt.timedelta(days=7 * k), dt.time(), zone).timestamp() for k in range(weeks + 1)
    ]
    periods: list[tuple[int, int]] = []
    totals = [0.0] * weeks
    for item in duties:
        begin = dt.datetime.fromisoformat(item["start"]).replace(tzinfo=zone).timestamp()
        end = dt.datetime.fromisoformat(item["end"]).replace(tzinfo=zone).timestamp()
        if item["kind"] in ON_DUTY_KINDS:
            periods.append((round(begin), round(end)))
        elif item.get("worked_hours"):
            for k in range(weeks):
                if edges[k] <= begin < edges[k + 1]:
                    totals[k] += item["worked_hours"] * 3600
    for begin, end in merge_periods(periods):
        for k in range(weeks):
            low, high = max(begin, edges[k]), min(end, edges[k + 1])
            if high > low:
                totals[k] += high - low
    return [round(seconds / 3600, 1) for seconds in totals]


def hours_per_week(duties: list[dict[str, Any]], *, zone: zoneinfo.ZoneInfo, start: dt.date, weeks: int) -> list[float]:
    """Hours on duty of a DUTIES entry's periods in each of `weeks` weeks from `start` (see `_weekly_seconds`)."""
    return _weekly_seconds(duties, zone, start, weeks)


def _week_count(start: dt.date, end: dt.date) -> int:
    return max(0, (end - start).days // 7 + 1)


def weekly_hours(
    *, version: ScheduleVersion, person: Person, start: dt.date, end: dt.date
) -> list[tuple[dt.date, float]]:
    """Duty hours of `person` in `version` per week (weeks starting on `start`'s weekday) from start to end."""
    if end < start:
        return []
    program = version.program
    settings = scheduling_settings(program)
    entries = _duties(
        version=version, changes=None, people=[person], rules=settings.rules, clock=_session_clock(program)
    )
    weeks = _week_count(start, end)
    hours = _weekly_seconds(entries[0]["duties"], program.zone, start, weeks)
    return [(start + dt.timedelta(days=7 * k), hours[k]) for k in range(weeks)]


@dataclass(frozen=True, slots=True)
class HoursRow:
    """One resident's hours per week, each flagged over the weekly limit, and the highest 4-week average."""

    person: Person
    weeks: list[tuple[dt.date, float, bool]]
    worst_average: float
    worst_average_over: bool


def hours_table(
    *, version: ScheduleVersion, start: dt.date, end: dt.date
) -> tuple[list[dt.date], list[HoursRow], float]:
    """Per resident, hours per week (Monday weeks from `start`'s week to `end`) from the cached duties, the
    highest rolling 4-week average, and the program's weekly limit (80 h unless it overrides it)."""
    compliance = version_compliance(version=version)
    zone = version.program.zone
    monday = start - dt.timedelta(days=start.weekday())
    weeks = _week_count(monday, end)
    limit = float(compliance.duties["rules"].get("weekly_hours", WEEKLY_LIMIT_DEFAULT))
    people = Person.objects.filter(program_id=version.program_id).in_bulk(
        [int(entry["id"][1:]) for entry in compliance.duties["people"]]
    )
    days = [monday + dt.timedelta(days=7 * k) for k in range(weeks)]
    rows = []
    for entry in compliance.duties["people"]:
        person = people.get(int(entry["id"][1:]))
        if person is None:
            continue
        hours = _weekly_seconds(entry["duties"], zone, monday, weeks)
        averages = [sum(hours[k : k + 4]) / 4 for k in range(max(1, weeks - 3))] if hours else [0.0]
        worst = round(max(averages), 1)
        rows.append(
            HoursRow(
                person=person,
                weeks=[(days[k], hours[k], hours[k] > limit) for k in range(weeks)],
                worst_average=worst,
                worst_average_over=worst > limit,
            )
        )
    return days, rows, limit


# Derivations for edits (the engine's reading of a changed assignment).


def block_changes(*, version: ScheduleVersion, person: Person, block: Block, rotation: RotationTemplate) -> Changes:
    """What giving `person` the `rotation` for the whole `block` changes: their half-days of the block and the
    times of their calls in it, re-derived by the engine from the version's assignments of that block.

    Half-days on leave stay leave. Raises DomainError when the program's data makes no valid Problem.
    """
    problem = problem_for(
        academic_year=version.academic_year, blocks=range(block.number, block.number + 1), reference_version=version
    )
    key = person_key(person.pk)
    reference = problem.reference or Reference()
    rotations = {**reference.rotations, (key, block.number): rotation_key(rotation.pk)}
    assignments = dataclasses.replace(reference, rotations=rotations)
    facts = Facts(problem)
    stored = {
        (row.date, row.session): (row.activity, row.rotation_id)
        for row in SessionAssignment.objects.filter(
            version=version, person=person, date__range=(block.start_date, block.end_date)
        )
    }
    sessions: dict[tuple[int, dt.date, str], tuple[str, int | None] | None] = {}
    for item in derive_sessions(problem, assignments, facts):
        if item.person != key:
            continue
        current = stored.get((item.date, item.session))
        if current is not None and current[0] == Activity.LEAVE:
            continue
        keep_rotation = item.rotation is not None and item.activity != CONTINUITY_CLINIC
        wanted = (ENGINE_ACTIVITIES[item.activity], rotation.pk if keep_rotation else None)
        if current != wanted:
            sessions[(person.pk, item.date, item.session)] = wanted
    zone = version.program.zone
    derived = {c.start.astimezone(zone).date(): c for c in derive_calls(problem, assignments, facts) if c.person == key}
    removed, added = set(), []
    for call in CallAssignment.objects.filter(version=version, person=person, kind=CallAssignment.Kind.IN_HOUSE):
        new = derived.get(call.start.astimezone(zone).date())
        if new is not None and (new.start, new.end) != (call.start, call.end):
            removed.add(call.pk)
            added.append(CallChange(person.pk, call.kind, new.start, new.end))
    return Changes(
        sessions=sessions,
        calls_removed=frozenset(removed),
        calls_added=tuple(added),
        blocks={(person.pk, block.pk): rotation.pk},
    )


def call_period(
    *, version: ScheduleVersion, person: Person, day: dt.date, changes: Changes | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of an in-house call on night `day`, as the engine derives it: after the day's work (at
    `call_start`, or the PM end if earlier) when the person works that day, else a 24-h call from the AM start;
    it ends at `call_end` the next morning."""
    program = version.program
    rules = scheduling_settings(program).rules
    clock = _session_clock(program)
    zone = program.zone
    sessions = activities_with_changes(version, [person.pk], changes).get((person.pk, day), {})
    worked = any(activity not in FREE_ACTIVITIES | {Activity.NIGHT_FLOAT} for activity in sessions.values())
    begin = min(rules.call_start, clock.pm_end) if worked else clock.am_start
    start = dt.datetime.combine(day, begin, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), rules.call_end, tzinfo=zone)
    return start, end


def call_nights(calls: Iterable[CallChange], zone: zoneinfo.ZoneInfo) -> list[dt.date]:
    """The local nights of in-house calls, sorted."""
    kinds = (CallAssignment.Kind.IN_HOUSE, CallAssignment.Kind.WEEKEND)
    return sorted({call.start.astimezone(zone).date() for call in calls if call.kind in kinds})


# The report, grouped for the compliance page.

# What each rule id means to a coordinator: the one mapping every page, message and notification uses (the ids
# stay in anchors, the API and the history). The ACGME rules' clauses are the engine's; program rules are
# checked by the cell edits.
RULE_LABELS = {
    "weekly_hours": "Duty hours over the weekly limit, averaged over 4 weeks",
    "day_off_in_7": "Fewer than one free day in seven, averaged over 4 weeks",
    "continuous_duty": "Continuous duty over 24+4 h",
    "rest_after_24h": "Too little rest after 24 h of duty",
    "rest_between_periods": "Too little rest between duty periods",
    "inhouse_call_frequency": "In-house call more often than every third night, averaged over 4 weeks",
    "moonlighting_pgy1": "Moonlighting by a PGY-1",
    "supervision_ratio": "Too few faculty supervising the residents of a session",
    "pgy_eligibility": "Rotation not open to the resident's PGY level",
    "rotation_max_residents": "Rotation over its maximum of residents",
    "call_spacing": "In-house call nights too close together",
    "faculty_call_spacing": "Attending call nights too close together",
}
# The unit of a rule's measured value and limit.
RULE_UNITS = {
    "weekly_hours": "h a week",
    "day_off_in_7": "free days",
    "continuous_duty": "h",
    "rest_after_24h": "h",
    "rest_between_periods": "h",
    "inhouse_call_frequency": "call nights",
    "moonlighting_pgy1": "h",
    "supervision_ratio": "supervision units",
}


def rule_title(rule: str) -> str:
    """A rule as people read it: "Continuous duty over 24+4 h (ACGME 6.22)", or "... (program rule)"."""
    label = RULE_LABELS.get(rule, rule.replace("_", " ").capitalize())
    acgme = rule in RULES and RULES[rule][0] != PROGRAM_RULE
    return f"{label} (ACGME {RULES[rule][0]})" if acgme else f"{label} ({PROGRAM_RULE})"


def rule_measure(rule: str, value: float, limit: float) -> str:
    """A finding's value against its limit, with the rule's unit: "34 h against a limit of 28 h"."""
    unit = RULE_UNITS.get(rule, "")
    return f"{value:g} {unit} against a limit of {limit:g} {unit}".replace("  ", " ").strip()


@dataclass(frozen=True, slots=True)
class SessionParty:
    """Whom a session's finding (`supervision_ratio`) is about: its site by name and the people there."""

    site: str
    residents: list[Person]
    faculty: list[Person]

    @property
    def text(self) -> str:
        """ "Continuity clinic: Ann Able (PGY-1), Bo Best (PGY-2); faculty: Fay Fox" ("faculty: none")."""
        residents = ", ".join(f"{p.full_name} (PGY-{p.pgy})" for p in self.residents)
        faculty = ", ".join(p.full_name for p in self.faculty) or "none"
        return f"{self.site}: {residents}; faculty: {faculty}"


def session_party(violation: Violation, *, people: Mapping[int, Person], sites: Mapping[str, str]) -> SessionParty:
    """The site and people of a session's finding, from people and site names looked up beforehand."""

    def found(keys: Iterable[str]) -> list[Person]:
        return [people[pk] for key in keys if (pk := _person_pk(key)) is not None and pk in people]

    return SessionParty(sites.get(violation.site, violation.site), found(violation.residents), found(violation.faculty))


def _person_pk(key: str) -> int | None:
    return int(key[1:]) if key[1:].isdigit() else None


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """The violations (or warnings) of one rule, each with its person (a session's finding: its SessionParty),
    by person and date."""

    rule: str
    clause: str
    severity: str
    label: str
    items: list[tuple[Person | SessionParty, Violation]]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def title(self) -> str:
        return rule_title(self.rule)


def report_groups(*, report: Report, program_id: int) -> list[RuleGroup]:
    """The report's findings grouped by rule (violations first, then warnings), people looked up in one query; a
    session's finding comes with its SessionParty, by date and site."""
    keys = {key for v in report.violations for key in (v.person, *v.residents, *v.faculty)}
    people = Person.objects.filter(program_id=program_id).in_bulk([pk for key in keys if (pk := _person_pk(key))])
    sites = site_labels(program_id=program_id, sites={v.site for v in report.violations if v.site})
    grouped: dict[str, list[tuple[Person | SessionParty, Violation]]] = defaultdict(list)
    for v in report.violations:
        if v.site:
            grouped[v.rule].append((session_party(v, people=people, sites=sites), v))
        elif (pk := _person_pk(v.person)) is not None and pk in people:
            grouped[v.rule].append((people[pk], v))
    groups = [
        RuleGroup(
            rule=rule,
            clause=RULES[rule][0],
            severity=RULES[rule][1],
            label=RULE_LABELS.get(rule, rule),
            items=sorted(items, key=_finding_order),
        )
        for rule, items in grouped.items()
    ]
    return sorted(groups, key=lambda g: (g.severity != "violation", list(RULES).index(g.rule)))


def _finding_order(item: tuple[Person | SessionParty, Violation]) -> tuple[str, str, dt.datetime]:
    who, violation = item
    if isinstance(who, SessionParty):
        return ("", "", violation.start)  # by date, then as the checker lists them (session, site)
    return (who.last_name, who.first_name, violation.start)
