"""The life cycle of a swap (docs/swaps.md, "Life cycle" and "Execution and rollback").

draft → pending (submitted) → accepted (every taker accepted; an open posting is claimed by its first taker, who
may offer a shift back, which makes it a trade) → approved (by a coordinator or admin, when the program's
settings say the kind needs it) → executed → rolled back (within the program's rollback window); or rejected (by
a coordinator, or declined by a taker), cancelled (by its requester or a coordinator), expired (at
`expires_at`: the program's expiry days after submission, or when the first shift starts, whichever is first).

Residents and faculty create swaps in which they give (the first leg's giver is their own person), accept the
legs they take and cancel their own; coordinators and admins create any swap (block rotations only they),
approve, reject and roll back. Nobody approves anything as a resident or faculty member, not even their own.

Execution (`swap_approve`, or the last acceptance of a kind that needs no approval) is one transaction: the
published version's row is locked first, then the swap's; the legs are re-planned on the schedule as it is
now and the whole change re-checked (`swaps.checks.swap_check`) before any row is written; each written row
has source "swap" and the swap's id, an entry in its history ("Swap #N: ...") and a `SwapMove` with its values
before and after, from which `swap_rollback` restores exactly the previous rows.

Every function takes keyword arguments and raises DomainError (bad input), ConflictError (the state changed)
or PermissionDenied with a message for the user; nothing is written when one is raised.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from notifications.events import Event
from notifications.services import notify
from scheduling.acgme_alerts import acgme_alerts_on_commit
from scheduling.models import (
    BlockAssignment,
    CallAssignment,
    Person,
    ScheduleVersion,
    SessionAssignment,
    Source,
)
from scheduling.services.edits import _edit_mark, _stamp
from swaps.checks import SwapCheck, swap_check
from swaps.models import Swap, SwapLeg, SwapMove
from swaps.program_settings import swap_settings
from swaps.shifts import SHIFT_KINDS, ScheduleState, Shift, giver_holds, plan_legs, shift_start
from tenants.errors import ConflictError, DomainError
from tenants.models import Membership, Organization, Role, User
from tenants.permissions import Action, can

Status = Swap.Status
Kind = Swap.Kind
SWAP_MARK = "Swap #"
MODELS: dict[str, type[models.Model]] = {
    SwapMove.Model.BLOCK: BlockAssignment,
    SwapMove.Model.SESSION: SessionAssignment,
    SwapMove.Model.CALL: CallAssignment,
}


@dataclasses.dataclass(frozen=True, slots=True)
class LegSpec:
    """One leg of a swap to create: `giver` hands `shift` to `taker` (None on an open posting)."""

    giver: Person
    taker: Person | None
    shift: Shift


class SwapBreachError(DomainError):
    """The swap would break rules (`check.violations`); nothing was written."""

    code = "swap_breach"

    def __init__(self, check: SwapCheck) -> None:
        self.check = check
        self.findings = check.violations
        super().__init__(f"This swap would break: {'; '.join(check.rules())}. {check.summary()}")

    def problem_members(self) -> dict[str, Any]:
        """The broken rules in the API's problem document: each with its person, rule, clause and measure."""
        return {"findings": [item for item in self.check.to_json()["findings"] if item["severity"] == "violation"]}


# Who is who.


def is_manager(user: User, program: Organization) -> bool:
    """Coordinators and admins of the program (and superusers) approve, reject and roll back swaps."""
    return can(user, Action.APPROVE, "swap", program)


def person_of(user: User, program: Organization) -> Person | None:
    """The user's own person in the program (None for a coordinator who is not scheduled)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(program=program, user=user).first()


def approvers(program: Organization) -> list[User]:
    """The program's coordinators and admins (who approve swaps)."""
    ids = Membership.objects.filter(organization=program, role__in=(Role.COORDINATOR, Role.ADMIN)).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _program_of(swap: Swap) -> Organization:
    return Organization.objects.get(pk=swap.program_id)


def _require_view(swap: Swap, user: User, program: Organization) -> None:
    if not can(user, Action.VIEW, swap, program):
        raise PermissionDenied("You cannot see this swap.")


# Reading the schedule.


def published_version(*, program: Organization, day: dt.date, lock: bool = False) -> ScheduleVersion:
    """The published version of the academic year holding `day` (locked for the transaction with `lock`)."""
    rows = ScheduleVersion.objects.filter(
        program=program,
        status=ScheduleVersion.Status.PUBLISHED,
        academic_year__start_date__lte=day,
        academic_year__end_date__gte=day,
    ).select_related("academic_year", "program")
    if lock:
        rows = rows.select_for_update(of=("self",))
    version = rows.order_by("-number").first()
    if version is None:
        raise DomainError(f"There is no published schedule for {day:%d %b %Y}; only published shifts are swapped.")
    return version


def _people_of(legs: Iterable[SwapLeg | LegSpec]) -> list[Person]:
    found: dict[int, Person] = {}
    for leg in legs:
        for person in (leg.giver, leg.taker):
            if person is not None:
                found[person.pk] = person
    return list(found.values())


