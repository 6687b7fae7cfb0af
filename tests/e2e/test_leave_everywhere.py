"""A resident deployed for a whole block, approved without a repair: the grid, its PDF and both Excel files
show the leave, not the rotation the published schedule still holds (issue 11, points 3, 4 and 10)."""

import datetime as dt
import re

import openpyxl
from playwright.sync_api import expect
from pypdf import PdfReader

from absences.models import Absence, AbsenceKind
from absences.services import absence_request_create
from scheduling.models import Block, Person, ScheduleVersion
from tenants.models import User
from tests.e2e.conftest import log_in


def _download(page, link, tmp_path):
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def test_a_deployed_residents_block_shows_leave_in_the_grid_the_pdf_and_both_excel_files(
    live_server, published: ScheduleVersion, context, tmp_path
):
    program = published.program
    me = Person.objects.get(program=program, user__email="resident@demo.example.org")
    coordinator = User.objects.get(email="coordinator@demo.example.org")
    block2 = Block.objects.get(academic_year=published.academic_year, number=2)
    absence = absence_request_create(
        user=coordinator,
        program=program,
        person=me,
        kind=AbsenceKind.DEPLOYMENT,
        start_date=block2.start_date,
        end_date=block2.end_date,
        orders_reference="ORD-2026-1108",
    )
    impact = f"/absences/{absence.pk}/impact/"
    page = log_in(context.new_page(), live_server.url, "coordinator", impact)
    page.get_by_role("button", name="Approve", exact=True).click()  # approve, no repair
    expect(page.get_by_text("The absence is approved.", exact=True)).to_be_visible()
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED

    # The grid: block 2 of the resident's row is the deployment. (Whether the dashboard and the grid flag it
    # "short after absence" depends on the block lying ahead; tests/scheduling/test_one_truth.py covers that.)
    page.goto(f"{live_server.url}/schedule/?person={me.pk}")
    cell = page.locator("table.schedule-grid td.cell").nth(1)
    expect(cell).to_contain_text("LV-DEP")
    expect(cell.locator(".part").first).to_have_attribute("title", re.compile(r"^Deployment \(leave\)"))
    expect(page.locator(".legend")).to_contain_text("Deployment (leave)")

    # The grid's PDF.
    pdf = _download(page, page.get_by_role("link", name="PDF", exact=True), tmp_path)
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "LV-DEP" in text and "Deployment (leave)" in text

    # The grid's Excel: block 2 of the row holds the deployment code, the legend says what it is.
    book = openpyxl.load_workbook(_download(page, page.get_by_role("link", name="Excel", exact=True), tmp_path))
    rows = [[c.value for c in row] for row in book["Blocks"].iter_rows()]
    column = next(i for i, head in enumerate(rows[0]) if str(head).startswith("Block 2\n"))
    row = next(r for r in rows if r[0] == me.full_name)
    assert row[column] == "LV-DEP"
    assert ("LV-DEP", "Deployment (leave)") in [r[:2] for r in book["Legend"].iter_rows(values_only=True)]

    # The week view of the block's first day, and its half-day Excel: every half-day of the block is leave.
    page.goto(f"{live_server.url}/schedule/week/?start={block2.start_date}&person={me.pk}")
    expect(page.locator(".half-day", has_text="LV-DEP").first).to_be_visible()
    link = page.get_by_role("link", name=re.compile("Excel of this week"))
    book = openpyxl.load_workbook(_download(page, link, tmp_path))
    rows = [[c.value for c in row] for row in book["Half-days"].iter_rows()]
    row = next(r for r in rows if r[0] == me.full_name)
    monday = block2.start_date - dt.timedelta(days=block2.start_date.weekday())
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        if block2.start_date <= day <= block2.end_date:
            assert row[2 + 2 * offset : 4 + 2 * offset] == ["LV-DEP", "LV-DEP"], day
    assert "LV-DEP" in [r[0] for r in book["Legend"].iter_rows(values_only=True)]
