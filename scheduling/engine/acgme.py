"""The ACGME duty-hour checker (DESIGN.md section 5): duty periods in, violations out.

Time is handled as UTC epoch seconds, so every duration is real elapsed time (a night across a DST
change lasts 11 or 13 h) and windows are cut at local midnights (a 28-day window is 671 to 673 h).
Windowed rules slide over per-local-day prefix sums: O(days + duties) per person, not O(windows x duties).
A run of consecutive offending windows is reported once, as its worst window.
The program's supervision ratio (`supervision_ratio`, a program rule) is checked on the roster's sessions,
once per session and site: no single person, the residents and faculty there named instead.
"""

from __future__ import annotations

import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any, Literal

from scheduling.engine.duties import AcgmeLimits, Duty, DutyRoster, PersonDuties

Severity = Literal["violation", "warning"]
PROGRAM_RULE = "program rule"  # the clause of a rule the program sets (DESIGN.md section 5), not the ACGME

# rule id -> (clause, severity), in the order of the DESIGN.md table (also the order of a person's ties).
RULES: dict[str, tuple[str, Severity]] = {
    "weekly_hours": ("6.20", "violation"),
    "day_off_in_7": ("6.21.b", "violation"),
    "continuous_duty": ("6.22", "violation"),
    "rest_after_24h": ("6.21.a", "violation"),
    "rest_between_periods": ("6.21", "warning"),
    "inhouse_call_frequency": ("6.27", "violation"),
    "moonlighting_pgy1": ("6.25.b", "violation"),
    "supervision_ratio": (PROGRAM_RULE, "violation"),
}
_RULE_ORDER = {rule: index for index, rule in enumerate(RULES)}
DAY_SECONDS = 24 * 3600
HOUR_SECONDS = 3600

Interval = tuple[int, int]
_Reporter = Callable[[str, int, int, float, float], None]  # rule, start, end (epoch seconds), value, limit


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: the window or period (aware, local), the measured value and the limit it passed.

    A session's finding (`supervision_ratio`) has no person (""): it names the session ("AM"/"PM") and site, and
    the residents and faculty there; value and limit are the residents' units and the faculty's capacity.
    """

    rule: str
    person: str
    start: datetime
    end: datetime
    value: float
    limit: float
    severity: Severity
    clause: str
    site: str = ""
    session: str = ""
    residents: tuple[str, ...] = ()
    faculty: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """The checker's verdict: compliant unless some violation has severity "violation" (warnings allowed)."""

    compliant: bool
    violations: list[Violation] = field(default_factory=list)
    people_checked: int = 0


def check(roster: DutyRoster) -> Report:
    """Check every person of the roster against every ACGME rule of DESIGN.md section 5."""
    zone = roster.zone
    instants = [[_epoch_interval(duty) for duty in person.duties] for person in roster.people]
    days = _Days.for_roster(roster, instants, zone)
    violations: list[Violation] = []
    for person, intervals in zip(roster.people, instants, strict=True):
        violations.extend(_check_person(person, intervals, roster.rules, days))
    if roster.sessions:
        violations.extend(_check_sessions(roster))
    compliant = all(violation.severity != "violation" for violation in violations)
    return Report(compliant=compliant, violations=violations, people_checked=len(roster.people))


def report_to_json(report: Report) -> dict[str, Any]:
    """The report as DESIGN.md section 6 prints it; start and end are local ISO date-times. A session's finding
    also names its session, site, residents and faculty."""
    return {
        "compliant": report.compliant,
        "violations": [_violation_to_json(violation) for violation in report.violations],
        "people_checked": report.people_checked,
    }


def _violation_to_json(violation: Violation) -> dict[str, Any]:
    item: dict[str, Any] = {
        "rule": violation.rule,
        "person": violation.person,
        "start": _iso(violation.start),
        "end": _iso(violation.end),
        "value": violation.value,
        "limit": violation.limit,
        "severity": violation.severity,
        "clause": violation.clause,
    }
    if violation.site:
        item |= {
            "session": violation.session,
            "site": violation.site,
            "residents": list(violation.residents),
            "faculty": list(violation.faculty),
        }
    return item


