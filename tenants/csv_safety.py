"""CSV cells that show text as text and never run it as a formula (CSV injection), for every app's downloads.

Excel, LibreOffice and Google Sheets may evaluate a cell starting with =, +, -, @, a tab or a carriage return;
such text gets a leading apostrophe. Numbers and dates are left as they are.
"""

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """`value` for a CSV cell: text a spreadsheet would evaluate gets a leading apostrophe; the rest is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """A csv.writer whose every text cell passes through csv_text."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, values: Iterable[Any]) -> Any:
        """Write one row, text cells made safe; returns what `out.write` returned (a streamed response's line)."""
        return self._writer.writerow([csv_text(value) for value in values])
