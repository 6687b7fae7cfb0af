"""What a person does on a half-day (and over a block), as every view, export and feed shows it.

The one reading of a version (STYLE.md): pages, PDFs, Excel, CSV and ICS take their half-days and block
cells from here and never rebuild them from assignment rows. The stored rows of the version are read with
the program's approved absences laid over them the way the ACGME checker reads leave
(`compliance.absence_changes`): an absent half-day is leave whatever the row says, and a call that starts on
a whole absent day is not taken. Then, as the checker sees duty: a free half-day (off, post-call, no row)
inside a call period that starts that day is spent on call; everything else is the stored activity.

Codes and labels live here too, so the same half-day prints the same everywhere: a rotation's own work shows
the rotation's abbreviation, other activities a fixed code, leave a code per kind of absence that starts with
"LV-" (rotation abbreviations may not, see RotationTemplate.clean), and a resident's FMIT half-day reads
"FMIT (inpatient)", never the faculty's "FMIT attending".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Q

from absences.models import Absence, AbsenceKind
from scheduling.compliance import absence_changes, absent_half_days
from scheduling.fmit_config import fmit_settings
from scheduling.models import (
    Block,
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
    SessionTime,
)
from scheduling.services.years import DEFAULT_SESSION_TIMES  # the submodule: services.edits reads labels here
from tenants.models import Organization

Activity = SessionAssignment.Activity
SESSIONS = ("AM", "PM")
CALL = "call"  # not a stored activity: a free half-day spent inside a call period
FREE = frozenset({Activity.OFF, Activity.POST_CALL})
# The half-day duties a swap can hand to someone else as one half-day (swaps.shifts.swappable_session).
SWAPPABLE_SESSIONS = frozenset(
    {
        Activity.CLINIC,
        Activity.SUPERVISING,
        Activity.PROCEDURE,
        Activity.INPATIENT,
        Activity.ELECTIVE,
        Activity.CONFERENCE,
        Activity.ADMIN,
    }
)
ACTIVITY_ORDER = (*Activity, CALL)  # the order a day's roster lists what people do

ACTIVITY_CODES: dict[str, str] = {
    Activity.CLINIC: "C",
    Activity.INPATIENT: "IP",
    Activity.PROCEDURE: "PR",
    Activity.CONFERENCE: "CONF",
    Activity.SUPERVISING: "SUP",
    Activity.FMIT: "FMIT",
    Activity.NIGHT_FLOAT: "NF",
    Activity.POST_CALL: "PC",
    Activity.ADMIN: "ADM",
    Activity.ELECTIVE: "EL",
    Activity.OFF: "OFF",
    Activity.LEAVE: "LV",
}
# Activities that are the rotation's own work show the rotation's abbreviation instead of the activity code.
ROTATION_LED = frozenset(
    {Activity.INPATIENT, Activity.PROCEDURE, Activity.ELECTIVE, Activity.NIGHT_FLOAT, Activity.FMIT}
)
RESIDENT_FMIT_LABEL = "FMIT (inpatient)"
CALL_CODES = {"in_house": "IH", "home": "Home", "backup": "BU", "weekend": "WE", "attending": "ATT"}
CALL_LABELS = dict(CallAssignment.Kind.choices)

LEAVE_PREFIX = "LV-"
LEAVE_CODES: dict[str, str] = {
    AbsenceKind.VACATION: "LV-VAC",
    AbsenceKind.SICK: "LV-SCK",
    AbsenceKind.MEDICAL: "LV-MED",
    AbsenceKind.CONFERENCE: "LV-CNF",
    AbsenceKind.PARENTAL: "LV-PAR",
    AbsenceKind.BEREAVEMENT: "LV-BRV",
    AbsenceKind.FAMILY_EMERGENCY: "LV-FAM",
    AbsenceKind.EMERGENCY_LEAVE: "LV-EML",
    AbsenceKind.CONVALESCENT: "LV-CNV",
    AbsenceKind.DEPLOYMENT: "LV-DEP",
    AbsenceKind.TDY: "LV-TDY",
    AbsenceKind.MILITARY_TRAINING: "LV-MIL",
}
PARTIAL_LEAVE_MARK = "+LV"  # a block cell whose rotation stands, with some of its days on leave

LEAVE_COLOUR = "#fde9c8"
CALL_COLOUR = "#f6d5d1"
FMIT_COLOUR = "#f3c9a8"
CLINIC_COLOUR = "#cfe8d5"
NEUTRAL = "#f0f0f0"
ACTIVITY_COLOURS: dict[str, str] = {
    Activity.CLINIC: CLINIC_COLOUR,
    Activity.CONFERENCE: "#d7e3f4",
    Activity.SUPERVISING: "#e6dcf2",
    Activity.FMIT: FMIT_COLOUR,
    Activity.POST_CALL: "#e4e4e4",
    Activity.ADMIN: "#ececec",
    Activity.OFF: "#f3f3f3",
    Activity.LEAVE: LEAVE_COLOUR,
    CALL: CALL_COLOUR,
}


def activity_label(activity: str, *, resident: bool) -> str:
    """The readable name of an activity; a resident's FMIT half-day is inpatient work, not attending."""
    if activity == CALL:
        return "On call"
    if activity == Activity.FMIT and resident:
        return RESIDENT_FMIT_LABEL
    return dict(Activity.choices).get(activity, activity)