def leg_shift(leg: SwapLeg) -> Shift:
    return Shift(leg.shift, leg.date, leg.session, leg.block_id)


def shift_label(swap: Swap) -> str:
    """The swap's shifts in words, for messages and notifications."""
    parts = []
    for leg in swap.legs.all():
        what = SwapLeg.Shift(leg.shift).label
        when = f"{leg.date:%a %d %b %Y}" + (f" {leg.session}" if leg.session else "")
        if leg.shift == SwapLeg.Shift.BLOCK and leg.block_id:
            when = f"block {leg.block.number}"
        parts.append(f"{what}, {when}")
    return "; ".join(parts)


def _plan(state: ScheduleState, legs: Sequence[SwapLeg | LegSpec]):
    triples = []
    for leg in legs:
        shift = leg.shift if isinstance(leg, LegSpec) else leg_shift(leg)
        triples.append((leg.giver.pk, leg.taker.pk, shift))
    return plan_legs(state, triples)


def swap_recheck(*, swap: Swap) -> SwapCheck:
    """The swap's compliance check run again on the published schedule as it is now (nothing is stored), as the
    approval would run it; DomainError for a posting nobody has taken yet."""
    legs = list(swap.legs.select_related("giver", "taker"))
    if not legs or any(leg.taker_id is None for leg in legs):
        raise DomainError("Nobody has taken this posting yet: there is nothing to check.")
    version = published_version(program=_program_of(swap), day=min(leg.date for leg in legs))
    state = ScheduleState.load(version=version, people=_people_of(legs))
    changes, _plans = _plan(state, legs)
    return swap_check(state=state, changes=changes)


# Creating and submitting.


def _check_kind(kind: str, legs: Sequence[LegSpec]) -> None:
    if kind not in Kind.values:
        raise DomainError(f"Unknown swap kind {kind!r} (known: {', '.join(Kind.values)}).")
    if not legs:
        raise DomainError("A swap needs at least one shift to hand over.")
    for leg in legs:
        if leg.shift.kind not in SHIFT_KINDS:
            raise DomainError(f"Unknown shift kind {leg.shift.kind!r} (known: {', '.join(SHIFT_KINDS)}).")
    first = legs[0]
    if kind == Kind.POSTING:
        if len(legs) != 1 or first.taker is not None:
            raise DomainError("An open posting hands one shift to whoever takes it: one shift and no taker.")
        return
    if any(leg.taker is None for leg in legs):
        raise DomainError("Name who takes each shift (or post it to the marketplace as an open posting).")
    if kind == Kind.GIVEAWAY and len(legs) != 1:
        raise DomainError("A give-away hands one shift to one person.")
    if any(leg.shift.kind == SwapLeg.Shift.BLOCK for leg in legs):
        if kind != Kind.TRADE or len(legs) != 1:
            raise DomainError("Two residents trade block rotations as one trade of one block (each takes the other's).")
        return
    if kind == Kind.TRADE and (
        len(legs) != 2 or legs[1].giver.pk != first.taker.pk or legs[1].taker.pk != first.giver.pk
    ):
        raise DomainError("A trade is two shifts: one from each person to the other.")
    if kind == Kind.CHAIN:
        cycle = all(legs[i].taker.pk == legs[(i + 1) % len(legs)].giver.pk for i in range(len(legs)))
        if len(legs) < 3 or not cycle or len({leg.giver.pk for leg in legs}) != len(legs):
            raise DomainError(
                "A chain is three or more people each taking the next one's shift, the last taking the first's."
            )


def _check_shifts(
    state: ScheduleState, legs: Sequence[LegSpec | SwapLeg], *, now: dt.datetime, reason: str, lock_days: int
) -> dt.datetime:
    """Every shift is still ahead and, inside the lock window, the swap has a reason; returns the first start."""
    starts = []
    for leg in legs:
        shift = leg.shift if isinstance(leg, LegSpec) else leg_shift(leg)
        start = shift_start(state, shift, giver_id=leg.giver.pk)
        if start <= now:
            raise DomainError(f"{shift.date:%a %d %b %Y} has already started; only shifts ahead can be swapped.")
        starts.append(start)
    first = min(starts)
    if lock_days and first - now < dt.timedelta(days=lock_days) and not reason.strip():
        raise DomainError(
            f"The shift starts within {lock_days} day(s) (the program's lock window): give a reason for the swap."
        )
    return first


def _refuse_breach(check: SwapCheck) -> None:
    if not check.ok:
        raise SwapBreachError(check)