def _check_sessions(roster: DutyRoster) -> list[Violation]:
    """supervision_ratio: each session's residents' units at most its faculty's capacity; by date, session, site."""
    zone = roster.zone
    pgy = {person.id: person.pgy for person in roster.people}
    ratio = roster.supervision
    clause, severity = RULES["supervision_ratio"]
    found: list[Violation] = []
    for item in sorted(roster.sessions, key=lambda s: (s.date, s.session, s.site)):
        units = sum(ratio.units(pgy[r]) for r in item.residents)
        capacity = ratio.capacity(len(item.faculty))
        if units <= capacity:
            continue
        begin, finish = roster.session_times[item.session]
        found.append(
            Violation(
                rule="supervision_ratio",
                person="",
                start=datetime.combine(item.date, begin, zone),
                end=datetime.combine(item.date, finish, zone),
                value=float(units),
                limit=float(capacity),
                severity=severity,
                clause=clause,
                site=item.site,
                session=item.session,
                residents=item.residents,
                faculty=item.faculty,
            )
        )
    return found


def merge_periods(periods: Iterable[Interval]) -> list[Interval]:
    """Periods (epoch seconds, end exclusive) that touch or overlap merged into continuous ones, sorted."""
    merged: list[Interval] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")


class _Days:
    """The local days of a roster's span with the UTC instant of each local midnight (DST makes 23/25 h days)."""

    def __init__(self, zone: zoneinfo.ZoneInfo, first: date, last: date) -> None:
        self.zone = zone
        self.base = first.toordinal()
        self.midnights = [
            round(datetime.combine(first + timedelta(days=offset), time(), zone).timestamp())
            for offset in range((last - first).days + 2)
        ]

    @classmethod
    def for_roster(cls, roster: DutyRoster, instants: list[list[Interval]], zone: zoneinfo.ZoneInfo) -> _Days:
        starts = [start for intervals in instants for start, _ in intervals]
        dates: list[date] = []
        if starts:
            last = max(end for intervals in instants for _, end in intervals)
            dates += [datetime.fromtimestamp(min(starts), zone).date(), datetime.fromtimestamp(last, zone).date()]
        dates += [day for person in roster.people for leave in person.leave for day in (leave.start, leave.end)]
        if not dates:
            today = date(2000, 1, 1)
            return cls(zone, today, today)
        pad = timedelta(days=roster.rules.window_days + 1)
        return cls(zone, min(dates) - pad, max(dates) + pad)

    def day_of(self, instant: int) -> int:
        """The index of the local day holding `instant`."""
        return bisect_right(self.midnights, instant) - 1

    def local(self, instant: int) -> datetime:
        return datetime.fromtimestamp(instant, self.zone)


@dataclass(slots=True)
class _Run:
    """The worst window of the current run of consecutive offending windows of one rule."""

    rule: str
    last: int = -2
    worst: tuple[float, int, float, float] | None = None  # score, window index, value, limit


def _epoch_interval(duty: Duty) -> Interval:
    """The duty as UTC epoch seconds, end exclusive: subtracting these gives real elapsed time."""
    return round(duty.start.timestamp()), round(duty.end.timestamp())