def leave_code(kind: str) -> str:
    """The code of a kind of leave ("LV" when the kind is unknown: a leave row without an approved absence)."""
    return LEAVE_CODES.get(kind, ACTIVITY_CODES[Activity.LEAVE])


def leave_label(kind: str) -> str:
    """ "Deployment (leave)", "Conference (leave)", or "Leave" when the kind is unknown."""
    name = dict(AbsenceKind.choices).get(kind)
    return f"{name} (leave)" if name else "Leave"


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """A code of the schedule that is not a rotation, with what it means and its colour."""

    code: str
    label: str
    colour: str


def activity_legend() -> list[LegendEntry]:
    """Every half-day code that is not a rotation abbreviation: activities, calls spent on duty, and leave."""
    fmit = f"{RESIDENT_FMIT_LABEL} for a resident, FMIT attending for faculty"
    entries = [
        LegendEntry(
            code,
            fmit if activity == Activity.FMIT else activity_label(activity, resident=False),
            ACTIVITY_COLOURS.get(activity, NEUTRAL),
        )
        for activity, code in ACTIVITY_CODES.items()
    ]
    entries += [LegendEntry(code, f"{CALL_LABELS[kind]} call", CALL_COLOUR) for kind, code in CALL_CODES.items()]
    return entries + leave_legend(LEAVE_CODES)


def legend_of(halves, calls=()) -> list[LegendEntry]:
    """The entries of `activity_legend` whose codes these half-days, and these calls (an on-call row), print
    (rotation abbreviations have their own)."""
    used = {half.code for half in halves} | {CALL_CODES.get(call.kind, call.kind) for call in calls}
    return [entry for entry in activity_legend() if entry.code in used]


def leave_legend(kinds) -> list[LegendEntry]:
    """The leave codes of these absence kinds ("" for leave of unknown kind), in a fixed order."""
    wanted = set(kinds)
    entries = [LegendEntry(leave_code(""), leave_label(""), LEAVE_COLOUR)] if "" in wanted else []
    return entries + [LegendEntry(code, leave_label(k), LEAVE_COLOUR) for k, code in LEAVE_CODES.items() if k in wanted]


# --- Half-days ---


