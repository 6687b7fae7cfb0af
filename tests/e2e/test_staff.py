"""A clinic RN on a phone: today's clinic and tonight's call with phone numbers on the dashboard, and every link
of the menu and the dashboard (and the pages they open) opens without a 403 (issue 11, points 5 and 10)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import CallAssignment, Person
from tenants.models import Organization
from tests.e2e.conftest import log_in
from tests.scheduling.demo_day import publish_days_around_today

REFUSED = "This page is not open to you"


@pytest.fixture
def demo_day(demo) -> Organization:
    program = Organization.objects.get(slug="family-medicine")
    publish_days_around_today(program)
    return program


def _same_site_links(page: Page, selector: str, base: str) -> list[str]:
    """The hrefs of the links under `selector` that stay on the site (no tel:, no downloads)."""
    hrefs = page.eval_on_selector_all(f"{selector} a[href]:not([download])", "links => links.map(link => link.href)")
    return sorted({href for href in hrefs if href.startswith(base) and "/accounts/logout" not in href})


def test_an_rn_on_a_phone_sees_the_clinic_and_tonights_call_and_never_meets_a_403(live_server, demo_day, phone):
    statuses: list[tuple[int, str]] = []
    page = phone.new_page()
    page.on("response", lambda response: statuses.append((response.status, response.url)))
    page = log_in(page, live_server.url, "rn")

    tonight = page.locator("section.on-call")
    caller = CallAssignment.objects.filter(version__program=demo_day).order_by("start").first().person
    caller = Person.objects.get(pk=caller.pk)
    expect(tonight.get_by_text(caller.full_name)).to_be_visible()
    expect(tonight.get_by_role("link", name=f"☎ {caller.phone}")).to_have_attribute(
        "href", "tel:" + caller.phone.replace(" ", "")
    )
    expect(tonight.get_by_text("FMIT attending (inpatient service)")).to_be_visible()
    morning = page.locator("section.clinic-session").first
    expect(morning.get_by_role("heading", name="In clinic this morning (AM)")).to_be_visible()
    expect(morning.get_by_text("Supervising faculty")).to_be_visible()
    expect(morning.locator("a[href^='tel:']").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # The menu folds behind "Menu" on a phone; it offers what the RN may open, and no more.
    page.get_by_text("Menu", exact=True).click()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Dashboard", "Today", "On call"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in ("Schedule", "My schedule", "Absences", "Credentials", "API", "Admin"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(0)

    base = live_server.url
    first = _same_site_links(page, "nav.topnav", base) + _same_site_links(page, "main", base)
    visited = set()
    for href in first:
        for url in [href, *_links_on(page, href, base)]:
            if url in visited:
                continue
            visited.add(url)
            response = page.goto(url)
            assert response is not None and response.status == 200, (url, response and response.status)
            expect(page.get_by_text(REFUSED)).to_have_count(0)

    assert {urlsplit(url).path for url in visited} >= {"/", "/today/", "/on-call/", "/notifications/"}
    refused = [(status, url) for status, url in statuses if status in (403, 404) or status >= 500]
    assert not refused, refused


def _links_on(page: Page, href: str, base: str) -> list[str]:
    """The same-site links of the main part of the page at `href` (one level further)."""
    page.goto(href)
    return _same_site_links(page, "main", base)


def test_the_rn_follows_the_publication_notice_to_today_and_prints_who_is_on_call(live_server, demo_day, phone):
    page = log_in(phone.new_page(), live_server.url, "rn", "/notifications/")

    page.get_by_role("link", name="Schedule published").first.click()

    expect(page).to_have_url(f"{live_server.url}/today/")
    page.get_by_role("link", name="Who is on call (printable)").click()
    expect(page.get_by_role("heading", name="Who is on call", exact=False)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator("table.on-call-table a[href^='tel:']").first).to_be_visible()
