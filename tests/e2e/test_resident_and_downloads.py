"""A resident reads My schedule on a phone; downloaded Excel, PDF and ICS files hold the right rows."""

import re

import openpyxl
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from scheduling.models import BlockAssignment, Person, ScheduleVersion
from tests.e2e.conftest import log_in


def resident(version: ScheduleVersion) -> Person:
    return Person.objects.get(program=version.program, user__email="resident@demo.example.org")


def test_resident_reads_my_schedule_on_a_phone(live_server, published, phone):
    page = log_in(phone.new_page(), live_server.url, "resident", "/me/")
    me = resident(published)
    rotation = BlockAssignment.objects.filter(version=published, person=me).order_by("block__number")[0].rotation
    expect(page.get_by_role("heading", name=me.full_name)).to_be_visible()
    expect(page.get_by_text(rotation.name).first).to_be_visible()
    # The site menu folds behind "Menu" on a phone and opens on a tap.
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(log_out).to_be_visible()
    # Nothing wider than the 375-px screen: tables scroll inside their own wrapper.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.get_by_role("link", name="Subscribe")).to_have_attribute("href", re.compile(r"^webcal://"))


def test_downloads_open_and_hold_the_schedule(live_server, published, context, tmp_path):
    page = log_in(context.new_page(), live_server.url, "coordinator", "/schedule/")
    me = resident(published)
    rotation = BlockAssignment.objects.filter(version=published, person=me).order_by("block__number")[0].rotation

    with page.expect_download() as excel:
        page.get_by_role("link", name="Excel").first.click()
    assert excel.value.suggested_filename.endswith(".xlsx")
    excel.value.save_as(tmp_path / excel.value.suggested_filename)
    book = openpyxl.load_workbook(tmp_path / excel.value.suggested_filename)
    values = {cell.value for row in book.worksheets[0].iter_rows() for cell in row}
    assert me.last_name in " ".join(str(v) for v in values if v)
    assert rotation.abbreviation in values
    assert "Legend" in book.sheetnames

    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").first.click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    text = "".join(p.extract_text() for p in PdfReader(pdf.value.path()).pages)
    assert me.last_name in text

    page.goto(f"{live_server.url}/people/{me.pk}/")
    feed_url = page.get_by_role("link", name="Subscribe").get_attribute("href").replace("webcal://", "http://", 1)
    response = page.request.get(feed_url)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    events = list(calendar.walk("VEVENT"))
    assert events and all(str(e["UID"]) for e in events)
    assert calendar.walk("VTIMEZONE")