@dataclass(frozen=True, slots=True)
class HalfDay:
    """What a person does in one AM or PM session, after leave and calls are laid over the stored row.

    `stored` is the row's own activity ("" without a row): when it is duty and the half-day is leave, the
    published schedule still has the person working (an absence approved without a repair).
    """

    person_id: int
    date: dt.date
    session: str
    activity: str
    resident: bool
    rotation: RotationTemplate | None = None
    stored: str = ""
    source: str = ""
    absence: Absence | None = None
    call: CallAssignment | None = None

    @property
    def leave_kind(self) -> str:
        return self.absence.kind if self.absence is not None else ""

    @property
    def is_leave(self) -> bool:
        return self.activity == Activity.LEAVE

    @property
    def is_free(self) -> bool:
        """Off or post-call: free time to the checker (leave is neither duty nor free)."""
        return self.activity in FREE

    @property
    def is_duty(self) -> bool:
        return not self.is_leave and not self.is_free

    @property
    def can_hand_over(self) -> bool:
        """Whether a swap can move this half-day alone: a resident's continuity clinic (clinic without a rotation;
        their rotation's work is theirs), any of faculty's and staff's duty half-days (SWAPPABLE_SESSIONS)."""
        if self.resident:
            return self.activity == Activity.CLINIC and self.rotation is None
        return self.activity in SWAPPABLE_SESSIONS

    @property
    def duty_left(self) -> bool:
        """On approved leave while the stored row still gives a duty."""
        return self.absence is not None and bool(self.stored) and self.stored not in FREE | {Activity.LEAVE}

    @property
    def code(self) -> str:
        if self.is_leave:
            return leave_code(self.leave_kind)
        if self.activity == CALL and self.call is not None:
            return CALL_CODES.get(self.call.kind, self.call.kind)
        if self.rotation is not None and self.activity in ROTATION_LED:
            return self.rotation.abbreviation
        return ACTIVITY_CODES.get(self.activity, self.activity[:3].upper())

    @property
    def label(self) -> str:
        if self.is_leave:
            return leave_label(self.leave_kind)
        if self.activity == CALL and self.call is not None:
            return f"{CALL_LABELS.get(self.call.kind, self.call.kind)} call"
        return activity_label(self.activity, resident=self.resident)

    @property
    def detail(self) -> str:
        """The rotation the work belongs to ("" for free time, leave and calls)."""
        return self.rotation.name if self.rotation is not None and self.is_duty and self.activity != CALL else ""

    @property
    def title(self) -> str:
        return f"{self.session}: {self.label}" + (f" — {self.detail}" if self.detail else "")

    @property
    def colour(self) -> str:
        """The rotation's colour for work on a rotation; a neutral colour of its own for anything else."""
        if self.is_duty and self.activity != CALL and self.rotation is not None:
            return self.rotation.colour
        return ACTIVITY_COLOURS.get(self.activity, NEUTRAL)


@dataclass
class SessionGrid:
    """People's half-days and calls over a date range, for views, exports and feeds.

    `halves[(person_id, date, "AM"|"PM")]` is the half-day (missing: nothing scheduled); `calls` the calls
    taken (by start), `calls_by_day[date]` those starting that (program-local) day; `dropped_calls` the calls
    still in the version on a person's whole day of leave; `special_days[date]` a holiday or closure.
    """

    start: dt.date
    end: dt.date
    days: list[dt.date]
    people: list[Person]
    halves: dict[tuple[int, dt.date, str], HalfDay]
    calls: list[CallAssignment]
    calls_by_day: dict[dt.date, list[CallAssignment]]
    special_days: dict[dt.date, CalendarDay]
    dropped_calls: list[CallAssignment] = field(default_factory=list)

    def day(self, person_id: int, day: dt.date) -> tuple[HalfDay | None, HalfDay | None]:
        """The AM and PM of a person's day."""
        return self.halves.get((person_id, day, "AM")), self.halves.get((person_id, day, "PM"))

    @property
    def duty_left(self) -> list[HalfDay]:
        """Half-days of leave whose stored row still gives a duty, by date."""
        return sorted((h for h in self.halves.values() if h.duty_left), key=lambda h: (h.date, h.session))


def session_clock(program: Organization) -> dict[str, tuple[dt.time, dt.time]]:
    """The program's AM and PM clock times, with the defaults where a session has none."""
    clock = dict(DEFAULT_SESSION_TIMES)
    for row in SessionTime.objects.for_program(program):
        clock[row.session] = (row.start_time, row.end_time)
    return clock


def approved_absences(*, program_id: int, person_ids: list[int], start: dt.date, end: dt.date) -> list[Absence]:
    """The approved absences of these people overlapping start..end, in the order they apply (later wins)."""
    return list(
        Absence.objects.filter(program_id=program_id, person_id__in=person_ids)
        .approved()
        .overlapping(start, end)
        .order_by("start_date", "pk")
    )


