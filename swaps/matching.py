"""Auto-matching (docs/swaps.md, "Matching"): who could take a shift, what the marketplace holds for me, and the
chains among open postings.

Every proposal is filtered hard before it is shown: the leg can be done (`swaps.shifts.plan_leg`: the same kind of
person, PGY level, credentials, absences, a free half-day, no call that night...) and the post-swap schedules of
both parties pass the full ACGME checker over the whole year, the supervision of the half-days it changes and the
program's call spacing (`swaps.checks`). Candidates are first ranked by a cheap score, then verified in score
order until `limit` compliant proposals are found: the expensive check runs only as far as needed, and nothing is
returned unverified.

The score (points; higher is better), each component with the sentence it adds to the proposal's reasons:
- availability (up to 20): how free the taker is around the shift: the whole day free or only that half-day, no
  other call within three nights, few duty half-days in an FMIT week; minus 10 when on call that night.
- workload (-20 to 20): the taker's duty hours in the four weeks around the shift against their cohort's average
  (same PGY for residents, all faculty), one point an hour, and 4 points a call night under or over the cohort's
  average in those weeks.
- preferences (-20 to 20): the people's wishes (`scheduling.models.Preference`, blocked or preferred-off weeks):
  a shift landing in the taker's blocked week -20 (preferred week off -10); a trade's return shift in the giver's
  wished week the same; a shift leaving someone's wished week +10.
- history (-9 to 15): past executed swaps between the pair: +5 for each shift of the taker the giver took (their
  turn to help), -3 for each shift of the giver the taker already took.
- date proximity (trades only, up to 15): the closer the return shift to the given one, the more (15 on the same
  day, 0 at the edge of the search window).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx
from django.db.models import Q
from django.utils import timezone

from scheduling.compliance import FREE_ACTIVITIES, CallChange, duties_entries, hours_per_week
from scheduling.models import CallAssignment, Person, Preference, ScheduleVersion
from scheduling.models import SessionAssignment as SessionRow
from swaps.checks import Checker, SwapCheck
from swaps.models import Swap, SwapLeg
from swaps.shifts import (
    RESIDENT_CALL_KINDS,
    SESSIONS,
    LegPlan,
    ScheduleState,
    Shift,
    fmit_week,
    giver_holds,
    plan_leg,
    plan_legs,
    shift_start,
    swappable_session,
)
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization

Activity = SessionRow.Activity
CallKind = CallAssignment.Kind

WEIGHTS = {"availability": 20, "workload": 20, "preferences": 20, "history": 15, "proximity": 15}
TRADE_WINDOW_DAYS = {"session": 14, "call": 14, "faculty_call": 14, "fmit_week": 56}
TRADES_PER_TAKER = 3  # the nearest return shifts of each candidate that can be planned
WORKLOAD_DAYS = 28
SHIFT_WORDS = {
    "session": "half-day",
    "call": "call",
    "faculty_call": "attending call",
    "fmit_week": "FMIT week",
    "block": "block rotation",
}


@dataclasses.dataclass(frozen=True)
class Proposal:
    """A verified way to hand the giver's shift to `taker`: a give-away, or a trade in which the taker hands back
    `return_shift`. `reasons` explain the score in sentences; `check` is the compliance verdict (ok)."""

    giver: Person
    taker: Person
    kind: str  # "giveaway" or "trade" (a block rotation is always a trade: its one leg exchanges the rotations)
    shift: Shift
    return_shift: Shift | None
    score: float
    reasons: list[str]
    check: SwapCheck
    label: str
    components: dict[str, float]

    @property
    def legs(self) -> list[tuple[Person, Person, Shift]]:
        """(giver, taker, shift) of each leg, for `swaps.services.swap_create`."""
        legs = [(self.giver, self.taker, self.shift)]
        if self.return_shift is not None:
            legs.append((self.taker, self.giver, self.return_shift))
        return legs


@dataclasses.dataclass(frozen=True)
class Matching:
    """The proposals of one request and what it took: candidates considered, options ranked, full checks run."""

    proposals: list[Proposal]
    candidates: int
    options: int
    verified: int
    refused: dict[int, str]  # a candidate who cannot take the shift at all, and why
    ranked: list[tuple[Person, str, float]]  # every option by its cheap score, before verification


@dataclasses.dataclass(frozen=True)
class MarketEntry:
    """An open posting as the viewer sees it: whether they could take it, or the rule that blocks them."""

    swap: Swap
    compatible: bool
    blocking_rule: str = ""
    reason: str = ""
    label: str = ""


@dataclasses.dataclass(frozen=True)
class Chain:
    """A cycle among open postings: each posting's shift goes to the giver of the next one, all verified
    together. `legs` are (giver, taker, shift) in order."""

    postings: list[Swap]
    legs: list[tuple[Person, Person, Shift]]
    check: SwapCheck
    labels: list[str]


@dataclasses.dataclass
class _Option:
    taker: Person
    kind: str
    plan: LegPlan
    changes: Any
    return_shift: Shift | None = None
    return_plan: LegPlan | None = None
    score: float = 0.0
    reasons: list[str] = dataclasses.field(default_factory=list)
    components: dict[str, float] = dataclasses.field(default_factory=dict)


# Reading the program.


def published_version(*, program: Organization, day: dt.date) -> ScheduleVersion:
    """The program's published version of the academic year holding `day`; DomainError when there is none."""
    version = (
        ScheduleVersion.objects.filter(
            program=program,
            status=ScheduleVersion.Status.PUBLISHED,
            academic_year__start_date__lte=day,
            academic_year__end_date__gte=day,
        )
        .select_related("academic_year", "program")
        .first()
    )
    if version is None:
        raise DomainError(f"{program} has no published schedule for {day:%d %b %Y}.")
    return version


