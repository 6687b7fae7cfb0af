"""Excel workbooks of a schedule: the block grid, and a date range by half-day (openpyxl).

Both carry a Legend sheet; colours are the rotations' own, with dark or light text for contrast. Rows are
written through spreadsheet_safety, so a name or abbreviation is always text, never a formula.
"""

import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scheduling.day_view import LEAVE_COLOUR, BlockGrid, LegendEntry, SessionGrid, legend_of
from scheduling.models import RotationTemplate, ScheduleVersion
from scheduling.spreadsheet_safety import xlsx_append, xlsx_write

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

WEEKEND_FILL = PatternFill("solid", fgColor="E6E9ED")
SPECIAL_FILL = PatternFill("solid", fgColor="FCE4C4")
HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
WEEKEND_HEADER_FILL = PatternFill("solid", fgColor="5B6875")
GROUP_FILL = PatternFill("solid", fgColor="D9E2EC")
BOLD = Font(bold=True)
HEADER_FONT = Font(bold=True, color="FFFFFF")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
TICK_ROWS = 10  # people between progress reports of the range workbook
THIN = Border(*(Side(style="thin", color="D9DEE4"),) * 4)


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour.lstrip("#").upper())


def text_colour(colour: str) -> str:
    """Black or white text, whichever reads better on the hex `colour` (WCAG relative luminance)."""
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "000000" if luminance > 0.179 else "FFFFFF"


def _paint(cell, colour: str) -> None:
    cell.fill = _fill(colour)
    cell.font = Font(color=text_colour(colour), bold=True)


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _title(sheet: Worksheet, version: ScheduleVersion, what: str) -> None:
    sheet.oddHeader.center.text = f"{version.program.name} · {version.academic_year.name} · {what}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_LETTER
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _legend(workbook: Workbook, rotations: list[RotationTemplate], codes: list[LegendEntry]) -> None:
    """The Legend sheet: the rotations used, then the schedule's other codes (activities, calls, leave)."""
    sheet = workbook.create_sheet("Legend")
    xlsx_append(sheet, ["Abbreviation", "Name", "Colour", "Kind"])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for rotation in rotations:
        xlsx_append(sheet, [rotation.abbreviation, rotation.name, rotation.colour, rotation.get_kind_display()])
        _paint(sheet.cell(row=sheet.max_row, column=1), rotation.colour)
    if codes:
        xlsx_append(sheet, [])
        xlsx_append(sheet, ["Code", "Meaning (not a rotation)", "", ""])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
        sheet.cell(row=sheet.max_row, column=2).font = BOLD
        for entry in codes:
            kind = "Leave" if entry.colour == LEAVE_COLOUR else "Code"
            xlsx_append(sheet, [entry.code, entry.label, entry.colour, kind])
            _paint(sheet.cell(row=sheet.max_row, column=1), entry.colour)
    for column, width in zip("ABCD", (14, 44, 10, 26), strict=True):
        sheet.column_dimensions[column].width = width