@transaction.atomic
def swap_create(
    *,
    program: Organization,
    user: User,
    kind: str,
    legs: Sequence[LegSpec],
    reason: str = "",
    submit: bool = True,
) -> Swap:
    """Ask for a swap (submitted at once unless `submit` is False: a draft). See the module's docstring for who
    may create what. The legs are planned and the post-swap schedule checked now: a swap that cannot be done
    or that would break a rule is refused with the reason. A swap a coordinator creates counts as accepted by
    its takers (they are told); one a resident or faculty member creates waits for its takers."""
    if not can(user, Action.ADD, "swap", program):
        raise PermissionDenied(f"You cannot ask for swaps in {program}.")
    legs = list(legs)
    _check_kind(kind, legs)
    manager = is_manager(user, program)
    mine = person_of(user, program)
    for person in _people_of(legs):
        if person.program_id != program.pk:
            raise DomainError(f"{person.full_name} is not in {program}.")
    if not manager:
        if mine is None or legs[0].giver.pk != mine.pk:
            raise PermissionDenied("You can only ask to swap your own shifts.")
        if any(leg.shift.kind == SwapLeg.Shift.BLOCK for leg in legs):
            raise PermissionDenied("Only coordinators swap block rotations.")
    days = {leg.shift.date for leg in legs}
    version = published_version(program=program, day=min(days))
    year = version.academic_year
    if any(not year.start_date <= day <= year.end_date for day in days):
        raise DomainError("All shifts of a swap must be in the same academic year.")
    state = ScheduleState.load(version=version, people=_people_of(legs))
    now = timezone.now()
    settings = swap_settings(program)
    first_start = _check_shifts(state, legs, now=now, reason=reason, lock_days=settings.lock_days)
    if kind == Kind.POSTING:
        giver_holds(state, giver_id=legs[0].giver.pk, shift=legs[0].shift)
    else:
        changes, _plans = _plan(state, legs)
        _refuse_breach(swap_check(state=state, changes=changes))
    expires = min(now + dt.timedelta(days=settings.expiry_days), first_start)
    swap = Swap(
        program=program,
        academic_year=year,
        kind=kind,
        status=Status.DRAFT,
        requester=legs[0].giver,
        reason=reason.strip(),
        expires_at=expires,
        needs_approval=settings.needs_approval(kind),
        created_by=user,
    )
    swap._history_user = user
    swap.save()
    for position, spec in enumerate(legs):
        leg = SwapLeg(
            program=program,
            swap=swap,
            position=position,
            giver=spec.giver,
            taker=spec.taker,
            shift=spec.shift.kind,
            date=spec.shift.date,
            session=spec.shift.session if spec.shift.kind == SwapLeg.Shift.SESSION else "",
            block_id=spec.shift.block_id if spec.shift.kind == SwapLeg.Shift.BLOCK else None,
        )
        leg.full_clean(exclude=["swap", "program"])
        leg.save()
    if submit:
        return swap_submit(swap=swap, user=user)
    return swap


def open_swap_of_shift(*, program: Organization, person: Person, shift: Shift) -> Swap | None:
    """The person's open swap (draft, pending, matched or approved) that already hands `shift` over, if any."""
    legs = SwapLeg.objects.filter(
        program=program,
        giver=person,
        shift=shift.kind,
        date=shift.date,
        session=shift.session if shift.kind == SwapLeg.Shift.SESSION else "",
        swap__status__in=Swap.OPEN_STATUSES,
    )
    leg = legs.select_related("swap").order_by("swap__created_at").first()
    return leg.swap if leg is not None else None


@transaction.atomic
def swap_give_away(*, program: Organization, user: User, person: Person, shift: Shift, reason: str = "") -> Swap:
    """Give one's own shift away from My schedule: an open posting on the marketplace, nothing wanted back.
    Refused when the shift is already offered in an open swap; otherwise swap_create's rules (own shift, still
    ahead, a reason inside the lock window, held in the published schedule)."""
    Person.objects.select_for_update().filter(pk=person.pk).first()  # two taps at once make one posting
    offered = open_swap_of_shift(program=program, person=person, shift=shift)
    if offered is not None:
        raise ConflictError(
            f"This shift is already offered: swap #{offered.pk} is {offered.get_status_display().lower()}. "
            "Cancel it first to offer the shift again."
        )
    legs = [LegSpec(giver=person, taker=None, shift=shift)]
    return swap_create(program=program, user=user, kind=Kind.POSTING, legs=legs, reason=reason)


@transaction.atomic
def swap_submit(*, swap: Swap, user: User) -> Swap:
    """Submit a draft: it becomes pending (its expiry counted from now), the takers and approvers are told.
    Legs taken by the requester (the way back of a trade), and every leg of a swap a coordinator or admin
    created, count as accepted."""
    program = _program_of(swap)
    swap = _locked(swap)
    _require_view(swap, user, program)
    manager = is_manager(user, program)
    if not manager and swap.requester.user_id != user.pk:
        raise PermissionDenied("Only the swap's requester or a coordinator can submit it.")
    if swap.status != Status.DRAFT:
        raise ConflictError(f"Swap #{swap.pk} is {swap.get_status_display().lower()}, not a draft.")
    now = timezone.now()
    settings = swap_settings(program)
    legs = list(swap.legs.select_related("giver", "taker", "block"))
    version = published_version(program=program, day=min(leg.date for leg in legs))
    state = ScheduleState.load(version=version, people=_people_of(legs))
    first = _check_shifts(state, legs, now=now, reason=swap.reason, lock_days=settings.lock_days)
    swap.status = Status.PENDING
    swap.submitted_at = now
    swap.expires_at = min(now + dt.timedelta(days=settings.expiry_days), first)
    arranged = swap.created_by_id is not None and is_manager(swap.created_by, program)
    for leg in legs:
        if leg.taker_id is not None and (arranged or leg.taker_id == swap.requester_id):
            leg.accepted_at = now
            leg.save(update_fields=["accepted_at"])
    _save(swap, user, "Submitted")
    _notify_requested(swap, legs, program, user)
    if legs[0].taker_id is not None and all(leg.accepted_at for leg in legs):
        return _all_accepted(swap, user, program)
    return swap