def _state(version: ScheduleVersion, kind: str | None = None) -> ScheduleState:
    """The program's people in the version (those of one kind: shifts move between residents or between faculty;
    the checker reads the supervised sessions' other people itself)."""
    people = Person.objects.filter(program_id=version.program_id)
    return ScheduleState.load(version=version, people=people.filter(kind=kind) if kind else people)


def _shift_of(leg: SwapLeg) -> Shift:
    return Shift(leg.shift, leg.date, leg.session, leg.block_id)


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _future(state: ScheduleState, shift: Shift, giver_id: int) -> None:
    if shift_start(state, shift, giver_id=giver_id) <= timezone.now():
        raise DomainError(f"The {SHIFT_WORDS.get(shift.kind, 'shift')} of {_day(shift.date)} has already started.")


# Proposals.


def proposals(*, program: Organization, giver: Person, shift: Shift, limit: int = 5) -> list[Proposal]:
    """At most `limit` verified proposals for the giver's shift, best first (module docstring)."""
    return match(program=program, giver=giver, shift=shift, limit=limit).proposals


def match(
    *,
    program: Organization,
    giver: Person,
    shift: Shift,
    limit: int = 5,
    state: ScheduleState | None = None,
    checker: Checker | None = None,
) -> Matching:
    """`proposals` with its figures. A caller matching many shifts of one version may pass the state and its
    checker (they are read once per request otherwise)."""
    if giver.program_id != program.pk:
        raise DomainError(f"{giver.full_name} is not in {program}.")
    if state is None:
        state = _state(published_version(program=program, day=shift.date), giver.kind)
    checker = checker or Checker(state)
    giver_holds(state, giver_id=giver.pk, shift=shift)
    _future(state, shift, giver.pk)
    giver = state.people.get(giver.pk, giver)
    candidates = [p for p in state.people.values() if p.kind == giver.kind and p.is_active and p.pk != giver.pk]
    options, refused = _options(state, giver, shift, candidates)
    scorer = _Scorer(state, program, giver, shift, candidates)
    for option in options:
        scorer.score(option)
    options.sort(key=lambda o: (-o.score, o.kind != "trade", o.taker.last_name, o.taker.first_name, o.taker.pk))
    found: list[Proposal] = []
    taken: set[tuple[int, str]] = set()
    verified = 0
    for option in options:
        if len(found) >= limit:
            break
        if (option.taker.pk, option.kind) in taken:
            continue
        verified += 1
        verdict = checker.check(option.changes, first_only=True)
        if not verdict.ok:
            continue
        taken.add((option.taker.pk, option.kind))
        label = option.plan.label + (f" for {option.return_plan.label}" if option.return_plan else "")
        found.append(
            Proposal(
                giver=giver,
                taker=option.taker,
                kind=option.kind,
                shift=shift,
                return_shift=option.return_shift,
                score=round(option.score, 1),
                reasons=option.reasons,
                check=verdict,
                label=label,
                components=option.components,
            )
        )
    ranked = [(o.taker, o.kind, round(o.score, 1)) for o in options]
    return Matching(found, len(candidates), len(options), verified, refused, ranked)