def block_grid_workbook(*, grid: BlockGrid, version: ScheduleVersion) -> bytes:
    """People (grouped by cohort) by blocks, each cell the rotation's abbreviation on its colour."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Blocks"
    _title(sheet, version, "Block schedule")
    header = ["Person", "PGY"] + [f"Block {b.number}\n{b.start_date:%m/%d}–{b.end_date:%m/%d}" for b in grid.blocks]
    xlsx_append(sheet, header)
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, CENTER
    sheet.row_dimensions[1].height = 32
    for label, rows in grid.groups:
        xlsx_append(sheet, [label])
        group_row = sheet.max_row
        for column in range(1, len(header) + 1):
            sheet.cell(row=group_row, column=column).fill = GROUP_FILL
        sheet.cell(row=group_row, column=1).font = BOLD
        for row in rows:
            cells = [" / ".join(part.code for part in parts) for parts in row.parts]
            xlsx_append(sheet, [row.person.full_name, row.person.pgy or ""] + cells)
            for offset, parts in enumerate(row.parts):
                cell = sheet.cell(row=sheet.max_row, column=3 + offset)
                cell.alignment, cell.border = CENTER, THIN
                if parts:
                    _paint(cell, parts[0].colour)
                    if len(parts) > 1 or parts[0].leave_days or parts[0].kind != "rotation":
                        cell.comment = Comment("\n".join(part.title for part in parts), "Residency Scheduler")
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 6
    for column in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.freeze_panes = "C2"
    _legend(workbook, grid.rotations, grid.codes)
    return _save(workbook)


def range_workbook(*, grid: SessionGrid, version: ScheduleVersion, tick: Callable[[int], None] | None = None) -> bytes:
    """People by days (an AM and a PM column each): activity or rotation codes, weekends shaded, holidays
    marked (header fill, a comment and the "Holiday / closure" row), and the calls on a "Calls" sheet.
    `tick(n)` is called every TICK_ROWS people with the people written so far (a background job's progress)."""
    zone = version.program.zone
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Half-days"
    _title(sheet, version, f"{grid.start:%d %b %Y} – {grid.end:%d %b %Y}")
    xlsx_append(sheet, ["Person", "PGY"] + [f"{day:%a %d %b %Y}" for day in grid.days for _ in (0, 1)])
    xlsx_append(sheet, ["", ""] + ["AM", "PM"] * len(grid.days))
    xlsx_append(sheet, ["Holiday / closure", ""])
    used: dict[int, RotationTemplate] = {}
    for index, day in enumerate(grid.days):
        column = 3 + 2 * index
        sheet.merge_cells(start_row=1, start_column=column, end_row=1, end_column=column + 1)
        special = grid.special_days.get(day)
        for row in (1, 2):
            for col in (column, column + 1):
                cell = sheet.cell(row=row, column=col)
                cell.font, cell.alignment = HEADER_FONT, CENTER
                cell.fill = WEEKEND_HEADER_FILL if day.weekday() >= 5 else HEADER_FILL
        if special is not None:
            name = special.name or special.get_day_type_display()
            head = sheet.cell(row=1, column=column)
            head.fill = PatternFill("solid", fgColor="B45309")
            head.comment = Comment(f"{special.get_day_type_display()}: {name}", "Residency Scheduler")
            sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + 1)
            note = xlsx_write(sheet, row=3, column=column, value=name)
            note.fill, note.alignment = SPECIAL_FILL, CENTER
    sheet.cell(row=3, column=1).font = BOLD
    for done, person in enumerate(grid.people):
        if tick is not None and done % TICK_ROWS == 0:
            tick(done)
        values: list = [person.full_name, person.pgy or ""]
        for day in grid.days:
            values += [half.code if half is not None else "" for half in grid.day(person.pk, day)]
        xlsx_append(sheet, values)
        row = sheet.max_row
        for index, day in enumerate(grid.days):
            for offset, half in enumerate(grid.day(person.pk, day)):
                cell = sheet.cell(row=row, column=3 + 2 * index + offset)
                cell.alignment, cell.border = CENTER, THIN
                if half is not None and (half.is_leave or half.is_duty):
                    if half.rotation is not None and half.code == half.rotation.abbreviation:
                        used[half.rotation.pk] = half.rotation
                    _paint(cell, half.colour)
                    if half.is_leave:
                        cell.comment = Comment(half.title, "Residency Scheduler")
                elif day in grid.special_days:
                    cell.fill = SPECIAL_FILL
                elif day.weekday() >= 5:
                    cell.fill = WEEKEND_FILL
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 6
    for column in range(3, 3 + 2 * len(grid.days)):
        sheet.column_dimensions[get_column_letter(column)].width = 7
    sheet.freeze_panes = "C4"
    calls = workbook.create_sheet("Calls")
    xlsx_append(calls, ["Date", "Start", "End", "Kind", "Person", "PGY"])
    for cell in calls[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for call in grid.calls:
        start, end = call.start.astimezone(zone), call.end.astimezone(zone)
        xlsx_append(
            calls,
            [
                start.date(),
                start.strftime("%Y-%m-%d %H:%M"),
                end.strftime("%Y-%m-%d %H:%M"),
                call.get_kind_display(),
                call.person.full_name,
                call.person.pgy or "",
            ],
        )
        calls.cell(row=calls.max_row, column=1).number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEF", (12, 18, 18, 12, 26, 6), strict=True):
        calls.column_dimensions[column].width = width
    calls.freeze_panes = "A2"
    _legend(workbook, sorted(used.values(), key=lambda r: r.name), legend_of(grid.halves.values()))
    return _save(workbook)