def _locked(swap: Swap) -> Swap:
    """The swap's row, locked for the transaction and re-read."""
    return Swap.objects.select_for_update(of=("self",)).select_related("requester").get(pk=swap.pk)


def _save(swap: Swap, user: User, reason: str) -> None:
    swap._history_user = user
    swap._change_reason = reason[:100]
    swap.save()


def _check_open(swap: Swap, *, now: dt.datetime, action: str) -> None:
    if swap.status == Status.EXPIRED or (swap.is_open and swap.expires_at is not None and swap.expires_at <= now):
        when = timezone.localtime(swap.expires_at).strftime("%d %b %Y %H:%M") if swap.expires_at else "already"
        raise ConflictError(f"Swap #{swap.pk} expired ({when}); it can no longer be {action}.")
    if not swap.is_open:
        raise ConflictError(f"Swap #{swap.pk} is {swap.get_status_display().lower()}; it can no longer be {action}.")


# Taking part.


@transaction.atomic
def swap_accept(*, swap: Swap, user: User, offer: Shift | None = None) -> Swap:
    """The user accepts the legs they take. On an open posting, the user claims it (the first to claim gets it),
    optionally offering one of their shifts back, which makes the swap a trade the requester then accepts.
    The post-swap schedule is checked first. When every taker has accepted, the swap is accepted (and, when
    its kind needs no approval, executed at once)."""
    program = _program_of(swap)
    swap = _locked(swap)
    _require_view(swap, user, program)
    now = timezone.now()
    person = person_of(user, program)
    if person is None:
        raise PermissionDenied("Only a person on the schedule can take a shift.")
    named = swap.legs.filter(taker__isnull=False)
    if swap.kind != Kind.POSTING and not named.filter(taker=person).exists():
        raise PermissionDenied("You are not asked to take a shift in this swap.")
    if swap.status == Status.DRAFT:
        raise ConflictError(f"Swap #{swap.pk} is a draft; it can be accepted once submitted.")
    _check_open(swap, now=now, action="accepted")
    if swap.status != Status.PENDING:
        if swap.kind == Kind.POSTING and not named.filter(taker=person).exists():
            raise ConflictError("Someone else already took this posting.")
        raise ConflictError(f"Swap #{swap.pk} is already {swap.get_status_display().lower()}.")
    legs = list(swap.legs.select_related("giver", "taker", "block"))
    version = published_version(program=program, day=min(leg.date for leg in legs))
    if swap.kind == Kind.POSTING and legs[0].taker_id is None:
        if person.pk == legs[0].giver_id:
            raise DomainError("You posted this shift; someone else takes it.")
        legs[0].taker = person
        if offer is not None:
            back = SwapLeg(
                program=program,
                swap=swap,
                position=1,
                giver=person,
                taker=legs[0].giver,
                shift=offer.kind,
                date=offer.date,
                session=offer.session if offer.kind == SwapLeg.Shift.SESSION else "",
                block_id=offer.block_id if offer.kind == SwapLeg.Shift.BLOCK else None,
            )
            if offer.kind == SwapLeg.Shift.BLOCK:
                raise PermissionDenied("Only coordinators swap block rotations.")
            legs.append(back)
        state = ScheduleState.load(version=version, people=_people_of(legs))
        _check_shifts(state, legs, now=now, reason=swap.reason, lock_days=0)
        changes, _plans = _plan(state, legs)
        _refuse_breach(swap_check(state=state, changes=changes))
        legs[0].accepted_at = now
        legs[0].save(update_fields=["taker", "accepted_at"])
        if offer is not None:
            back.full_clean(exclude=["swap", "program"])
            back.save()
            swap.kind = Kind.TRADE
            swap.needs_approval = swap_settings(program).needs_approval(Kind.TRADE)
        _save(swap, user, f"Claimed by {person.full_name}")
        mine = [legs[0]]
    else:
        mine = [leg for leg in legs if leg.taker_id == person.pk]
        if not mine and swap.kind == Kind.POSTING:
            raise ConflictError(f"{legs[0].taker.full_name} already took this posting.")
        if not mine:
            raise PermissionDenied("You are not asked to take a shift in this swap.")
        waiting = [leg for leg in mine if leg.accepted_at is None]
        if not waiting:
            raise ConflictError("You have already accepted this swap.")
        state = ScheduleState.load(version=version, people=_people_of(legs))
        _check_shifts(state, legs, now=now, reason=swap.reason, lock_days=0)
        changes, _plans = _plan(state, legs)
        _refuse_breach(swap_check(state=state, changes=changes))
        for leg in waiting:
            leg.accepted_at = now
            leg.save(update_fields=["accepted_at"])
        _save(swap, user, f"Accepted by {person.full_name}")
    if all(leg.accepted_at for leg in legs):
        return _all_accepted(swap, user, program)
    if offer is None:
        return swap  # a chain waiting for its other takers
    # A posting claimed with a shift offered back: the requester accepts the offer (or declines it).
    _notify(
        swap,
        Event.SWAP_MATCHED,
        [swap.requester.user] if swap.requester.user_id else [],
        {"partner": person.full_name, "shift": shift_label(swap), "needs_approval": swap.needs_approval},
        program,
    )
    return swap