def _options(
    state: ScheduleState, giver: Person, shift: Shift, candidates: list[Person]
) -> tuple[list[_Option], dict[int, str]]:
    """Every give-away and the nearest trades each candidate can do (eligibility only, in memory)."""
    options: list[_Option] = []
    refused: dict[int, str] = {}
    for taker in candidates:
        try:
            plan = plan_leg(state, giver_id=giver.pk, taker_id=taker.pk, shift=shift)
        except DomainError as exc:
            refused[taker.pk] = str(exc)
            continue
        if shift.kind == "block":  # a block leg is itself an exchange of rotations: one leg, a trade
            options.append(_Option(taker, "trade", plan, plan.changes))
            continue
        options.append(_Option(taker, "giveaway", plan, plan.changes))
        found = 0
        for back in _return_shifts(state, taker, giver, shift):
            try:
                changes, plans = plan_legs(state, [(giver.pk, taker.pk, shift), (taker.pk, giver.pk, back)])
            except DomainError:
                continue
            options.append(_Option(taker, "trade", plan, changes, back, plans[1]))
            found += 1
            if found >= TRADES_PER_TAKER:
                break
    return options, refused


def _return_shifts(state: ScheduleState, taker: Person, giver: Person, shift: Shift) -> list[Shift]:
    """The taker's shifts of the same kind near the date the giver might take in return, nearest first."""
    window = TRADE_WINDOW_DAYS.get(shift.kind, 0)
    low, high = shift.date - dt.timedelta(days=window), shift.date + dt.timedelta(days=window)
    found: list[Shift] = []
    if shift.kind == "session":
        day = low
        while day <= high:
            for session in SESSIONS:
                theirs = state.sessions.get((taker.pk, day, session))
                if (day, session) != (shift.date, shift.session) and theirs and swappable_session(taker.kind, *theirs):
                    found.append(Shift("session", day, session))
            day += dt.timedelta(days=1)
    elif shift.kind in ("call", "faculty_call"):
        kinds = RESIDENT_CALL_KINDS if shift.kind == "call" else {CallKind.ATTENDING}
        for call in state.calls.get(taker.pk, ()):
            night = state.night(call)
            if call.kind in kinds and low <= night <= high and night != shift.date:
                found.append(Shift(shift.kind, night))
    elif shift.kind == "fmit_week":
        starts = set()
        day = low
        while day <= high:
            if any(state.sessions.get((taker.pk, day, s), ("",))[0] == Activity.FMIT for s in SESSIONS):
                starts.add(fmit_week(state, day)[0])
            day += dt.timedelta(days=1)
        found = [Shift("fmit_week", start) for start in starts if start != shift.date]
    now = timezone.now()
    found = [s for s in found if shift_start(state, s, giver_id=taker.pk) > now and _holds(state, taker, s)]
    return sorted(set(found), key=lambda s: (abs((s.date - shift.date).days), s.date, s.session))


def _holds(state: ScheduleState, person: Person, shift: Shift) -> bool:
    try:
        giver_holds(state, giver_id=person.pk, shift=shift)
    except DomainError:
        return False
    return True


# The score.


