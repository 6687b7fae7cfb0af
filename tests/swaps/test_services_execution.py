"""Execution and rollback of swaps on the real database: the re-check at approval, all-or-nothing chains, and
an exact rollback within the program's window."""

import datetime as dt

import pytest
from django.utils import timezone

from scheduling.compliance import person_report
from scheduling.models import CallAssignment, SessionAssignment
from scheduling.services import session_assignment_change
from swaps.models import Swap
from swaps.services import LegSpec, SwapBreachError, swap_accept, swap_approve, swap_create, swap_rollback
from tenants.errors import ConflictError
from tests.scheduling.factories import BlockAssignmentFactory
from tests.swaps.factories import (
    add_call,
    call_nights,
    call_shift,
    faculty_call_shift,
    resident,
    rows_of,
)

pytestmark = pytest.mark.django_db
Activity = SessionAssignment.Activity


def heavy_resident(world, *, calls: int):
    """Hank, PGY-2 on Wards in the first block, working 07:00-17:00 every day but Tuesdays and Wednesdays (200 h
    in the block) with `calls` in-house calls of 15 h (17:00-08:00, the next day's work kept) on Thursday and
    Friday nights (then Saturdays): 8 calls make 320 h in the block, 80 h a week on average, the most allowed.
    Returns Hank and the nights left for more calls."""
    hank = resident(world.program, "Hank", 2)
    BlockAssignmentFactory(version=world.version, block=world.block, person=hank, rotation=world.wards)
    day = world.block.start_date
    while day <= world.block.end_date:
        activity = Activity.OFF if day.weekday() in (1, 2) else Activity.INPATIENT
        for session in ("AM", "PM"):
            SessionAssignment.objects.create(
                program=world.program,
                version=world.version,
                person=hank,
                date=day,
                session=session,
                activity=activity,
                rotation=world.wards if activity == Activity.INPATIENT else None,
            )
        day += dt.timedelta(days=1)
    nights = [world.block.start_date + dt.timedelta(days=n) for n in range(27)]
    candidates = [n for n in nights if n.weekday() in (3, 4)] + [n for n in nights if n.weekday() == 5]
    for night in candidates[:calls]:
        hank_call(world, hank, night)
    return hank, candidates[calls:]


def hank_call(world, person, night):
    zone = world.program.zone
    start = dt.datetime.combine(night, dt.time(17), tzinfo=zone)
    CallAssignment.objects.create(
        program=world.program,
        version=world.version,
        person=person,
        kind=CallAssignment.Kind.IN_HOUSE,
        start=start,
        end=dt.datetime.combine(night + dt.timedelta(days=1), dt.time(8), tzinfo=zone),
    )


def weekly_hours_violations(world, person):
    report = person_report(version=world.version, person_ids=[person.pk])
    return [v for v in report.violations if v.rule == "weekly_hours"]


def test_a_swap_that_would_push_the_taker_over_80_hours_is_refused_with_the_rule_named(world, coordinator):
    hank, _ = heavy_resident(world, calls=8)
    assert not weekly_hours_violations(world, hank)
    night = call_nights(world, world.ann)[1]
    legs = [LegSpec(world.ann, hank, call_shift(night))]
    with pytest.raises(SwapBreachError, match="Duty hours over the weekly limit") as refused:
        swap_create(program=world.program, user=world.user("ann"), kind="giveaway", legs=legs)
    assert "Hank Resident" in str(refused.value) and "80 h a week" in str(refused.value)
    assert not Swap.objects.exists()


def test_approval_re_checks_and_refuses_a_swap_that_now_breaks_the_80_hours(world, coordinator):
    hank, more = heavy_resident(world, calls=7)
    night = call_nights(world, world.ann)[1]
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="giveaway",
        legs=[LegSpec(world.ann, hank, call_shift(night))],
    )
    swap_accept(swap=swap, user=hank.user)
    # Meanwhile Hank gets one more call: the swap would now take him over 80 hours a week.
    hank_call(world, hank, more[0])
    assert not weekly_hours_violations(world, hank)
    before = rows_of(world.version, [world.ann, hank])
    with pytest.raises(SwapBreachError, match=r"Duty hours over the weekly limit.*ACGME 6\.20"):
        swap_approve(swap=swap, user=coordinator)
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ACCEPTED and swap.version is None and not swap.moves.exists()
    assert rows_of(world.version, [world.ann, hank]) == before