def _all_accepted(swap: Swap, user: User, program: Organization) -> Swap:
    now = timezone.now()
    swap.status = Status.ACCEPTED
    swap.accepted_at = now
    _save(swap, user, "Every taker accepted")
    takers = [leg.taker for leg in swap.legs.select_related("taker") if leg.taker_id != swap.requester_id]
    partner = ", ".join(dict.fromkeys(p.full_name for p in takers)) or swap.requester.full_name
    recipients = [swap.requester.user] if swap.requester.user_id else []
    if swap.needs_approval:
        recipients += approvers(program)
    context = {"partner": partner, "shift": shift_label(swap), "needs_approval": swap.needs_approval}
    _notify(swap, Event.SWAP_MATCHED, recipients, context, program)
    if not swap.needs_approval:
        return _execute(swap=swap, user=user, program=program)
    return swap


@transaction.atomic
def swap_decline(*, swap: Swap, user: User, note: str = "") -> Swap:
    """A taker says no: the swap is rejected (the requester is told, with the note). A poster who declines the
    shift a claimer offered back puts the posting back on the marketplace instead (the claimer is told)."""
    program = _program_of(swap)
    swap = _locked(swap)
    _require_view(swap, user, program)
    person = person_of(user, program)
    if person is None or not swap.legs.filter(taker=person).exists():
        raise PermissionDenied("Only a person asked to take a shift of this swap can decline it.")
    _check_open(swap, now=timezone.now(), action="declined")
    if person.pk == swap.requester_id and swap.kind != Kind.TRADE:
        raise DomainError("You asked for this swap; cancel it instead.")
    legs = list(swap.legs.select_related("taker"))
    offered = (
        swap.kind == Kind.TRADE
        and swap.status == Status.PENDING
        and person.pk == swap.requester_id
        and len(legs) == 2
        and swap.history.filter(kind=Kind.POSTING).exists()
    )
    if offered:
        claimer = legs[0].taker
        legs[1].delete()
        legs[0].taker, legs[0].accepted_at = None, None
        legs[0].save(update_fields=["taker", "accepted_at"])
        swap.kind = Kind.POSTING
        swap.needs_approval = swap_settings(program).needs_approval(Kind.POSTING)
        _save(swap, user, f"Offer of {claimer.full_name} declined; open again")
        context = {"decision": "declined", "shift": shift_label(swap), "note": note.strip()}
        recipients = [claimer.user] if claimer.user_id else []
        _notify(swap, Event.SWAP_DECIDED, recipients, context, program)
        return swap
    return _decide(swap, user, program, Status.REJECTED, f"Declined by {person.full_name}. {note}".strip())


@transaction.atomic
def swap_cancel(*, swap: Swap, user: User) -> Swap:
    """The requester (or a coordinator) withdraws an open swap."""
    program = _program_of(swap)
    swap = _locked(swap)
    _require_view(swap, user, program)
    if not is_manager(user, program) and swap.requester.user_id != user.pk:
        raise PermissionDenied("Only the swap's requester or a coordinator can cancel it.")
    if not swap.is_open:
        raise ConflictError(f"Swap #{swap.pk} is {swap.get_status_display().lower()}; it can no longer be cancelled.")
    return _decide(swap, user, program, Status.CANCELLED, "")


def _decide(swap: Swap, user: User, program: Organization, status: str, note: str) -> Swap:
    swap.status = status
    swap.decided_at = timezone.now()
    swap.decided_by = user
    swap.decision_note = note
    _save(swap, user, Status(status).label)
    decision = Status(status).label.lower()
    _notify(
        swap,
        Event.SWAP_DECIDED,
        _party_users(swap),
        {"decision": decision, "shift": shift_label(swap), "note": note},
        program,
    )
    return swap


# Coordinators.


def _require_manager(user: User, program: Organization, what: str) -> None:
    if not is_manager(user, program):
        raise PermissionDenied(f"Only the coordinators and admins of {program} can {what} swaps.")


@transaction.atomic
def swap_reject(*, swap: Swap, user: User, note: str) -> Swap:
    """A coordinator refuses an open swap, saying why."""
    program = _program_of(swap)
    _require_manager(user, program, "reject")
    swap = _locked(swap)
    _require_view(swap, user, program)
    if not note.strip():
        raise DomainError("Say why the swap is rejected; the parties read it.")
    if not swap.is_open:
        raise ConflictError(f"Swap #{swap.pk} is {swap.get_status_display().lower()}; it can no longer be rejected.")
    return _decide(swap, user, program, Status.REJECTED, note.strip())