def _shift_days(state: ScheduleState, shift: Shift) -> list[dt.date]:
    if shift.kind == "fmit_week":
        return fmit_week(state, shift.date)
    if shift.kind == "block":
        block = next((b for b in state.block_rows if b.pk == shift.block_id), None)
        if block is not None:
            length = (block.end_date - block.start_date).days + 1
            return [block.start_date + dt.timedelta(days=n) for n in range(length)]
    return [shift.date]


class _Scorer:
    """The cheap score of options (module docstring), from the state and three small queries."""

    def __init__(
        self, state: ScheduleState, program: Organization, giver: Person, shift: Shift, candidates: list[Person]
    ) -> None:
        self.state, self.giver, self.shift = state, giver, shift
        self.days = _shift_days(state, shift)
        ids = [p.pk for p in candidates] + [giver.pk]
        self.wishes: dict[int, list[Preference]] = defaultdict(list)
        for wish in Preference.objects.filter(
            program=program,
            academic_year_id=state.version.academic_year_id,
            status=Preference.Status.ACTIVE,
            kind__in=(Preference.Kind.BLOCKED_WEEK, Preference.Kind.PREFERRED_WEEK),
            person_id__in=ids,
        ).order_by("week_start"):
            self.wishes[wish.person_id].append(wish)
        self.history: dict[int, list[SwapLeg]] = defaultdict(list)
        for leg in (
            SwapLeg.objects.filter(program=program, swap__status=Swap.Status.EXECUTED, taker__isnull=False)
            .filter(Q(giver=giver) | Q(taker=giver))
            .order_by("-date")
        ):
            other = leg.taker_id if leg.giver_id == giver.pk else leg.giver_id
            self.history[other].append(leg)
        self.load = _workload(state, candidates + [giver], shift.date)

    def score(self, option: _Option) -> None:
        parts = {
            "availability": self._availability(option),
            "workload": self._workload(option),
            "preferences": self._preferences(option),
            "history": self._history(option),
            "proximity": self._proximity(option),
        }
        option.components = {name: round(points, 1) for name, (points, _) in parts.items()}
        option.score = sum(points for points, _ in parts.values())
        option.reasons = [reason for _, reasons in parts.values() for reason in reasons]

    # Components: (points, reasons).

    def _availability(self, option: _Option) -> tuple[float, list[str]]:
        state, shift, pk = self.state, self.shift, option.taker.pk
        if shift.kind == "session":
            other = "PM" if shift.session == "AM" else "AM"
            value = state.sessions.get((pk, shift.date, other))
            points, reasons = 10.0, [f"Free that {'morning' if shift.session == 'AM' else 'afternoon'}"]
            if value is None or value[0] in FREE_ACTIVITIES - {Activity.POST_CALL}:
                points, reasons = 20.0, [f"Free all day on {_day(shift.date)}"]
            if any(state.night(c) == shift.date for c in state.calls.get(pk, ()) if c.kind != CallKind.ATTENDING):
                points -= 10
                reasons.append("On call that night")
            return points, reasons
        if shift.kind in ("call", "faculty_call"):
            kinds = RESIDENT_CALL_KINDS if shift.kind == "call" else {CallKind.ATTENDING}
            nights = [state.night(c) for c in state.calls.get(pk, ()) if c.kind in kinds]
            if option.return_shift is not None:
                nights = [n for n in nights if n != option.return_shift.date]
            gap = min((abs((n - shift.date).days) for n in nights), default=None)
            if gap is None or gap >= 4:
                return 20.0, ["No other call within 3 nights"]
            if gap >= 2:
                return 10.0, [f"Nearest other call {gap} nights away"]
            return 0.0, ["A call the night before or after"]
        if shift.kind == "fmit_week":
            duty = sum(
                1
                for day in self.days
                for session in SESSIONS
                if (value := state.sessions.get((pk, day, session))) is not None and value[0] not in FREE_ACTIVITIES
            )
            points = max(0.0, 20.0 * (1 - duty / 10))
            return points, [f"{duty} duty half-day{'s' if duty != 1 else ''} that week"]
        return 10.0, []

    def _workload(self, option: _Option) -> tuple[float, list[str]]:
        taker = option.taker
        cohort = [
            p
            for p in self.load
            if p.kind == taker.kind and (p.kind == Person.Kind.FACULTY or p.pgy == taker.pgy) and p != self.giver
        ]
        if not cohort:
            return 0.0, []
        hours = sum(self.load[p][0] for p in cohort) / len(cohort)
        calls = sum(self.load[p][1] for p in cohort) / len(cohort)
        mine_hours, mine_calls = self.load[taker]
        name = f"PGY-{taker.pgy}" if taker.kind == Person.Kind.RESIDENT else "faculty"
        under_hours, under_calls = hours - mine_hours, calls - mine_calls
        points = max(-20.0, min(20.0, under_hours + 4 * under_calls))
        reasons = []
        if abs(under_hours) >= 2:
            side = "under" if under_hours > 0 else "over"
            reasons.append(f"{abs(under_hours):.0f} h {side} the {name} average over these 4 weeks")
        if abs(under_calls) >= 1:
            n = abs(under_calls)
            more = "fewer" if under_calls > 0 else "more"
            reasons.append(f"{n:.0f} call night{'s' if round(n) != 1 else ''} {more} than the {name} average")
        return points, reasons

    def _wish_in(self, person_id: int, days: Iterable[dt.date]) -> Preference | None:
        days = list(days)
        for wish in self.wishes.get(person_id, ()):
            if any(wish.week_start <= day <= wish.week_start + dt.timedelta(days=6) for day in days):
                return wish
        return None

    def _preferences(self, option: _Option) -> tuple[float, list[str]]:
        points, reasons = 0.0, []
        taker, giver = option.taker, self.giver
        back_days = _shift_days(self.state, option.return_shift) if option.return_shift else []
        blocked = Preference.Kind.BLOCKED_WEEK
        if wish := self._wish_in(taker.pk, self.days):
            what = "blocked week" if wish.kind == blocked else "preferred week off"
            points -= 20 if wish.kind == blocked else 10
            reasons.append(f"Falls in their {what} of {_day(wish.week_start)}")
        if back_days and (wish := self._wish_in(giver.pk, back_days)):
            what = "blocked week" if wish.kind == blocked else "preferred week off"
            points -= 20 if wish.kind == blocked else 10
            reasons.append(f"Their shift falls in your {what} of {_day(wish.week_start)}")
        if wish := self._wish_in(giver.pk, self.days):
            points += 10
            reasons.append(f"Frees your wished-off week of {_day(wish.week_start)}")
        if back_days and (wish := self._wish_in(taker.pk, back_days)):
            points += 10
            reasons.append(f"Frees their wished-off week of {_day(wish.week_start)}")
        return max(-20.0, min(20.0, points)), reasons

    def _history(self, option: _Option) -> tuple[float, list[str]]:
        legs = self.history.get(option.taker.pk, [])
        helped = [leg for leg in legs if leg.giver_id == option.taker.pk]  # the giver took the taker's shift
        owed = [leg for leg in legs if leg.giver_id == self.giver.pk]  # the taker took the giver's shift
        points = max(-9.0, min(15.0, 5.0 * len(helped) - 3.0 * len(owed)))
        reasons = []
        if helped:
            more = f" (and {len(helped) - 1} more)" if len(helped) > 1 else ""
            leg = helped[0]
            reasons.append(f"You took their {SHIFT_WORDS[leg.shift]} on {_day(leg.date)}{more}")
        if owed:
            more = f" (and {len(owed) - 1} more)" if len(owed) > 1 else ""
            leg = owed[0]
            reasons.append(f"They already took your {SHIFT_WORDS[leg.shift]} on {_day(leg.date)}{more}")
        return points, reasons

    def _proximity(self, option: _Option) -> tuple[float, list[str]]:
        if option.return_shift is None:
            return 0.0, []
        window = TRADE_WINDOW_DAYS.get(self.shift.kind, 14)
        delta = (option.return_shift.date - self.shift.date).days
        points = WEIGHTS["proximity"] * max(0.0, 1 - abs(delta) / window)
        what = SHIFT_WORDS[option.return_shift.kind]
        if delta == 0:
            reason = f"Their {what} in return is the same day"
        else:
            when = "later" if delta > 0 else "earlier"
            days = f"{abs(delta)} day{'s' if abs(delta) != 1 else ''}"
            reason = f"Their {what} in return is {days} {when} ({_day(option.return_shift.date)})"
        return points, [reason]


