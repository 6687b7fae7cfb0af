"""The swap life cycle through its services, on the real database: who may do what, what each step changes in
the schedule and who hears of it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from notifications.models import Notification
from scheduling.models import BlockAssignment, CallAssignment, SessionAssignment, Source
from swaps.models import Swap, SwapMove
from swaps.selectors import swaps_visible
from swaps.services import (
    LegSpec,
    swap_accept,
    swap_approve,
    swap_cancel,
    swap_create,
    swap_decline,
    swap_reject,
    swap_rollback,
)
from swaps.shifts import Shift
from tenants.errors import ConflictError, DomainError
from tests.swaps.factories import add_call, block_shift, call_nights, call_shift, continuity_day, rows_of, session_shift

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
    matched = Notification.objects.get(recipient=world.user("ann"), event="swap_matched")
    assert matched.body.endswith("; the swap now waits for approval.")

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


def test_a_kind_the_program_lets_through_executes_once_every_taker_accepted(world, coordinator):
    world.program.settings = world.program.settings | {"swaps": {"approval": ["trade"]}}
    world.program.save()
    swap, day = giveaway_of_clinic(world)
    assert not swap.needs_approval
    assert not Notification.objects.filter(recipient=coordinator, event="swap_requested").exists()
    swap = swap_accept(swap=swap, user=world.user("cleo"))
    assert swap.status == Swap.Status.EXECUTED and swap.executed_by == world.user("cleo")
    matched = Notification.objects.get(recipient=world.user("ann"), event="swap_matched")
    assert "approval" not in matched.body and "Cleo Resident will take" in matched.body
    row = SessionAssignment.objects.get(version=world.version, person=world.cleo, date=day, session="PM")
    assert (row.activity, row.swap_id) == (Activity.CLINIC, swap.pk)


def test_a_call_night_moves_with_its_post_call_morning(world, coordinator):
    night = call_nights(world, world.ann)[1]
    after = night + dt.timedelta(days=1)
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="giveaway",
        legs=[LegSpec(world.ann, world.ben, call_shift(night))],
    )
    swap_accept(swap=swap, user=world.user("ben"))
    swap = swap_approve(swap=swap, user=coordinator)
    assert night not in call_nights(world, world.ann) and night in call_nights(world, world.ben)
    call = CallAssignment.objects.get(version=world.version, person=world.ben, swap_id=swap.pk)
    assert call.source == Source.SWAP
    ben_next = SessionAssignment.objects.filter(version=world.version, person=world.ben, date=after)
    assert {row.activity for row in ben_next} == {Activity.POST_CALL}
    ann_next = SessionAssignment.objects.filter(version=world.version, person=world.ann, date=after)
    assert {row.activity for row in ann_next} == {Activity.INPATIENT}
    moved = SessionAssignment.objects.filter(version=world.version, swap_id=swap.pk).count()
    moved += CallAssignment.objects.filter(version=world.version, swap_id=swap.pk).count()
    assert moved == swap.moves.exclude(after=None).count()


def test_a_posting_is_claimed_by_its_first_taker_and_then_taken(world, coordinator):
    night = call_nights(world, world.ann)[1]
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="posting",
        legs=[LegSpec(world.ann, None, call_shift(night))],
    )
    assert swap.status == Swap.Status.PENDING and swap.legs.get().taker is None
    assert not Notification.objects.filter(event="swap_requested").exclude(recipient=coordinator).exists()
    swap = swap_accept(swap=swap, user=world.user("ben"))
    assert swap.status == Swap.Status.ACCEPTED and swap.legs.get().taker == world.ben
    with pytest.raises(ConflictError, match="already"):
        swap_accept(swap=swap, user=world.user("cleo"))


def test_a_claim_with_a_shift_offered_back_makes_a_trade_the_poster_accepts(world, coordinator):
    ann_night, ben_night = call_nights(world, world.ann)[1], call_nights(world, world.ben)[2]
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="posting",
        legs=[LegSpec(world.ann, None, call_shift(ann_night))],
    )
    swap = swap_accept(swap=swap, user=world.user("ben"), offer=call_shift(ben_night))
    assert swap.kind == Swap.Kind.TRADE and swap.status == Swap.Status.PENDING
    assert Notification.objects.filter(recipient=world.user("ann"), event="swap_matched").exists()
    swap = swap_accept(swap=swap, user=world.user("ann"))
    assert swap.status == Swap.Status.ACCEPTED
    swap = swap_approve(swap=swap, user=coordinator)
    assert ben_night in call_nights(world, world.ann) and ann_night in call_nights(world, world.ben)


def test_an_expired_posting_cannot_be_accepted_and_the_periodic_task_marks_it(world, coordinator, settings):
    from django.conf import settings as django_settings

    from swaps.tasks import swaps_expire_task

    night = call_nights(world, world.ann)[1]
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="posting",
        legs=[LegSpec(world.ann, None, call_shift(night))],
    )
    assert swap.expires_at <= dt.datetime.combine(night, dt.time(17), tzinfo=world.program.zone)
    Swap.objects.filter(pk=swap.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ConflictError, match="expired"):
        swap_accept(swap=swap, user=world.user("ben"))
    assert swap.legs.get().taker is None
    assert swaps_expire_task.apply().get() == 1
    swap.refresh_from_db()
    assert swap.status == Swap.Status.EXPIRED
    assert Notification.objects.filter(recipient=world.user("ann"), event="swap_decided").exists()
    with pytest.raises(ConflictError, match="expired"):
        swap_accept(swap=swap, user=world.user("ben"))
    entry = django_settings.CELERY_BEAT_SCHEDULE["swaps-expire"]
    assert entry["task"] == "swaps.tasks.swaps_expire_task"


def test_a_posting_expires_after_the_programs_days_or_when_its_shift_starts(world):
    world.program.settings = world.program.settings | {"swaps": {"expiry_days": 3}}
    world.program.save()
    night = call_nights(world, world.ann)[-1]
    before = timezone.now()
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="posting",
        legs=[LegSpec(world.ann, None, call_shift(night))],
    )
    assert before + dt.timedelta(days=3) <= swap.expires_at <= timezone.now() + dt.timedelta(days=3)


def test_inside_the_lock_window_a_swap_needs_a_reason(world):
    world.program.settings = world.program.settings | {"swaps": {"lock_days": 60}}
    world.program.save()
    day = continuity_day(world, world.ann)
    legs = [LegSpec(world.ann, world.cleo, session_shift(day, "PM"))]
    with pytest.raises(DomainError, match="lock window"):
        swap_create(program=world.program, user=world.user("ann"), kind="giveaway", legs=legs)
    assert not Swap.objects.exists()
    swap = swap_create(
        program=world.program, user=world.user("ann"), kind="giveaway", legs=legs, reason="Family wedding"
    )
    assert swap.reason == "Family wedding"


def test_residents_give_only_their_own_shifts_never_block_rotations_and_never_approve(world, coordinator):
    day = continuity_day(world, world.ann)
    with pytest.raises(PermissionDenied, match="your own"):
        swap_create(
            program=world.program,
            user=world.user("ben"),
            kind="giveaway",
            legs=[LegSpec(world.ann, world.cleo, session_shift(day, "PM"))],
        )
    with pytest.raises(PermissionDenied, match="block rotations"):
        swap_create(
            program=world.program,
            user=world.user("ann"),
            kind="trade",
            legs=[LegSpec(world.ann, world.dan, block_shift(world.block))],
        )
    swap, _ = giveaway_of_clinic(world)
    swap_accept(swap=swap, user=world.user("cleo"))
    for name in ("ann", "cleo", "fay"):
        with pytest.raises(PermissionDenied, match="coordinators"):
            swap_approve(swap=swap, user=world.user(name))
    with pytest.raises(PermissionDenied):
        swap_reject(swap=swap, user=world.user("ann"), note="no")
    swap.refresh_from_db()
    assert swap.status == Swap.Status.ACCEPTED
    with pytest.raises(PermissionDenied):
        swap_accept(swap=swap, user=world.user("dan"))


def test_a_coordinator_swaps_block_rotations_and_every_moved_row_records_the_swap(world, coordinator):
    before = rows_of(world.version, [world.ann, world.dan])
    swap = swap_create(
        program=world.program,
        user=coordinator,
        kind="trade",
        legs=[LegSpec(world.ann, world.dan, block_shift(world.block))],
        reason="Dan needs wards for his board review",
    )
    assert swap.status == Swap.Status.ACCEPTED
    swap = swap_approve(swap=swap, user=coordinator)
    assert swap.status == Swap.Status.EXECUTED
    blocks = dict(
        BlockAssignment.objects.filter(
            version=world.version, block=world.block, person__in=[world.ann, world.dan]
        ).values_list("person_id", "rotation_id")
    )
    assert blocks == {world.ann.pk: world.clinic.pk, world.dan.pk: world.wards.pk}
    after = rows_of(world.version, [world.ann, world.dan])
    assert after != before
    for move in swap.moves.exclude(after=None):
        model = {"blockassignment": BlockAssignment, "sessionassignment": SessionAssignment}.get(
            move.model, CallAssignment
        )
        row = model.objects.get(pk=move.row_id)
        assert (row.source, row.swap_id) == ("swap", swap.pk)
    swap_rollback(swap=swap, user=coordinator, reason="Board review moved")
    assert rows_of(world.version, [world.ann, world.dan]) == before


def test_an_fmit_week_moves_with_its_half_days_and_attending_calls_and_rolls_back_exactly(world, coordinator):
    friday = next(
        world.block.start_date + dt.timedelta(days=n)
        for n in range(7, 28)
        if (world.block.start_date + dt.timedelta(days=n)).weekday() == 4
    )
    week = [friday + dt.timedelta(days=n) for n in range(7)]
    SessionAssignment.objects.filter(version=world.version, person=world.fay, date__in=week).delete()
    for day in week:
        for session in ("AM", "PM"):
            SessionAssignment.objects.create(
                program=world.program,
                version=world.version,
                person=world.fay,
                date=day,
                session=session,
                activity=Activity.FMIT,
            )
    CallAssignment.objects.filter(version=world.version, start__date__in=week).delete()
    for day in week[1::3]:
        add_call(world.version, world.fay, day, CallAssignment.Kind.ATTENDING)
    cast = [world.fay, world.hal]
    before = rows_of(world.version, cast)
    swap = swap_create(
        program=world.program,
        user=world.user("fay"),
        kind="giveaway",
        legs=[LegSpec(world.fay, world.hal, Shift("fmit_week", friday))],
    )
    swap_accept(swap=swap, user=world.user("hal"))
    swap = swap_approve(swap=swap, user=coordinator)
    hal_week = SessionAssignment.objects.filter(version=world.version, person=world.hal, date__in=week)
    assert {row.activity for row in hal_week} == {Activity.FMIT} and hal_week.count() == 14
    assert {row.swap_id for row in hal_week} == {swap.pk}
    assert not SessionAssignment.objects.filter(
        version=world.version, person=world.fay, date__in=week, activity=Activity.FMIT
    ).exists()
    nights = {c.start.astimezone(world.program.zone).date() for c in CallAssignment.objects.filter(person=world.hal)}
    assert nights == set(week[1::3])
    swap_rollback(swap=swap, user=coordinator, reason="Hal is away after all")
    assert rows_of(world.version, cast) == before


def test_a_taker_declines_the_requester_cancels_a_coordinator_rejects(world, coordinator):
    swap, _ = giveaway_of_clinic(world)
    swap = swap_decline(swap=swap, user=world.user("cleo"), note="I am away")
    assert swap.status == Swap.Status.REJECTED and "I am away" in swap.decision_note
    assert Notification.objects.filter(recipient=world.user("ann"), event="swap_decided").exists()
    swap, _ = giveaway_of_clinic(world)
    with pytest.raises(PermissionDenied):
        swap_cancel(swap=swap, user=world.user("cleo"))
    assert swap_cancel(swap=swap, user=world.user("ann")).status == Swap.Status.CANCELLED
    with pytest.raises(ConflictError, match="cancelled"):
        swap_accept(swap=swap, user=world.user("cleo"))
    swap, _ = giveaway_of_clinic(world)
    with pytest.raises(DomainError, match="why"):
        swap_reject(swap=swap, user=coordinator, note=" ")
    assert swap_reject(swap=swap, user=coordinator, note="Short-staffed that day").status == Swap.Status.REJECTED


def test_another_programs_users_neither_see_nor_act_on_a_swap(world, other_world, coordinator):
    swap, _ = giveaway_of_clinic(world)
    outsiders = [other_world.coordinator, other_world.user("ann"), other_world.user("cleo")]
    for user in outsiders:
        assert not swaps_visible(program=world.program, user=user).exists()
        assert not swaps_visible(program=other_world.program, user=user).filter(pk=swap.pk).exists()
        for act in (
            lambda u: swap_accept(swap=swap, user=u),
            lambda u: swap_approve(swap=swap, user=u),
            lambda u: swap_reject(swap=swap, user=u, note="no"),
            lambda u: swap_cancel(swap=swap, user=u),
            lambda u: swap_decline(swap=swap, user=u),
        ):
            with pytest.raises(PermissionDenied):
                act(user)
    assert swaps_visible(program=world.program, user=world.user("dan")).filter(pk=swap.pk).exists()
    swap.refresh_from_db()
    assert swap.status == Swap.Status.PENDING
    with pytest.raises(DomainError, match="not in"):
        swap_create(
            program=world.program,
            user=coordinator,
            kind="giveaway",
            legs=[LegSpec(world.ann, other_world.cleo, session_shift(continuity_day(world, world.ann), "PM"))],
        )


def test_a_shift_already_started_cannot_be_swapped(world, coordinator):
    past = SessionAssignment.objects.filter(version=world.version, person=world.ann).order_by("date").first()
    SessionAssignment.objects.filter(pk=past.pk).update(date=world.program.today(), activity=Activity.CLINIC)
    with pytest.raises(DomainError, match="already started|no published|outside"):
        swap_create(
            program=world.program,
            user=coordinator,
            kind="giveaway",
            legs=[LegSpec(world.ann, world.cleo, session_shift(world.program.today() - dt.timedelta(days=1), "AM"))],
        )


def test_a_poster_who_declines_the_shift_offered_back_puts_the_posting_back_on_the_marketplace(world):
    ann_night, ben_night = call_nights(world, world.ann)[1], call_nights(world, world.ben)[2]
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="posting",
        legs=[LegSpec(world.ann, None, call_shift(ann_night))],
    )
    swap = swap_accept(swap=swap, user=world.user("ben"), offer=call_shift(ben_night))
    swap = swap_decline(swap=swap, user=world.user("ann"), note="I work that night")
    assert (swap.kind, swap.status) == (Swap.Kind.POSTING, Swap.Status.PENDING)
    assert [(leg.giver, leg.taker) for leg in swap.legs.all()] == [(world.ann, None)]
    told = Notification.objects.get(recipient=world.user("ben"), event="swap_decided")
    assert "declined" in told.title
    swap = swap_accept(swap=swap, user=world.user("ben"))
    assert swap.status == Swap.Status.ACCEPTED and swap.legs.get().taker == world.ben