@transaction.atomic
def swap_approve(*, swap: Swap, user: User, note: str = "") -> Swap:
    """A coordinator approves an accepted swap, which executes it at once (see the module's docstring); a swap
    that can no longer be done, or whose re-check finds a broken rule, is refused with the reason and stays
    as it was."""
    program = _program_of(swap)
    _require_manager(user, program, "approve")
    if swap.program_id != program.pk:
        raise PermissionDenied("You cannot see this swap.")
    return _execute(swap=swap, user=user, program=program, note=note, approving=True)


def _execute(*, swap: Swap, user: User, program: Organization, note: str = "", approving: bool = False) -> Swap:
    """Lock the published version, then the swap; re-plan and re-check on the schedule as it is now; write."""
    first_day = swap.legs.order_by("date").values_list("date", flat=True).first()
    version = published_version(program=program, day=first_day, lock=True)
    swap = _locked(swap)
    now = timezone.now()
    if swap.status in (Status.EXECUTED, Status.ROLLED_BACK):
        raise ConflictError(f"Swap #{swap.pk} was already carried out; nothing was changed.")
    _check_open(swap, now=now, action="carried out")
    legs = list(swap.legs.select_related("giver", "taker", "block"))
    waiting = [leg for leg in legs if leg.taker_id is None or leg.accepted_at is None]
    if waiting:
        who = ", ".join(leg.taker.full_name if leg.taker_id else "a taker" for leg in waiting)
        raise ConflictError(f"Swap #{swap.pk} still waits for {who} to accept; it cannot be carried out yet.")
    if version.academic_year_id != swap.academic_year_id:
        raise ConflictError("The published schedule is of another academic year now; this swap cannot be executed.")
    state = ScheduleState.load(version=version, people=_people_of(legs))
    for leg in legs:
        try:
            giver_holds(state, giver_id=leg.giver_id, shift=leg_shift(leg))
        except DomainError as exc:
            what = SwapLeg.Shift(leg.shift).label.lower()
            when = f"{leg.date:%a %d %b %Y}" + (f" {leg.session}" if leg.session else "")
            raise ConflictError(
                f"{leg.giver.full_name} no longer holds the {what} of {when}; this swap cannot be executed."
            ) from exc
    try:
        changes, plans = _plan(state, legs)
    except DomainError as exc:
        raise ConflictError(f"This swap cannot be executed now: {exc}") from exc
    check = swap_check(state=state, changes=changes)
    if not check.ok:
        raise SwapBreachError(check)
    if approving:
        swap.status = Status.APPROVED
        swap.decided_at, swap.decided_by, swap.decision_note = now, user, note.strip()
    label = "; ".join(plan.label for plan in plans)
    reason = f"{SWAP_MARK}{swap.pk}: {label}"
    try:
        with transaction.atomic():
            _write(swap=swap, version=version, changes=changes, user=user, at=now, reason=reason)
    except IntegrityError as exc:
        raise ConflictError(
            "Someone else changed these shifts at the same moment; this swap cannot be executed. Try again."
        ) from exc
    _edit_mark(version=version, user=user, at=now, text=reason)
    _alert_on_commit(version, legs)
    swap.status = Status.EXECUTED
    swap.executed_at, swap.executed_by = now, user
    swap.version = version
    swap.proof = check.to_json() | {"moves": label}
    _save(swap, user, "Executed")
    context = {"shift": shift_label(swap)}
    if approving:
        _notify(
            swap,
            Event.SWAP_DECIDED,
            _party_users(swap),
            context | {"decision": "approved", "note": note.strip()},
            program,
        )
    for person in _people_of(legs):
        others = ", ".join(p.full_name for p in _people_of(legs) if p.pk != person.pk)
        if person.user_id:
            _notify(swap, Event.SWAP_EXECUTED, [person.user], context | {"partner": others}, program)
    return swap


def _row_json(row: models.Model) -> dict[str, Any]:
    """The row's stored values (every concrete field by its column name), as JSON."""
    values = {}
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(value, dt.datetime):
            value = (value.astimezone(dt.UTC) if value.tzinfo else value).isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal):
            value = format(value.normalize(), "f")
        values[field.attname] = value
    return values


def _stored(row: models.Model) -> dict[str, Any]:
    """The row's values as the database holds them (re-read after a save)."""
    return _row_json(type(row).objects.get(pk=row.pk))


def _row_from_json(model: type[models.Model], values: dict[str, Any]) -> models.Model:
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return model(**{name: fields[name].to_python(value) for name, value in values.items() if name in fields})


def _same(row: models.Model | None, values: dict[str, Any] | None) -> bool:
    if row is None or values is None:
        return row is None and values is None
    mine = _row_json(row)
    model = type(row)
    other = _row_json(_row_from_json(model, values))
    return mine == other


