"""Spreadsheet cells that show text as text and never run it as a formula (CSV and formula injection).

Excel, LibreOffice and Google Sheets may evaluate a cell starting with =, +, -, @, a tab or a carriage return.
In .xlsx every text value is a string cell; in CSV such text gets a leading apostrophe. Numbers and dates
are left as they are. The CSV half lives in tenants.csv_safety, for the apps below this one.
"""

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from tenants.csv_safety import FORMULA_STARTS, CsvWriter, csv_text

__all__ = ["FORMULA_STARTS", "CsvWriter", "csv_text", "xlsx_append", "xlsx_write"]


def xlsx_write(sheet: Worksheet, *, row: int, column: int, value: Any) -> Cell:
    """Set one cell; text is a string cell (openpyxl would otherwise make text starting with "=" a formula)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def xlsx_append(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append a row below the sheet's last one, every text value a string cell."""
    values = list(values)
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            sheet.cell(row=row, column=column).data_type = "s"