def three_way_chain(world, coordinator):
    """Fay's attending call goes to Gus, Gus's to Hal, Hal's to Fay (arranged by the coordinator)."""
    start = world.block.start_date
    fay_night, gus_night, hal_night = start, start + dt.timedelta(days=2), start + dt.timedelta(days=27)
    add_call(world.version, world.hal, hal_night, CallAssignment.Kind.ATTENDING)
    swap = swap_create(
        program=world.program,
        user=coordinator,
        kind="chain",
        legs=[
            LegSpec(world.fay, world.gus, faculty_call_shift(fay_night)),
            LegSpec(world.gus, world.hal, faculty_call_shift(gus_night)),
            LegSpec(world.hal, world.fay, faculty_call_shift(hal_night)),
        ],
        reason="Conference week",
    )
    assert swap.status == Swap.Status.ACCEPTED
    return swap, (fay_night, gus_night, hal_night)


def test_a_three_way_chain_executes_every_leg(world, coordinator):
    swap, (fay_night, gus_night, hal_night) = three_way_chain(world, coordinator)
    swap = swap_approve(swap=swap, user=coordinator)
    kind = CallAssignment.Kind.ATTENDING
    assert fay_night in call_nights(world, world.gus, kind) and fay_night not in call_nights(world, world.fay, kind)
    assert gus_night in call_nights(world, world.hal, kind) and gus_night not in call_nights(world, world.gus, kind)
    assert hal_night in call_nights(world, world.fay, kind) and hal_night not in call_nights(world, world.hal, kind)
    moved = CallAssignment.objects.filter(version=world.version, swap_id=swap.pk)
    assert moved.count() == 3 and {c.source for c in moved} == {"swap"}


def test_a_three_way_chain_whose_third_leg_fails_moves_nothing(world, coordinator):
    swap, (_, _, hal_night) = three_way_chain(world, coordinator)
    cast = [world.fay, world.gus, world.hal]
    # The third leg now breaks a rule: Fay got a call the night after the one Hal hands her.
    add_call(world.version, world.fay, hal_night + dt.timedelta(days=1), CallAssignment.Kind.ATTENDING)
    before = rows_of(world.version, cast)
    with pytest.raises(SwapBreachError, match="Attending call nights too close together") as refused:
        swap_approve(swap=swap, user=coordinator)
    assert "Fay Faculty" in str(refused.value)
    assert rows_of(world.version, cast) == before
    # The third leg can no longer be done at all: Hal's call went to someone else meanwhile.
    CallAssignment.objects.filter(person=world.hal).update(person=world.dan)
    before = rows_of(world.version, cast)
    with pytest.raises(
        ConflictError, match="Hal Faculty no longer holds the faculty call night of .*cannot be executed"
    ):
        swap_approve(swap=swap, user=coordinator)
    assert rows_of(world.version, cast) == before
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ACCEPTED and not swap.moves.exists()


def executed_call_swap(world, coordinator):
    night = call_nights(world, world.ann)[1]
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="giveaway",
        legs=[LegSpec(world.ann, world.ben, call_shift(night))],
    )
    swap_accept(swap=swap, user=world.user("ben"))
    return swap_approve(swap=swap, user=coordinator), night


def test_a_rollback_within_the_window_restores_exactly_the_previous_rows(world, coordinator):
    before = rows_of(world.version, [world.ann, world.ben])
    swap, night = executed_call_swap(world, coordinator)
    assert rows_of(world.version, [world.ann, world.ben]) != before
    Swap.objects.filter(pk=swap.pk).update(executed_at=timezone.now() - dt.timedelta(hours=23, minutes=59))
    swap = swap_rollback(swap=swap, user=coordinator, reason="Ben is on leave that week")
    assert swap.status == Swap.Status.ROLLED_BACK and swap.rolled_back_by == coordinator
    assert rows_of(world.version, [world.ann, world.ben]) == before
    call = CallAssignment.objects.get(version=world.version, person=world.ann, start__date=night)
    assert call.history.first().history_change_reason.startswith(f"Swap #{swap.pk} rolled back")
    with pytest.raises(ConflictError, match="rolled back"):
        swap_rollback(swap=swap, user=coordinator, reason="again")


def test_a_rollback_after_25_hours_is_refused_with_the_time_the_window_closed(world, coordinator):
    swap, _ = executed_call_swap(world, coordinator)
    executed = timezone.now() - dt.timedelta(hours=25)
    Swap.objects.filter(pk=swap.pk).update(executed_at=executed)
    after = rows_of(world.version, [world.ann, world.ben])
    closed = timezone.localtime(executed + dt.timedelta(hours=24), world.program.zone)
    with pytest.raises(ConflictError, match=f"closed on {closed:%a %d %b %Y %H:%M}"):
        swap_rollback(swap=swap, user=coordinator, reason="Too late")
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXECUTED
    assert rows_of(world.version, [world.ann, world.ben]) == after