def _check_person(person: PersonDuties, intervals: list[Interval], limits: AcgmeLimits, days: _Days) -> list[Violation]:
    busy: list[Interval] = []  # every duty, home call included: not free for the day off
    on_duty: list[Interval] = []  # in-house work, in-house call, moonlighting: hours, continuity, rest
    calls: list[Interval] = []
    moonlighting: list[Interval] = []
    worked_from_home: list[tuple[int, int]] = []  # (home call start, seconds worked)
    for duty, interval in zip(person.duties, intervals, strict=True):
        busy.append(interval)
        if duty.kind == "home_call":
            if duty.worked_hours:
                worked_from_home.append((interval[0], round(duty.worked_hours * HOUR_SECONDS)))
            continue
        on_duty.append(interval)
        if duty.kind == "inhouse_call":
            calls.append(interval)
        elif duty.kind == "moonlighting":
            moonlighting.append(interval)

    found: list[tuple[int, int, Violation]] = []

    def report(rule: str, start: int, end: int, value: float, limit: float) -> None:
        clause, severity = RULES[rule]
        violation = Violation(
            rule=rule,
            person=person.id,
            start=days.local(start),
            end=days.local(end),
            value=round(float(value), 2),
            limit=round(float(limit), 2),
            severity=severity,
            clause=clause,
        )
        found.append((start, _RULE_ORDER[rule], violation))

    periods = merge_periods(on_duty)
    _check_periods(periods, limits, report)
    if person.pgy == 1 and not limits.moonlighting_pgy1_allowed:
        for start, end in merge_periods(moonlighting):
            report("moonlighting_pgy1", start, end, (end - start) / HOUR_SECONDS, 0)
    if busy:
        _check_windows(
            person, limits, days, merge_periods(busy), periods, merge_periods(calls), worked_from_home, report
        )

    found.sort(key=lambda item: (item[0], item[1]))
    return [violation for _, _, violation in found]


def _check_periods(periods: list[Interval], limits: AcgmeLimits, report: _Reporter) -> None:
    """continuous_duty on each merged period; rest_after_24h or rest_between_periods on the gap after it."""
    longest = limits.max_period_hours * HOUR_SECONDS
    long_period = limits.max_continuous_hours * HOUR_SECONDS
    rest_after_long = limits.rest_after_24h_hours * HOUR_SECONDS
    rest_between = limits.rest_between_periods_hours * HOUR_SECONDS
    for index, (start, end) in enumerate(periods):
        length = end - start
        if length > longest:
            report("continuous_duty", start, end, length / HOUR_SECONDS, limits.max_period_hours)
        if index + 1 == len(periods):
            break
        following = periods[index + 1][0]
        rest = following - end
        if length >= long_period:
            if rest < rest_after_long:
                report("rest_after_24h", end, following, rest / HOUR_SECONDS, limits.rest_after_24h_hours)
        elif rest < rest_between:
            report("rest_between_periods", end, following, rest / HOUR_SECONDS, limits.rest_between_periods_hours)


def _check_windows(
    person: PersonDuties,
    limits: AcgmeLimits,
    days: _Days,
    busy: list[Interval],
    periods: list[Interval],
    calls: list[Interval],
    worked_from_home: list[tuple[int, int]],
    report: _Reporter,
) -> None:
    """weekly_hours, day_off_in_7 and inhouse_call_frequency over every 28-day window holding some duty."""
    width = limits.window_days
    midnights = days.midnights
    first_day = days.day_of(busy[0][0])
    last_day = days.day_of(busy[-1][1] - 1)
    origin = first_day - width + 1  # the first window starting day (absolute day index)
    count = last_day - first_day + 2 * width - 1  # days covered by the windows, from origin

    on_leave = [False] * count
    for leave in person.leave:
        low = max(leave.start.toordinal() - days.base - origin, 0)
        high = min(leave.end.toordinal() - days.base - origin, count - 1)
        for index in range(low, high + 1):
            on_leave[index] = True

    seconds = [0] * count
    for start, end in periods:
        _spread(start, end, days.day_of(start) - origin, midnights, origin, seconds)
    for start, worked in worked_from_home:
        seconds[days.day_of(start) - origin] += worked
    has_duty = [0] * count
    for start, end in busy:
        for index in range(days.day_of(start) - origin, days.day_of(end - 1) - origin + 1):
            has_duty[index] = 1
    call_nights = [0] * count
    for start, _ in calls:
        call_nights[days.day_of(start) - origin] = 1
    for index in range(count):
        if on_leave[index]:
            seconds[index] = 0
            call_nights[index] = 0

    seconds_sum = list(accumulate(seconds, initial=0))
    leave_sum = list(accumulate((int(flag) for flag in on_leave), initial=0))
    duty_sum = list(accumulate(has_duty, initial=0))
    call_sum = list(accumulate(call_nights, initial=0))
    gap_starts, gap_ends, gap_days_sum = _free_stretches(busy, on_leave, midnights, origin, count)

    runs = {rule: _Run(rule) for rule in ("weekly_hours", "day_off_in_7", "inhouse_call_frequency")}

    def offend(run: _Run, window: int, score: float, value: float, limit: float) -> None:
        if run.last != window - 1:
            flush(run)
        if run.worst is None or score > run.worst[0]:
            run.worst = (score, window, value, limit)
        run.last = window

    def flush(run: _Run) -> None:
        if run.worst is not None:
            _, window, value, limit = run.worst
            start = midnights[origin + window]
            report(run.rule, start, midnights[origin + window + width], value, limit)
        run.worst = None

    weekly_seconds = limits.weekly_hours * HOUR_SECONDS
    days_off_needed = [limits.days_off_needed(leave_days) for leave_days in range(width + 1)]
    call_nights_allowed = [limits.call_nights_allowed(leave_days) for leave_days in range(width + 1)]
    for window in range(count - width + 1):
        end = window + width
        leave_days = leave_sum[end] - leave_sum[window]
        if duty_sum[end] == duty_sum[window] or leave_days == width:
            continue
        working = width - leave_days

        worked = seconds_sum[end] - seconds_sum[window]
        if worked * 7 > weekly_seconds * working:
            average = worked * 7 / (working * HOUR_SECONDS)
            offend(runs["weekly_hours"], window, average, average, limits.weekly_hours)

        needed = days_off_needed[leave_days]
        if needed:
            a, b = midnights[origin + window], midnights[origin + end]
            free = _free_days(a, b, gap_starts, gap_ends, gap_days_sum)
            if free < needed:
                offend(runs["day_off_in_7"], window, needed - free, free, needed)

        nights = call_sum[end] - call_sum[window]
        allowed = call_nights_allowed[leave_days]
        if nights > allowed:
            offend(runs["inhouse_call_frequency"], window, nights - allowed, nights, allowed)
    for run in runs.values():
        flush(run)


