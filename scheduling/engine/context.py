"""The fixed schedule around the horizon (`Problem.context`) as the model, the hint and the derivation read it.

A re-solve of some blocks of a published year keeps the rest of the year as it is. Per resident, the context's
duty periods and leave become constants on the horizon's day axis (day 0 is the first day of the horizon; days
before it are negative, day n is the day after it): on-duty minutes per local day, the days a duty touches,
in-house call nights and leave days. Two things follow:

- `Edge`: what they forbid at the edges. A horizon duty must start after the rest the checker wants after the
  last context period before the horizon (14 h after a period of 24 h or more, else 8 h) and end that long before
  the first context period after it; calls keep `min_days_between_calls` from the context's calls. So the day
  after a context call or night shift is free (no day duty, like the post-call day inside the horizon), a
  night shift that would break the rest is not worked, and a call that would is not allowed.
- `WindowLimits`: per 28-day window (by its first day, which may lie outside the horizon), the hours, call
  nights and free days its horizon part may hold once the context's share is counted. Without a context these
  are the windows and limits the model always had (docs/engine.md, "ACGME, exact or conservative").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from scheduling.engine.acgme import merge_periods
from scheduling.engine.problem import ContextPerson

if TYPE_CHECKING:
    from scheduling.engine.facts import Facts

HOUR = 3600


@dataclass(frozen=True, slots=True)
class Edge:
    """One resident's context on the horizon's day axis, and the horizon duties it rules out."""

    known: tuple[int, int]  # the first and last day the context covers
    minutes: dict[int, int]  # on-duty minutes per day (none on leave days); home-call work on its start day
    busy: frozenset[int]  # days a context duty touches (home call included): never free
    calls: frozenset[int]  # in-house call nights by start day (none on leave days)
    leave: frozenset[int]
    no_day: frozenset[int]  # horizon days without day duty
    no_night: frozenset[int]  # horizon days whose night shift is not worked
    no_call: frozenset[int]  # horizon nights without in-house call

    def knows(self, j: int) -> bool:
        return self.known[0] <= j <= self.known[1]


@dataclass(frozen=True, slots=True)
class WindowLimits:
    """Per window start s (the window is days s .. s + window_days - 1): what the horizon's part may hold.

    `hours` in minutes, `calls` in nights and `days_off` the free days still needed (only where some are); a window
    is left out when no schedule of the horizon can mend it (the context, or the context and the horizon's leave,
    already break it): the checker reports it on the merged schedule.
    """

    hours: dict[int, int]
    calls: dict[int, int]
    days_off: dict[int, int]


def resident_edges(facts: Facts) -> dict[str, Edge]:
    """The Edge of every resident with duties or leave in the context (others are free there: no Edge needed)."""
    context = facts.problem.context
    if context is None:
        return {}
    first = facts.days[0]
    known = ((context.start - first).days, (context.end - first).days)
    clock = _Clock(facts)
    wanted = {res.id for res in facts.residents}
    return {
        person.id: _edge(facts, clock, person, known)
        for person in context.people
        if person.id in wanted and (person.duties or person.leave)
    }


class _Clock:
    """Epoch seconds of each horizon day's duty starts and ends, computed once for every resident."""

    def __init__(self, facts: Facts) -> None:
        sessions, rules = facts.problem.calendar.sessions, facts.problem.rules
        n = facts.n
        self.am = [facts.at(i, sessions.am_start).timestamp() for i in range(n)]
        self.pm = [facts.at(i, sessions.pm_end).timestamp() for i in range(n)]
        self.call_end = [facts.at(i + 1, rules.call_end).timestamp() for i in range(n)]
        self.night = [
            (facts.at(i, rules.night_start).timestamp(), facts.at(i + 1, rules.night_end).timestamp()) for i in range(n)
        ]
        self.midnights = [facts.midnight(i).timestamp() for i in range(n + 1)]


