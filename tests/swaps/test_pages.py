"""The swap pages (issue 13, point 6) with the Django test client on the real database: what each role sees on
the marketplace, My swaps, the request form with its proposals, a swap's page and the approval queue; refusals
(clinic staff, residents on the queue, a resident approving their own swap); and tenancy (another program's swap
is not found, its postings are never listed)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling.models import CallAssignment
from swaps import services
from swaps.forms import shift_code
from swaps.models import Swap
from swaps.program_settings import swap_settings
from swaps.shifts import Shift
from tenants.models import Role
from tests.swaps.factories import add_call, call_nights, call_shift, login, swap_world

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's visible words, tags removed and spaces folded, to assert what a person reads."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split()).replace("&#x27;", "'").replace("&amp;", "&")


def future_night(world, person, *, after_days: int = 3) -> dt.date:
    """A call night of the person far enough ahead to be outside the lock window."""
    first = world.program.today() + dt.timedelta(days=after_days)
    return next(night for night in call_nights(world, person) if night > first)


def as_user(client, user):
    client.force_login(user)
    return client


def post_call(world, *, taker="ben", kind="giveaway"):
    """Ann gives (or posts) her next call night to Ben (or to the marketplace) through the service."""
    night = future_night(world, world.ann)
    taker_person = None if kind == "posting" else world.people[taker]
    legs = [services.LegSpec(giver=world.ann, taker=taker_person, shift=call_shift(night))]
    swap = services.swap_create(program=world.program, user=world.user("ann"), kind=kind, legs=legs)
    return swap, night


# --- Refusals and tenancy ---


@pytest.mark.parametrize("role", [Role.CLINICAL_STAFF, Role.RN, Role.MSA])
def test_clinic_staff_are_refused_every_swap_page(client, world, member, role):
    swap, _night = post_call(world, kind="posting")
    as_user(client, member(role))
    for url in (
        reverse("swaps-marketplace"),
        reverse("swaps-mine"),
        reverse("swap-new"),
        reverse("swaps-queue"),
        reverse("swap-detail", args=[swap.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("swap-accept", args=[swap.pk])).status_code == 403


def test_the_menu_counts_swaps_to_approve_as_soon_as_one_is_accepted_or_approved(client, world):
    swap, _night = post_call(world)
    as_user(client, world.coordinator)
    assert "swap-approvals" not in client.get(reverse("swaps-queue")).content.decode()  # nothing to approve yet

    services.swap_accept(swap=swap, user=world.user("ben"))
    body = client.get(reverse("swaps-queue")).content.decode()
    assert '<span class="badge swap-approvals" title="Swaps waiting for your approval">1' in body

    services.swap_approve(swap=swap, user=world.coordinator, note="")
    assert "swap-approvals" not in client.get(reverse("swaps-queue")).content.decode()


def test_residents_are_refused_the_queue_and_cannot_approve_their_own_swap(client, world):
    swap, _night = post_call(world)
    services.swap_accept(swap=swap, user=world.user("ben"))
    as_user(client, world.user("ann"))
    assert client.get(reverse("swaps-queue")).status_code == 403
    response = client.post(reverse("swap-approve", args=[swap.pk]), {"note": "fine by me"})
    assert response.status_code == 403
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ACCEPTED


def test_another_programs_swap_is_not_found_and_its_postings_never_listed(client, world, other_world):
    theirs, _night = post_call(other_world, kind="posting")
    as_user(client, world.user("ben"))
    assert client.get(reverse("swap-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("swap-accept", args=[theirs.pk])).status_code == 404
    market = client.get(reverse("swaps-marketplace"))
    assert market.status_code == 200
    assert f"#{theirs.pk}" not in text(market)
    assert "No open postings from your colleagues right now." in text(market)
    as_user(client, world.coordinator)
    assert client.get(reverse("swap-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("swap-approve", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Swap.Status.PENDING


def test_a_third_resident_cannot_open_a_swap_between_two_others(client, world):
    swap, _night = post_call(world)
    as_user(client, world.user("dan"))
    assert client.get(reverse("swap-detail", args=[swap.pk])).status_code == 404
    assert client.post(reverse("swap-accept", args=[swap.pk])).status_code == 404
    assert client.post(reverse("swap-cancel", args=[swap.pk])).status_code == 404


def test_actions_are_post_only(client, world):
    swap, _night = post_call(world)
    as_user(client, world.user("ben"))
    assert client.get(reverse("swap-accept", args=[swap.pk])).status_code == 405


# --- The marketplace ---


def test_marketplace_marks_each_posting_compatible_or_names_what_blocks_me(client, world):
    swap, night = post_call(world, kind="posting")

    ben = text(as_user(client, world.user("ben")).get(reverse("swaps-marketplace")))
    assert f"#{swap.pk}" in ben and "Compatible" in ben
    assert "Take it" in ben

    cleo = text(as_user(client, world.user("cleo")).get(reverse("swaps-marketplace")))
    assert f"#{swap.pk}" in cleo and "Blocked" in cleo
    entry = cleo[cleo.index(f"#{swap.pk}") :]
    assert "Take it" not in entry.split("Post one of your shifts")[0]

    ann = text(as_user(client, world.user("ann")).get(reverse("swaps-marketplace")))
    assert f"#{swap.pk}" not in ann  # one's own posting is not offered to oneself


def test_taking_a_posting_from_the_marketplace_accepts_it(client, world):
    swap, _night = post_call(world, kind="posting")
    as_user(client, world.user("ben"))
    response = client.post(
        reverse("swap-accept", args=[swap.pk]), {"next": reverse("swaps-marketplace"), "offer": ""}, follow=True
    )
    assert f"You accepted swap #{swap.pk}" in text(response)
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ACCEPTED
    assert swap.legs.get().taker == world.ben


# --- The request form ---


def test_new_request_lists_my_shifts_grouped_and_prefills_from_a_swap_this_link(client, world):
    night = future_night(world, world.ann)
    as_user(client, world.user("ann"))
    response = client.get(reverse("swap-new") + f"?shift=call&date={night.isoformat()}")
    body = response.content.decode()
    assert '<optgroup label="Call nights">' in body
    assert '<optgroup label="Half-days">' in body
    assert f'value="{shift_code(call_shift(night))}" selected' in body
    page = text(response)
    assert f"Proposals for the Call night of {night:%a %-d %b %Y}" in page
    assert "Required for a shift within 2 days (the program's lock window)." in page


def test_proposals_appear_for_the_chosen_shift_with_their_reasons(client, world):
    night = future_night(world, world.ann)
    as_user(client, world.user("ann"))
    response = client.get(reverse("swap-proposals"), {"shift": shift_code(call_shift(night))}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = text(response)
    assert "Ben Resident" in page  # a PGY-2 on Wards: compliant
    assert "Cleo Resident" not in page  # on Electives, which takes no call
    assert page.count("Choose ") >= 1
    assert "<html" not in response.content.decode()  # a fragment for htmx


def test_submitting_a_give_away_creates_the_swap_and_shows_it(client, world):
    night = future_night(world, world.ann)
    as_user(client, world.user("ann"))
    response = client.post(
        reverse("swap-new"),
        {"shift": shift_code(call_shift(night)), "kind": "giveaway", "taker": world.ben.pk, "reason": ""},
        follow=True,
    )
    swap = Swap.objects.get(program=world.program)
    assert response.redirect_chain[-1][0] == reverse("swap-detail", args=[swap.pk])
    page = text(response)
    assert "Your swap is asked" in page
    assert f"Ann Resident gives Ben Resident: Call night of {night:%a %-d %b %Y}" in page
    assert "Who acts next: Ben Resident accepts or declines." in page
    assert (swap.kind, swap.status, swap.requester) == ("giveaway", "pending", world.ann)


def test_a_give_away_without_a_colleague_is_refused_with_the_field_named(client, world):
    night = future_night(world, world.ann)
    as_user(client, world.user("ann"))
    response = client.post(reverse("swap-new"), {"shift": shift_code(call_shift(night)), "kind": "giveaway"})
    assert response.status_code == 200
    assert "Choose the colleague, or post the shift to the marketplace." in text(response)
    assert not Swap.objects.exists()


def test_inside_the_lock_window_a_reason_is_required_and_nothing_is_stored(client, world):
    world.program.settings = {**world.program.settings, "swaps": {"lock_days": 60}}
    world.program.save(update_fields=["settings"])
    night = future_night(world, world.ann)
    as_user(client, world.user("ann"))
    code = shift_code(call_shift(night))
    page = text(client.get(reverse("swap-proposals"), {"shift": code}))
    assert "This shift is within the program's 60-day lock window: give a reason below." in page
    response = client.post(reverse("swap-new"), {"shift": code, "kind": "posting", "reason": ""})
    assert response.status_code == 200
    assert "reason" in text(response).split("Ask for a swap")[-1].lower()
    assert not Swap.objects.exists()
    response = client.post(reverse("swap-new"), {"shift": code, "kind": "posting", "reason": "My sister's wedding"})
    assert Swap.objects.get().reason == "My sister's wedding"


# --- My swaps, the swap's page, the queue ---


def test_my_swaps_shows_what_i_asked_and_what_i_was_asked_with_the_actions(client, world):
    swap, night = post_call(world)
    ann = text(as_user(client, world.user("ann")).get(reverse("swaps-mine")))
    assert "What I asked" in ann and f"#{swap.pk} Give-away" in ann and "Pending" in ann
    assert "Cancel the swap" in ann and "Accept" not in ann.split("What I asked")[1]

    ben = text(as_user(client, world.user("ben")).get(reverse("swaps-mine")))
    asked_of_me = ben.split("Asked of me")[1].split("What I asked")[0]
    assert f"#{swap.pk}" in asked_of_me and "Accept" in asked_of_me and "Decline" in asked_of_me

    response = client.post(reverse("swap-accept", args=[swap.pk]), {"next": reverse("swaps-mine")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("swaps-mine")
    assert "Matched / accepted" in text(response)


def test_the_life_cycle_on_the_pages_accept_approve_roll_back(client, world):
    swap, night = post_call(world)
    as_user(client, world.user("ben")).post(reverse("swap-accept", args=[swap.pk]))

    as_user(client, world.coordinator)
    queue = client.get(reverse("swaps-queue"))
    page = text(queue)
    assert "Waiting for approval (1)" in page
    assert f"Ann Resident gives Ben Resident: Call night of {night:%a %-d %b %Y}" in page
    assert reverse("swap-proof", args=[swap.pk]) in queue.content.decode()  # the proof re-runs on load
    proof = text(client.get(reverse("swap-proof", args=[swap.pk]), HTTP_HX_REQUEST="true"))
    assert "Passes" in proof and "checked just now" in proof

    response = client.post(
        reverse("swap-approve", args=[swap.pk]), {"note": "ok", "next": reverse("swaps-queue")}, follow=True
    )
    page = text(response)
    assert f"Swap #{swap.pk} is approved and executed." in page
    assert "No swap is waiting for approval." in page
    assert "Recently executed" in page and "Roll back" in page
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXECUTED

    detail = text(client.get(reverse("swap-detail", args=[swap.pk])))
    assert "Timeline" in detail and "Pending" in detail and "Executed" in detail
    assert "Who acts next: Nobody: it is done." in detail

    refused = client.post(reverse("swap-rollback", args=[swap.pk]), {"reason": ""}, follow=True)
    assert "Say why the swap is undone." in text(refused)
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXECUTED
    response = client.post(reverse("swap-rollback", args=[swap.pk]), {"reason": "Wrong night"}, follow=True)
    assert "is rolled back: the previous assignments are restored" in text(response)
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ROLLED_BACK


def test_a_rejection_needs_a_note_and_shows_the_services_words(client, world):
    swap, _night = post_call(world)
    services.swap_accept(swap=swap, user=world.user("ben"))
    as_user(client, world.coordinator)
    response = client.post(reverse("swap-reject", args=[swap.pk]), {"note": ""}, follow=True)
    assert "message error" in response.content.decode()
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ACCEPTED
    response = client.post(reverse("swap-reject", args=[swap.pk]), {"note": "Ben is on leave"}, follow=True)
    assert f"Swap #{swap.pk} is rejected." in text(response)
    assert "Decision note: Ben is on leave" in text(response)


def test_nav_shows_swaps_and_the_coordinators_count(client, world, member):
    swap, _night = post_call(world)
    services.swap_accept(swap=swap, user=world.user("ben"))
    resident_page = as_user(client, world.user("ann")).get(reverse("swaps-mine")).content.decode()
    assert 'class="swaps-link"' in resident_page and "swap-approvals" not in resident_page
    coordinator_page = as_user(client, world.coordinator).get(reverse("home")).content.decode()
    assert re.search(r'swap-approvals"[^>]*>1<', coordinator_page)
    staff_page = as_user(client, member(Role.CLINICAL_STAFF)).get(reverse("home")).content.decode()
    assert "swaps-link" not in staff_page


# --- The program's swap settings ---


def test_settings_form_refuses_bad_values_by_field_and_stores_nothing(client, world):
    as_user(client, world.coordinator)
    before = swap_settings(world.program)
    response = client.post(
        reverse("swaps-settings"),
        {"approval": ["trade", "bogus"], "lock_days": "-1", "rollback_hours": "24", "expiry_days": "0"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "Select a valid choice. bogus is not one of the available choices." in page
    assert "Ensure this value is greater than or equal to 0." in page
    assert "Ensure this value is greater than or equal to 1." in page
    world.program.refresh_from_db()
    assert swap_settings(world.program) == before


def test_settings_form_saves_the_programs_swap_settings(client, world):
    as_user(client, world.coordinator)
    response = client.post(
        reverse("swaps-settings"),
        {"approval": ["trade", "chain"], "lock_days": "3", "rollback_hours": "48", "expiry_days": "10"},
        follow=True,
    )
    assert "The swap settings are saved." in text(response)
    world.program.refresh_from_db()
    saved = swap_settings(world.program)
    assert (saved.approval, saved.lock_days, saved.rollback_hours, saved.expiry_days) == (
        ("trade", "chain"),
        3,
        48,
        10,
    )


def test_residents_cannot_change_the_swap_settings(client, world):
    as_user(client, world.user("ann"))
    response = client.post(
        reverse("swaps-settings"), {"approval": [], "lock_days": "0", "rollback_hours": "0", "expiry_days": "1"}
    )
    assert response.status_code == 403


def test_a_user_without_a_person_is_told_so(client, world):
    coordinator = login(world.program, Role.FACULTY, first_name="Nobody")
    page = text(as_user(client, coordinator).get(reverse("swaps-mine")))
    assert "Your login is not linked to a person of this program" in page


# --- Chains ---


def test_a_chain_among_three_postings_is_shown_to_its_parties_and_asked_as_one_swap(client, program, coordinator):
    world = swap_world(program, coordinator=coordinator, calls=False)
    first = program.today() + dt.timedelta(days=3)
    last = (world.next_block or world.block).end_date
    thursdays = [
        first + dt.timedelta(days=n)
        for n in range((last - first).days)
        if (first + dt.timedelta(days=n)).weekday() == 3
    ]
    for name, night in zip(("fay", "gus", "hal"), thursdays, strict=False):
        add_call(world.version, world.people[name], night, CallAssignment.Kind.ATTENDING)
        services.swap_create(
            program=program,
            user=world.user(name),
            kind="posting",
            legs=[services.LegSpec(giver=world.people[name], taker=None, shift=Shift("faculty_call", night))],
        )
    postings = ",".join(str(pk) for pk in Swap.objects.order_by("pk").values_list("pk", flat=True))

    page = text(as_user(client, world.user("gus")).get(reverse("swaps-marketplace")))
    assert "Chains for you" in page and "Ask for this chain" in page
    assert f"Fay Faculty gives Gus Faculty the Faculty call night of {thursdays[0]:%a %-d %b %Y}" in page or (
        f"Fay Faculty gives Hal Faculty the Faculty call night of {thursdays[0]:%a %-d %b %Y}" in page
    )
    assert "Chains for you" not in text(as_user(client, world.user("ann")).get(reverse("swaps-marketplace")))

    refused = client.post(reverse("swap-chain"), {"postings": "1,2"}, follow=True)
    assert "This chain is no longer possible" in text(refused)

    as_user(client, world.user("gus"))
    response = client.post(reverse("swap-chain"), {"postings": postings}, follow=True)
    chain = Swap.objects.get(kind="chain")
    assert response.redirect_chain[-1][0] == reverse("swap-detail", args=[chain.pk])
    page = text(response)
    assert f"The chain is asked as swap #{chain.pk}" in page
    assert chain.requester == world.gus and chain.legs.count() == 3
    assert chain.legs.get(position=0).giver == world.gus  # the one who asks gives first
    assert "Who acts next:" in page


# --- Queries ---


def queries_for(client, url) -> int:
    """The page's queries, the inbox badge's left out (it is cached between requests)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len([q for q in captured.captured_queries if "notifications_notification" not in q["sql"]])