def _on_call(
    calls: list[CallAssignment], clock: dict[str, tuple[dt.time, dt.time]], zone
) -> dict[tuple[int, dt.date, str], CallAssignment]:
    """The half-days of the day a call starts that its period overlaps (a 24-h call covers both)."""
    found: dict[tuple[int, dt.date, str], CallAssignment] = {}
    for call in calls:
        day = call.start.astimezone(zone).date()
        for session, (begin, finish) in clock.items():
            low = dt.datetime.combine(day, begin, tzinfo=zone)
            high = dt.datetime.combine(day, finish, tzinfo=zone)
            if call.start < high and call.end > low:
                found.setdefault((call.person_id, day, session), call)
    return found


def session_grid(
    *,
    version: ScheduleVersion,
    start: dt.date,
    end: dt.date,
    person_ids: list[int] | None = None,
    kinds: list[str] | None = None,
) -> SessionGrid:
    """The half-days and calls of a version's active people between `start` and `end` inclusive, with approved
    absences and calls laid over the stored rows (module docstring), in a fixed number of queries.

    The caller has checked the range with `selectors.date_range_refusal`. Calls are grouped by local start date.
    """
    program = version.program
    zone = program.zone
    people = Person.objects.filter(program_id=version.program_id, is_active=True)
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
    if kinds is not None:
        people = people.filter(kind__in=kinds)
    people_list = list(people.order_by("kind", "pgy", "last_name", "first_name"))
    ids = [p.pk for p in people_list]
    rows = {
        (s.person_id, s.date, s.session): s
        for s in SessionAssignment.objects.filter(
            version=version, date__gte=start, date__lte=end, person_id__in=ids
        ).select_related("rotation")
    }
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    all_calls = list(
        CallAssignment.objects.filter(version=version, start__gte=first, start__lt=last, person_id__in=ids)
        .select_related("person")
        .order_by("start", "person__last_name")
    )
    absences = approved_absences(program_id=version.program_id, person_ids=ids, start=start, end=end)
    absent = absent_half_days(absences, start, end)
    dropped = absence_changes(absences=absences, calls=all_calls, zone=zone, start=start, end=end).calls_removed
    calls = [c for c in all_calls if c.pk not in dropped]
    on_call = _on_call(calls, session_clock(program), zone) if calls else {}
    residents = {p.pk for p in people_list if p.kind == Person.Kind.RESIDENT}
    halves: dict[tuple[int, dt.date, str], HalfDay] = {}
    for key in rows.keys() | absent.keys() | on_call.keys():
        row, absence, call = rows.get(key), absent.get(key), on_call.get(key)
        stored = row.activity if row is not None else ""
        activity = Activity.LEAVE if absence is not None else stored
        if absence is None and call is not None and stored in FREE | {""}:
            activity = CALL
        elif activity != CALL:
            call = None
        halves[key] = HalfDay(
            person_id=key[0],
            date=key[1],
            session=key[2],
            activity=activity,
            resident=key[0] in residents,
            rotation=row.rotation if row is not None else None,
            stored=stored,
            source=row.source if row is not None else "",
            absence=absence,
            call=call,
        )
    calls_by_day: dict[dt.date, list[CallAssignment]] = defaultdict(list)
    for call in calls:
        calls_by_day[call.start.astimezone(zone).date()].append(call)
    special = {
        d.date: d
        for d in CalendarDay.objects.filter(program_id=version.program_id, date__gte=start, date__lte=end).exclude(
            day_type=CalendarDay.DayType.NORMAL
        )
    }
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return SessionGrid(
        start,
        end,
        days,
        people_list,
        halves,
        calls,
        dict(calls_by_day),
        special,
        [c for c in all_calls if c.pk in dropped],
    )


UPCOMING_SESSIONS = 6
UPCOMING_CALLS = 5


def person_upcoming(
    *, version: ScheduleVersion, person: Person, now: dt.datetime | None = None
) -> tuple[list[HalfDay], list[CallAssignment]]:
    """A person's next half-days of duty (off, post-call and leave left out) and next calls taken in the version,
    from today (or the start of its year) to the end of its year."""
    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone(version.program.zone).date()
    halves, calls = person_upcoming_from(version=version, person=person, today=today)
    return halves, [c for c in calls if c.end >= now][:UPCOMING_CALLS]


