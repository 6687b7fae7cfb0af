"""The whole life cycle of a swap in the browser (issue 13): a resident (on a phone) picks one of her call nights,
sees the proposals, gives it to a proposed colleague; the colleague accepts; the coordinator approves it in the
queue with its compliance proof; the colleague's My schedule shows the call; the coordinator rolls it back and it
is gone again."""

import datetime as dt

from playwright.sync_api import expect

from scheduling.demo import DEMO_PASSWORD
from scheduling.models import CallAssignment, Person
from swaps.models import Swap
from tenants.mfa import email_verified_ensure
from tenants.models import Membership, Role, User
from tests.e2e.conftest import LOCK_DAYS_MARGIN, log_in

LOCK_MARGIN = LOCK_DAYS_MARGIN  # days: the call is outside the program's 2-day lock window


def login_for(person: Person) -> str:
    """A resident login for a demo person who has none (the demo has one resident login): the local part."""
    if person.user_id is None:
        user = User.objects.create_user(
            f"swap-{person.pk}@demo.example.org",
            DEMO_PASSWORD,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        email_verified_ensure(user=user)  # as the program's admin vouches for an address it enters
        Membership.objects.create(user=user, organization=person.program, role=Role.RESIDENT)
        person.user = user
        person.save(update_fields=["user"])
    return person.user.email.split("@")[0]


def test_a_call_night_goes_through_the_whole_swap_life_cycle(live_server, published_now, phone, context):
    version = published_now
    program = version.program
    first, last = program.today() + dt.timedelta(days=LOCK_MARGIN), program.today() + dt.timedelta(days=55)
    calls = CallAssignment.objects.filter(version=version, person__kind="resident").exclude(kind="attending")
    nights = sorted(
        (c.start.astimezone(program.zone).date(), c.person.user_id is None, c.person.last_name, c.person_id)
        for c in calls.select_related("person")
        if first < c.start.astimezone(program.zone).date() <= last
    )
    assert nights, "No resident has a call night in the coming weeks of the published schedule"
    # The demo's resident login (Grace Kim) when she has a call night then, else the first resident who has one.
    grace_id = Person.objects.get(program=program, user__email="resident@demo.example.org").pk
    night, _no_login, _name, giver_id = next((n for n in nights if n[3] == grace_id), min(nights, key=lambda n: n[1:]))
    grace = Person.objects.get(pk=giver_id)

    # Grace, on her phone, starts from the call's actions on her schedule: "Trade this call" opens the form with
    # that night chosen.
    page = log_in(phone.new_page(), live_server.url, login_for(grace), "/me/")
    row = page.locator(".call-list li", has_text=f"{night:%a %-d %b}")
    row.locator("summary").click()
    row.get_by_role("link", name="Trade this call").click()
    expect(page.get_by_role("heading", name="Ask for a swap")).to_be_visible()
    shift = page.get_by_label("Your shift")
    expect(shift).to_have_value(f"call:{night.isoformat()}")
    # Choosing another shift brings its proposals at once (htmx); back to the night, they come back.
    other = shift.locator("option").nth(1).get_attribute("value")
    if other == f"call:{night.isoformat()}":
        other = shift.locator("option").nth(2).get_attribute("value")
    shift.select_option(other)
    expect(page.locator(".proposals-title")).not_to_contain_text(f"Call night of {night:%a %-d %b %Y}")
    shift.select_option(f"call:{night.isoformat()}")
    # The top proposals show for the chosen shift, each with the reasons of its score.
    expect(page.locator(".proposal").first).to_be_visible()
    expect(page.get_by_role("heading", name=f"Proposals for the Call night of {night:%a %-d %b %Y}")).to_be_visible()
    first_proposal = page.locator(".proposal").first
    expect(first_proposal.locator(".proposal-reasons li").first).to_be_visible()
    choose = first_proposal.locator(".choose-proposal")
    taker = Person.objects.get(pk=int(choose.get_attribute("data-taker")))
    choose.click()
    expect(page.get_by_label("Colleague")).to_have_value(str(taker.pk))
    page.get_by_label("Give it to someone (nothing back)").check()
    page.get_by_label("Reason").fill("My sister's wedding")
    page.get_by_role("button", name="Ask for the swap").click()
    expect(page.get_by_text("Your swap is asked")).to_be_visible()
    expect(page.get_by_text(f"Who acts next: {taker.full_name} accepts or declines.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    swap = Swap.objects.get(program=program, pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))  # its page
    assert swap.requester == grace
    assert (swap.kind, swap.status) == ("giveaway", "pending")

    # The colleague accepts from My swaps.
    colleague = log_in(context.new_page(), live_server.url, login_for(taker), "/swaps/mine/")
    item = colleague.locator(f"#swap-{swap.pk}")
    expect(item).to_contain_text(f"{grace.full_name} gives {taker.full_name}: Call night of {night:%a %-d %b %Y}")
    item.get_by_role("button", name="Accept").click()
    expect(colleague.get_by_text(f"You accepted swap #{swap.pk}")).to_be_visible()
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ACCEPTED

    # The coordinator approves it in the queue, with its proof re-checked now.
    coordinator_context = context.browser.new_context(viewport={"width": 1366, "height": 900})
    coordinator = log_in(coordinator_context.new_page(), live_server.url, "coordinator", "/swaps/queue/")
    coordinator.on("dialog", lambda dialog: dialog.accept())
    entry = coordinator.locator(f"#swap-{swap.pk}")
    expect(entry.get_by_text("checked just now")).to_be_visible()
    expect(entry.locator(".swap-proof")).to_contain_text("Passes")
    expect(entry.locator(".swap-proof")).to_contain_text(f"{grace.full_name}")
    entry.get_by_role("button", name="Approve").click()
    expect(coordinator.get_by_text(f"Swap #{swap.pk} is approved and executed.")).to_be_visible()
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXECUTED

    # The taker's My schedule now shows the call; Grace's no longer does.
    colleague.goto(f"{live_server.url}/me/")
    expect(colleague.locator(".call-list")).to_contain_text(f"{night:%a %-d %b}")
    page.goto(f"{live_server.url}/me/")
    expect(page.locator(".call-list li", has_text=f"{night:%a %-d %b}")).to_have_count(0)

    # The coordinator rolls it back (within the window): the call is Grace's again.
    coordinator.goto(f"{live_server.url}/swaps/queue/")
    executed = coordinator.locator(f"#swap-{swap.pk}")
    executed.get_by_label("Why undo it").fill("Grace's wedding was moved")
    executed.get_by_role("button", name="Roll back").click()
    expect(coordinator.get_by_text(f"Swap #{swap.pk} is rolled back")).to_be_visible()
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ROLLED_BACK
    colleague.goto(f"{live_server.url}/me/")
    expect(colleague.locator(".call-list li", has_text=f"{night:%a %-d %b}")).to_have_count(0)
    page.goto(f"{live_server.url}/me/")
    expect(page.locator(".call-list li", has_text=f"{night:%a %-d %b}")).to_have_count(1)
    coordinator_context.close()
