"""A resident on a phone enters a wish on My wishes and sees it listed, with no sideways scrolling (issue 12,
point 1); the coordinator then finds it on the heat map."""

import datetime as dt

from playwright.sync_api import expect

from scheduling.models import AcademicYear, Person, Preference
from tests.e2e.conftest import log_in


def test_a_resident_adds_a_wish_on_a_phone_and_sees_it(live_server, demo, phone, context):
    year = AcademicYear.objects.get(program__slug="family-medicine", is_current=True)
    first_monday = year.start_date + dt.timedelta(days=-year.start_date.weekday() % 7)
    week = first_monday + dt.timedelta(weeks=48)  # late May-early June: no demo wish of Grace Kim's there
    page = log_in(phone.new_page(), live_server.url, "resident", "/me/wishes/")

    expect(page.get_by_role("heading", name="My wishes")).to_be_visible()
    expect(page.get_by_text("STFM spring conference: presenting a poster")).to_be_visible()  # a demo wish of hers
    page.get_by_label("What do you wish?").select_option("blocked_week")
    page.get_by_label("Week starting").fill(week.isoformat())
    page.get_by_label("High").check()
    page.get_by_label("Reason").fill("My brother's wedding")
    page.get_by_role("button", name="Save the wish").click()

    expect(page.get_by_text(f"Your wish is saved: blocked week, week of {week:%-d %b %Y}.")).to_be_visible()
    item = page.locator(".wish-item", has_text="My brother's wedding")
    expect(item).to_contain_text(f"Week of {week:%a %-d %b %Y}")
    expect(item).to_contain_text("High")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    grace = Person.objects.get(program__slug="family-medicine", first_name="Grace", last_name="Kim")
    wish = Preference.objects.get(person=grace, week_start=week)
    assert (wish.kind, wish.priority, wish.status) == ("blocked_week", "high", "active")

    # A week that does not start on Monday is refused in words, and nothing is stored.
    page.get_by_label("What do you wish?").select_option("preferred_week")
    page.get_by_label("Week starting").fill((week + dt.timedelta(days=9)).isoformat())
    page.get_by_role("button", name="Save the wish").click()
    expect(page.get_by_role("alert")).to_contain_text("Weeks start on Monday")
    assert Preference.objects.filter(person=grace).count() == 4

    coordinator = log_in(context.new_page(), live_server.url, "coordinator", "/wishes/")
    cell = coordinator.locator('td[title^="Blocked week, high priority: My brother"]')
    expect(cell).to_have_text("B")

    # Back on the phone, she withdraws it in place: the item says so, the rest of the page stays.
    item.get_by_role("button", name="Withdraw").click()
    expect(page.locator(f"#wish-{wish.pk}")).to_contain_text("Withdrawn")
    expect(page.get_by_text("STFM spring conference: presenting a poster")).to_be_visible()
    wish.refresh_from_db()
    assert wish.status == "withdrawn"