def person_upcoming_from(
    *, version: ScheduleVersion, person: Person, today: dt.date
) -> tuple[list[HalfDay], list[CallAssignment]]:
    """A person's next half-days of duty from `today` and every call of the version ending after its start (the
    part of person_upcoming that depends on the day, not the hour: pages may keep it for the day)."""
    year = version.academic_year
    start = max(today, year.start_date)
    if start > year.end_date:
        return [], []
    grid = session_grid(version=version, start=start - dt.timedelta(days=1), end=year.end_date, person_ids=[person.pk])
    halves = sorted(
        (h for h in grid.halves.values() if h.date >= start and h.is_duty), key=lambda h: (h.date, h.session)
    )
    return halves[:UPCOMING_SESSIONS], list(grid.calls)


# --- Blocks ---


@dataclass(frozen=True, slots=True)
class BlockPart:
    """One thing a person's block cell shows: a rotation (the whole block or a half), the leave that takes
    most of it, or a faculty member's FMIT weeks or clinic half-days in the block."""

    code: str
    label: str
    colour: str
    start: dt.date
    end: dt.date
    half: int = 0
    rotation: RotationTemplate | None = None
    leave_kind: str | None = None  # None: no leave; "" leave of unknown kind
    leave_days: int = 0
    kind: str = "rotation"  # "rotation", "leave", "fmit" or "clinic"

    @property
    def is_leave(self) -> bool:
        return self.kind == "leave"

    @property
    def title(self) -> str:
        half = {1: " (first half)", 2: " (second half)"}.get(self.half, "")
        return self._described(f"{self.label}{half}, {self.start:%-d %b} – {self.end:%-d %b %Y}")

    @property
    def name(self) -> str:
        """The title without the dates of a part that fills its block (for a table printing the block's dates
        beside it); a half keeps its own dates."""
        return self.title if self.half else self._described(self.label)

    def _described(self, text: str) -> str:
        if self.is_leave and self.rotation is not None:
            return f"{text} (rotation: {self.rotation.name})"
        if self.leave_days and self.leave_kind is not None:
            days = "day" if self.leave_days == 1 else "days"
            return f"{text}; {self.leave_days} {days} of {leave_label(self.leave_kind).lower()}"
        return text


@dataclass
class GridRow:
    """One person's row of the block grid: per block, the assignments (a whole block or its halves) and the
    parts the cell shows (leave over a rotation, a faculty member's load)."""

    person: Person
    cells: list[list[BlockAssignment]]
    parts: list[list[BlockPart]] = field(default_factory=list)


@dataclass
class BlockGrid:
    """People (rows, grouped: "PGY-1".."PGY-n", then "Faculty") by blocks (columns) for one version."""

    blocks: list[Block]
    groups: list[tuple[str, list[GridRow]]]
    rotations: list[RotationTemplate] = field(default_factory=list)  # those used in the grid, for a legend
    codes: list[LegendEntry] = field(default_factory=list)  # the other codes shown (leave, FMIT, clinic)


def _part_span(block: Block, half: int) -> tuple[dt.date, dt.date]:
    start, end = block.start_date, block.end_date
    if half == BlockAssignment.Half.FIRST:
        end = min(end, start + dt.timedelta(days=13))
    elif half == BlockAssignment.Half.SECOND:
        start = min(end, start + dt.timedelta(days=14))
    return start, end


def _session_facts(
    version: ScheduleVersion, ids: list[int], others: list[int], blocks: list[Block]
) -> tuple[dict[tuple[int, dt.date, str], str], list[tuple[int, dt.date, str, str]]]:
    """In one query of half-days and one of absences: (person, date, session) -> the kind of leave ("" unknown)
    of every half-day on leave (the version's leave rows and the approved absences, as `session_grid` reads
    them), and the FMIT and clinic half-days of `others` (faculty and staff) as (person, date, session, activity)."""
    if not ids or not blocks:
        return {}, []
    start, end = blocks[0].start_date, blocks[-1].end_date
    rows = SessionAssignment.objects.filter(version=version, person_id__in=ids, date__gte=start, date__lte=end).filter(
        Q(activity=Activity.LEAVE) | Q(person_id__in=others, activity__in=(Activity.FMIT, Activity.CLINIC))
    )
    leave: dict[tuple[int, dt.date, str], str] = {}
    load = []
    for person_id, day, session, activity in rows.values_list("person_id", "date", "session", "activity"):
        if activity == Activity.LEAVE:
            leave[(person_id, day, session)] = ""
        else:
            load.append((person_id, day, session, activity))
    absences = approved_absences(program_id=version.program_id, person_ids=ids, start=start, end=end)
    leave.update({key: absence.kind for key, absence in absent_half_days(absences, start, end).items()})
    return leave, load