def _edge(facts: Facts, clock: _Clock, person: ContextPerson, known: tuple[int, int]) -> Edge:
    first = facts.days[0]
    lim = facts.limits
    n = facts.n

    def index(day: date) -> int:
        return (day - first).days

    def day_of(seconds: float) -> int:
        return index(_local_date(facts, seconds))

    leave: set[int] = set()
    for entry in person.leave:
        leave.update(range(index(entry.start), index(entry.end) + 1))
    minutes: dict[int, int] = {}
    busy: set[int] = set()
    calls: set[int] = set()
    on_duty: list[tuple[int, int]] = []
    for duty in person.duties:
        start, end = round(duty.start.timestamp()), round(duty.end.timestamp())
        busy.update(range(day_of(start), day_of(end - 1) + 1))
        if duty.kind == "home_call":
            j = day_of(start)
            if duty.worked_hours and j not in leave:
                minutes[j] = minutes.get(j, 0) + math.ceil(duty.worked_hours * 60)
            continue
        on_duty.append((start, end))
        if duty.kind == "inhouse_call" and day_of(start) not in leave:
            calls.add(day_of(start))
    periods = merge_periods(on_duty)
    for start, end in periods:
        moment = start
        while moment < end:
            j = day_of(moment)
            boundary = round(facts.midnight(j + 1).timestamp())
            piece = min(end, boundary) - moment
            if j not in leave:
                minutes[j] = minutes.get(j, 0) + -(-piece // 60)
            moment += piece

    def rest(length: float) -> float:
        long = length >= lim.max_continuous_hours * HOUR
        return (lim.rest_after_24h_hours if long else lim.rest_between_periods_hours) * HOUR

    horizon_start = clock.midnights[0]
    earliest = max((end + rest(end - start) for start, end in periods if start < horizon_start), default=-math.inf)
    latest = min((start for start, _ in periods if start >= horizon_start), default=math.inf)

    def fits(start: float, end: float) -> bool:
        """A horizon period [start, end) keeps its rest from the context periods on either side."""
        return start >= earliest and end + rest(end - start) <= latest

    gap = max(1, facts.problem.rules.min_days_between_calls)
    no_day, no_night, no_call = set(), set(), set()
    for i in range(n):
        if not fits(clock.am[i], clock.pm[i]):
            no_day.add(i)
        if not fits(*clock.night[i]):
            no_night.add(i)
        spaced = all(abs(i - j) > gap for j in calls)
        if not (spaced and fits(clock.am[i], clock.call_end[i])):
            no_call.add(i)
    if n in leave:  # a call or night shift of the last day would run into leave
        no_night.add(n - 1)
        no_call.add(n - 1)
    return Edge(
        known=known,
        minutes=minutes,
        busy=frozenset(busy),
        calls=frozenset(calls),
        leave=frozenset(leave),
        no_day=frozenset(no_day),
        no_night=frozenset(no_night),
        no_call=frozenset(no_call),
    )


def _local_date(facts: Facts, seconds: float) -> date:
    return datetime.fromtimestamp(seconds, facts.zone).date()


def window_limits(facts: Facts, person: str) -> WindowLimits:
    """The model's ACGME windows of one resident with the context's share of each taken off its limit."""
    lim = facts.limits
    width, n = lim.window_days, facts.n
    edge = facts.edges.get(person)
    low, high = -(width - 1), n + width - 1  # every day of a window that holds a horizon day (0..n)

    def is_leave(j: int) -> bool:
        return facts.is_absent(person, j) if 0 <= j < n else edge is not None and j in edge.leave

    def outside_free(j: int) -> int:
        """Free-day credit of a day outside 0..n: known context days by what they hold, unknown days free."""
        short = facts.day_minutes(j) < 24 * 60
        if edge is not None and edge.knows(j):
            return int(not short and not is_leave(j) and j not in edge.busy)
        return int(not short)

    def prefix(values: list[int]) -> list[int]:
        out = [0]
        for value in values:
            out.append(out[-1] + value)
        return out

    span = range(low, high + 1)
    leave = prefix([int(is_leave(j)) for j in span])
    minutes = prefix([edge.minutes.get(j, 0) for j in span] if edge else [0] * len(span))
    calls = prefix([int(j in edge.calls) for j in span] if edge else [0] * len(span))
    credit = prefix([outside_free(j) if j < 0 or j > n else 0 for j in span])
    busy = edge.busy if edge is not None else frozenset()
    open_days = prefix(  # horizon days that can be free at all: not leave, not a short day, no context duty
        [int(0 <= j <= n and not is_leave(j) and facts.day_minutes(j) >= 24 * 60 and j not in busy) for j in span]
    )

    def total(sums: list[int], s: int) -> int:
        return sums[s + width - low] - sums[s - low]

    starts = set(range(0, n + 2 - width)) if n + 1 >= width else {0}
    if edge is not None and edge.known[0] < 0:
        starts.update(range(low, 0))
    if edge is not None and edge.known[1] > n:
        starts.update(range(max(0, n + 2 - width), n + 1))
    hours: dict[int, int] = {}
    nights: dict[int, int] = {}
    for s in sorted(starts):
        leave_days = total(leave, s)
        if leave_days >= width:
            continue
        if (left := facts.hours_limit(leave_days) - total(minutes, s)) >= 0:
            hours[s] = left
        if (allowed := lim.call_nights_allowed(leave_days) - total(calls, s)) >= 0:
            nights[s] = allowed
    days_off: dict[int, int] = {}
    for s in range(low, n + 1):
        leave_days = total(leave, s)
        if leave_days >= width:
            continue
        needed = lim.days_off_needed(leave_days) - total(credit, s)
        if 0 < needed <= total(open_days, s):
            days_off[s] = needed
    return WindowLimits(hours=hours, calls=nights, days_off=days_off)
