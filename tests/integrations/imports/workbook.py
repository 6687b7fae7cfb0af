"""A realistic program workbook, built with openpyxl: several sheets, titles and group headings in merged cells,
names with accents and trailing spaces, dates as date cells and as text."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.scheduling.factories import AcademicYearFactory, BlockFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(book, title, rows, merges=()):
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    return sheet


def program_workbook(*, misspelled="Zoë Angstrm", rotation="XRAY", leave_date="31/08/2026", extra_block_rows=()):
    """People, rotations, block schedule, leave (two-row headings), call and FMIT. By default it holds one
    misspelled person (Block schedule!A5), one unknown rotation (Block schedule!C6) and one date in the wrong
    format (Leave!D4)."""
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        "Roster",
        [
            ["Family Medicine roster 2026-27", None, None, None, None, None],
            ["First Name", "Last Name ", "E-mail", "Position", "PGY", "Role"],
            ["José", "García ", "jose.garcia@example.org", "Resident", 2, None],
            ["Zoë ", "Ångström", None, "Resident", "PGY-1", None],
            ["Ana", "Lopez", "ana.lopez@example.org", "Faculty", None, "Core faculty"],
        ],
        merges=["A1:F1"],
    )
    _sheet(
        book,
        "Rotations",
        [
            ["Rotation", "Abbr", "Type", "Min PGY", "Max PGY"],
            ["Inpatient medicine", "IM", "Inpatient", 1, 3],
            ["Family medicine clinic", "FMC", "Outpatient clinic", 1, 3],
        ],
    )
    _sheet(
        book,
        "Block schedule",
        [
            ["Block schedule 2026-2027", None, None],
            ["Resident", "Block", "Rotation"],
            ["José García", 1, "IM"],
            ["Garcia, Jose  ", "Block 2", "fmc"],
            [misspelled, 1, "FMC"],
            ["Zoe Angstrom", 2, rotation],
            *extra_block_rows,
        ],
        merges=["A1:C1"],
    )
    _sheet(
        book,
        "Leave",
        [
            ["Name", "Type", "Dates", None],
            [None, None, "From", "Until"],
            ["josé garcía", "Vacation", dt.datetime(2026, 8, 3), "2026-08-07"],
            ["Ana Lopez", "Conference", "2026-08-28", leave_date],
        ],
        merges=["A1:A2", "B1:B2", "C1:D1"],
    )
    _sheet(book, "Call", [["Resident", "Night"], ["José García", dt.date(2026, 7, 10)]])
    _sheet(book, "FMIT", [["Attending", "Week of"], ["Ana Lopez", dt.date(2026, 7, 3)]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name="program.xlsx", content_type=XLSX) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def year(program):
    """2026-2027 with its first two blocks (1 Jul - 25 Aug 2026)."""
    year = AcademicYearFactory(program=program, name="2026-2027", is_current=True)
    for number in (1, 2):
        BlockFactory(program=program, academic_year=year, number=number)
    return year
