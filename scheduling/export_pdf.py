"""PDF documents of a schedule on US letter paper (WeasyPrint): the block grid and one person's schedule."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from scheduling.export_excel import text_colour
from scheduling.models import BlockAssignment, Person, ScheduleVersion, SessionAssignment
from scheduling.selectors import BlockGrid, SessionGrid


@dataclass(frozen=True)
class Cell:
    """A coloured table cell of a PDF: text, background and text colour."""

    text: str
    background: str = ""
    colour: str = ""
    title: str = ""


def _cell(assignments: list[BlockAssignment]) -> Cell:
    if not assignments:
        return Cell("")
    first = assignments[0].rotation
    text = " / ".join(a.rotation.abbreviation for a in assignments)
    return Cell(text, first.colour, "#" + text_colour(first.colour), ", ".join(a.rotation.name for a in assignments))


def _render(template: str, context: dict[str, Any]) -> bytes:
    printed_at = timezone.now().astimezone(context["program"].zone)
    context = {**context, "printed_at": printed_at}
    return HTML(string=render_to_string(template, context)).write_pdf()


def _version_label(version: ScheduleVersion) -> str:
    return f"{version.academic_year.name}, version {version.number} ({version.get_status_display().lower()})"


def grid_pdf(*, grid: BlockGrid, version: ScheduleVersion) -> bytes:
    """The block grid, landscape: cohorts of people by blocks, each cell the rotation on its colour."""
    groups = [
        (label, [(row.person, [_cell(assignments) for assignments in row.cells]) for row in rows])
        for label, rows in grid.groups
    ]
    legend = [(r, "#" + text_colour(r.colour)) for r in grid.rotations]
    context = {"program": version.program, "version_label": _version_label(version), "blocks": grid.blocks}
    return _render("scheduling/pdf_grid.html", {**context, "groups": groups, "legend": legend})


def _session_text(assignment: SessionAssignment | None) -> str:
    if assignment is None:
        return ""
    label = assignment.get_activity_display()
    return f"{label} · {assignment.rotation.abbreviation}" if assignment.rotation_id else label


def person_pdf(*, person: Person, grid: BlockGrid, sessions: SessionGrid, version: ScheduleVersion) -> bytes:
    """A person's schedule, portrait: rotations by block, then each day with a session or a call."""
    zone = version.program.zone
    cells = grid.groups[0][1][0].cells if grid.groups else [[] for _ in grid.blocks]
    blocks = [(block, _cell(assignments)) for block, assignments in zip(grid.blocks, cells, strict=True)]
    days = []
    for day in sessions.days:
        am = sessions.sessions.get((person.pk, day, "AM"))
        pm = sessions.sessions.get((person.pk, day, "PM"))
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
