"""My schedule's quick actions on the swaps side (issue 17): "Give away" posts one's own shift to the marketplace
(nothing wanted back) after a confirm page; "Trade" opens the request form with the shift chosen and its
proposals. Refusals: a past shift, one already offered, one that is not mine."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from swaps.models import Swap
from swaps.services import LegSpec, swap_cancel, swap_create, swap_give_away
from tenants.errors import ConflictError, DomainError
from tests.swaps.factories import call_nights, call_shift, continuity_day

pytestmark = pytest.mark.django_db


def give_away_url(code: str) -> str:
    return f"{reverse('swap-give-away')}?shift={code}"


def test_give_away_posts_the_shift_to_the_marketplace(world):
    night = call_nights(world, world.ann)[1]
    swap = swap_give_away(program=world.program, user=world.user("ann"), person=world.ann, shift=call_shift(night))
    assert (swap.kind, swap.status, swap.requester) == (Swap.Kind.POSTING, Swap.Status.PENDING, world.ann)
    leg = swap.legs.get()
    assert (leg.giver, leg.taker, leg.shift, leg.date) == (world.ann, None, "call", night)


def test_give_away_refuses_a_shift_already_offered(world):
    night = call_nights(world, world.ann)[1]
    offered = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="giveaway",
        legs=[LegSpec(world.ann, world.ben, call_shift(night))],
    )
    with pytest.raises(ConflictError, match=f"already offered: swap #{offered.pk} is pending"):
        swap_give_away(program=world.program, user=world.user("ann"), person=world.ann, shift=call_shift(night))
    assert Swap.objects.count() == 1
    swap_cancel(swap=offered, user=world.user("ann"))  # cancelled: it may be offered again
    again = swap_give_away(program=world.program, user=world.user("ann"), person=world.ann, shift=call_shift(night))
    assert again.status == Swap.Status.PENDING


def test_give_away_refuses_someone_elses_shift_and_a_past_one(world):
    night = call_nights(world, world.ben)[1]
    with pytest.raises(PermissionDenied, match="your own shifts"):
        swap_give_away(program=world.program, user=world.user("ann"), person=world.ben, shift=call_shift(night))
    with pytest.raises(DomainError, match="has no call on the night"):
        mine_not = next(n for n in call_nights(world, world.ben) if n not in call_nights(world, world.ann))
        swap_give_away(program=world.program, user=world.user("ann"), person=world.ann, shift=call_shift(mine_not))
    yesterday = world.program.today() - dt.timedelta(days=1)
    with pytest.raises(DomainError):
        swap_give_away(program=world.program, user=world.user("ann"), person=world.ann, shift=call_shift(yesterday))
    assert not Swap.objects.exists()


def test_give_away_page_confirms_then_posts(client, world):
    night = call_nights(world, world.ann)[1]
    client.force_login(world.user("ann"))
    page = client.get(give_away_url(f"call:{night.isoformat()}"))
    assert page.status_code == 200 and b"Post it to the marketplace" in page.content
    response = client.post(reverse("swap-give-away"), {"shift": f"call:{night.isoformat()}"})
    swap = Swap.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("swap-detail", args=[swap.pk])
    assert swap.kind == Swap.Kind.POSTING
    again = client.get(give_away_url(f"call:{night.isoformat()}"))
    assert f"already offered: swap #{swap.pk}".encode() in again.content
    assert b"Post it to the marketplace" not in again.content
    refused = client.post(reverse("swap-give-away"), {"shift": f"call:{night.isoformat()}"})
    assert refused.status_code == 409 and Swap.objects.count() == 1


@pytest.mark.parametrize("when", ["past", "not mine", "nonsense"])
def test_give_away_page_refuses_before_the_button(client, world, when):
    ben_night = next(n for n in call_nights(world, world.ben) if n not in call_nights(world, world.ann))
    code = {
        "past": f"call:{(world.program.today() - dt.timedelta(days=3)).isoformat()}",
        "not mine": f"call:{ben_night.isoformat()}",
        "nonsense": "call:someday",
    }[when]
    client.force_login(world.user("ann"))
    page = client.get(give_away_url(code))
    assert page.status_code == 200 and b"Post it to the marketplace" not in page.content
    assert b'role="alert"' in page.content
    assert client.post(reverse("swap-give-away"), {"shift": code}).status_code == 409
    assert not Swap.objects.exists()


def test_give_away_inside_the_lock_window_asks_for_a_reason(client, world):
    from swaps.program_settings import swap_settings_update

    day = continuity_day(world, world.ann)
    swap_settings_update(program=world.program, user=world.coordinator, settings={"lock_days": 60})
    client.force_login(world.user("ann"))
    code = f"session:{day.isoformat()}:PM"
    page = client.get(give_away_url(code))
    assert b'name="reason"' in page.content
    refused = client.post(reverse("swap-give-away"), {"shift": code})
    assert refused.status_code == 409 and b"give a reason" in refused.content
    assert client.post(reverse("swap-give-away"), {"shift": code, "reason": "Fever"}).status_code == 302
    swap = Swap.objects.get()
    assert swap.legs.get().shift == "session" and swap.reason == "Fever"


def test_trade_link_opens_the_form_with_the_shift_and_its_proposals(client, world):
    night = call_nights(world, world.ann)[1]
    client.force_login(world.user("ann"))
    page = client.get(f"{reverse('swap-new')}?shift=call:{night.isoformat()}&kind=trade")
    html = page.content.decode()
    assert f'value="call:{night.isoformat()}" selected' in html
    assert re.search(r'<input type="radio" name="kind" value="trade"[^>]* checked', html)
    assert f"Proposals for the Call night of {night:%a %-d %b %Y}" in html


def test_trade_link_to_a_shift_not_mine_says_so(client, world):
    ben_night = next(n for n in call_nights(world, world.ben) if n not in call_nights(world, world.ann))
    client.force_login(world.user("ann"))
    page = client.get(f"{reverse('swap-new')}?shift=call:{ben_night.isoformat()}&kind=trade", follow=True)
    assert b"is not one of the upcoming shifts a swap can move" in page.content


def test_my_schedule_offers_the_quick_actions(client, world):
    night = call_nights(world, world.ann)[0]
    client.force_login(world.user("ann"))
    html = client.get(reverse("my-schedule")).content.decode()
    assert f"/swaps/give-away/?shift=call:{night.isoformat()}" in html
    assert f"/swaps/new/?shift=call:{night.isoformat()}&amp;kind=trade" in html
    assert "Give away this call" in html and "Trade this call" in html
