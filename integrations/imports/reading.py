"""Reading an uploaded workbook (xlsx through openpyxl, xls through xlrd) or CSV into sheets of rows.

Merged cells give their value to every cell they cover; the heading row is found among the first rows (a title
merged across the sheet above it is skipped); a group heading merged over several columns is put in front of
the headings under it ("Dates" over "Start" and "End" reads "Dates Start", "Dates End").
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from integrations.imports.text import clean
from tenants.errors import DomainError

HEADER_SCAN_ROWS = 10
CSV_SHEET = "CSV"


class UnreadableFile(DomainError):
    code = "unreadable_file"


@dataclass(slots=True)
class Sheet:
    """One sheet: its headings (by column index), the 1-based row number of the heading row, and its data rows
    as (row number in the file, values)."""

    name: str
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)

    def letter(self, index: int) -> str:
        return get_column_letter(index + 1)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "header_row": self.header_row,
            "rows": len(self.rows),
            "headers": [{"index": i, "letter": self.letter(i), "text": text} for i, text in enumerate(self.headers)],
        }


def _fill(grid: list[list[Any]], ranges: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int]]:
    """Give each merged range's value to all its cells; returns the horizontal ranges as (row, first, last)."""
    horizontal = []
    for top, left, bottom, right in ranges:  # 0-based, inclusive
        if top >= len(grid):
            continue
        value = grid[top][left] if left < len(grid[top]) else None
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            row = grid[r]
            row.extend([None] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                row[c] = value
        if right > left:
            horizontal.append((top, left, right))
    return horizontal


def _sheet(name: str, grid: list[list[Any]], horizontal: list[tuple[int, int, int]]) -> Sheet | None:
    width = max((len(row) for row in grid), default=0)
    if not width:
        return None
    for row in grid:
        row.extend([None] * (width - len(row)))

    def distinct(r: int) -> int:
        return len({clean(v) for v in grid[r] if clean(v) and not isinstance(v, int | float | dt.date)})

    scan = range(min(HEADER_SCAN_ROWS, len(grid)))
    header = max(scan, key=lambda r: (distinct(r), -r))
    if distinct(header) == 0:
        return None
    headers = [clean(v) for v in grid[header]]
    used_width = max(i for i, text in enumerate(headers) if text) + 1
    for row, left, right in horizontal:
        # A group heading right above the headings, not a title across the whole sheet.
        if row == header - 1 and not (left == 0 and right + 1 >= used_width):
            group = clean(grid[row][left])
            for c in range(left, right + 1):
                if group and headers[c] and headers[c] != group:
                    headers[c] = f"{group} {headers[c]}"
    headers = headers[:used_width]
    headers = [text or f"Column {get_column_letter(i + 1)}" for i, text in enumerate(headers)]
    rows = []
    for r in range(header + 1, len(grid)):
        values = grid[r][:used_width]
        if any(clean(v) for v in values):
            rows.append((r + 1, values))
    return Sheet(name=name, headers=headers, header_row=header + 1, rows=rows)


def _xlsx(content: bytes) -> list[Sheet]:
    try:
        book = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise UnreadableFile("The workbook could not be opened; save it again from Excel as .xlsx.") from error
    sheets = []
    for ws in book.worksheets:
        grid = [list(row) for row in ws.iter_rows(values_only=True)]
        ranges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        sheet = _sheet(ws.title, grid, _fill(grid, ranges))
        if sheet is not None:
            sheets.append(sheet)
    return sheets


def _xls(content: bytes) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, formatting_info=True)
    except Exception as error:  # xlrd raises XLRDError, struct errors, ... for a damaged file
        raise UnreadableFile("The .xls workbook could not be opened; save it again from Excel as .xlsx.") from error
    sheets = []
    for ws in book.sheets():
        grid = []
        for r in range(ws.nrows):
            row = []
            for c in range(ws.ncols):
                cell = ws.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value: Any = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                else:
                    value = cell.value
                row.append(value)
            grid.append(row)
        ranges = [(top, left, bottom - 1, right - 1) for top, bottom, left, right in ws.merged_cells]
        sheet = _sheet(ws.name, grid, _fill(grid, ranges))
        if sheet is not None:
            sheets.append(sheet)
    return sheets


def _csv(content: bytes) -> list[Sheet]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # what Excel on Windows saves as plain "CSV"
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    grid: list[list[Any]] = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    sheet = _sheet(CSV_SHEET, grid, [])
    return [sheet] if sheet is not None else []


def read_sheets(content: bytes, file_format: str) -> list[Sheet]:
    """The file's non-empty sheets; UnreadableFile with a message when it cannot be read or holds nothing."""
    reader = {"xlsx": _xlsx, "xls": _xls, "csv": _csv}[file_format]
    sheets = reader(content)
    if not sheets:
        raise UnreadableFile("The file holds no sheet with a heading row and data.")
    return sheets
