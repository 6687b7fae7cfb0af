"""Fairness per cohort of a schedule version: who carries more calls, weekends, holidays, FMIT and night-float
weeks than their cohort, and how evenly granted wishes and swaps fall (DESIGN.md section 10, issue 15).

Cohorts are the residents of each PGY level and the faculty. Every count is read from the version through
`scheduling.day_view.session_grid`, the one reading of what a person does on a half-day, so leave laid over a
row, and a call dropped on a whole day of leave, count here as on every page:
- call nights: in-house calls (residents) and attending calls (faculty), one per night;
- weekend duties: calls that start on a Saturday or Sunday, and Saturday or Sunday half-days worked;
- holiday duties: the same on the program's federal and training holidays (the days the engine treats as
  holidays, scheduling.engine.facts.HOLIDAY_TYPES);
- FMIT weeks (faculty): weeks, on the program's FMIT week start, holding an FMIT attending half-day;
- night-float weeks (residents): Monday-start weeks holding a night-float half-day;
- wishes granted: each person's share (%) of their active wishes of the year the version grants, as the engine
  defines granted (scheduling.engine.wishes), among people who made one;
- swap shifts taken and given: legs of the year's executed swaps.
Per cohort and measure: Gini, fairness = 1 - Gini (good >= 0.9, warning >= 0.75, else poor), min, max, spread
and mean; a person more than MARGIN above the cohort mean is flagged (below it, for wishes granted). When the
program sets `fairness.carry_over_equity`, the previous year's published counts are added to the schedule counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from analytics.fairness_settings import fairness_settings
from scheduling.day_view import CALL, SessionGrid, session_grid
from scheduling.engine.equity import fairness, fairness_rating, gini
from scheduling.engine.facts import HOLIDAY_TYPES
from scheduling.fmit_config import fmit_settings
from scheduling.models import (
    AcademicYear,
    BlockAssignment,
    CallAssignment,
    Person,
    Preference,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.program_settings import NOT_SCHEDULED_ROLES, SchedulingSettings, scheduling_settings
from scheduling.schedule_cache import cached
from scheduling.selectors import academic_year_current, schedule_version_pick
from swaps.models import Swap, SwapLeg
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.params import parse_id

Activity = SessionAssignment.Activity
SPANS = ("year", "ytd")
SPAN_LABELS = {"year": "Academic year", "ytd": "Year to date"}
FACULTY = "Faculty"
WEEKEND = (5, 6)
CACHE_VERSION = 1  # bump when the report's shape changes, so that no older pickle is read
CALL_NIGHT_KINDS = frozenset({CallAssignment.Kind.IN_HOUSE, CallAssignment.Kind.ATTENDING})


@dataclass(frozen=True, slots=True)
class Measure:
    """What is counted, for whom, and which way a person stands out (`burden`: more is heavier)."""

    key: str
    label: str
    residents: bool = True
    faculty: bool = True
    burden: bool = True  # False: less is worse (wishes granted)
    margin: float = 1.0  # how far from the cohort mean before a person is flagged
    unit: str = ""
    carried: bool = True  # counts of the schedule, which carry over from last year


MEASURES: tuple[Measure, ...] = (
    Measure("call_nights", "Call nights"),
    Measure("weekend_duties", "Weekend duties"),
    Measure("holiday_duties", "Holiday duties"),
    Measure("fmit_weeks", "FMIT weeks", residents=False),
    Measure("night_float_weeks", "Night-float weeks", faculty=False),
    Measure("wishes_granted", "Wishes granted", burden=False, margin=10.0, unit="%", carried=False),
    Measure("swaps_taken", "Swap shifts taken", carried=False),
    Measure("swaps_given", "Swap shifts given", carried=False),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
COUNTED = tuple(m.key for m in MEASURES if m.carried)


@dataclass(frozen=True, slots=True)
class PersonFigure:
    """One person's figure in a cohort's measure: this span's value, what carried over, and how they stand."""

    person_id: int
    name: str
    value: float  # current + carried
    current: float
    carried: float
    deviation: float  # value - cohort mean
    flagged: bool  # more than the margin above the mean (below it when less is worse)
    tone: str  # "bad" flagged, "warn" far on the other side, "good" near the mean


