"""The installable app in Chromium: install criteria met, My schedule offline after one online visit, and an absence
or a swap requested offline sent once when the network returns."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from absences.models import Absence
from scheduling.models import AcademicYear, Person, ScheduleVersion, SessionAssignment
from swaps.models import Swap
from tests.e2e.conftest import log_in
from tests.e2e.test_quick_actions_and_theme import resident_with_calls
from tests.e2e.test_swaps import login_for

CLINIC = SessionAssignment.Activity.CLINIC


@pytest.fixture
def my_fortnight(demo) -> Person:
    """The demo resident in clinic every morning of the next 14 days, in a published version of the year."""
    grace = Person.objects.get(user__email="resident@demo.example.org")
    program = grace.program
    today = program.today()
    year = AcademicYear.objects.for_program(program).get(start_date__lte=today, end_date__gte=today)
    version = ScheduleVersion.objects.filter(academic_year=year, status=ScheduleVersion.Status.PUBLISHED).first()
    if version is None:
        number = ScheduleVersion.objects.filter(academic_year=year).count() + 1
        version = ScheduleVersion.objects.create(
            program=program,
            academic_year=year,
            number=number,
            status=ScheduleVersion.Status.PUBLISHED,
            published_at=timezone.now(),
        )
    SessionAssignment.objects.filter(version=version, person=grace).delete()
    for offset in range(14):
        SessionAssignment.objects.create(
            program=program, version=version, person=grace, date=today + dt.timedelta(days=offset), session="AM",
            activity=CLINIC,
        )  # fmt: skip
    return grace


@pytest.fixture
def page(phone) -> Page:
    """A phone's page; the first load of a cold live server on a busy machine may take longer than the default."""
    page = phone.new_page()
    page.set_default_navigation_timeout(90_000)
    return page


def wait_for(page: Page, script: str, timeout: float = 20.0) -> None:
    """Until the async `script` (a function body awaited in the page) returns true."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"async () => {{ {script} }}"):
        assert time.monotonic() < deadline, f"never true: {script}"
        time.sleep(0.25)


def kept_offline(page: Page) -> None:
    """The service worker controls the page and holds the user's offline document."""
    wait_for(page, "return !!navigator.serviceWorker.controller || (await navigator.serviceWorker.ready, false);")
    wait_for(page, "const c = await caches.open('user-data'); return !!(await c.match('/api/v1/me/offline/'));")


def test_install_criteria_are_met(live_server, demo, page):
    log_in(page, live_server.url, "resident", "/")

    manifest = page.evaluate(
        "async () => { const link = document.querySelector('link[rel=manifest]');"
        " return await (await fetch(link.href)).json(); }"
    )
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/me/")
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{live_server.url}/"
    page.reload()
    wait_for(page, "return !!navigator.serviceWorker.controller;")
    expect(page.locator("#install-app")).to_be_attached()  # shown when Chromium offers the install


def test_my_schedule_shows_the_next_14_days_offline(live_server, my_fortnight, phone, page):
    log_in(page, live_server.url, "resident", "/me/")
    kept_offline(page)

    phone.set_offline(True)
    page.goto(f"{live_server.url}/me/")

    expect(page.locator("#offline-status")).to_contain_text("Offline, as of")
    rows = page.locator("#offline-days tr")
    expect(rows).to_have_count(14)
    expect(rows.first).to_contain_text("Clinic")
    expect(page.get_by_role("heading", name=f"My schedule · {my_fortnight.full_name}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_an_absence_requested_offline_is_sent_once_back_online(live_server, my_fortnight, phone, page):
    log_in(page, live_server.url, "resident", "/me/")
    kept_offline(page)
    page.goto(f"{live_server.url}/absences/new/")  # the service worker keeps the form
    later = my_fortnight.program.today() + dt.timedelta(days=40)

    phone.set_offline(True)
    page.goto(f"{live_server.url}/absences/new/")
    page.get_by_label("Kind").select_option("conference")
    page.get_by_label("Start date").fill(later.isoformat())
    page.get_by_label("End date").fill(later.isoformat())
    page.get_by_role("button", name="Send the request").click()

    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text("Queued, will be sent when you are back online")
    assert not Absence.objects.filter(person=my_fortnight, start_date=later).exists()

    phone.set_offline(False)
    expect(queue).to_contain_text("Sent.")
    page.reload()  # a reload sends whatever is left: nothing
    page.wait_for_load_state("networkidle")
    assert Absence.objects.filter(person=my_fortnight, start_date=later, kind="conference").count() == 1
    assert queued_on_device(page) == 0


def queued_on_device(page: Page) -> int:
    """How many requests made offline this device still holds."""
    return page.evaluate(
        "async () => { const db = await new Promise(r => { const q = indexedDB.open('rs-offline', 1);"
        " q.onsuccess = () => r(q.result); });"
        " return await new Promise(r => { const q = db.transaction('queue').objectStore('queue').count();"
        " q.onsuccess = () => r(q.result); }); }"
    )


def test_a_swap_requested_offline_is_sent_once_back_online(live_server, published_now, phone, page):
    person, nights = resident_with_calls(published_now)
    night = nights[0]
    shift = f"call:{night.isoformat()}"
    log_in(page, live_server.url, login_for(person), "/me/")
    kept_offline(page)
    page.goto(f"{live_server.url}/swaps/new/?shift={shift}")  # the service worker keeps the form, with its proposals
    expect(page.locator(".choose-proposal").first).to_be_visible()
    cdp = phone.new_cdp_session(page)
    cdp.send("Network.clearBrowserCache")  # what the browser keeps offline is the service worker's alone
    cdp.detach()

    phone.set_offline(True)
    page.goto(f"{live_server.url}/swaps/new/")
    expect(page.get_by_label("Your shift")).to_have_value(shift)
    choose = page.locator(".choose-proposal").first
    taker, kind = int(choose.get_attribute("data-taker")), choose.get_attribute("data-kind")
    choose.click()  # the form's script works offline too: it fills the colleague and the kind
    expect(page.get_by_label("Colleague")).to_have_value(str(taker))
    page.get_by_label("Reason").fill("Sister's wedding")
    page.get_by_role("button", name="Ask for the swap").click()

    queue = page.locator("#offline-queue")
    expect(queue).to_contain_text(f"Swap: {night:%a %-d %b}")
    expect(queue).to_contain_text("Queued, will be sent when you are back online")
    assert not Swap.objects.filter(program=published_now.program, legs__giver=person).exists()

    phone.set_offline(False)
    expect(queue).to_contain_text("Sent.")
    page.reload()  # a reload sends whatever is left: nothing
    page.wait_for_load_state("networkidle")
    expect(page.locator("#offline-queue")).to_have_count(0)
    swaps = Swap.objects.filter(program=published_now.program, requester=person)
    assert swaps.count() == 1
    swap = swaps.get()
    assert (swap.kind, swap.status, swap.reason) == (kind, Swap.Status.PENDING, "Sister's wedding")
    assert {(leg.giver_id, leg.taker_id) for leg in swap.legs.all()} >= {(person.pk, taker)}
    assert queued_on_device(page) == 0