def test_my_swaps_and_the_queue_read_a_fixed_number_of_queries_however_many_swaps(client, world):
    nights = [n for n in call_nights(world, world.ann) if n > world.program.today() + dt.timedelta(days=3)]
    swaps = []
    for night in nights[:4]:
        legs = [services.LegSpec(giver=world.ann, taker=world.ben, shift=call_shift(night))]
        swaps.append(services.swap_create(program=world.program, user=world.user("ann"), kind="giveaway", legs=legs))
    assert len(swaps) >= 3
    services.swap_accept(swap=swaps[0], user=world.user("ben"))
    as_user(client, world.user("ann"))
    one_more = queries_for(client, reverse("swaps-mine"))
    services.swap_accept(swap=swaps[1], user=world.user("ben"))
    services.swap_accept(swap=swaps[2], user=world.user("ben"))
    assert queries_for(client, reverse("swaps-mine")) == one_more
    as_user(client, world.coordinator)
    queue = queries_for(client, reverse("swaps-queue"))
    services.swap_cancel(swap=swaps[2], user=world.user("ann"))
    assert queries_for(client, reverse("swaps-queue")) == queue


# --- Coordinators ask on behalf of anyone ---


def test_a_coordinator_asks_a_block_rotation_swap_on_behalf_of_a_resident(client, world):
    block = world.next_block
    if block is None:
        pytest.skip("The world's year has no block after the first one")
    code = shift_code(Shift("block", block.start_date, block_id=block.pk))
    residents_page = as_user(client, world.user("ann")).get(reverse("swap-new")).content.decode()
    assert '<optgroup label="Block rotations">' not in residents_page  # block rotations are the coordinators'

    as_user(client, world.coordinator)
    page = client.get(reverse("swap-new"))
    assert "Choose the person whose shift moves." in text(page)
    page = client.get(reverse("swap-new"), {"giver": world.ann.pk})
    body = page.content.decode()
    assert '<optgroup label="Block rotations">' in body and f'value="{code}"' in body
    assert "Ann Resident's shift" in text(page)

    response = client.post(
        reverse("swap-new"),
        {"giver": world.ann.pk, "shift": code, "kind": "giveaway", "taker": world.ben.pk, "reason": ""},
        follow=True,
    )
    swap = Swap.objects.get(program=world.program)
    page = text(response)
    assert f"The swap is asked: Ann Resident and Ben Resident exchange their block {block.number} rotations" in page
    assert (swap.kind, swap.requester, swap.created_by) == ("trade", world.ann, world.coordinator)
    assert swap.legs.get().shift == "block"  # one leg: the two exchange their rotations of the block


