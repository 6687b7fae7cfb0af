"""Issue 17 on a 360-px phone: My schedule's quick actions (give a call away, trade one, "I'm sick today"), each in
at most three taps; dark mode following the system with a toggle that persists; and no main page wider than the
screen, for a resident and for a coordinator."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from absences.models import Absence, AbsenceKind
from notifications.models import Notification
from scheduling.models import CallAssignment, Person
from swaps.models import Swap
from tenants.models import Membership, Role
from tests.e2e.conftest import LOCK_DAYS_MARGIN as LOCK_MARGIN
from tests.e2e.conftest import log_in
from tests.e2e.test_swaps import login_for

NARROW = {"width": 360, "height": 740}
LUMINANCE = """() => {
  const rgb = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
}"""


@pytest.fixture
def narrow(browser):
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(20_000)
    yield context
    context.close()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def resident_with_calls(version) -> tuple[Person, list[dt.date]]:
    """The demo resident login when she has two call nights ahead (outside the lock window), else the first resident
    who has (a login is made for them)."""
    program = version.program
    first, last = program.today() + dt.timedelta(days=LOCK_MARGIN), program.today() + dt.timedelta(days=55)
    nights: dict[int, list[dt.date]] = {}
    for call in CallAssignment.objects.filter(version=version, person__kind="resident").exclude(kind="attending"):
        night = call.start.astimezone(program.zone).date()
        if first < night <= last:
            nights.setdefault(call.person_id, []).append(night)
    grace = Person.objects.get(program=program, user__email="resident@demo.example.org")
    chosen = grace.pk if len(nights.get(grace.pk, [])) >= 2 else min(p for p, n in nights.items() if len(n) >= 2)
    return Person.objects.get(pk=chosen), sorted(nights[chosen])


def test_quick_actions_from_my_schedule_on_a_phone(live_server, published_now, narrow):
    version = published_now
    program = version.program
    person, nights = resident_with_calls(version)
    give, trade = nights[0], nights[1]
    page = log_in(narrow.new_page(), live_server.url, login_for(person), "/me/")
    assert fits(page)

    # Give away this call: the row's Actions (1), "Give away this call" (2), "Post it to the marketplace" (3).
    row = page.locator(".call-list li", has_text=f"{give:%a %-d %b}")
    row.locator("summary").click()
    assert fits(page)
    row.get_by_role("link", name="Give away this call").click()
    expect(page.get_by_role("heading", name="Give away a shift")).to_be_visible()
    assert fits(page)
    page.get_by_role("button", name="Post it to the marketplace").click()
    expect(page.get_by_text("Your shift is on the marketplace")).to_be_visible()
    swap = Swap.objects.get(program=program, requester=person)
    assert (swap.kind, swap.status) == (Swap.Kind.POSTING, Swap.Status.PENDING)
    assert swap.legs.get().taker is None and swap.legs.get().date == give
    # The same call again is refused before any button shows.
    page.goto(f"{live_server.url}/me/")
    row = page.locator(".call-list li", has_text=f"{give:%a %-d %b}")
    row.locator("summary").click()
    row.get_by_role("link", name="Give away this call").click()
    expect(page.get_by_role("alert")).to_contain_text("already offered")
    expect(page.get_by_role("button", name="Post it to the marketplace")).to_have_count(0)

    # Trade this call: two taps open the request form with the night chosen and its proposals.
    page.goto(f"{live_server.url}/me/")
    row = page.locator(".call-list li", has_text=f"{trade:%a %-d %b}")
    row.locator("summary").click()
    row.get_by_role("link", name="Trade this call").click()
    expect(page.get_by_role("heading", name="Ask for a swap")).to_be_visible()
    expect(page.get_by_label("Your shift")).to_have_value(f"call:{trade.isoformat()}")
    expect(page.get_by_label("Trade with someone (I take one of theirs)")).to_be_checked()
    expect(page.get_by_role("heading", name=f"Proposals for the Call night of {trade:%a %-d %b %Y}")).to_be_visible()
    assert fits(page)

    # I'm sick today: today's Actions (1), "I'm sick today" (2), confirm (3); the coordinators are told at once.
    page.goto(f"{live_server.url}/me/")
    today = page.locator(".person-upcoming tbody tr").first
    today.locator("summary").click()
    today.get_by_role("link", name="I'm sick today").click()
    assert fits(page)
    page.get_by_role("button", name="Yes, I'm sick today").click()
    expect(page.get_by_text("Get well soon")).to_be_visible()
    absence = Absence.objects.get(program=program, person=person)
    assert (absence.kind, absence.start_date, absence.status) == (AbsenceKind.SICK, program.today(), "requested")
    coordinators = Membership.objects.filter(organization=program, role=Role.COORDINATOR).values("user_id")
    told = Notification.objects.filter(event="sick_today", recipient__in=coordinators, program=program)
    assert told.exists() and told.first().title == f"Sick today: {person.full_name}"


def test_dark_mode_follows_the_system_and_the_toggle_persists(live_server, demo, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="dark")
    try:
        page = log_in(context.new_page(), live_server.url, "resident", "/")
        assert page.evaluate(LUMINANCE) < 0.2, "the system's dark setting darkens the page"
        toggle = page.get_by_label("Colour theme")
        expect(toggle).to_have_value("system")
        toggle.select_option("light")
        assert page.evaluate(LUMINANCE) > 0.8
        page.reload()
        assert page.evaluate(LUMINANCE) > 0.8, "the choice is kept across a reload"
        expect(page.get_by_label("Colour theme")).to_have_value("light")
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        page.get_by_label("Colour theme").select_option("system")
        page.reload()
        assert page.evaluate(LUMINANCE) < 0.2
    finally:
        context.close()
    light = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="light")
    try:
        page = log_in(light.new_page(), live_server.url, "resident", "/")
        assert page.evaluate(LUMINANCE) > 0.8
        page.get_by_label("Colour theme").select_option("dark")
        page.reload()
        assert page.evaluate(LUMINANCE) < 0.2, "dark chosen on a light system stays dark"
    finally:
        light.close()


RESIDENT_PAGES = (
    "/",
    "/me/",
    "/swaps/",
    "/swaps/mine/",
    "/swaps/new/",
    "/absences/",
    "/absences/new/",
    "/on-call/",
    "/today/",
    "/schedule/",
    "/schedule/week/",
    "/absences/sick-today/",
    "/notifications/",
)
COORDINATOR_PAGES = (
    "/",
    "/me/",
    "/swaps/queue/",
    "/swaps/",
    "/absences/",
    "/absences/calendar/",
    "/today/",
    "/on-call/",
    "/schedule/",
    "/schedule/month/",
    "/compliance/",
    "/versions/",
)


@pytest.mark.parametrize(("who", "paths"), [("resident", RESIDENT_PAGES), ("coordinator", COORDINATOR_PAGES)])
def test_main_pages_fit_a_360_px_phone(live_server, published_now, narrow, who, paths):
    page = log_in(narrow.new_page(), live_server.url, who, "/")
    wide = []
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        for details in page.locator("details.row-actions").all()[:3]:
            details.locator("summary").click()  # an open quick-action menu must fit too
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            wide.append(f"{path}: {width}px")
    assert not wide, f"Wider than a 360-px phone as {who}: {wide}"


INNER_OVERFLOW = "element => element.scrollWidth - element.clientWidth"


def test_my_rotations_by_block_fit_a_360_px_phone_without_scrolling_sideways(
    live_server, published_now, narrow, browser
):
    """My schedule's "Rotations by block" on a 360-px phone: each block's dates stand under its rotation, and the
    table fits its box (nothing to scroll sideways inside it either); a desktop keeps the Dates column."""
    page = log_in(narrow.new_page(), live_server.url, "resident", "/me/")
    section = page.locator("section", has=page.get_by_role("heading", name="Rotations by block"))
    table = section.locator("table.person-blocks")
    expect(table).to_be_visible()
    assert section.locator(".table-scroll").evaluate(INNER_OVERFLOW) <= 0, "the table scrolls inside its box"
    assert table.evaluate(INNER_OVERFLOW) <= 0
    assert fits(page)
    row = table.locator("tbody tr", has=page.locator(".swatch")).first  # a block with a rotation
    rotation, dates = row.locator("td.block-rotation"), row.locator("td.block-dates")
    expect(dates).to_be_visible()
    expect(dates).to_have_text(re.compile(r"^\d{1,2} \w{3} – \d{1,2} \w{3}$"))
    below = dates.bounding_box()["y"] >= rotation.bounding_box()["y"] + rotation.bounding_box()["height"] - 1
    assert below, "the dates stand under the rotation's name"
    expect(table.get_by_role("columnheader", name="Dates")).to_be_hidden()

    wide = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        desk = log_in(wide.new_page(), live_server.url, "resident", "/me/")
        expect(desk.get_by_role("columnheader", name="Dates")).to_be_visible()
        first = desk.locator("table.person-blocks tbody tr").first
        cells = [first.locator(f"td:nth-child({n})").bounding_box() for n in (1, 2, 3)]
        assert cells[0]["y"] == cells[1]["y"] == cells[2]["y"], "block, dates and rotation side by side"
    finally:
        wide.close()