def _workload(state: ScheduleState, people: list[Person], day: dt.date) -> dict[Person, tuple[float, int]]:
    """Each person's duty hours and call nights in the four weeks around `day` (from two weeks before)."""
    start = day - dt.timedelta(days=WORKLOAD_DAYS // 2)
    days = [start + dt.timedelta(days=n) for n in range(WORKLOAD_DAYS)]
    end = days[-1]
    by_day: dict[tuple[int, dt.date], dict[str, str]] = {}
    for person in people:
        for d in days:
            for session in SESSIONS:
                value = state.sessions.get((person.pk, d, session))
                if value is not None:
                    by_day.setdefault((person.pk, d), {})[session] = value[0]
    calls = []
    nights: dict[int, int] = defaultdict(int)
    for person in people:
        for call in state.calls.get(person.pk, ()):
            night = state.night(call)
            if start <= night <= end:
                nights[person.pk] += 1
                calls.append(call)
    entries = duties_entries(
        people=people,
        by_day=by_day,
        calls=[CallChange(c.person_id, c.kind, c.start, c.end, c.worked_hours) for c in calls],
        rules=state.settings.rules,
        clock=state.clock,
        zone=state.zone,
    )
    load = {}
    for person, entry in zip(people, entries, strict=True):
        hours = sum(hours_per_week(entry["duties"], zone=state.zone, start=start, weeks=WORKLOAD_DAYS // 7))
        load[person] = (hours, nights[person.pk])
    return load


# The marketplace.


def open_postings(*, program: Organization) -> list[Swap]:
    """The program's open postings (pending, not expired, shift not started), with their legs and people."""
    now = timezone.now()
    postings = (
        Swap.objects.filter(program=program, kind=Swap.Kind.POSTING, status=Swap.Status.PENDING)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("requester", "academic_year")
        .prefetch_related("legs__giver", "legs__taker")
        .order_by("created_at", "pk")
    )
    return [swap for swap in postings if swap.legs.all()]


def marketplace(*, program: Organization, person: Person) -> list[MarketEntry]:
    """The open postings of others the person could take (`compatible`) or the rule that blocks them, soonest
    shift first."""
    if person.program_id != program.pk:
        raise DomainError(f"{person.full_name} is not in {program}.")
    postings = [swap for swap in open_postings(program=program) if swap.requester_id != person.pk]
    entries: list[MarketEntry] = []
    states: dict[int, tuple[ScheduleState, Checker]] = {}
    for swap in postings:
        leg = swap.legs.all()[0]
        shift = _shift_of(leg)
        try:
            version = published_version(program=program, day=shift.date)
        except DomainError as exc:
            entries.append(MarketEntry(swap, False, "Published schedule", str(exc)))
            continue
        if version.pk not in states:
            state = _state(version)
            states[version.pk] = (state, Checker(state))
        state, checker = states[version.pk]
        if shift_start(state, shift, giver_id=leg.giver_id) <= timezone.now():
            continue  # started: it expires, nobody can take it any more
        try:
            label = giver_holds(state, giver_id=leg.giver_id, shift=shift)
            plan = plan_leg(state, giver_id=leg.giver_id, taker_id=person.pk, shift=shift)
        except DomainError as exc:
            entries.append(MarketEntry(swap, False, "Eligibility", str(exc)))
            continue
        verdict = checker.check(plan.changes, first_only=True)
        if verdict.ok:
            entries.append(MarketEntry(swap, True, "", "", label))
        else:
            entries.append(MarketEntry(swap, False, verdict.rules()[0], verdict.summary(), label))
    return sorted(entries, key=lambda e: (e.swap.legs.all()[0].date, e.swap.pk))


# Chains.


def chains(*, program: Organization, max_length: int = 4) -> list[Chain]:
    """Cycles of three or more of the program's open postings (networkx `simple_cycles`, at most `max_length`): an
    edge i -> j when the giver of posting j can take posting i's shift; each cycle is planned as one change
    (every leg together) and verified for every party before it is returned. Shortest first, then soonest."""
    postings = open_postings(program=program)
    by_version: dict[int, list[tuple[Swap, SwapLeg, Shift]]] = defaultdict(list)
    versions: dict[int, ScheduleVersion] = {}
    for swap in postings:
        leg = swap.legs.all()[0]
        try:
            version = published_version(program=program, day=leg.date)
        except DomainError:
            continue
        if leg.date < program.today():
            continue
        versions[version.pk] = version
        by_version[version.pk].append((swap, leg, _shift_of(leg)))
    found: list[Chain] = []
    for version_pk, items in by_version.items():
        state = _state(versions[version_pk])
        checker = Checker(state)
        graph = nx.DiGraph()
        graph.add_nodes_from(range(len(items)))
        for i, (_, leg_i, shift_i) in enumerate(items):
            for j, (_, leg_j, _) in enumerate(items):
                if i == j or leg_i.giver_id == leg_j.giver_id:
                    continue
                try:
                    plan_leg(state, giver_id=leg_i.giver_id, taker_id=leg_j.giver_id, shift=shift_i)
                except DomainError:
                    continue
                graph.add_edge(i, j)
        for cycle in nx.simple_cycles(graph, length_bound=max_length):
            givers = [items[i][1].giver_id for i in cycle]
            if len(cycle) < 3 or len(set(givers)) != len(givers):  # two postings make a trade, not a chain
                continue
            legs = [
                (items[i][1].giver_id, items[cycle[(k + 1) % len(cycle)]][1].giver_id, items[i][2])
                for k, i in enumerate(cycle)
            ]
            try:
                changes, plans = plan_legs(state, legs)
            except DomainError:
                continue
            verdict = checker.check(changes)
            if not verdict.ok:
                continue
            found.append(
                Chain(
                    postings=[items[i][0] for i in cycle],
                    legs=[(state.people[g], state.people[t], s) for g, t, s in legs],
                    check=verdict,
                    labels=[p.label for p in plans],
                )
            )
    return sorted(found, key=lambda c: (len(c.legs), min(s.date for _, _, s in c.legs)))


def chain_ask(*, program: Organization, user, postings: Iterable[int], person: Person | None, reason: str = "") -> Swap:
    """Ask for the chain found now among exactly these open postings (ids), with `person`'s leg first (they ask
    as its first giver; a coordinator, `person` None, asks as it was found). ConflictError when no such chain
    is possible any more (a posting was taken, changed or ended)."""
    wanted = sorted(postings)
    chain = next((c for c in chains(program=program) if sorted(p.pk for p in c.postings) == wanted), None)
    if chain is None:
        raise ConflictError("This chain is no longer possible: one of its postings was taken, changed or ended.")
    if person is not None:
        first = next((n for n, (giver, _taker, _shift) in enumerate(chain.legs) if giver.pk == person.pk), 0)
        chain = dataclasses.replace(chain, legs=chain.legs[first:] + chain.legs[:first])
    return chain_create(program=program, user=user, chain=chain, reason=reason)


def chain_create(*, program: Organization, user, chain: Chain, reason: str = "") -> Swap:
    """The found chain as one Swap of kind "chain", one leg per party in the cycle's order (through
    `swaps.services.swap_create`, so its rules apply: who may create it, the lock window, the re-check)."""
    from swaps.services import LegSpec, swap_create

    legs = [LegSpec(giver=giver, taker=taker, shift=shift) for giver, taker, shift in chain.legs]
    numbers = ", ".join(f"#{posting.pk}" for posting in chain.postings)
    return swap_create(
        program=program,
        user=user,
        kind=Swap.Kind.CHAIN,
        legs=legs,
        reason=reason or f"Chain of the open postings {numbers}",
    )