def test_a_resident_cannot_ask_on_behalf_of_someone_else(client, world):
    night = future_night(world, world.ben)
    as_user(client, world.user("ann"))
    response = client.post(
        reverse("swap-new"),
        {"giver": world.ben.pk, "shift": shift_code(call_shift(night)), "kind": "posting", "reason": "x"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)  # Ben's night is not among Ann's shifts
    assert not Swap.objects.exists()


def test_a_residents_request_form_offers_only_half_days_a_resident_can_hand_over(client, world):
    """A resident's rotation work is theirs: the form lists their continuity clinic half-days, never a half-day of
    work on their rotation (which the services would refuse)."""
    from scheduling.models import SessionAssignment
    from swaps.forms import upcoming_shifts

    ann = world.people["ann"]
    rows = SessionAssignment.objects.filter(version=world.version, person=ann, date__gt=world.program.today())
    continuity = {
        shift_code(Shift("session", r.date, r.session)) for r in rows.filter(activity="clinic", rotation=None)
    }
    on_rotation = {shift_code(Shift("session", r.date, r.session)) for r in rows.exclude(rotation=None)}
    assert continuity and on_rotation  # the world gives Ann both

    offered = {
        choice.code for choice in upcoming_shifts(program=world.program, person=ann) if choice.group == "session"
    }

    assert offered and offered <= continuity
    assert not offered & on_rotation
