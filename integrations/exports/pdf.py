"""PDF documents of a schedule on US letter paper (WeasyPrint): the block grid and one person's schedule."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from integrations.exports.excel import text_colour
from scheduling.day_view import BlockGrid, BlockPart, HalfDay, SessionGrid
from scheduling.models import Person, ScheduleVersion


@dataclass(frozen=True)
class Cell:
    """A coloured table cell of a PDF: text, background and text colour."""

    text: str
    background: str = ""
    colour: str = ""
    title: str = ""


def _cell(parts: list[BlockPart]) -> Cell:
    """A block cell: its parts' codes on the first part's colour, titled with what each part is."""
    if not parts:
        return Cell("")
    first = parts[0].colour
    text = " / ".join(p.code for p in parts)
    return Cell(text, first, "#" + text_colour(first), "; ".join(p.title for p in parts))


def _render(template: str, context: dict[str, Any]) -> bytes:
    printed_at = timezone.now().astimezone(context["program"].zone)
    context = {**context, "printed_at": printed_at}
    return HTML(string=render_to_string(template, context)).write_pdf()


def _version_label(version: ScheduleVersion) -> str:
    return f"{version.academic_year.name}, version {version.number} ({version.get_status_display().lower()})"


def grid_pdf(*, grid: BlockGrid, version: ScheduleVersion) -> bytes:
    """The block grid, landscape: cohorts of people by blocks, each cell the rotation on its colour."""
    groups = [
        (label, [(row.person, [_cell(parts) for parts in row.parts]) for row in rows]) for label, rows in grid.groups
    ]
    entries = [(r.abbreviation, r.name, r.colour) for r in grid.rotations]
    entries += [(e.code, e.label, e.colour) for e in grid.codes]
    legend = [(code, name, colour, "#" + text_colour(colour)) for code, name, colour in entries]
    context = {"program": version.program, "version_label": _version_label(version), "blocks": grid.blocks}
    return _render("scheduling/pdf_grid.html", {**context, "groups": groups, "legend": legend})


def _session_text(half: HalfDay | None) -> str:
    if half is None:
        return ""
    return f"{half.label} · {half.code}" if half.detail else half.label


def person_pdf(*, person: Person, grid: BlockGrid, sessions: SessionGrid, version: ScheduleVersion) -> bytes:
    """A person's schedule, portrait: rotations by block, then each day with a session or a call."""
    zone = version.program.zone
    cells = grid.groups[0][1][0].parts if grid.groups else [[] for _ in grid.blocks]
    blocks = [(block, _cell(parts)) for block, parts in zip(grid.blocks, cells, strict=True)]
    days = []
    for day in sessions.days:
        am, pm = sessions.day(person.pk, day)
        calls = [
            f"{c.get_kind_display()} {c.start.astimezone(zone):%H:%M}–{c.end.astimezone(zone):%a %H:%M}"
            for c in sessions.calls_by_day.get(day, [])
        ]
        special = sessions.special_days.get(day)
        if am or pm or calls or special:
            note = (special.name or special.get_day_type_display()) if special else ""
            days.append((day, _session_text(am), _session_text(pm), "; ".join(calls), note))
    context = {
        "program": version.program,
        "person": person,
        "version_label": _version_label(version),
        "blocks": blocks,
        "days": days,
        "start": sessions.start,
        "end": sessions.end,
        "weekend": {d for d in sessions.days if d.weekday() >= 5},
    }
    return _render("scheduling/pdf_person.html", context)


def person_range(*, version: ScheduleVersion, today: dt.date) -> tuple[dt.date, dt.date]:
    """The default span of a person's PDF: from today (or the year's start, if later) to the year's end."""
    year = version.academic_year
    start = min(max(today, year.start_date), year.end_date)
    return start, year.end_date