def _spread(start: int, end: int, index: int, midnights: list[int], origin: int, seconds: list[int]) -> None:
    """Add the period's seconds to each local day it covers (day `index` from origin holds `start`)."""
    while start < end:
        boundary = midnights[origin + index + 1]
        piece_end = end if end < boundary else boundary
        seconds[index] += piece_end - start
        start = piece_end
        index += 1


def _free_stretches(
    busy: list[Interval], on_leave: list[bool], midnights: list[int], origin: int, count: int
) -> tuple[list[int], list[int], list[int]]:
    """The stretches free of duty (home call included) and leave over the covered days, with a prefix sum of
    their whole free 24-hour periods."""
    blocked = list(busy)
    index = 0
    while index < count:
        if on_leave[index]:
            run_end = index
            while run_end + 1 < count and on_leave[run_end + 1]:
                run_end += 1
            blocked.append((midnights[origin + index], midnights[origin + run_end + 1]))
            index = run_end + 1
        else:
            index += 1
    starts: list[int] = []
    ends: list[int] = []
    cursor, horizon = midnights[origin], midnights[origin + count]
    for start, end in merge_periods(blocked):
        if start > cursor:
            starts.append(cursor)
            ends.append(start)
        cursor = max(cursor, end)
    if cursor < horizon:
        starts.append(cursor)
        ends.append(horizon)
    whole_days = list(
        accumulate(((end - start) // DAY_SECONDS for start, end in zip(starts, ends, strict=True)), initial=0)
    )
    return starts, ends, whole_days


def _free_days(a: int, b: int, starts: list[int], ends: list[int], whole_days: list[int]) -> int:
    """Free 24-hour periods in [a, b): floor(hours / 24) of each free stretch, clipped to the window."""
    first = bisect_right(ends, a)  # the first stretch ending after a
    last = bisect_left(starts, b) - 1  # the last stretch starting before b
    if first > last:
        return 0
    if first == last:
        return (min(b, ends[first]) - max(a, starts[first])) // DAY_SECONDS
    edges = (ends[first] - max(a, starts[first])) // DAY_SECONDS + (min(b, ends[last]) - starts[last]) // DAY_SECONDS
    return edges + whole_days[last] - whole_days[first + 1]
