"""Reads of wishes, scoped to the program: who sees which, the wish window's state, the coordinator's heat map
(person x week, person x block), and what a run made of each wish (stored on the run by services.runs)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from scheduling.engine_io import person_pk
from scheduling.models import (
    ROTATION_KINDS,
    WEEK_KINDS,
    AcademicYear,
    Block,
    Person,
    Preference,
    ScheduleRun,
    ScheduleVersion,
    WishWindow,
)
from scheduling.wish_settings import wish_settings
from tenants.models import Organization
from tenants.permissions import Action, Resource, can

PRIORITY_RANK = {"high": 3, "medium": 2, "low": 1}


def is_wish_manager(user, program: Organization) -> bool:
    """Admins and coordinators see and enter every wish of the program, at any time."""
    return can(user, Action.CHANGE, Resource.SCHEDULE, program)


def wish_person_of_user(*, program: Organization, user) -> Person | None:
    """The person of the program linked to the user's login, if any."""
    return Person.objects.for_program(program).filter(user=user).first()


def wish_list(
    *,
    program: Organization,
    user,
    person_id: int | None = None,
    academic_year: AcademicYear | None = None,
    status: str | None = Preference.Status.ACTIVE,
) -> QuerySet[Preference]:
    """The wishes the user may see in the program: all for managers, one's own for everyone else."""
    wishes = Preference.objects.for_program(program).select_related("person", "academic_year", "block", "rotation")
    if not is_wish_manager(user, program):
        wishes = wishes.filter(person__user=user) if user.is_authenticated else wishes.none()
    if person_id is not None:
        wishes = wishes.filter(person_id=person_id)
    if academic_year is not None:
        wishes = wishes.filter(academic_year=academic_year)
    if status:
        wishes = wishes.filter(status=status)
    return wishes.order_by("person__last_name", "person__first_name", "kind", "week_start", "block__number", "pk")


def wish_window_refusal(*, program: Organization, academic_year: AcademicYear, verb: str = "add") -> str:
    """Why residents and faculty cannot `verb` wishes of the year today ("" when the window is open)."""
    window = WishWindow.objects.filter(academic_year=academic_year).first()
    today = program.today()
    if window is None:
        return (
            f"Wishes for {academic_year} are not open yet (no wish window is set); "
            f"ask a coordinator to {verb} this wish."
        )
    if today < window.opens_on:
        return f"The wish window for {academic_year} opens on {window.opens_on:%-d %b %Y}; you can {verb} wishes then."
    if today > window.closes_on:
        return (
            f"The wish window for {academic_year} closed on {window.closes_on:%-d %b %Y}; "
            f"ask a coordinator to {verb} this wish."
        )
    return ""


@dataclass
class WindowState:
    """The year's wish window for a page: open or not, why not, and the per-kind limits with what is used."""

    window: WishWindow | None
    refusal: str
    limits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return not self.refusal


def wish_window_state(*, program: Organization, academic_year: AcademicYear, person: Person | None) -> WindowState:
    """The window's state and, for a person, how many active wishes of each kind they hold against the limit."""
    window = WishWindow.objects.filter(academic_year=academic_year).first()
    state = WindowState(window=window, refusal=wish_window_refusal(program=program, academic_year=academic_year))
    held: dict[str, int] = defaultdict(int)
    if person is not None:
        for kind in (
            Preference.objects.active()
            .filter(person=person, academic_year=academic_year)
            .values_list("kind", flat=True)
        ):
            held[kind] += 1
    for kind, label in Preference.Kind.choices:
        if person is not None and person.kind != Person.Kind.RESIDENT and kind in ROTATION_KINDS:
            continue  # faculty make week wishes only: their page lists no rotation limits
        limit = window.limit(kind) if window is not None else None
        state.limits.append({"kind": kind, "label": label, "limit": limit, "held": held[kind]})
    return state


# --- The coordinator's heat map ---


@dataclass
class HeatCell:
    """A person's week: their wish (if any), and the CSS class its priority and kind give it."""

    wish: Preference | None = None

    @property
    def css(self) -> str:
        if self.wish is None:
            return ""
        letter = "blocked" if self.wish.kind == Preference.Kind.BLOCKED_WEEK else "preferred"
        return f"wish-{self.wish.priority} wish-{letter}"

    @property
    def text(self) -> str:
        if self.wish is None:
            return ""
        return "B" if self.wish.kind == Preference.Kind.BLOCKED_WEEK else "P"


@dataclass
class HeatRow:
    person: Person
    weeks: list[HeatCell]
    blocks: list[list[Preference]]
    any_block: list[Preference]
    count: int


@dataclass
class HeatMap:
    """Weeks of the year (on the program's week start) and blocks by person, with each week's total (its heat)."""

    weeks: list[dt.date]
    totals: list[dict[str, Any]]
    blocks: list[Block]
    rows: list[HeatRow]


