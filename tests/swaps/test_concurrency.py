"""Two coordinators approve conflicting swaps at the same instant, on two real PostgreSQL connections: exactly one
swap is executed, the other is refused with a clear message and stays as it was (nothing half-written).

Each race starts both approvals together (a barrier) and is repeated, since an unlocked check-then-write loses only
some of the time; between rounds the executed swap is rolled back so the shift is Ann's again. SQLite serialises
writers itself and has no row locks, so these run on PostgreSQL only.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from scheduling.models import SessionAssignment
from swaps.models import Swap
from swaps.services import LegSpec, swap_accept, swap_approve, swap_create, swap_rollback
from tenants.errors import ConflictError
from tenants.models import Role
from tests.swaps.factories import continuity_day, login, rows_of, session_shift

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Racing approvals need row locks and concurrent connections: run with DATABASE_URL set to PostgreSQL.",
)

ROUNDS = 4


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on their own connections, released together; each one's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each approval raised
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an approval hung (a lock never released?)"
    return results


def offer(world, taker_name: str, day) -> Swap:
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="giveaway",
        legs=[LegSpec(world.ann, world.people[taker_name], session_shift(day, "PM"))],
    )
    return swap_accept(swap=swap, user=world.user(taker_name))


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_swaps_for_the_same_shift_execute_exactly_one(world, coordinator):
    second_coordinator = login(world.program, Role.COORDINATOR, first_name="Sam", last_name="Second")
    day = continuity_day(world, world.ann)
    cast = [world.ann, world.cleo, world.dan]
    for _ in range(ROUNDS):
        before = rows_of(world.version, cast)
        to_cleo, to_dan = offer(world, "cleo", day), offer(world, "dan", day)
        results = race(
            lambda first=to_cleo: swap_approve(swap=first, user=coordinator),
            lambda second=to_dan: swap_approve(swap=second, user=second_coordinator),
        )
        executed = [r for r in results if isinstance(r, Swap)]
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(executed) == 1 and len(refused) == 1, results
        assert isinstance(refused[0], ConflictError), refused[0]
        when = f"{day:%a %d %b %Y} PM"
        assert str(refused[0]) == (
            f"Ann Resident no longer holds the half-day session of {when}; this swap cannot be executed."
        )
        winner = executed[0]
        loser = to_dan if winner.pk == to_cleo.pk else to_cleo
        loser.refresh_from_db()
        assert loser.status == Swap.Status.ACCEPTED and loser.version is None and not loser.moves.exists()
        taker = world.cleo if winner.pk == to_cleo.pk else world.dan
        row = SessionAssignment.objects.get(version=world.version, person=taker, date=day, session="PM")
        assert (row.activity, row.swap_id, row.source) == ("clinic", winner.pk, "swap")
        assert SessionAssignment.objects.filter(version=world.version, swap_id=loser.pk).count() == 0
        # Put the shift back for the next round, and withdraw the refused swap.
        swap_rollback(swap=winner, user=coordinator, reason="Next round")
        assert rows_of(world.version, cast) == before
        Swap.objects.filter(pk=loser.pk).update(status=Swap.Status.CANCELLED)


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_the_same_swap_execute_it_once(world, coordinator):
    second_coordinator = login(world.program, Role.COORDINATOR, first_name="Sam", last_name="Second")
    day = continuity_day(world, world.ann)
    swap = offer(world, "cleo", day)
    results = race(
        lambda: swap_approve(swap=swap, user=coordinator),
        lambda: swap_approve(swap=swap, user=second_coordinator),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ConflictError), results
    assert "already carried out" in str(refused[0])
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXECUTED
    assert SessionAssignment.objects.filter(version=world.version, swap_id=swap.pk).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_residents_claiming_the_same_posting_at_once_leave_it_to_one_of_them(world):
    from tests.swaps.factories import call_nights, call_shift, fill_block, resident

    eve = resident(world.program, "Eve", 2)
    fill_block(world.version, eve, world.block, world.wards)
    night = call_nights(world, world.ann)[1]
    posting = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="posting",
        legs=[LegSpec(world.ann, None, call_shift(night))],
    )
    results = race(
        lambda: swap_accept(swap=posting, user=world.user("ben")),
        lambda: swap_accept(swap=posting, user=eve.user),
    )
    claimed = [r for r in results if isinstance(r, Swap)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(claimed) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], ConflictError) and str(refused[0]) == "Someone else already took this posting."
    posting.refresh_from_db()
    leg = posting.legs.get()
    assert posting.status == Swap.Status.ACCEPTED and leg.taker in (world.ben, eve) and leg.accepted_at
