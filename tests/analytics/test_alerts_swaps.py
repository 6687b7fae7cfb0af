"""ACGME alerts after a swap: carrying out a swap that leaves the taker with a breach in its window tells the
coordinator; rolling it back tells nothing twice."""

import pytest

from notifications.events import Event
from notifications.models import Notification
from swaps.services import LegSpec, swap_accept, swap_approve, swap_create, swap_rollback
from tests.swaps.factories import call_nights, call_shift, swap_world
from tests.swaps.test_services_execution import heavy_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program, coordinator):
    return swap_world(program, coordinator=coordinator)


def _warnings(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event=Event.ACGME_WARNING))


def test_a_swap_carried_out_leaving_a_breach_warns_once_and_its_rollback_adds_nothing(
    world, coordinator, django_capture_on_commit_callbacks
):
    hank, _ = heavy_resident(world, calls=6)
    night = call_nights(world, world.ann)[1]
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="giveaway",
        legs=[LegSpec(world.ann, hank, call_shift(night))],
    )
    swap_accept(swap=swap, user=hank.user)
    assert _warnings(coordinator) == []

    with django_capture_on_commit_callbacks(execute=True):
        swap_approve(swap=swap, user=coordinator)

    # Hank's block holds 58 h of continuous duty (his Thursday and Friday calls): the swap leaves it in the window
    # of its night, so the coordinator hears of it, naming him, the rule, the hours and the window.
    (warning,) = _warnings(coordinator)
    assert warning.title == "ACGME warning: Continuous duty over 24+4 h (ACGME 6.22)"
    assert warning.body.startswith("Hank Resident: 58 h against a limit of 28 h")
    assert f"person={hank.pk}" in warning.link

    with django_capture_on_commit_callbacks(execute=True):
        swap_rollback(swap=swap, user=coordinator, reason="Hank is too close to the line")
    assert len(_warnings(coordinator)) == 1  # the same window: nothing told twice
