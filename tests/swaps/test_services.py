"""The swap life cycle through its services, on the real database: who may do what, what each step changes in
the schedule and who hears of it."""

import pytest

from notifications.models import Notification
from scheduling.models import SessionAssignment, Source
from swaps.models import Swap, SwapMove
from swaps.services import (
    LegSpec,
    swap_accept,
    swap_approve,
    swap_create,
)
from tests.swaps.factories import continuity_day, session_shift

pytestmark = pytest.mark.django_db
Activity = SessionAssignment.Activity


def giveaway_of_clinic(world, giver="ann", taker="cleo"):
    day = continuity_day(world, world.people[giver])
    swap = swap_create(
        program=world.program,
        user=world.user(giver),
        kind="giveaway",
        legs=[LegSpec(world.people[giver], world.people[taker], session_shift(day, "PM"))],
    )
    return swap, day


def test_a_giveaway_is_requested_accepted_approved_and_moves_the_half_day_with_its_swap(world, coordinator):
    swap, day = giveaway_of_clinic(world)
    assert swap.status == Swap.Status.PENDING
    assert swap.requester == world.ann and swap.needs_approval
    cleo_inbox = Notification.objects.filter(recipient=world.user("cleo"), event="swap_requested")
    assert cleo_inbox.get().link == f"/swaps/{swap.pk}/"
    assert Notification.objects.filter(recipient=coordinator, event="swap_requested").exists()

    swap = swap_accept(swap=swap, user=world.user("cleo"))
    assert swap.status == Swap.Status.ACCEPTED
    assert Notification.objects.filter(recipient=world.user("ann"), event="swap_matched").exists()

    swap = swap_approve(swap=swap, user=coordinator, note="Fine")
    assert swap.status == Swap.Status.EXECUTED and swap.version == world.version
    assert swap.proof["ok"] is True and {p["id"] for p in swap.proof["people"]} == {world.ann.pk, world.cleo.pk}
    cleo = SessionAssignment.objects.get(version=world.version, person=world.cleo, date=day, session="PM")
    assert (cleo.activity, cleo.rotation_id, cleo.source, cleo.swap_id) == (Activity.CLINIC, None, "swap", swap.pk)
    ann = SessionAssignment.objects.get(version=world.version, person=world.ann, date=day, session="PM")
    assert (ann.activity, ann.rotation_id, ann.source, ann.swap_id) == (
        Activity.INPATIENT,
        world.wards.pk,
        Source.SWAP,
        swap.pk,
    )
    assert cleo.history.first().history_change_reason.startswith(f"Swap #{swap.pk}: ")
    assert cleo.history.first().history_user == coordinator
    assert SwapMove.objects.filter(swap=swap).count() == 2
    for name in ("ann", "cleo"):
        assert Notification.objects.filter(recipient=world.user(name), event="swap_executed").exists()
        assert Notification.objects.filter(recipient=world.user(name), event="swap_decided").exists()