def _write(
    *, swap: Swap, version: ScheduleVersion, changes, user: User, at: dt.datetime, reason: str
) -> list[SwapMove]:
    """Write the change as rows of source "swap" with the swap's id, each in the history, and a SwapMove each."""
    moves: dict[tuple[str, int], SwapMove] = {}

    def record(model: str, row_id: int, before: dict | None, after: dict | None) -> None:
        key = (model, row_id)
        if key in moves:
            moves[key].after = after
        else:
            moves[key] = SwapMove(
                program_id=version.program_id, swap=swap, model=model, row_id=row_id, before=before, after=after
            )

    def mark(row: models.Model) -> None:
        row.source = Source.SWAP
        row.swap_id = swap.pk
        row.override_reason = ""
        row.acknowledged_by = None
        _stamp(row, reason=reason, user=user, at=at)

    for (person_id, block_id), rotation_id in changes.blocks.items():
        rows = list(BlockAssignment.objects.filter(version=version, person_id=person_id, block_id=block_id))
        for row in rows[1:]:
            before = _row_json(row)
            _stamp(row, reason=reason, user=user, at=at)
            row_id = row.pk
            row.delete()
            record(SwapMove.Model.BLOCK, row_id, before, None)
        row = rows[0] if rows else None
        before = _row_json(row) if row is not None else None
        if row is None:
            row = BlockAssignment(program_id=version.program_id, version=version, person_id=person_id)
            row.block_id = block_id
        row.half = BlockAssignment.Half.WHOLE
        row.rotation_id = rotation_id
        mark(row)
        row.save()
        record(SwapMove.Model.BLOCK, row.pk, before, _stored(row))
    existing = {
        (row.person_id, row.date, row.session): row
        for row in SessionAssignment.objects.filter(
            version=version,
            person_id__in={key[0] for key in changes.sessions},
            date__in={key[1] for key in changes.sessions},
        )
    }
    for key, value in changes.sessions.items():
        row = existing.get(key)
        before = _row_json(row) if row is not None else None
        if value is None:
            if row is not None:
                row_id = row.pk
                _stamp(row, reason=reason, user=user, at=at)
                row.delete()
                record(SwapMove.Model.SESSION, row_id, before, None)
            continue
        if row is None:
            row = SessionAssignment(program_id=version.program_id, version=version, person_id=key[0], date=key[1])
            row.session = key[2]
        row.activity, row.rotation_id = value
        mark(row)
        row.save()
        record(SwapMove.Model.SESSION, row.pk, before, _stored(row))
    for call in CallAssignment.objects.filter(version=version, pk__in=changes.calls_removed):
        before = _row_json(call)
        row_id = call.pk
        _stamp(call, reason=reason, user=user, at=at)
        call.delete()
        record(SwapMove.Model.CALL, row_id, before, None)
    for added in changes.calls_added:
        call = CallAssignment(
            program_id=version.program_id,
            version=version,
            person_id=added.person_id,
            kind=added.kind,
            start=added.start,
            end=added.end,
            worked_hours=None if added.worked_hours is None else decimal.Decimal(str(added.worked_hours)),
        )
        mark(call)
        call.save()
        record(SwapMove.Model.CALL, call.pk, None, _stored(call))
    rows = [move for move in moves.values() if move.before is not None or move.after is not None]
    SwapMove.objects.bulk_create(rows)
    return rows


def _alert_on_commit(version: ScheduleVersion, legs: Sequence[SwapLeg]) -> None:
    """The ACGME alerts of the swap's people over the days its shifts cover (an FMIT week runs 7 days, a call
    into the next morning), after commit."""
    people = {leg.giver_id for leg in legs} | {leg.taker_id for leg in legs if leg.taker_id}
    first = min(leg.date for leg in legs)
    last = max(leg.date for leg in legs) + dt.timedelta(days=7)
    acgme_alerts_on_commit(version=version, person_ids=people, first=first, last=last)


@transaction.atomic
def swap_rollback(*, swap: Swap, user: User, reason: str) -> Swap:
    """Undo an executed swap within the program's rollback window: every row it wrote is put back exactly as
    it was (deleted rows re-created with their old id, created rows deleted, changed values restored), each in
    the history ("Swap #N rolled back"). Refused when the window has closed, the version is no longer the
    published one, or a later change touched one of the rows (the cell is named)."""
    program = _program_of(swap)
    _require_manager(user, program, "roll back")
    if swap.program_id != program.pk:
        raise PermissionDenied("You cannot see this swap.")
    if not reason.strip():
        raise DomainError("Say why the swap is rolled back; the parties read it.")
    version_id = Swap.objects.filter(pk=swap.pk).values_list("version_id", flat=True).first()
    if version_id is not None:
        ScheduleVersion.objects.select_for_update(of=("self",)).filter(pk=version_id).first()
    swap = _locked(swap)
    if swap.status != Status.EXECUTED:
        raise ConflictError(
            f"Swap #{swap.pk} is {swap.get_status_display().lower()}; only an executed swap is rolled back."
        )
    now = timezone.now()
    hours = swap_settings(program).rollback_hours
    closes = swap.executed_at + dt.timedelta(hours=hours)
    if now > closes:
        when = timezone.localtime(closes, program.zone).strftime("%a %d %b %Y %H:%M")
        raise ConflictError(
            f"The rollback window of swap #{swap.pk} closed on {when} ({hours} h after it was executed); "
            "change the schedule with a cell edit instead."
        )
    version = ScheduleVersion.objects.filter(pk=swap.version_id).first()
    if version is None or version.status != ScheduleVersion.Status.PUBLISHED:
        raise ConflictError(
            f"The version swap #{swap.pk} was executed in is no longer the published schedule; "
            "it cannot be rolled back."
        )
    moves = list(swap.moves.all())
    for move in moves:
        model = MODELS[move.model]
        row = model.objects.filter(pk=move.row_id).first()
        if not _same(row, move.after):
            raise ConflictError(
                f"{_cell(move)} was changed after swap #{swap.pk} (a later change touched it); "
                "the swap cannot be rolled back exactly."
            )
    text = f"{SWAP_MARK}{swap.pk} rolled back: {reason.strip()}"
    try:
        with transaction.atomic():
            _restore(moves, user=user, at=now, text=text)
    except IntegrityError as exc:
        raise ConflictError(
            f"A later change put another assignment where swap #{swap.pk} had removed one; "
            "the swap cannot be rolled back exactly."
        ) from exc
    _edit_mark(version=version, user=user, at=now, text=text)
    _alert_on_commit(version, list(swap.legs.all()))
    swap.status = Status.ROLLED_BACK
    swap.rolled_back_at, swap.rolled_back_by, swap.rollback_reason = now, user, reason.strip()
    _save(swap, user, "Rolled back")
    recipients = _party_users(swap) + approvers(program)
    _notify(swap, Event.SWAP_ROLLED_BACK, recipients, {"shift": shift_label(swap), "reason": reason.strip()}, program)
    return swap