class _Leave:
    """A person's leave days (both half-days on leave, as the checker counts a leave day) within a span."""

    def __init__(self, leave: dict[tuple[int, dt.date, str], str], person_id: int, start: dt.date, end: dt.date):
        self.total = (end - start).days + 1
        kinds: Counter[str] = Counter()
        for offset in range(self.total):
            day = start + dt.timedelta(days=offset)
            am, pm = leave.get((person_id, day, "AM")), leave.get((person_id, day, "PM"))
            if am is not None and pm is not None:
                kinds[am or pm] += 1
        self.days = sum(kinds.values())
        self.kind: str | None = kinds.most_common(1)[0][0] if kinds else None

    @property
    def mostly(self) -> bool:
        return self.days * 2 > self.total

    def part(self, start: dt.date, end: dt.date, half: int, rotation: RotationTemplate | None) -> BlockPart:
        kind = self.kind or ""
        return BlockPart(
            leave_code(kind), leave_label(kind), LEAVE_COLOUR, start, end, half, rotation, kind, self.days, "leave"
        )


def _rotation_part(block: Block, assignment: BlockAssignment, leave: dict, person_id: int) -> BlockPart:
    start, end = _part_span(block, assignment.half)
    rotation = assignment.rotation
    away = _Leave(leave, person_id, start, end)
    if away.mostly:
        return away.part(start, end, assignment.half, rotation)
    code = rotation.abbreviation + (PARTIAL_LEAVE_MARK if away.days else "")
    return BlockPart(code, rotation.name, rotation.colour, start, end, assignment.half, rotation, away.kind, away.days)


def _load_parts(block: Block, load: dict[str, set], away: _Leave) -> list[BlockPart]:
    """A faculty member's block: the FMIT weeks (counted by their start) and clinic half-days, leave marked."""
    start, end = block.start_date, block.end_date
    if away.mostly:
        return [away.part(start, end, 0, None)]
    parts = []
    weeks, clinic = len(load.get("fmit", ())), len(load.get("clinic", ()))
    if weeks:
        text = "FMIT" if weeks == 1 else f"FMIT×{weeks}"
        label = f"FMIT attending, {weeks} week{'s' if weeks > 1 else ''}"
        parts.append(BlockPart(text, label, FMIT_COLOUR, start, end, kind="fmit"))
    if clinic:
        label = f"{clinic} clinic half-day{'s' if clinic > 1 else ''}"
        parts.append(BlockPart(f"C×{clinic}", label, CLINIC_COLOUR, start, end, kind="clinic"))
    if away.days:
        if not parts:
            return [away.part(start, end, 0, None)]
        last = parts[-1]
        parts[-1] = replace(last, code=last.code + PARTIAL_LEAVE_MARK, leave_kind=away.kind, leave_days=away.days)
    return parts