def test_a_rollback_is_refused_when_a_later_change_touched_a_moved_cell(world, coordinator):
    swap, night = executed_call_swap(world, coordinator)
    after_day = night + dt.timedelta(days=1)
    session_assignment_change(
        version=world.version,
        person=world.ben,
        date=after_day,
        session="PM",
        activity=Activity.OFF,
        user=coordinator,
    )
    with pytest.raises(ConflictError, match=f"Ben Resident's half-day {after_day:%a %d %b %Y} PM.*later change"):
        swap_rollback(swap=swap, user=coordinator, reason="Mistake")
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXECUTED


def test_residents_and_faculty_cannot_roll_back(world, coordinator):
    from django.core.exceptions import PermissionDenied

    swap, _ = executed_call_swap(world, coordinator)
    for name in ("ann", "ben", "fay"):
        with pytest.raises(PermissionDenied):
            swap_rollback(swap=swap, user=world.user(name), reason="Undo")


def call_starts_in_feed(client, world, person) -> set:
    """The local start times of the in-house calls in the person's calendar feed."""
    import icalendar
    from django.urls import reverse

    from integrations.feeds.tokens import feed_token_get_or_create

    token = feed_token_get_or_create(program=world.program, person=person)
    response = client.get(reverse("feed-person", kwargs={"token": token.token}))
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    return {event.start for event in events if str(event["SUMMARY"]) == "In-house call"}


def test_the_calendar_feeds_follow_an_executed_swap_and_its_rollback(client, world, coordinator):
    night = call_nights(world, world.ann)[1]
    start = dt.datetime.combine(night, dt.time(17), tzinfo=world.program.zone)
    assert start in call_starts_in_feed(client, world, world.ann)
    assert start not in call_starts_in_feed(client, world, world.ben)
    swap, _ = executed_call_swap(world, coordinator)
    assert start not in call_starts_in_feed(client, world, world.ann)
    assert start in call_starts_in_feed(client, world, world.ben)
    swap_rollback(swap=swap, user=coordinator, reason="Mistake")
    assert start in call_starts_in_feed(client, world, world.ann)
    assert start not in call_starts_in_feed(client, world, world.ben)


def test_a_rollback_is_refused_when_a_later_change_filled_a_cell_the_swap_emptied(world, coordinator):
    from scheduling.services import call_assignment_change

    swap, night = executed_call_swap(world, coordinator)
    # A coordinator gives Ann a call again that night: the swap's removed call cannot come back.
    call_assignment_change(
        version=world.version,
        person=world.ann,
        date=night,
        action="add",
        user=coordinator,
        post_call=False,
        reason="Short-staffed",
    )
    after = rows_of(world.version, [world.ann, world.ben])
    with pytest.raises(ConflictError, match="A later change put another assignment where swap"):
        swap_rollback(swap=swap, user=coordinator, reason="Mistake")
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXECUTED
    assert rows_of(world.version, [world.ann, world.ben]) == after


def test_a_chain_asked_by_a_faculty_member_waits_for_every_taker(world, coordinator):
    start = world.block.start_date
    fay_night, gus_night, hal_night = start, start + dt.timedelta(days=2), start + dt.timedelta(days=27)
    add_call(world.version, world.hal, hal_night, CallAssignment.Kind.ATTENDING)
    swap = swap_create(
        program=world.program,
        user=world.user("fay"),
        kind="chain",
        legs=[
            LegSpec(world.fay, world.gus, faculty_call_shift(fay_night)),
            LegSpec(world.gus, world.hal, faculty_call_shift(gus_night)),
            LegSpec(world.hal, world.fay, faculty_call_shift(hal_night)),
        ],
    )
    assert swap.status == Swap.Status.PENDING
    assert swap_accept(swap=swap, user=world.user("gus")).status == Swap.Status.PENDING
    with pytest.raises(ConflictError, match="still waits for Hal Faculty"):
        swap_approve(swap=swap, user=coordinator)
    assert swap_accept(swap=swap, user=world.user("hal")).status == Swap.Status.ACCEPTED
    assert swap_approve(swap=swap, user=coordinator).status == Swap.Status.EXECUTED