@dataclass(frozen=True, slots=True)
class MeasureFigures:
    """A cohort's figures for one measure."""

    measure: Measure
    cohort: str
    people: tuple[PersonFigure, ...]
    gini: float
    fairness: float
    rating: str  # good, warning, poor
    min: float
    max: float
    spread: float
    mean: float

    @property
    def flagged(self) -> list[PersonFigure]:
        return [p for p in self.people if p.flagged]


@dataclass(frozen=True, slots=True)
class CohortFigures:
    """A cohort (PGY-n or Faculty) and its measures, in MEASURES order (those that do not apply left out)."""

    label: str
    size: int
    measures: tuple[MeasureFigures, ...]

    def get(self, key: str) -> MeasureFigures | None:
        return next((m for m in self.measures if m.measure.key == key), None)


@dataclass(frozen=True)
class FairnessReport:
    """Fairness of one version over a span: its cohorts with their measures, and what carried over."""

    version: ScheduleVersion
    academic_year: AcademicYear
    span: str
    start: dt.date
    end: dt.date  # before `start` when the span is empty (a year not yet begun, year to date)
    cohorts: tuple[CohortFigures, ...]
    measures: tuple[Measure, ...] = MEASURES
    carry_over: bool = False
    carried_from: ScheduleVersion | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def span_label(self) -> str:
        return SPAN_LABELS[self.span]

    def by_measure(self) -> list[tuple[Measure, list[MeasureFigures]]]:
        """Each measure with the cohorts it applies to, in order."""
        out = []
        for measure in self.measures:
            figures = [f for c in self.cohorts if (f := c.get(measure.key)) is not None]
            if figures:
                out.append((measure, figures))
        return out

    def rows(self) -> list[list[object]]:
        """The table as CSV rows (header first): one row per person, cohort and measure."""
        header = [
            "cohort",
            "measure",
            "person",
            "value",
            "this_span",
            "carried_over",
            "cohort_mean",
            "deviation",
            "flagged",
            "cohort_fairness",
            "rating",
            "cohort_min",
            "cohort_max",
            "cohort_spread",
        ]
        rows: list[list[object]] = [header]
        for cohort in self.cohorts:
            for f in cohort.measures:
                for p in f.people:
                    rows.append(
                        [cohort.label, f.measure.label, p.name, _num(p.value), _num(p.current), _num(p.carried)]
                        + [_num(f.mean), _num(p.deviation), "yes" if p.flagged else "", f"{f.fairness:.4f}"]
                        + [f.rating, _num(f.min), _num(f.max), _num(f.spread)]
                    )
        return rows


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def span_dates(*, year: AcademicYear, span: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a span: the academic year, or its start to today (empty before it starts)."""
    if span not in SPANS:
        raise DomainError(f'Choose span "year" or "ytd" (year to date), not "{str(span)[:20]}".', code="invalid_span")
    if span == "year":
        return year.start_date, year.end_date
    return year.start_date, min(today, year.end_date)


def _cohort_label(person: Person) -> str:
    return f"PGY-{person.pgy}" if person.kind == Person.Kind.RESIDENT else FACULTY


def _cohort_order(label: str) -> tuple[int, int]:
    return (1, 0) if label == FACULTY else (0, int(label.removeprefix("PGY-")))


def _grid(version: ScheduleVersion, start: dt.date, end: dt.date, person_ids: list[int] | None) -> SessionGrid:
    kinds = [Person.Kind.RESIDENT, Person.Kind.FACULTY]
    return session_grid(version=version, start=start, end=end, person_ids=person_ids, kinds=kinds)


def schedule_counts(
    *,
    version: ScheduleVersion,
    start: dt.date,
    end: dt.date,
    person_ids: list[int] | None = None,
    grid: SessionGrid | None = None,
) -> dict[str, dict[int, int]]:
    """Per measure of the schedule (COUNTED), each person's count between start and end, read through
    session_grid (leave over rows, calls dropped on leave; `grid` when the caller has read it). Missing: zero."""
    counts: dict[str, dict[int, int]] = {key: defaultdict(int) for key in COUNTED}
    if end < start:
        return counts
    grid = grid or _grid(version, start, end, person_ids)
    zone = version.program.zone
    holidays = {day for day, special in grid.special_days.items() if special.day_type in HOLIDAY_TYPES}
    week_start = fmit_settings(version.academic_year).week_start_day
    nights: set[tuple[int, dt.date]] = set()
    for call in grid.calls:
        day = call.start.astimezone(zone).date()
        if call.kind in CALL_NIGHT_KINDS and (call.person_id, day) not in nights:
            nights.add((call.person_id, day))
            counts["call_nights"][call.person_id] += 1
        if day.weekday() in WEEKEND:
            counts["weekend_duties"][call.person_id] += 1
        if day in holidays:
            counts["holiday_duties"][call.person_id] += 1
    fmit: set[tuple[int, dt.date]] = set()
    night_float: set[tuple[int, dt.date]] = set()
    for half in grid.halves.values():
        if not half.is_duty:
            continue
        if half.activity != CALL:  # a free half-day spent on call is the call, counted above
            if half.date.weekday() in WEEKEND:
                counts["weekend_duties"][half.person_id] += 1
            if half.date in holidays:
                counts["holiday_duties"][half.person_id] += 1
        if half.activity == Activity.FMIT and not half.resident:
            fmit.add((half.person_id, half.date - dt.timedelta(days=(half.date.weekday() - week_start) % 7)))
        elif half.activity == Activity.NIGHT_FLOAT and half.resident:
            night_float.add((half.person_id, half.date - dt.timedelta(days=half.date.weekday())))
    for person_id, _ in fmit:
        counts["fmit_weeks"][person_id] += 1
    for person_id, _ in night_float:
        counts["night_float_weeks"][person_id] += 1
    return counts


def _previous_published(year: AcademicYear) -> ScheduleVersion | None:
    before = (
        AcademicYear.objects.filter(program_id=year.program_id, end_date__lt=year.start_date)
        .order_by("-start_date")
        .first()
    )
    if before is None:
        return None
    version = schedule_version_pick(academic_year=before)
    if version is not None:
        version.program = year.program
    return version


def wish_shares(
    *, version: ScheduleVersion, start: dt.date, end: dt.date, person_ids: list[int], grid: SessionGrid | None = None
) -> dict[int, float]:
    """Each person's share (%) of their active wishes of the year that the version grants, among wishes that fall
    in start..end (a week within it, a block ending in it; a wish for any block only over the whole year)."""
    year = version.academic_year
    wishes = list(
        Preference.objects.filter(academic_year=year, person_id__in=person_ids)
        .active()
        .select_related("block")
        .order_by("pk")
    )
    whole_year = start <= year.start_date and end >= year.end_date
    wishes = [
        w
        for w in wishes
        if (w.week_start is not None and start <= w.week_start and w.week_start + dt.timedelta(days=6) <= end)
        or (w.block is not None and start <= w.block.start_date and w.block.end_date <= end)
        or (w.rotation_id is not None and w.block is None and whole_year)
    ]
    if not wishes:
        return {}
    held: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (person, rotation) -> (block, half)
    for person_id, rotation_id, block_id, half in BlockAssignment.objects.filter(
        version=version, person_id__in={w.person_id for w in wishes}
    ).values_list("person_id", "rotation_id", "block_id", "half"):
        held[(person_id, rotation_id)].append((block_id, half))
    week_people = sorted({w.person_id for w in wishes if w.week_start is not None})
    placed: dict[int, set[dt.date]] = defaultdict(set)  # days with a call, clinic or FMIT half-day
    if week_people:
        grid = grid or session_grid(version=version, start=start, end=end, person_ids=week_people)
        zone = version.program.zone
        for call in grid.calls:
            placed[call.person_id].add(call.start.astimezone(zone).date())
        for half in grid.halves.values():
            if half.activity in (Activity.CLINIC, Activity.FMIT):
                placed[half.person_id].add(half.date)
    asked: dict[int, int] = defaultdict(int)
    granted: dict[int, int] = defaultdict(int)
    for wish in wishes:
        asked[wish.person_id] += 1
        if wish.week_start is not None:
            week = {wish.week_start + dt.timedelta(days=i) for i in range(7)}
            ok = not (placed[wish.person_id] & week)
        else:
            cells = held[(wish.person_id, wish.rotation_id)]
            if wish.block_id is not None:
                cells = [c for c in cells if c[0] == wish.block_id]
            if wish.kind == Preference.Kind.ROTATION_WISH:
                whole = BlockAssignment.Half.WHOLE
                ok = any(half == whole for _, half in cells) if wish.block_id is not None else bool(cells)
            else:
                ok = not cells
        granted[wish.person_id] += int(ok)
    return {pk: 100 * granted[pk] / asked[pk] for pk in asked}


def swap_counts(
    *, year: AcademicYear, start: dt.date, end: dt.date, person_ids: list[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Shifts each person took and gave in the year's executed swaps, by the shift's date in start..end."""
    taken: dict[int, int] = defaultdict(int)
    given: dict[int, int] = defaultdict(int)
    legs = SwapLeg.objects.filter(
        swap__academic_year=year,
        swap__program_id=year.program_id,
        swap__status=Swap.Status.EXECUTED,
        date__gte=start,
        date__lte=end,
    ).values_list("giver_id", "taker_id")
    wanted = set(person_ids)
    for giver, taker in legs:
        if giver in wanted:
            given[giver] += 1
        if taker in wanted:
            taken[taker] += 1
    return taken, given


def _members(
    measure: Measure, people: list[Person], values: dict[int, float], settings: SchedulingSettings
) -> list[Person]:
    """Who a measure's cohort figures take in: residents always (where it applies); faculty who take it (FMIT
    target, a role on the faculty call roster) or hold any; wish shares of those who made a wish."""
    if measure.key == "wishes_granted":
        return [p for p in people if p.pk in values]
    chosen = []
    for p in people:
        if p.kind == Person.Kind.RESIDENT:
            if measure.residents:
                chosen.append(p)
            continue
        if not measure.faculty:
            continue
        if values.get(p.pk):
            chosen.append(p)
        elif measure.key == "fmit_weeks":
            if p.fmit_target_weeks:
                chosen.append(p)
        elif measure.key == "call_nights":
            if settings.requirements.faculty_call is not None and settings.takes_faculty_call(p.faculty_role):
                chosen.append(p)
        elif (p.faculty_role or "core") not in NOT_SCHEDULED_ROLES:
            chosen.append(p)
    return chosen


def _figures(
    measure: Measure, cohort: str, people: list[Person], current: dict[int, float], carried: dict[int, float]
) -> MeasureFigures | None:
    if not people:
        return None
    values = [current.get(p.pk, 0) + carried.get(p.pk, 0) for p in people]
    mean = sum(values) / len(values)
    rows = []
    for p, value in zip(people, values, strict=True):
        deviation = value - mean
        above, below = deviation > measure.margin, deviation < -measure.margin
        flagged = above if measure.burden else below
        far_other_way = below if measure.burden else above
        tone = "bad" if flagged else ("warn" if far_other_way and measure.burden else "good")
        rows.append(
            PersonFigure(p.pk, p.full_name, value, current.get(p.pk, 0), carried.get(p.pk, 0), deviation, flagged, tone)
        )
    rows.sort(key=lambda r: (-r.value if measure.burden else r.value, r.name))
    fair = fairness(values)
    return MeasureFigures(
        measure=measure,
        cohort=cohort,
        people=tuple(rows),
        gini=round(gini(values), 4),
        fairness=fair,
        rating=fairness_rating(fair),
        min=min(values),
        max=max(values),
        spread=max(values) - min(values),
        mean=round(mean, 2),
    )


def fairness_report(*, version: ScheduleVersion, span: str = "year", today: dt.date | None = None) -> FairnessReport:
    """Fairness per cohort of `version` over the academic year or year to date (`span` "year" or "ytd"; a
    DomainError names any other). Today is the program's today unless given. Cached per schedule generation of
    the program (scheduling.schedule_cache): any save of its schedule, absences, swaps, wishes, people or settings
    (the carry-over) builds it anew; reading a year of half-days is the cost (seconds for 36 people)."""
    start, end = span_dates(year=version.academic_year, span=span, today=today or version.program.today())
    parts = ("analytics-fairness", CACHE_VERSION, version.pk, span, start, end)
    return cached(version.program_id, parts, lambda: _build(version, span, start, end))


def _build(version: ScheduleVersion, span: str, start: dt.date, end: dt.date) -> FairnessReport:
    program = version.program
    year = version.academic_year
    people = list(
        Person.objects.filter(program_id=version.program_id, is_active=True, kind__in=["resident", "faculty"]).order_by(
            "kind", "pgy", "last_name", "first_name"
        )
    )
    ids = [p.pk for p in people]
    grid = _grid(version, start, end, ids) if end >= start else None  # read once for counts and wishes
    counted = schedule_counts(version=version, start=start, end=end, person_ids=ids, grid=grid)
    current: dict[str, dict[int, float]] = {k: dict(v) for k, v in counted.items()}
    notes: list[str] = []
    settings = scheduling_settings(program)
    carry = fairness_settings(program).carry_over_equity
    carried: dict[str, dict[int, float]] = {}
    carried_from = None
    if carry:
        carried_from = _previous_published(year)
        if carried_from is None:
            notes.append("Equity carries over from last year, but last year has no published schedule.")
        else:
            previous = carried_from.academic_year
            counts = schedule_counts(
                version=carried_from, start=previous.start_date, end=previous.end_date, person_ids=ids
            )
            carried = {k: dict(v) for k, v in counts.items()}
    current["wishes_granted"] = dict(wish_shares(version=version, start=start, end=end, person_ids=ids, grid=grid))
    taken, given = swap_counts(year=year, start=start, end=end, person_ids=ids)
    current["swaps_taken"], current["swaps_given"] = dict(taken), dict(given)
    if end < start:
        notes.append(f"{year.name} has not started yet: nothing to count to date.")
    groups: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        groups[_cohort_label(p)].append(p)
    cohorts = []
    for label in sorted(groups, key=_cohort_order):
        members = groups[label]
        figures = []
        for measure in MEASURES:
            values = current.get(measure.key, {})
            back = carried.get(measure.key, {}) if measure.carried else {}
            chosen = _members(measure, members, {**values, **{k: v for k, v in back.items() if v}}, settings)
            found = _figures(measure, label, chosen, values, back)
            if found is not None:
                figures.append(found)
        cohorts.append(CohortFigures(label=label, size=len(members), measures=tuple(figures)))
    return FairnessReport(
        version=version,
        academic_year=year,
        span=span,
        start=start,
        end=end,
        cohorts=tuple(cohorts),
        carry_over=carry,
        carried_from=carried_from,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Picked:
    """The year and version a fairness page, download or API call reads (`version` None: none published)."""

    year: AcademicYear | None
    version: ScheduleVersion | None
    wanted: str  # "published", "draft" or the version id asked for


def fairness_version_pick(*, program: Organization, year_id: int | None = None, which: str | None = None) -> Picked:
    """The version to read: the year's published one by default (`year_id` of the program, else its current
    year), `which` = "draft" (its newest draft) or a version id of the program (which names its year). A year or
    version that is not the program's, or any other `which`, is a DomainError saying what to give."""
    wanted = which or "published"
    if wanted not in ("published", "draft"):
        pk = parse_id(wanted)
        found = (
            ScheduleVersion.objects.for_program(program).select_related("academic_year").filter(pk=pk).first()
            if pk is not None
            else None
        )
        if found is None:
            raise DomainError(
                'Choose version "published", "draft" or the id of one of this program\'s schedule versions.',
                code="invalid_version",
            )
        found.program = program
        return Picked(found.academic_year, found, str(found.pk))
    if year_id is not None:
        year = AcademicYear.objects.for_program(program).filter(pk=year_id).first()
        if year is None:
            raise DomainError("Choose one of this program's academic years.", code="invalid_year")
    else:
        year = academic_year_current(program=program)
    if year is None:
        return Picked(None, None, wanted)
    version = schedule_version_pick(academic_year=year, which=wanted, drafts_visible=True)
    if version is not None:
        version.program = program
    return Picked(year, version, wanted)
