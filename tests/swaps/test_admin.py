"""The swaps admin: read-only, scoped to the programs the user manages; approving goes through the service."""

import pytest
from django.urls import reverse

from swaps.models import Swap
from swaps.services import LegSpec, swap_accept, swap_create
from tests.swaps.factories import continuity_day, session_shift

pytestmark = pytest.mark.django_db


def accepted_swap(world) -> Swap:
    day = continuity_day(world, world.ann)
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="giveaway",
        legs=[LegSpec(world.ann, world.cleo, session_shift(day, "PM"))],
    )
    return swap_accept(swap=swap, user=world.user("cleo"))


def test_a_coordinator_sees_only_their_programs_swaps_and_cannot_edit_one(client, world, other_world, coordinator):
    mine, theirs = accepted_swap(world), accepted_swap(other_world)
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    listing = client.get(reverse("admin:swaps_swap_changelist")).content.decode()
    assert f"Swap #{mine.pk}" in listing and f"Swap #{theirs.pk}" not in listing
    page = client.get(reverse("admin:swaps_swap_change", args=[mine.pk]))
    assert page.status_code == 200 and "Ann Resident" in page.content.decode()
    assert client.get(reverse("admin:swaps_swap_change", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:swaps_swap_add")).status_code == 403
    client.post(reverse("admin:swaps_swap_change", args=[mine.pk]), {"status": "executed"})
    mine.refresh_from_db()
    assert mine.status == Swap.Status.ACCEPTED


def test_the_approve_action_carries_out_the_swap_through_the_service(client, world, coordinator):
    swap = accepted_swap(world)
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:swaps_swap_changelist"),
        {"action": "approve", "_selected_action": [swap.pk]},
        follow=True,
    )
    assert "Approved and carried out 1 swap(s)." in response.content.decode()
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXECUTED and swap.executed_by == coordinator
    again = client.post(
        reverse("admin:swaps_swap_changelist"), {"action": "approve", "_selected_action": [swap.pk]}, follow=True
    )
    assert "already carried out" in again.content.decode()
