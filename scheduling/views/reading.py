"""What the schedule's reading pages share: parsing their query, picking the version shown, and
shaping prefetched rows into plain rows and cells so templates only loop (no queries, no lookups).
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from absences.models import Absence
from scheduling import schedule_cache
from scheduling.day_view import (
    ACTIVITY_ORDER,
    CALL_CODES,
    Activity,
    BlockGrid,
    BlockPart,
    HalfDay,
    LegendEntry,
    SessionGrid,
    activity_label,
    legend_of,
)
from scheduling.models import (
    AcademicYear,
    Block,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
)
from scheduling.selectors import (
    person_list,
    pgy_cohorts,
    rotation_list,
    schedule_version_list,
    schedule_version_pick,
)
from scheduling.views.access import is_manager, program_years, published_version
from tenants import params


class Refusal(Exception):
    """A request the page cannot serve, with a message for the person and the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def refuse(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """The plain page that says why the request was refused (400 for bad input, 404 for unknown ids)."""
    return render(request, "scheduling/schedule_refused.html", {"message": refusal.message}, status=refusal.status)


def ink(colour: str) -> str:
    """Black or white text, whichever reads better on the hex `colour`."""
    try:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    except (ValueError, TypeError):
        return "#000"
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def parse_day(value: str, what: str = "date") -> dt.date:
    """A YYYY-MM-DD date from the query, else a Refusal naming the expected form."""
    day = params.parse_date(value)
    if day is None:
        raise Refusal(
            f"The {what} “{value[:40]}” is not a date. Give it as YYYY-MM-DD, for example 2026-07-06 (between "
            f"{params.DATE_MIN:%Y} and {params.DATE_MAX:%Y})."
        )
    return day


def parse_month(value: str) -> dt.date:
    """The first day of a YYYY-MM month from the query, else a Refusal."""
    month = params.parse_month(value)
    if month is None:
        raise Refusal(
            f"The month “{value[:40]}” is not a month. Give it as YYYY-MM, for example 2026-07 (between "
            f"{params.DATE_MIN:%Y} and {params.DATE_MAX:%Y})."
        )
    return month


@dataclass
class Filters:
    """The reading filters of a page: a PGY cohort, a rotation, a person (each optional)."""

    pgy: int | None = None
    rotation: RotationTemplate | None = None
    person: Person | None = None

    @property
    def active(self) -> bool:
        return self.pgy is not None or self.rotation is not None or self.person is not None


def _id_param(request: HttpRequest, name: str, label: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    number = params.parse_id(value)
    if number is None:
        raise Refusal(f"The {label} filter “{value[:40]}” is not a number; choose one from the list.")
    return number


def filters_from_request(request: HttpRequest) -> Filters:
    """Filters from `?pgy=&rotation=&person=`, looked up in the active program; unknown ids are refused."""
    program = request.program
    filters = Filters(pgy=_id_param(request, "pgy", "PGY"))
    if filters.pgy is not None and not 1 <= filters.pgy <= 8:
        raise Refusal("The PGY filter must be between 1 and 8.")
    rotation_id = _id_param(request, "rotation", "rotation")
    if rotation_id is not None:
        filters.rotation = rotation_list(program=program).filter(pk=rotation_id).first()
        if filters.rotation is None:
            raise Refusal("There is no such rotation in this program.", status=404)
    person_id = _id_param(request, "person", "person")
    if person_id is not None:
        filters.person = person_list(program=program, active=None).filter(pk=person_id).first()
        if filters.person is None:
            raise Refusal("There is no such person in this program.", status=404)
    return filters


@dataclass
class VersionChoice:
    """The version a page shows, a notice about it, and (for managers) the versions to switch to."""

    version: ScheduleVersion | None
    notice: str = ""
    versions: list[ScheduleVersion] = field(default_factory=list)
    selected: str = ""


def version_from_request(request: HttpRequest, year: AcademicYear) -> VersionChoice:
    """`?version=published|draft|<id>`: drafts and archived versions for managers only; others see the published."""
    manager = is_manager(request)
    which = request.GET.get("version", "").strip()
    notice = ""
    if which not in ("", "published") and not manager:
        notice = (
            "Drafts and earlier versions are visible to coordinators and admins only; this is the published schedule."
        )
        which = ""
    if which in ("", "published"):  # the page most people read: kept until the schedule data changes
        version = published_version(request, year)
    else:
        version = schedule_version_pick(academic_year=year, which=which, drafts_visible=manager)
    if version is not None:
        version.program = request.program  # the same row; spares the selectors a query each
    if version is None and which not in ("", "published"):
        raise Refusal(f"There is no such schedule version in academic year {year.name}.", status=404)
    versions = []
    if manager:
        versions = schedule_cache.cached(
            request.program.pk, ("versions", year.pk), lambda: list(schedule_version_list(academic_year=year))
        )
    return VersionChoice(version=version, notice=notice, versions=versions, selected=which)


def filter_choices(request: HttpRequest) -> dict[str, Any]:
    """The options of the filter form (years, PGY cohorts, rotations, people) of the active program."""
    program = request.program

    def options() -> dict[str, Any]:
        return {
            "cohorts": pgy_cohorts(program=program),
            "rotation_options": list(rotation_list(program=program)),
            "people_options": list(person_list(program=program).order_by("last_name", "first_name")),
        }

    # Kept until the program's people or rotations (scheduling rows, watched by the cache) change.
    return {"years": program_years(request), **schedule_cache.cached(program.pk, ("filter-options",), options)}


def page_context(request: HttpRequest, year: AcademicYear | None, *, with_filters: bool = True) -> dict[str, Any]:
    """What every reading page starts from: year, filters, version (with notice and switcher), filter options."""
    context: dict[str, Any] = {"year": year, "manager": is_manager(request)}
    context["filters"] = filters_from_request(request) if with_filters else Filters()
    context["choice"] = version_from_request(request, year) if year is not None else VersionChoice(version=None)
    context["version"] = version = context["choice"].version
    # Managers edit a draft or the published version in place (an archived one is history).
    context["editable"] = (
        context["manager"] and version is not None and version.status != ScheduleVersion.Status.ARCHIVED
    )
    if with_filters:
        context.update(filter_choices(request))
    else:
        context["years"] = program_years(request)
    return context


SLOT = object()  # an argument of `url_filler` given later, cell by cell
_SLOT_MARK = str(10**19 + 7)  # 20 digits: no id (a 64-bit integer) contains it, and every converter takes it


def url_filler(name: str, *args: Any) -> Callable[..., str]:
    """reverse(name, args) for many cells at the cost of one reverse: the returned function takes the values of
    the SLOT arguments, in order, and fills them in (a reverse takes 0.2 ms; a month has 3,700 half-days)."""
    parts = reverse(name, args=[_SLOT_MARK if arg is SLOT else arg for arg in args]).split(_SLOT_MARK)

    def fill(*values: Any) -> str:
        return "".join(part + (str(values[i]) if i < len(values) else "") for i, part in enumerate(parts))

    return fill


def query_with(request: HttpRequest, **changes: Any) -> str:
    """The page's query string with some parameters replaced (None drops one), for prev/next links."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = str(value)
    return query.urlencode()


# --- Block grid ---


@dataclass
class CellPart:
    """One thing in a grid cell (a rotation, a half of one, leave, a faculty member's load), ready to print."""

    text: str
    title: str
    bg: str
    fg: str
    half: int
    rotation: RotationTemplate | None = None
    css: str = ""
    name: str = ""  # the title without the dates of a part that fills its block


@dataclass
class GridCell:
    """A person's cell for one block: its parts (none when unassigned) and whether it is short after an absence."""

    block: Block
    parts: list[CellPart]
    short: bool = False

    @property
    def split(self) -> bool:
        return len(self.parts) > 1


def cell_part(part: BlockPart) -> CellPart:
    """How a block part prints: its code on its colour, titled with what it is and its dates."""
    css = "leave" if part.is_leave else ("partial-leave" if part.leave_days else "")
    return CellPart(part.code, part.title, part.colour, ink(part.colour), part.half, part.rotation, css, part.name)


def _ordered_groups(groups: list[tuple[str, list[Any]]]) -> list[tuple[str, list[Any]]]:
    """Residents' cohorts first (PGY-1, PGY-2, ...), then faculty, then other staff."""
    rank = {"Faculty": 1}
    return sorted(groups, key=lambda g: (0, int(g[0][4:])) if g[0].startswith("PGY-") else (rank.get(g[0], 2), 0))


def grid_table(
    grid: BlockGrid,
    edit_url: Callable[[Person, Block], str | None] | None = None,
    short: frozenset[tuple[int, int]] = frozenset(),
) -> list[tuple[str, list[tuple[Person, list[GridCell], str]]]]:
    """The block grid as groups of (person, cells, the row's cells as HTML), one cell per block.

    The cells' HTML is built here, not in a template loop, so a 60 x 13 grid renders in milliseconds;
    `edit_url(person, block)` makes each cell a link to its edit page (managers; None: not editable); `short`
    holds the (person, block) cells of an absence still unrepaired in the schedule, flagged.
    """
    groups = []
    for label, rows in _ordered_groups(grid.groups):
        table_rows = []
        for row in rows:
            cells = [
                GridCell(block, [cell_part(p) for p in parts], (row.person.pk, block.pk) in short)
                for block, parts in zip(grid.blocks, row.parts, strict=True)
            ]
            html = "".join(_grid_cell_html(row.person, cell, edit_url) for cell in cells)
            table_rows.append((row.person, cells, mark_safe(html)))  # noqa: S308 - every value is escaped
        groups.append((label, table_rows))
    return groups


def _part_html(part: CellPart) -> str:
    half = f" half half-{part.half}" if part.half else ""
    css = f" {part.css}" if part.css else ""
    return (
        f'<span class="part{half}{css}" style="background:{escape(part.bg)};color:{part.fg}" '
        f'title="{escape(part.title)}">{escape(part.text)}</span>'
    )


def _grid_cell_html(person: Person, cell: GridCell, edit_url: Callable[[Person, Block], str | None] | None) -> str:
    parts = "".join(_part_html(p) for p in cell.parts) or '<span class="part empty" title="Nothing assigned">·</span>'
    if cell.short:
        parts += '<span class="short-mark" title="Short after absence: still on duty in the schedule">!</span>'
    inner = f'<span class="parts">{parts}</span>'
    url = edit_url(person, cell.block) if edit_url is not None else None
    if url is not None:
        label = escape(f"Edit block {cell.block.number} of {person.full_name}")
        inner = f'<a class="cell-link" href="{escape(url)}" aria-label="{label}">{inner}</a>'
    css = "cell" + (" split" if cell.split else "") + (" short" if cell.short else "")
    return f'<td class="{css}">{inner}</td>'


def legend(rotations: list[RotationTemplate], codes: list[LegendEntry] = ()) -> list[CellPart]:
    """The rotations used, then the other codes shown (leave, marks, faculty load), as coloured swatches."""
    swatches = [CellPart(r.abbreviation, r.name, r.colour, ink(r.colour), 0, r) for r in rotations]
    return swatches + [CellPart(e.code, e.label, e.colour, ink(e.colour), 0) for e in codes]


# --- Month and week ---


@dataclass
class PrintedHalf:
    """One AM or PM session of a person, ready to print."""

    session: str
    text: str
    title: str
    bg: str
    fg: str


@dataclass
class DayColumn:
    """A day of the month/week table: weekend, holiday or closure marks."""

    day: dt.date
    weekend: bool
    special: Any = None  # the CalendarDay of a holiday or closure

    @property
    def css(self) -> str:
        return " ".join(c for c in ("weekend" if self.weekend else "", "special" if self.special else "") if c)


@dataclass
class CallEntry:
    """A call of the day, with local start and end."""

    person: Person
    kind: str
    code: str
    start: dt.datetime
    end: dt.datetime

    @property
    def times(self) -> str:
        """Local start and end as text (templates' time filters would convert to the server's zone)."""
        end = f"{self.end:%H:%M}" if self.end.date() == self.start.date() else f"{self.end:%a %H:%M}"
        return f"{self.start:%H:%M} – {end}"

    @property
    def day_text(self) -> str:
        return f"{self.start:%a %-d %b}"

    @property
    def night(self) -> str:
        """The local date the call starts, as YYYY-MM-DD (for links naming the night)."""
        return f"{self.start:%Y-%m-%d}"


def half_day(half: HalfDay) -> PrintedHalf:
    """How a half-day prints: its code on its colour, titled with its label and rotation."""
    return PrintedHalf(half.session, half.code, half.title, half.colour, ink(half.colour))


def call_entries(calls: list[CallAssignment], zone: zoneinfo.ZoneInfo) -> list[CallEntry]:
    """Calls with their start and end in the program's zone."""
    return [
        CallEntry(
            c.person,
            c.get_kind_display(),
            CALL_CODES.get(c.kind, c.kind),
            c.start.astimezone(zone),
            c.end.astimezone(zone),
        )
        for c in calls
    ]


def day_columns(grid: SessionGrid) -> list[DayColumn]:
    """The days of the range with weekend and holiday marks."""
    return [DayColumn(d, d.weekday() >= 5, grid.special_days.get(d)) for d in grid.days]


def day_table(
    grid: SessionGrid, zone: zoneinfo.ZoneInfo, edit_url: Callable[[int, str, str], str] | None = None
) -> dict[str, Any]:
    """The month/week table: columns, groups of (person, the row's day cells as HTML) and the calls row.

    Cells are built here as escaped HTML: a 60-person month has 3,700 half-days, too many for a template loop.
    `edit_url(person id, ISO date, "AM"|"PM")` makes every half-day, empty ones too, a link to its edit page
    (managers).
    """
    columns = day_columns(grid)
    labels = [(c, c.day.isoformat(), escape(f"{c.day:%a %-d %b}")) for c in columns]
    groups: dict[str, list[tuple[Person, str]]] = {}
    halves = {key: _half_day_html(half_day(h), edit_url is not None) for key, h in grid.halves.items()}
    empty = _half_day_html(None, edit_url is not None)
    for person in grid.people:
        label = f"PGY-{person.pgy}" if person.kind == Person.Kind.RESIDENT else person.get_kind_display()
        cells = []
        for column, iso, day_text in labels:
            html = [column.css]
            for session in ("AM", "PM"):
                half = halves.get((person.pk, column.day, session), empty).replace("{day}", day_text)
                href = escape(edit_url(person.pk, iso, session)) if edit_url is not None else ""
                html.append(half.replace("{session}", session).replace("{href}", href))
            cells.append('<td class="day {}">{}{}</td>'.format(*html))
        groups.setdefault(label, []).append((person, mark_safe("".join(cells))))  # noqa: S308 - values escaped
    calls_row = [(c, call_entries(grid.calls_by_day.get(c.day, []), zone)) for c in columns]
    return {
        "columns": columns,
        "groups": _ordered_groups(list(groups.items())),
        "calls_row": calls_row,
        "codes": legend_of(grid.halves.values(), [call for calls in grid.calls_by_day.values() for call in calls]),
    }


def _half_day_html(half: PrintedHalf | None, link: bool) -> str:
    """A half-day's markup (None: nothing scheduled) with slots for the escaped day label of its title, its
    session and, as a link (`link`), its edit page's address: `{day}`, `{session}`, `{href}`."""
    if half is None:
        look, title, text = "", "{session}: nothing scheduled", "&nbsp;"
    else:
        look, title, text = (
            f' style="background:{escape(half.bg)};color:{half.fg}"',
            escape(half.title),
            escape(half.text),
        )
    empty = " empty" if half is None else ""
    if link:
        return f'<a class="half-day cell-link{empty}" href="{{href}}"{look} title="{{day}} {title}">{text}</a>'
    return f'<span class="half-day{empty}"{look} title="{{day}} {title}">{text}</span>'


# --- Today ---


@dataclass
class RosterGroup:
    """Who does one kind of thing in a session of the day."""

    label: str
    entries: list[tuple[Person, str]]  # (person, rotation name, or what keeps them away)
    css: str = ""


def roster(grid: SessionGrid, day: dt.date, session: str) -> list[RosterGroup]:
    """Today's AM or PM grouped by what people do (in the activities' order, calls last), with those off or on
    leave together at the end: a person on approved leave is never listed at work."""
    order = {a: i for i, a in enumerate(ACTIVITY_ORDER)}
    buckets: dict[tuple[int, str], list[tuple[Person, str]]] = {}
    away: list[tuple[Person, str]] = []
    for person in grid.people:
        half = grid.halves.get((person.pk, day, session))
        if half is None:
            continue
        if half.is_leave or half.activity == Activity.OFF:
            away.append((person, half.label))
            continue
        detail = half.detail or (half.call.get_kind_display() if half.call is not None else "")
        buckets.setdefault((order.get(half.activity, len(order)), half.label), []).append((person, detail))
    groups = [RosterGroup(label, entries) for (_, label), entries in sorted(buckets.items())]
    if away:
        groups.append(RosterGroup("Off / Leave", away, "away"))
    return groups


@dataclass
class Uncovered:
    """A person on approved leave whom the schedule still gives duty: the absence and each duty left."""

    person: Person
    absence: Absence
    duties: list[str]


def uncovered_duty(grid: SessionGrid, zone: zoneinfo.ZoneInfo) -> list[Uncovered]:
    """Per person and absence, the half-days of duty and the calls the version still gives them on leave."""
    people = {p.pk: p for p in grid.people}
    found: dict[tuple[int, int], Uncovered] = {}

    def entry(half: HalfDay) -> Uncovered:
        key = (half.person_id, half.absence.pk)
        return found.setdefault(key, Uncovered(people[half.person_id], half.absence, []))

    for half in grid.duty_left:
        what = activity_label(half.stored, resident=half.resident)
        entry(half).duties.append(f"{half.session}: {what}" + (f" ({half.rotation.name})" if half.rotation else ""))
    for call, entry_call in zip(grid.dropped_calls, call_entries(grid.dropped_calls, zone), strict=True):
        half = grid.halves.get((call.person_id, entry_call.start.date(), "AM"))
        if half is not None and half.absence is not None:
            entry(half).duties.append(f"{entry_call.kind} call {entry_call.times}")
    return list(found.values())


# --- Person ---


def upcoming_days(
    grid: SessionGrid, person: Person, first: dt.date, days: int
) -> list[tuple[DayColumn, HalfDay | None, HalfDay | None]]:
    """A person's AM and PM on each of `days` days from `first` (None when nothing)."""
    columns = [c for c in day_columns(grid) if first <= c.day < first + dt.timedelta(days=days)]
    return [(c, *grid.day(person.pk, c.day)) for c in columns]


@dataclass
class WeekHours:
    """Duty hours of one week, over the weekly limit or not, with a bar width in percent of 100 h."""

    week_start: dt.date
    hours: float
    width: float
    over: bool


def week_hours(rows: list[tuple[dt.date, float]], limit: float | None = 80.0) -> list[WeekHours]:
    """Weekly hours as bar rows (the bar scale is 0-100 h, so an 80-h line sits at 80 %); `limit` None: a person
    the resident limit does not apply to, never over."""
    return [
        WeekHours(start, round(hours, 1), min(hours, 100.0), limit is not None and hours > limit)
        for start, hours in rows
    ]