def _faculty_load(
    version: ScheduleVersion, rows: list[tuple[int, dt.date, str, str]], blocks: list[Block], leave: dict
) -> dict[tuple[int, int], dict[str, set]]:
    """(person, block) -> {"fmit": FMIT week starts, "clinic": clinic half-days}, half-days on leave left out."""
    if not rows:
        return {}
    week_start = fmit_settings(version.academic_year).week_start_day
    block_of = {}
    for block in blocks:
        for offset in range((block.end_date - block.start_date).days + 1):
            block_of[block.start_date + dt.timedelta(days=offset)] = block.pk
    load: dict[tuple[int, int], dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for person_id, day, session, activity in rows:
        if (person_id, day, session) in leave or day not in block_of:
            continue
        if activity == Activity.FMIT:
            load[(person_id, block_of[day])]["fmit"].add(day - dt.timedelta(days=(day.weekday() - week_start) % 7))
        else:
            load[(person_id, block_of[day])]["clinic"].add((day, session))
    return load


def block_grid(
    *,
    version: ScheduleVersion,
    pgy: int | None = None,
    rotation: RotationTemplate | None = None,
    person: Person | None = None,
    include_faculty: bool = True,
) -> BlockGrid:
    """The block grid of a version in a fixed number of queries: each resident's rotations with their leave laid
    over them (a part mostly on leave shows the leave, one partly on leave the rotation marked "+LV"), and each
    faculty member's FMIT weeks and clinic half-days per block.

    Filters: a PGY cohort, people who have `rotation` at least once, or a single person.
    """
    program_id = version.program_id
    blocks = list(Block.objects.filter(academic_year_id=version.academic_year_id).order_by("number"))
    people = Person.objects.filter(program_id=program_id, is_active=True)
    if not include_faculty or pgy is not None:
        people = people.filter(kind=Person.Kind.RESIDENT)
    if pgy is not None:
        people = people.filter(pgy=pgy)
    if person is not None:
        people = people.filter(pk=person.pk)
    if rotation is not None:
        people = people.filter(
            pk__in=BlockAssignment.objects.filter(version=version, rotation=rotation).values("person_id")
        )
    people_list = list(people.order_by("kind", "pgy", "last_name", "first_name"))
    wanted = {p.pk for p in people_list}
    assignments = (
        BlockAssignment.objects.filter(version=version, person_id__in=wanted)
        .select_related("rotation")
        .order_by("block__number", "half")
    )
    by_cell: dict[tuple[int, int], list[BlockAssignment]] = defaultdict(list)
    used: dict[int, RotationTemplate] = {}
    for a in assignments:
        by_cell[(a.person_id, a.block_id)].append(a)
        used[a.rotation_id] = a.rotation
    others = [p.pk for p in people_list if p.kind != Person.Kind.RESIDENT]
    leave, load_rows = _session_facts(version, list(wanted), others, blocks)
    load = _faculty_load(version, load_rows, blocks, leave)
    groups: dict[str, list[GridRow]] = {}
    for p in people_list:
        cells = [by_cell.get((p.pk, b.pk), []) for b in blocks]
        parts = []
        for block, assigned in zip(blocks, cells, strict=True):
            away = _Leave(leave, p.pk, block.start_date, block.end_date)
            if p.kind != Person.Kind.RESIDENT:
                parts.append(_load_parts(block, load.get((p.pk, block.pk), {}), away))
            elif assigned:
                parts.append([_rotation_part(block, a, leave, p.pk) for a in assigned])
            else:
                parts.append([away.part(block.start_date, block.end_date, 0, None)] if away.mostly else [])
        label = f"PGY-{p.pgy}" if p.kind == Person.Kind.RESIDENT else p.get_kind_display()
        groups.setdefault(label, []).append(GridRow(p, cells, parts))
    return BlockGrid(
        blocks=blocks,
        groups=list(groups.items()),
        rotations=sorted(used.values(), key=lambda r: r.name),
        codes=_grid_codes(groups),
    )


def _grid_codes(groups: dict[str, list[GridRow]]) -> list[LegendEntry]:
    """The legend of the grid's codes that are not rotations: the leave kinds shown, the partial-leave mark,
    and the faculty FMIT and clinic codes."""
    parts = [part for rows in groups.values() for row in rows for cell in row.parts for part in cell]
    entries = leave_legend({p.leave_kind for p in parts if p.is_leave})
    if any(p.leave_days and not p.is_leave for p in parts):
        entries.append(LegendEntry(PARTIAL_LEAVE_MARK, "after a code: some days of the block on leave", LEAVE_COLOUR))
    if any(p.kind == "fmit" for p in parts):
        entries.append(LegendEntry("FMIT×n", "faculty: weeks of FMIT attending in the block", FMIT_COLOUR))
    if any(p.kind == "clinic" for p in parts):
        entries.append(LegendEntry("C×n", "faculty: clinic half-days in the block", CLINIC_COLOUR))
    return entries
