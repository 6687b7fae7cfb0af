"""Downloads never carry a live formula: text a spreadsheet would evaluate is written as text.

Each payload is planted in every free-text field that reaches grid.xlsx, range.xlsx and assignments.csv (a
resident's first and last name, a rotation's name and abbreviation, a holiday's name); the files are fetched as
a logged-in resident and read back.
"""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from scheduling import spreadsheet_safety
from scheduling.models import BlockAssignment, CalendarDay
from tests.scheduling import export_data
from tests.scheduling.factories import BlockAssignmentFactory
from tests.scheduling.formula_payloads import FORMULA_STARTS, IDS, PAYLOADS, as_stored_in_xlsx

pytestmark = pytest.mark.django_db


class Planted:
    """The cast of export_data with `payload` in every text field an export shows."""

    def __init__(self, program, user, payload: str) -> None:
        self.cast = cast = export_data.build(program, ann_user=user)
        cast.ann.first_name = payload
        cast.ann.save(update_fields=["first_name"])
        cast.ben.last_name = payload
        cast.ben.save(update_fields=["last_name"])
        cast.inpatient.name = payload
        cast.inpatient.abbreviation = payload[:8]  # the field's length; still a formula start
        cast.inpatient.save(update_fields=["name", "abbreviation"])
        CalendarDay.objects.filter(program=program, date=cast.holiday).update(name=payload)
        # Ben's block 2 in halves: the cell lists both abbreviations, the planted one first.
        block = cast.year.blocks.get(number=2)
        for half, rotation in (
            (BlockAssignment.Half.FIRST, cast.inpatient),
            (BlockAssignment.Half.SECOND, cast.clinic),
        ):
            BlockAssignmentFactory(version=cast.version, block=block, person=cast.ben, rotation=rotation, half=half)
        self.payload = payload
        self.ann = f"{payload} Able"
        self.ben = f"Ben {payload}"
        self.abbreviation = payload[:8]


@pytest.fixture(params=PAYLOADS, ids=IDS)
def planted(request, program, resident_user, client) -> Planted:
    client.force_login(resident_user)
    return Planted(program, resident_user, request.param)


def _workbook(response):
    assert response.status_code == 200, response.getvalue()[:300]
    return load_workbook(io.BytesIO(response.getvalue()))


def _text_cells(book) -> dict[str, list]:
    """Every cell of every sheet, by its value as text, to look planted values up."""
    cells: dict[str, list] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    cells.setdefault(str(cell.value), []).append(cell)
    return cells


def _assert_no_formula(book) -> None:
    formulas = [(s.title, c.coordinate, c.value) for s in book.worksheets for r in s.iter_rows() for c in r
                if c.data_type == "f"]  # fmt: skip
    assert formulas == []


def _assert_text(cells: dict[str, list], value: str, at_least: int = 1) -> None:
    found = cells.get(as_stored_in_xlsx(value), [])
    assert len(found) >= at_least, f"{value!r} not found {at_least} times"
    assert {cell.data_type for cell in found} == {"s"}


def test_grid_xlsx_writes_planted_text_as_text(client, planted):
    book = _workbook(client.get(reverse("export-grid-xlsx")))
    _assert_no_formula(book)
    cells = _text_cells(book)
    _assert_text(cells, planted.ann)
    _assert_text(cells, planted.ben)
    _assert_text(cells, planted.abbreviation, at_least=2)  # Ann's block 1 and the legend
    _assert_text(cells, f"{planted.abbreviation} / FMC")
    _assert_text(cells, planted.payload)  # the rotation's name in the legend
    blocks = book["Blocks"]
    pgy = next(row[1] for row in blocks.iter_rows(min_row=2) if row[0].value == as_stored_in_xlsx(planted.ann))
    assert (pgy.value, pgy.data_type) == (1, "n")


def test_range_xlsx_writes_planted_text_as_text(client, planted):
    cast = planted.cast
    query = {"start": cast.day, "end": cast.day + dt.timedelta(days=6)}
    book = _workbook(client.get(reverse("export-range-xlsx"), query))
    _assert_no_formula(book)
    cells = _text_cells(book)
    _assert_text(cells, planted.ann, at_least=2)  # the half-days row and the call
    _assert_text(cells, planted.ben)
    _assert_text(cells, planted.abbreviation, at_least=3)  # Ann's AM and PM on day D, and the legend
    _assert_text(cells, planted.payload, at_least=2)  # the holiday's name and the rotation's name
    call_date = book["Calls"].cell(row=2, column=1)
    assert call_date.data_type in ("n", "d") and call_date.is_date and call_date.value.date() == cast.day


def test_assignments_csv_prefixes_planted_text_with_an_apostrophe(client, planted):
    response = client.get(reverse("export-assignments-csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.getvalue().decode(), newline="")))
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)] == []
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    people = {row["person"] for row in body}
    assert {"'" + planted.ann, planted.ben} <= people  # Ben's name starts with "Ben": nothing to escape
    rotations = {row["rotation"] for row in body}
    assert "'" + planted.abbreviation in rotations
    call = next(row for row in body if row["kind"] == "call")
    assert call["pgy"] == "1" and call["date"] == str(planted.cast.day)


def test_xlsx_append_keeps_numbers_and_dates_and_makes_text_text():
    sheet = Workbook().active
    spreadsheet_safety.xlsx_append(sheet, ["=1+1", -2, dt.date(2026, 7, 1), "-2", None])
    types = [cell.data_type for cell in sheet[1]]
    assert types == ["s", "n", "d", "s", "n"]
    assert sheet["A1"].value == "=1+1"


@pytest.mark.parametrize("value", PAYLOADS)
def test_csv_text_escapes_what_a_spreadsheet_would_evaluate(value):
    assert spreadsheet_safety.csv_text(value) == "'" + value


def test_csv_text_leaves_plain_text_numbers_and_dates():
    assert [spreadsheet_safety.csv_text(v) for v in ("Ann", "", 3, -2, dt.date(2026, 7, 1))] == [
        "Ann",
        "",
        3,
        -2,
        dt.date(2026, 7, 1),
    ]