def _restore(moves: list[SwapMove], *, user: User, at: dt.datetime, text: str) -> None:
    """Put every moved row back as it was before the swap, each write in the history."""
    # Delete what the swap created first, so the restored rows fit the unique constraints.
    for move in reversed(moves):
        row = MODELS[move.model].objects.filter(pk=move.row_id).first()
        if row is not None and move.before is None:
            _stamp(row, reason=text, user=user, at=at)
            row.delete()
    for move in moves:
        if move.before is None:
            continue
        row = _row_from_json(MODELS[move.model], move.before)
        _stamp(row, reason=text, user=user, at=at)
        row.save()


def _cell(move: SwapMove) -> str:
    """The cell of a move in words, from its values: "Ann Resident's half-day Wed 13 Jan 2027 PM"."""
    values = move.after or move.before or {}
    person = Person.objects.filter(pk=values.get("person_id")).first()
    who = person.full_name if person else "someone"
    if move.model == SwapMove.Model.SESSION:
        day = dt.date.fromisoformat(values["date"])
        return f"{who}'s half-day {day:%a %d %b %Y} {values.get('session', '')}".strip()
    if move.model == SwapMove.Model.CALL:
        start = dt.datetime.fromisoformat(values["start"])
        return f"{who}'s call of {start:%a %d %b %Y}"
    return f"{who}'s block rotation"


# Expiry.


def swaps_expire(*, now: dt.datetime | None = None) -> int:
    """Mark the open swaps whose time has come (`expires_at` passed) expired; their requester is told.
    Returns how many expired. Run by the periodic task `swaps.tasks.swaps_expire_task`."""
    now = now or timezone.now()
    count = 0
    due = Swap.objects.filter(
        status__in=(Status.DRAFT, Status.PENDING, Status.ACCEPTED), expires_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            swap = Swap.objects.select_for_update(skip_locked=True).filter(pk=pk).select_related("requester").first()
            if swap is None or swap.status not in (Status.DRAFT, Status.PENDING, Status.ACCEPTED):
                continue
            if swap.expires_at is None or swap.expires_at > now:
                continue
            swap.status = Status.EXPIRED
            swap._change_reason = "Expired"
            swap.save()
            program = _program_of(swap)
            recipients = [swap.requester.user] if swap.requester.user_id else []
            _notify(
                swap,
                Event.SWAP_DECIDED,
                recipients,
                {"decision": "expired", "shift": shift_label(swap), "note": "Nobody took it in time."},
                program,
            )
            count += 1
    return count


# Notifications.


def _party_users(swap: Swap) -> list[User]:
    people = {swap.requester_id} | {
        pk for leg in swap.legs.all() for pk in (leg.giver_id, leg.taker_id) if pk is not None
    }
    return list(User.objects.filter(people__pk__in=people, is_active=True).distinct())


def _notify(swap: Swap, event: str, recipients: Iterable[User], context: dict[str, Any], program: Organization):
    users = list({user.pk: user for user in recipients if user is not None}.values())
    if users:
        notify(recipients=users, event=event, context=context, program=program, link=f"/swaps/{swap.pk}/")


def _notify_requested(swap: Swap, legs: list[SwapLeg], program: Organization, user: User) -> None:
    context = {"requester": swap.requester.full_name, "shift": shift_label(swap), "needs_approval": swap.needs_approval}
    takers = [
        leg.taker.user for leg in legs if leg.taker_id and leg.taker.user_id and leg.taker_id != swap.requester_id
    ]
    recipients = [u for u in takers if u.pk != user.pk]
    if swap.needs_approval:
        recipients += [u for u in approvers(program) if u.pk != user.pk]
    _notify(swap, Event.SWAP_REQUESTED, recipients, context, program)
