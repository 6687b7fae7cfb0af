"""The assignments CSV, produced row by row: streamed to the browser (StreamingHttpResponse) or written to a
background job's file from the same generator, so both are the same bytes. Every text cell passes the formula
guard (CsvWriter)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from integrations.exports.picking import Picked
from scheduling.day_view import CALL_CODES, session_grid
from scheduling.models import BlockAssignment, CallAssignment, Person, SessionAssignment
from scheduling.spreadsheet_safety import CsvWriter

CONTENT_TYPE = "text/csv; charset=utf-8"
CSV_HEADER = [
    "kind",
    "person",
    "pgy",
    "block",
    "date",
    "session",
    "activity",
    "rotation",
    "call_kind",
    "call_start",
    "call_end",
    "source",
    "code",
    "label",
]


class _Echo:
    """A file whose write returns the line (the csv module's "pseudo-buffer" for streaming)."""

    def write(self, value: str) -> str:
        return value


def assignment_rows(picked: Picked) -> Iterator[list[Any]]:
    """Every assignment of the version (blocks, sessions, calls) under the grid filters, one row each, read as
    every view reads it (scheduling.day_view), after the header row."""
    yield CSV_HEADER
    grid = picked.grid()
    people = {row.person.pk: row.person for _, rows in grid.groups for row in rows}
    for _, rows in grid.groups:
        for row in rows:
            person = row.person
            for block, assignments, parts in zip(grid.blocks, row.cells, row.parts, strict=True):
                # One row per stored rotation, with the code and label the grid shows for its part of the block.
                for a, part in zip(assignments, parts, strict=False):
                    block_label = f"{block.number}" if not a.half else f"{block.number} ({a.get_half_display()})"
                    yield (
                        ["block", person.full_name, person.pgy or "", block_label, block.start_date, "", ""]
                        + [a.rotation.abbreviation, "", "", "", a.source, part.code, part.label]
                    )
    year = picked.year
    sessions = session_grid(version=picked.version, start=year.start_date, end=year.end_date, person_ids=list(people))
    for day in sessions.days:
        for person in sessions.people:
            for half in sessions.day(person.pk, day):
                if half is not None:
                    rotation = half.rotation.abbreviation if half.rotation is not None else ""
                    yield (
                        ["session", person.full_name, person.pgy or "", "", day, half.session, half.activity, rotation]
                        + ["", "", "", half.source, half.code, half.label]
                    )
    zone = picked.version.program.zone
    for call in sessions.calls:
        person = people[call.person_id]
        start, end = call.start.astimezone(zone), call.end.astimezone(zone)
        yield (
            ["call", person.full_name, person.pgy or "", "", start.date(), "", "", "", call.kind]
            + [start.isoformat(), end.isoformat(), call.source, CALL_CODES.get(call.kind, call.kind)]
            + [f"{call.get_kind_display()} call"]
        )


def csv_lines(rows: Iterator[list[Any]]) -> Iterator[str]:
    """The rows as CSV lines (text cells made safe)."""
    writer = CsvWriter(_Echo())  # type: ignore[arg-type]
    for row in rows:
        yield writer.writerow(row)


def assignments_count(picked: Picked) -> int:
    """About how many rows the CSV has (its stored assignments under the person and PGY filters), in three
    counts: enough to decide whether it runs in the background."""
    people = Person.objects.filter(program_id=picked.version.program_id)
    if picked.person is not None:
        people = people.filter(pk=picked.person.pk)
    if picked.pgy is not None:
        people = people.filter(pgy=picked.pgy)
    return sum(
        model.objects.filter(version=picked.version, person__in=people).count()
        for model in (BlockAssignment, SessionAssignment, CallAssignment)
    )
