"""Workbooks the wizard hands out: the empty template of each sheet kind (or all of them) and a report."""

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from integrations.imports.sheets import KINDS, SheetKind

BOLD = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _string_cell(sheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # shown as written, never a formula


def template_workbook(kinds: tuple[SheetKind, ...] = KINDS) -> bytes:
    """One sheet per kind: the headings (required ones shaded), an example row, and a Notes sheet."""
    book = Workbook()
    book.remove(book.active)
    for kind in kinds:
        sheet = book.create_sheet(kind.label[:31])
        columns = [c for c in kind.columns if not (kind.key == "people" and c.key == "name")]
        for index, column in enumerate(columns, start=1):
            _string_cell(sheet, 1, index, column.label)
            sheet.cell(row=1, column=index).font = BOLD
            if column.required:
                sheet.cell(row=1, column=index).fill = REQUIRED_FILL
            if column.example:
                _string_cell(sheet, 2, index, column.example)
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
                14, len(column.label) + 4
            )
        sheet.freeze_panes = "A2"
    notes = book.create_sheet("Notes")
    _string_cell(notes, 1, 1, "Sheet")
    _string_cell(notes, 1, 2, "Column")
    _string_cell(notes, 1, 3, "Required")
    _string_cell(notes, 1, 4, "What to write")
    row = 2
    for kind in kinds:
        for column in kind.columns:
            for index, value in enumerate((kind.label, column.label, "yes" if column.required else "", column.help), 1):
                _string_cell(notes, row, index, value)
            row += 1
    for cell in notes[1]:
        cell.font = BOLD
    return _save(book)


def report_workbook(report: dict[str, Any], filename: str) -> bytes:
    """The dry run's or commit's report: a Problems sheet (sheet, row, column, heading, value, problem), a
    Summary by sheet and the draft's ACGME violations."""
    book = Workbook()
    problems = book.active
    problems.title = "Problems"
    headers = ("Sheet", "Row", "Column", "Heading", "Value", "Problem")
    for index, header in enumerate(headers, 1):
        _string_cell(problems, 1, index, header)
    for row, problem in enumerate(report.get("problems", []), start=2):
        values = (
            problem["sheet"],
            problem["row"],
            problem["column"],
            problem["header"],
            problem["value"],
            problem["message"],
        )
        for index, value in enumerate(values, 1):
            _string_cell(problems, row, index, value)
    summary = book.create_sheet("Summary")
    for index, header in enumerate(("Sheet", "Holds", "Rows", "New", "Updated"), 1):
        _string_cell(summary, 1, index, header)
    for row, (name, totals) in enumerate(report.get("totals", {}).items(), start=2):
        for index, value in enumerate((name, totals["kind"], totals["rows"], totals["new"], totals["update"]), 1):
            _string_cell(summary, row, index, value)
    _string_cell(summary, len(report.get("totals", {})) + 3, 1, f"File: {filename}")
    breaches = book.create_sheet("ACGME")
    for index, header in enumerate(("Rule", "Resident", "From", "Value", "Limit"), 1):
        _string_cell(breaches, 1, index, header)
    for row, breach in enumerate(report.get("breaches", []), start=2):
        for index, key in enumerate(("rule", "person", "start", "value", "limit"), 1):
            _string_cell(breaches, row, index, breach[key])
    for sheet in (problems, summary, breaches):
        for cell in sheet[1]:
            cell.font = BOLD
        sheet.freeze_panes = "A2"
    return _save(book)