def _heat(count: int, most: int) -> int:
    """0-4: how hot a week is against the busiest week."""
    if count == 0 or most == 0:
        return 0
    return max(1, min(4, round(4 * count / most)))


def wish_heat_map(*, program: Organization, academic_year: AcademicYear) -> HeatMap:
    """Every active resident and faculty member by week (their blocked or preferred week, by priority) and by
    block (rotations wished + or avoided -), with how many people wish each week off and their summed weight."""
    settings = wish_settings(program)
    first = academic_year.start_date - dt.timedelta(days=(academic_year.start_date.weekday() - settings.week_start) % 7)
    weeks = []
    day = first
    while day <= academic_year.end_date:
        weeks.append(day)
        day += dt.timedelta(days=7)
    column = {week: i for i, week in enumerate(weeks)}
    blocks = list(Block.objects.filter(academic_year=academic_year).order_by("number"))
    block_column = {block.pk: i for i, block in enumerate(blocks)}
    people = list(
        Person.objects.for_program(program)
        .filter(is_active=True, kind__in=(Person.Kind.RESIDENT, Person.Kind.FACULTY))
        .order_by("kind", "pgy", "last_name", "first_name")
    )
    rows = {p.pk: HeatRow(p, [HeatCell() for _ in weeks], [[] for _ in blocks], [], 0) for p in people}
    counts, weights = [0] * len(weeks), [0] * len(weeks)
    wishes = (
        Preference.objects.for_program(program)
        .active()
        .filter(academic_year=academic_year, person_id__in=rows)
        .select_related("block", "rotation")
    )
    for wish in wishes:
        row = rows[wish.person_id]
        row.count += 1
        if wish.kind in WEEK_KINDS and wish.week_start in column:
            i = column[wish.week_start]
            row.weeks[i].wish = wish
            counts[i] += 1
            weights[i] += settings.weight(wish.priority)
        elif wish.kind in ROTATION_KINDS:
            if wish.block_id in block_column:
                row.blocks[block_column[wish.block_id]].append(wish)
            else:
                row.any_block.append(wish)
    most = max(counts, default=0)
    totals = [{"count": c, "weight": w, "heat": _heat(c, most)} for c, w in zip(counts, weights, strict=True)]
    return HeatMap(weeks=weeks, totals=totals, blocks=blocks, rows=list(rows.values()))


# --- What a run made of the wishes ---


def run_wish_outcomes(run: ScheduleRun | None) -> dict[int, dict[str, Any]]:
    """The outcome of each wish a run was given, by wish id: {granted, reason, person, kind, weight}."""
    if run is None:
        return {}
    stored = ((run.statistics or {}).get("wishes") or {}).get("outcomes") or {}
    return {int(pk): outcome for pk, outcome in stored.items() if str(pk).isdigit()}


def wish_outcome(
    wish: Preference, run: ScheduleRun | None, outcomes: dict[int, dict[str, Any]]
) -> tuple[dict[str, Any] | None, bool]:
    """What `run` made of the wish (None when it was not given to the run) and whether the wish changed after the
    run started (then the run's outcome no longer speaks for it and is None too)."""
    changed = run is not None and run.started_at is not None and wish.updated_at > run.started_at
    return (None if changed else outcomes.get(wish.pk)), changed


def version_wish_outcomes(version: ScheduleVersion | None) -> tuple[ScheduleRun | None, dict[int, dict[str, Any]]]:
    """The run that made the version (None for a hand-made or restored one) and its wishes' outcomes."""
    run = version.run if version is not None and version.run_id else None
    return run, run_wish_outcomes(run)


@dataclass
class Share:
    """Granted wishes of a person or cohort: how many, and their share of the weight asked."""

    label: str
    wishes: int = 0
    granted: int = 0
    share: float | None = None  # of the weight asked; None when nothing was asked

    @property
    def percent(self) -> str:
        return "–" if self.share is None else f"{100 * self.share:.0f}%"


def run_wish_shares(run: ScheduleRun) -> dict[str, list[Share]]:
    """The run's wishes granted per person and per cohort (PGY-n, Faculty), by weight, as the engine summed them
    (`statistics.wishes.summary`); people worst served first."""
    summary = ((run.statistics or {}).get("wishes") or {}).get("summary") or {}
    rows = {person_pk(key): row for key, row in (summary.get("people") or {}).items()}
    people = Person.objects.for_program(run.program_id).in_bulk([pk for pk in rows if pk is not None])

    def share(label: str, row: dict[str, Any]) -> Share:
        return Share(label, int(row.get("wishes") or 0), int(row.get("granted") or 0), row.get("weight_share"))

    by_person = [share(people[pk].full_name, row) for pk, row in rows.items() if pk in people]
    cohorts = [share(label, row) for label, row in (summary.get("cohorts") or {}).items()]
    return {
        "people": sorted(by_person, key=lambda s: (s.share if s.share is not None else 1, s.label)),
        "cohorts": sorted(cohorts, key=lambda s: s.label),
    }
