"""What a swap leg moves: from a shift (a half-day, a call night, an FMIT week, a block rotation) and its giver and
taker to the exact change of the schedule, a `scheduling.compliance.Changes`, after checking the leg can be done.

The rules of each shift (docs/swaps.md):
- **Half-day session**: the giver's duty half-day (clinic, supervising, procedure, inpatient, elective,
  conference, administrative) goes to the taker, whose same half-day must be free (off or empty); the giver gets
  the taker's free half-day. A half-day on a rotation needs a taker whose PGY level and credentials the rotation
  takes.
- **Resident call night**: the giver's call starting that night goes to the taker (a resident of the call's
  PGY level, on a rotation that takes call, with no call that night), timed as the engine times it for the taker
  (after their day's work, else from the AM start). The post-call day moves with it: the taker's duty half-days
  of the next day become post-call, and the giver's post-call half-days of that day go back to what the giver
  does on that weekday in the same block (off when nothing tells).
- **Faculty call night**: the same for an attending call, among faculty whose role takes faculty call; the
  taker's clinic of the next day becomes post-call.
- **FMIT week**: the giver's FMIT week (from the program's FMIT week start, 7 days) with the attending calls in
  it goes to the taker (faculty with an FMIT target, not on FMIT that week): the two exchange their half-days and
  faculty calls of that week, so the giver takes the taker's clinic of that week.
- **Block rotation** (coordinators only): the giver and the taker exchange their rotations for the block, their
  half-days and call times re-derived as the engine would.

Every shift must be in the future and in the published schedule, the giver must hold it, and neither party may be
absent (approved absence) when it happens. A problem is a DomainError saying what and whom.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from absences.models import Absence
from credentials.selectors import credential_validity
from scheduling.compliance import FREE_ACTIVITIES, CallChange, Changes, absent_half_days, block_changes
from scheduling.day_view import SWAPPABLE_SESSIONS
from scheduling.engine_io import ENGINE_ACTIVITIES
from scheduling.engine_io import _session_clock as session_clock
from scheduling.fmit_config import fmit_settings
from scheduling.models import Block, BlockAssignment, CallAssignment, Person, RotationTemplate, ScheduleVersion
from scheduling.models import SessionAssignment as SessionRow
from scheduling.program_settings import scheduling_settings
from tenants.errors import DomainError

Activity = SessionRow.Activity
CallKind = CallAssignment.Kind
SESSIONS = ("AM", "PM")
RESIDENT_CALL_KINDS = frozenset({CallKind.IN_HOUSE, CallKind.WEEKEND, CallKind.HOME, CallKind.BACKUP})
POST_CALL_KINDS = frozenset({CallKind.IN_HOUSE, CallKind.WEEKEND})  # the calls the engine gives a post-call day
SHIFT_KINDS = ("session", "call", "faculty_call", "fmit_week", "block")


def swappable_session(person_kind: str, activity: str, rotation_id: int | None) -> bool:
    """Whether a half-day can be handed over as one: a resident's continuity clinic (clinic without a rotation;
    their rotation's work is theirs), any of faculty's duty half-days (SWAPPABLE_SESSIONS)."""
    if person_kind == Person.Kind.RESIDENT:
        return activity == Activity.CLINIC and rotation_id is None
    return activity in SWAPPABLE_SESSIONS


@dataclasses.dataclass(frozen=True, slots=True)
class Shift:
    """A shift as a swap leg names it: kind, date (the session's date, the call's night, the FMIT week's first
    day, the block's first day), AM/PM for a session, the block for a block rotation."""

    kind: str
    date: dt.date
    session: str = ""
    block_id: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    """A stored call of the version as the state holds it."""

    pk: int
    person_id: int
    kind: str
    start: dt.datetime
    end: dt.datetime
    worked_hours: float | None


@dataclasses.dataclass(slots=True)
class ScheduleState:
    """The rows of some people in one version, read once, from which legs are planned without further queries:
    half-days `(person, date, session) -> (activity, rotation id)`, calls per person, block rotations per
    person `(block id) -> [(half, rotation id)]`, the approved absent half-days, and what the rules need."""

    version: ScheduleVersion
    zone: Any
    people: dict[int, Person]
    sessions: dict[tuple[int, dt.date, str], tuple[str, int | None]]
    calls: dict[int, list[Call]]
    blocks: dict[int, dict[int, list[tuple[int, int]]]]
    absent: set[tuple[int, dt.date, str]]
    block_rows: list[Block]
    rotations: dict[int, RotationTemplate]
    credentials: dict[int, dict[str, dt.date | None]]
    settings: Any
    fmit: Any  # the year's FmitSettings
    clock: Any

    @classmethod
    def load(cls, *, version: ScheduleVersion, people: Iterable[Person]) -> ScheduleState:
        """The state of `people` in `version` (a handful of queries, whatever the number of people)."""
        people = {p.pk: p for p in people}
        program = version.program
        ids = list(people)
        sessions = {
            (person_id, day, session): (activity, rotation_id)
            for person_id, day, session, activity, rotation_id in SessionRow.objects.filter(
                version=version, person_id__in=ids
            )
            .order_by()
            .values_list("person_id", "date", "session", "activity", "rotation_id")
        }
        calls: dict[int, list[Call]] = defaultdict(list)
        for pk, person_id, kind, start, end, worked in (
            CallAssignment.objects.filter(version=version, person_id__in=ids)
            .order_by("start")
            .values_list("pk", "person_id", "kind", "start", "end", "worked_hours")
        ):
            calls[person_id].append(Call(pk, person_id, kind, start, end, None if worked is None else float(worked)))
        blocks: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        for person_id, block_id, half, rotation_id in (
            BlockAssignment.objects.filter(version=version, person_id__in=ids)
            .order_by()
            .values_list("person_id", "block_id", "half", "rotation_id")
        ):
            blocks[person_id][block_id].append((half, rotation_id))
        year = version.academic_year
        absences = Absence.objects.filter(
            person_id__in=ids,
            status=Absence.Status.APPROVED,
            start_date__lte=year.end_date,
            end_date__gte=year.start_date,
        )
        return cls(
            version=version,
            zone=program.zone,
            people=people,
            sessions=sessions,
            calls=calls,
            blocks=blocks,
            absent=set(absent_half_days(absences, year.start_date, year.end_date)),
            block_rows=list(Block.objects.filter(academic_year_id=version.academic_year_id).order_by("number")),
            rotations={r.pk: r for r in RotationTemplate.objects.for_program(program)},
            credentials=credential_validity(program=program),
            settings=scheduling_settings(program),
            fmit=fmit_settings(year),
            clock=session_clock(program),
        )

    # Reading the state.

    def block_of(self, day: dt.date) -> Block | None:
        for block in self.block_rows:
            if block.start_date <= day <= block.end_date:
                return block
        return None

    def rotation_on(self, person_id: int, day: dt.date) -> RotationTemplate | None:
        """The person's block rotation on `day` (the half covering it when the block is split)."""
        block = self.block_of(day)
        if block is None:
            return None
        rows = self.blocks.get(person_id, {}).get(block.pk, [])
        second = (day - block.start_date).days >= 14
        for half, rotation_id in rows:
            if half == 0 or (half == 2) == second:
                return self.rotations.get(rotation_id)
        return None

    def calls_on(self, person_id: int, night: dt.date, kinds: Iterable[str]) -> list[Call]:
        kinds = set(kinds)
        return [c for c in self.calls.get(person_id, ()) if c.kind in kinds and self.night(c) == night]

    def night(self, call: Call) -> dt.date:
        return call.start.astimezone(self.zone).date()

    def is_absent(self, person_id: int, day: dt.date, sessions: Iterable[str] = SESSIONS) -> bool:
        return any((person_id, day, session) in self.absent for session in sessions)

    def holds(self, person_id: int, codes: Iterable[str], day: dt.date) -> list[str]:
        """The credential codes of `codes` the person lacks (or holds expired) on `day`."""
        held = self.credentials.get(person_id, {})
        return [code for code in codes if code not in held or (held[code] is not None and held[code] < day)]

    def rotation_duty(self, person_id: int, day: dt.date) -> tuple[str, int | None]:
        """What a resident does in a half-day of `day` on their rotation when nothing else is scheduled there, as
        the engine derives it: the rotation's work (its kind, with the rotation) on its work days, else off.
        Faculty: off (their free time)."""
        rotation = self.rotation_on(person_id, day)
        person = self.people.get(person_id)
        if person is None or person.kind != Person.Kind.RESIDENT or rotation is None:
            return (Activity.OFF, None)
        if rotation.is_night or day.weekday() not in (rotation.work_days or ()):
            return (Activity.OFF, None)
        activity = ENGINE_ACTIVITIES.get(rotation.kind)
        if activity is None or activity in FREE_ACTIVITIES:
            return (Activity.OFF, None)
        return (activity, rotation.pk)


@dataclasses.dataclass(frozen=True, slots=True)
class LegPlan:
    """The change one leg makes, what it moves in words, and the people it touches."""

    changes: Changes
    label: str
    people: frozenset[int]


def _name(state: ScheduleState, person_id: int) -> str:
    person = state.people.get(person_id)
    return person.full_name if person else f"person {person_id}"


def _when(day: dt.date, session: str = "") -> str:
    return f"{day:%a %d %b %Y}{' ' + session if session else ''}"


def shift_start(state: ScheduleState, shift: Shift, *, giver_id: int | None = None) -> dt.datetime:
    """When the shift begins (local aware time), to tell past shifts and the lock window: a half-day at the
    program's session clock, a call when the giver's stored call starts (else the program's call start, or
    the morning's start for a call on a free day), an FMIT week or a block at midnight of its first day."""
    clock = state.clock
    if shift.kind == "session":
        at = clock.am_start if shift.session == "AM" else clock.pm_start
    elif shift.kind in ("call", "faculty_call"):
        kinds = RESIDENT_CALL_KINDS if shift.kind == "call" else (CallKind.ATTENDING,)
        held = state.calls_on(giver_id, shift.date, kinds) if giver_id is not None else []
        if held:
            return min(call.start for call in held).astimezone(state.zone)
        at = min(state.settings.rules.call_start, clock.pm_end)
    else:
        at = dt.time(0)
    return dt.datetime.combine(shift.date, at, tzinfo=state.zone)


def _check_parties(state: ScheduleState, giver_id: int, taker_id: int) -> tuple[Person, Person]:
    giver, taker = state.people.get(giver_id), state.people.get(taker_id)
    if giver is None or taker is None:
        raise DomainError("Both people of a swap must belong to the program.")
    if giver.pk == taker.pk:
        raise DomainError("A person cannot hand a shift to themselves.")
    if not taker.is_active:
        raise DomainError(f"{taker.full_name} is not active in the program.")
    if giver.kind != taker.kind:
        raise DomainError(
            f"{giver.full_name} ({giver.get_kind_display().lower()}) and {taker.full_name} "
            f"({taker.get_kind_display().lower()}) cannot swap: shifts move between residents or between faculty."
        )
    return giver, taker


def _session_leg(state: ScheduleState, giver: Person, taker: Person, shift: Shift) -> LegPlan:
    day, session = shift.date, shift.session
    if session not in SESSIONS:
        raise DomainError(f"A half-day is AM or PM (got {session!r}).")
    mine = state.sessions.get((giver.pk, day, session))
    resident = giver.kind == Person.Kind.RESIDENT
    # A resident hands over a continuity clinic half-day (their rotation's work is theirs); faculty any duty half-day.
    swappable = mine is not None and swappable_session(giver.kind, *mine)
    if not swappable:
        what = "nothing" if mine is None else Activity(mine[0]).label.lower()
        kind = "continuity clinic" if resident else "duty"
        raise DomainError(f"{giver.full_name} has {what} on {_when(day, session)}: no {kind} half-day to hand over.")
    theirs = state.sessions.get((taker.pk, day, session))
    # The taker leaves their free time, or (a resident) their rotation's ordinary work of that half-day.
    displaced = state.rotation_duty(taker.pk, day)
    if theirs is not None and theirs[0] != Activity.OFF and not (resident and theirs == displaced):
        raise DomainError(
            f"{taker.full_name} is not free on {_when(day, session)} ({Activity(theirs[0]).label.lower()})."
        )
    if state.is_absent(taker.pk, day, (session,)):
        raise DomainError(f"{taker.full_name} is absent on {_when(day, session)}.")
    rotation = state.rotations.get(mine[1]) if mine[1] else None
    if rotation is not None:
        lacking = state.holds(taker.pk, rotation.supervisor_credential_codes, day)
        if lacking:
            raise DomainError(f"{rotation.name} needs {', '.join(lacking)}; {taker.full_name} holds no valid one.")
    back = state.rotation_duty(giver.pk, day) if resident else theirs
    changes = Changes(sessions={(taker.pk, day, session): mine, (giver.pk, day, session): back})
    what = Activity(mine[0]).label + (f" ({rotation.abbreviation})" if rotation else "")
    return LegPlan(changes, f"{what}, {_when(day, session)}", frozenset({giver.pk, taker.pk}))


def _next_day_changes(
    state: ScheduleState, giver: Person, taker: Person, night: dt.date, *, only_clinic: bool
) -> dict[tuple[int, dt.date, str], tuple[str, int | None] | None]:
    """The post-call day moving with a call: the taker's duty half-days of the next day become post-call (only
    their clinic for a faculty call), the giver's free half-days of that day go back to their rotation's work."""
    after = night + dt.timedelta(days=1)
    sessions: dict[tuple[int, dt.date, str], tuple[str, int | None] | None] = {}
    for session in SESSIONS:
        theirs = state.sessions.get((taker.pk, after, session))
        duty = theirs is not None and theirs[0] not in FREE_ACTIVITIES | {Activity.NIGHT_FLOAT}
        if duty and (not only_clinic or theirs[0] in (Activity.CLINIC, Activity.SUPERVISING)):
            sessions[(taker.pk, after, session)] = (Activity.POST_CALL, None)
        mine = state.sessions.get((giver.pk, after, session))
        if (
            mine is not None
            and mine[0] in (Activity.POST_CALL, Activity.OFF)
            and not state.is_absent(giver.pk, after, (session,))
        ):
            back = state.rotation_duty(giver.pk, after)
            if back != mine and not (mine[0] == Activity.OFF and back[0] == Activity.OFF):
                sessions[(giver.pk, after, session)] = back
    return sessions


def _call_period(state: ScheduleState, person: Person, night: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """An in-house call's times for `person` on `night` as the engine derives them (see compliance.call_period)."""
    rules = state.settings.rules
    clock = state.clock
    worked = any(
        (value := state.sessions.get((person.pk, night, session))) is not None
        and value[0] not in FREE_ACTIVITIES | {Activity.NIGHT_FLOAT}
        for session in SESSIONS
    )
    begin = min(rules.call_start, clock.pm_end) if worked else clock.am_start
    start = dt.datetime.combine(night, begin, tzinfo=state.zone)
    return start, dt.datetime.combine(night + dt.timedelta(days=1), rules.call_end, tzinfo=state.zone)


def _call_leg(state: ScheduleState, giver: Person, taker: Person, shift: Shift) -> LegPlan:
    night = shift.date
    if giver.kind != Person.Kind.RESIDENT:
        raise DomainError("A resident call night is swapped between residents; use a faculty call night for faculty.")
    mine = state.calls_on(giver.pk, night, RESIDENT_CALL_KINDS)
    if not mine:
        raise DomainError(f"{giver.full_name} has no call on the night of {_when(night)}.")
    call = mine[0]
    if state.calls_on(taker.pk, night, RESIDENT_CALL_KINDS):
        raise DomainError(f"{taker.full_name} already has a call on the night of {_when(night)}.")
    if state.is_absent(taker.pk, night):
        raise DomainError(f"{taker.full_name} is absent on {_when(night)}.")
    min_pgy = min((c.min_pgy for c in state.settings.requirements.call if c.kind == call.kind), default=1)
    if (taker.pgy or 0) < min_pgy:
        raise DomainError(
            f"{CallKind(call.kind).label} call takes PGY-{min_pgy} and up; {taker.full_name} is PGY-{taker.pgy}."
        )
    rotation = state.rotation_on(taker.pk, night)
    if rotation is not None and not rotation.call_eligible:
        raise DomainError(f"{taker.full_name} is on {rotation.name} on {_when(night)}, which takes no call.")
    if call.kind in (CallKind.IN_HOUSE,):
        start, end = _call_period(state, taker, night)
    else:
        start, end = call.start, call.end
    sessions = _next_day_changes(state, giver, taker, night, only_clinic=False) if call.kind in POST_CALL_KINDS else {}
    changes = Changes(
        sessions=sessions,
        calls_removed=frozenset({call.pk}),
        calls_added=(CallChange(taker.pk, call.kind, start, end, call.worked_hours),),
    )
    label = f"{CallKind(call.kind).label} call, night of {_when(night)}"
    return LegPlan(changes, label, frozenset({giver.pk, taker.pk}))


def _faculty_call_leg(state: ScheduleState, giver: Person, taker: Person, shift: Shift) -> LegPlan:
    night = shift.date
    if giver.kind != Person.Kind.FACULTY:
        raise DomainError("A faculty call night is swapped between faculty.")
    mine = state.calls_on(giver.pk, night, (CallKind.ATTENDING,))
    if not mine:
        raise DomainError(f"{giver.full_name} has no attending call on the night of {_when(night)}.")
    call = mine[0]
    if not state.settings.takes_faculty_call(taker.faculty_role):
        raise DomainError(f"{taker.full_name} ({taker.get_faculty_role_display() or 'faculty'}) takes no faculty call.")
    if state.calls_on(taker.pk, night, (CallKind.ATTENDING,)):
        raise DomainError(f"{taker.full_name} already has an attending call on the night of {_when(night)}.")
    if state.is_absent(taker.pk, night) or state.is_absent(taker.pk, night + dt.timedelta(days=1), ("AM",)):
        raise DomainError(f"{taker.full_name} is absent on {_when(night)} or the morning after.")
    fmit = state.sessions.get((taker.pk, night, "PM"))
    if fmit is not None and fmit[0] == Activity.FMIT:
        raise DomainError(f"{taker.full_name} is on FMIT on {_when(night)}; the FMIT attending's nights are theirs.")
    sessions = _next_day_changes(state, giver, taker, night, only_clinic=True)
    changes = Changes(
        sessions=sessions,
        calls_removed=frozenset({call.pk}),
        calls_added=(CallChange(taker.pk, call.kind, call.start, call.end, call.worked_hours),),
    )
    return LegPlan(changes, f"Attending call, night of {_when(night)}", frozenset({giver.pk, taker.pk}))


def fmit_week(state: ScheduleState, day: dt.date) -> list[dt.date]:
    """The 7 days of the FMIT week holding `day` (from the program's FMIT week start)."""
    first = state.fmit.week_of(day)
    return [first + dt.timedelta(days=n) for n in range(7)]


def _fmit_leg(state: ScheduleState, giver: Person, taker: Person, shift: Shift) -> LegPlan:
    days = fmit_week(state, shift.date)
    if days[0] != shift.date:
        raise DomainError(f"An FMIT week starts on a {days[0]:%A}; {shift.date:%a %d %b %Y} is not one.")
    if giver.kind != Person.Kind.FACULTY:
        raise DomainError("FMIT weeks are swapped between faculty.")

    def on_fmit(person_id: int) -> bool:
        return any(state.sessions.get((person_id, d, s), ("",))[0] == Activity.FMIT for d in days for s in SESSIONS)

    if not on_fmit(giver.pk):
        raise DomainError(f"{giver.full_name} has no FMIT week starting {_when(days[0])}.")
    if not taker.fmit_target_weeks:
        raise DomainError(f"{taker.full_name} does not attend FMIT (no FMIT weeks in their target).")
    if on_fmit(taker.pk):
        raise DomainError(f"{taker.full_name} is already on FMIT the week of {_when(days[0])}.")
    if any(state.is_absent(taker.pk, d) for d in days):
        raise DomainError(f"{taker.full_name} is absent during the FMIT week of {_when(days[0])}.")
    sessions: dict[tuple[int, dt.date, str], tuple[str, int | None] | None] = {}
    for d in days:
        for s in SESSIONS:
            mine, theirs = state.sessions.get((giver.pk, d, s)), state.sessions.get((taker.pk, d, s))
            if mine is not None and mine[0] == Activity.LEAVE:
                continue  # the giver's own leave stays theirs
            if mine != theirs:
                sessions[(taker.pk, d, s)] = mine
                sessions[(giver.pk, d, s)] = theirs
    week = set(days)
    removed, added = set(), []
    for person, other in ((giver, taker), (taker, giver)):
        for call in state.calls.get(person.pk, ()):
            if call.kind == CallKind.ATTENDING and state.night(call) in week:
                removed.add(call.pk)
                added.append(CallChange(other.pk, call.kind, call.start, call.end, call.worked_hours))
    changes = Changes(sessions=sessions, calls_removed=frozenset(removed), calls_added=tuple(added))
    return LegPlan(changes, f"FMIT week of {_when(days[0])}", frozenset({giver.pk, taker.pk}))


def _block_leg(state: ScheduleState, giver: Person, taker: Person, shift: Shift) -> LegPlan:
    block = next((b for b in state.block_rows if b.pk == shift.block_id), None)
    if block is None:
        raise DomainError("Choose a block of the schedule's academic year.")
    if giver.kind != Person.Kind.RESIDENT:
        raise DomainError("Block rotations are swapped between residents.")
    rows = {}
    for person in (giver, taker):
        held = state.blocks.get(person.pk, {}).get(block.pk, [])
        if len(held) != 1 or held[0][0] != 0:
            raise DomainError(
                f"{person.full_name} has {'a split' if held else 'no'} rotation in block {block.number}; "
                "only whole-block rotations are swapped (edit split blocks on the block grid)."
            )
        rows[person.pk] = state.rotations[held[0][1]]
    if rows[giver.pk].pk == rows[taker.pk].pk:
        raise DomainError(
            f"{giver.full_name} and {taker.full_name} are both on {rows[giver.pk].name} in block {block.number}."
        )
    for person, rotation in ((taker, rows[giver.pk]), (giver, rows[taker.pk])):
        if not rotation.min_pgy <= (person.pgy or 0) <= rotation.max_pgy:
            raise DomainError(
                f"{rotation.name} takes PGY {rotation.min_pgy}-{rotation.max_pgy}; "
                f"{person.full_name} is PGY-{person.pgy}."
            )
    first = block_changes(version=state.version, person=taker, block=block, rotation=rows[giver.pk])
    second = block_changes(version=state.version, person=giver, block=block, rotation=rows[taker.pk])
    changes = merge([first, second])
    label = f"Block {block.number}: {rows[giver.pk].name} for {rows[taker.pk].name}"
    return LegPlan(changes, label, frozenset({giver.pk, taker.pk}))


PLANNERS = {
    "session": _session_leg,
    "call": _call_leg,
    "faculty_call": _faculty_call_leg,
    "fmit_week": _fmit_leg,
    "block": _block_leg,
}


def plan_leg(state: ScheduleState, *, giver_id: int, taker_id: int, shift: Shift) -> LegPlan:
    """The change handing `shift` from the giver to the taker makes; DomainError when it cannot be done."""
    if shift.kind not in PLANNERS:
        raise DomainError(f"Unknown shift kind {shift.kind!r} (known: {', '.join(SHIFT_KINDS)}).")
    year = state.version.academic_year
    if not year.start_date <= shift.date <= year.end_date:
        raise DomainError(f"{_when(shift.date)} is outside {year}.")
    giver, taker = _check_parties(state, giver_id, taker_id)
    return PLANNERS[shift.kind](state, giver, taker, shift)


def giver_holds(state: ScheduleState, *, giver_id: int, shift: Shift) -> str:
    """What the giver hands over, in words; DomainError when they do not hold the shift (an open posting)."""
    giver = state.people[giver_id]
    day = shift.date
    if shift.kind == "session":
        mine = state.sessions.get((giver_id, day, shift.session))
        if mine is None or not swappable_session(giver.kind, *mine):
            raise DomainError(f"{giver.full_name} has no duty half-day on {_when(day, shift.session)} to hand over.")
        rotation = state.rotations.get(mine[1]) if mine[1] else None
        what = Activity(mine[0]).label + (f" ({rotation.abbreviation})" if rotation else "")
        return f"{what}, {_when(day, shift.session)}"
    if shift.kind == "call":
        calls = state.calls_on(giver_id, day, RESIDENT_CALL_KINDS)
        if not calls:
            raise DomainError(f"{giver.full_name} has no call on the night of {_when(day)}.")
        return f"{CallKind(calls[0].kind).label} call, night of {_when(day)}"
    if shift.kind == "faculty_call":
        if not state.calls_on(giver_id, day, (CallKind.ATTENDING,)):
            raise DomainError(f"{giver.full_name} has no attending call on the night of {_when(day)}.")
        return f"Attending call, night of {_when(day)}"
    if shift.kind == "fmit_week":
        days = fmit_week(state, day)
        if days[0] != day or not any(
            state.sessions.get((giver_id, d, s), ("",))[0] == Activity.FMIT for d in days for s in SESSIONS
        ):
            raise DomainError(f"{giver.full_name} has no FMIT week starting {_when(day)}.")
        return f"FMIT week of {_when(day)}"
    if shift.kind == "block":
        block = next((b for b in state.block_rows if b.pk == shift.block_id), None)
        held = state.blocks.get(giver_id, {}).get(block.pk if block else -1, [])
        if block is None or not held:
            raise DomainError(f"{giver.full_name} has no rotation in that block.")
        return f"Block {block.number}: {state.rotations[held[0][1]].name}"
    raise DomainError(f"Unknown shift kind {shift.kind!r} (known: {', '.join(SHIFT_KINDS)}).")


def merge(plans: Iterable[Changes]) -> Changes:
    """One Changes of several legs; DomainError when two legs change the same half-day, call or block."""
    sessions: dict[Any, Any] = {}
    removed: set[int] = set()
    added: list[CallChange] = []
    blocks: dict[Any, Any] = {}
    for changes in plans:
        for key, value in changes.sessions.items():
            if key in sessions and sessions[key] != value:
                raise DomainError(f"Two parts of this swap change the same half-day ({_when(key[1], key[2])}).")
            sessions[key] = value
        if removed & changes.calls_removed:
            raise DomainError("Two parts of this swap move the same call.")
        removed |= changes.calls_removed
        added += changes.calls_added
        for key, value in changes.blocks.items():
            if key in blocks:
                raise DomainError("Two parts of this swap change the same block rotation.")
            blocks[key] = value
    seen = {(c.person_id, c.start) for c in added}
    if len(seen) != len(added):
        raise DomainError("This swap would give someone two calls starting at the same time.")
    return Changes(sessions=sessions, calls_removed=frozenset(removed), calls_added=tuple(added), blocks=blocks)


def plan_legs(state: ScheduleState, legs: Iterable[tuple[int, int, Shift]]) -> tuple[Changes, list[LegPlan]]:
    """The merged change of legs `(giver id, taker id, shift)` and each leg's plan."""
    plans = [plan_leg(state, giver_id=g, taker_id=t, shift=s) for g, t, s in legs]
    return merge(p.changes for p in plans), plans
