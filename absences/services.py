"""Writes of absences with their rules: request, approve, reject, cancel, extend (`absence_request_*`).

Residents and faculty request and cancel their own absences; admins and coordinators request for anyone,
decide, cancel at any time and extend. Overlaps with the person's requested or approved absences and the
program's yearly limits are refused with a message naming what is left. Repairing the schedule after an
approval is a scheduling service (scheduling.absence_impact), which builds on these.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from absences.models import ORDERS_REQUIRED_KINDS, Absence, AbsenceKind, AbsenceLimit
from absences.selectors import (
    absence_balances,
    absence_on_day,
    academic_year_span,
    days_within,
    is_absence_manager,
    person_model,
    year_label,
)
from notifications.events import Event
from notifications.services import notify
from tenants.access import ensure_allowed
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can
from tenants.selectors import MANAGER_ROLES, program_members, role_in

LIMITS_DENIED = "Only the program's admins and coordinators set absence limits."

MAX_ABSENCE_DAYS = 400  # longer than a year is a typing error, not a deployment


def _dates_check(*, start_date: dt.date, end_date: dt.date, half_day: str) -> None:
    if end_date < start_date:
        raise DomainError(
            f"The absence ends ({end_date:%d %b %Y}) before it starts ({start_date:%d %b %Y}); check the dates."
        )
    if (end_date - start_date).days + 1 > MAX_ABSENCE_DAYS:
        raise DomainError(f"An absence lasts at most {MAX_ABSENCE_DAYS} days; split a longer one.")
    if half_day and half_day not in Absence.HalfDay.values:
        raise DomainError("A half day is the morning (am) or the afternoon (pm).")
    if half_day and start_date != end_date:
        raise DomainError("Only a single-day absence can be for half a day.")


def _overlap_check(*, absence: Absence) -> None:
    """Refuse a second requested or approved absence of the same person on any of the same days."""
    clash = (
        Absence.objects.active()
        .filter(person_id=absence.person_id)
        .overlapping(absence.start_date, absence.end_date)
        .exclude(pk=absence.pk)
        .order_by("start_date")
        .first()
    )
    if clash is None:
        return
    both_halves = (
        absence.half_day
        and clash.half_day
        and clash.start_date == absence.start_date
        and clash.half_day != absence.half_day
    )
    if both_halves:
        return  # a morning and an afternoon of the same day do not overlap
    raise ConflictError(
        f"{absence.person.full_name} already has {clash.get_kind_display().lower()} "
        f"({clash.get_status_display().lower()}) from {clash.start_date:%d %b %Y} to {clash.end_date:%d %b %Y}, "
        "which overlaps these dates."
    )


def _limit_check(*, absence: Absence, program: Organization) -> None:
    """Refuse days beyond the program's yearly limit for the kind, in each academic year the absence touches."""
    day = absence.start_date
    while day <= absence.end_date:
        span = academic_year_span(day)
        balance = absence_balances(program=program, person=absence.person, day=day, exclude_pk=absence.pk)[absence.kind]
        wanted = days_within(absence, *span)
        if balance.limit is not None and balance.used + balance.pending + wanted > balance.limit:
            taken = balance.used + balance.pending
            raise DomainError(
                f"{balance.label} is limited to {balance.limit} days per academic year; "
                f"{absence.person.full_name} has {_days(balance.remaining)} remaining in {year_label(span)} "
                f"({_days(taken)} approved or requested) and this needs {_days(wanted)}."
            )
        day = span[1] + dt.timedelta(days=1)


def _days(value: float | None) -> str:
    if value is None:
        return "unlimited"
    number = f"{value:g}"
    return f"{number} day" if value == 1 else f"{number} days"


def _managers(program: Organization, *, besides=None) -> list:
    """The program's admins and coordinators (through the program or its institution), not `besides`."""
    return [
        member
        for member in program_members(program)
        if role_in(member, program) in MANAGER_ROLES and (besides is None or member.pk != besides.pk)
    ]


def _context(absence: Absence) -> dict[str, str]:
    return {
        "person": absence.person.full_name,
        "kind": absence.get_kind_display().lower(),
        "start": f"{absence.start_date:%d %b %Y}",
        "end": f"{absence.end_date:%d %b %Y}",
    }


def _tell_person(absence: Absence, program: Organization, decision: str, note: str = "") -> None:
    """The absent person hears about a decision on their absence (no one to tell without a linked user)."""
    if absence.person.user_id is None:
        return
    notify(
        recipients=[absence.person.user],
        event=Event.ABSENCE_DECIDED,
        context={**_context(absence), "decision": decision, "note": note},
        program=program,
        link=reverse("absence-detail", args=[absence.pk]),
    )


def _locked_person(program: Organization, person_id: int):
    """The person's row, locked so two requests for the same person are checked one after the other."""
    person = person_model().objects.select_for_update().filter(pk=person_id, program=program).first()
    if person is None:
        raise DomainError("This person is not in the program.")
    return person


def _locked(absence: Absence) -> Absence:
    return Absence.objects.select_for_update().select_related("person", "program").get(pk=absence.pk)


@transaction.atomic
def absence_request_create(
    *,
    user,
    program: Organization,
    person,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    half_day: str = "",
    note: str = "",
    orders_reference: str = "",
    location: str = "",
    report_date: dt.date | None = None,
    tentative_return_date: dt.date | None = None,
    event: str = Event.ABSENCE_REQUESTED,
) -> Absence:
    """Request an absence: residents and faculty for themselves, admins and coordinators for anyone.

    Refuses dates ending before they start, overlaps with the person's requested or approved absences and days
    beyond the program's yearly limit for the kind; the program's managers are told of the request (`event`).
    """
    if kind not in AbsenceKind.values:
        raise DomainError(f"“{kind}” is not a kind of absence.")
    manager = is_absence_manager(user, program)
    if not can(user, Action.ADD, Resource.ABSENCE, program):
        raise PermissionDenied("Your role in this program cannot request absences.")
    person = _locked_person(program, person.pk)
    if not manager and person.user_id != user.pk:
        raise PermissionDenied("You can request absences for yourself only; a coordinator can enter one for others.")
    _dates_check(start_date=start_date, end_date=end_date, half_day=half_day)
    if kind in ORDERS_REQUIRED_KINDS and not orders_reference.strip():
        raise DomainError("A deployment or TDY needs its orders reference.")
    absence = Absence(
        program=program,
        person=person,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        half_day=half_day or "",
        note=note.strip(),
        orders_reference=orders_reference.strip(),
        location=location.strip(),
        report_date=report_date,
        tentative_return_date=tentative_return_date,
        requested_by=user,
    )
    _overlap_check(absence=absence)
    _limit_check(absence=absence, program=program)
    absence.save()
    notify(
        recipients=_managers(program, besides=user),
        event=event,
        context={**_context(absence), "day": f"{start_date:%a %d %b %Y}"},
        program=program,
        link=reverse("absence-detail", args=[absence.pk]),
    )
    return absence


@transaction.atomic
def absence_sick_today(*, user, program: Organization, person) -> Absence:
    """My schedule's "I'm sick today": a sick-day request for today (the program's day) for one's own person,
    which tells the program's admins and coordinators at once (event sick_today, email right away by default, not
    the digest). Refused for someone else's person and when the person is already absent today (requested or
    approved)."""
    if person.user_id is None or person.user_id != user.pk:
        raise PermissionDenied(
            "“I'm sick today” is for your own schedule; a coordinator enters someone else's from the absence form."
        )
    today = program.today()
    already = absence_on_day(program=program, person=person, day=today)
    if already is not None:
        raise ConflictError(already_absent(already))
    return absence_request_create(
        user=user,
        program=program,
        person=person,
        kind=AbsenceKind.SICK,
        start_date=today,
        end_date=today,
        event=Event.SICK_TODAY,
    )


def already_absent(absence: Absence) -> str:
    """The refusal of a second absence today, naming the one there is."""
    return (
        f"You are already marked absent today: {absence.get_kind_display().lower()} "
        f"({absence.get_status_display().lower()}) from {absence.start_date:%d %b} to {absence.end_date:%d %b %Y}."
    )


def _decision_allowed(*, absence: Absence, user, verb: str) -> None:
    program = absence.program
    if not can(user, Action.APPROVE, absence, program):
        raise PermissionDenied(f"Only the program's admins and coordinators can {verb} absences.")
    if absence.person.user_id is not None and absence.person.user_id == user.pk and not user.is_superuser:
        raise PermissionDenied(f"You cannot {verb} your own absence; another coordinator decides it.")
    if absence.status != Absence.Status.REQUESTED:
        raise ConflictError(
            f"This absence is already {absence.get_status_display().lower()}; only a request can be decided."
        )


@transaction.atomic
def absence_request_approve(*, absence: Absence, user, reason: str = "") -> Absence:
    """Approve a requested absence (managers only, never one's own); the person is told.

    From now on the person is unavailable to the engine on those days (whole days only).
    """
    locked = _locked(absence)
    _decision_allowed(absence=locked, user=user, verb="approve")
    locked.status, locked.decided_by, locked.decided_at = Absence.Status.APPROVED, user, timezone.now()
    locked.decision_reason = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    _tell_person(locked, locked.program, "approved", locked.decision_reason)
    return locked


@transaction.atomic
def absence_request_reject(*, absence: Absence, user, reason: str) -> Absence:
    """Reject a requested absence with a reason the person reads (managers only, never one's own)."""
    if not reason.strip():
        raise DomainError("Say why the absence is rejected; the person reads the reason.")
    locked = _locked(absence)
    _decision_allowed(absence=locked, user=user, verb="reject")
    locked.status, locked.decided_by, locked.decided_at = Absence.Status.REJECTED, user, timezone.now()
    locked.decision_reason = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    _tell_person(locked, locked.program, "rejected", locked.decision_reason)
    return locked


@transaction.atomic
def absence_request_cancel(*, absence: Absence, user, reason: str = "") -> Absence:
    """Cancel an absence: its person while it is requested, a manager at any time. A cancelled approved absence
    frees the person's days for the engine again."""
    locked = _locked(absence)
    program = locked.program
    manager = is_absence_manager(user, program)
    if not can(user, Action.CHANGE, locked, program):
        raise PermissionDenied("You can cancel only your own absences.")
    if locked.status not in (Absence.Status.REQUESTED, Absence.Status.APPROVED):
        raise ConflictError(f"This absence is already {locked.get_status_display().lower()}.")
    if locked.status == Absence.Status.APPROVED and not manager:
        raise PermissionDenied("An approved absence is cancelled by a coordinator; ask one to do it.")
    locked.status = Absence.Status.CANCELLED
    if manager:
        locked.decided_by, locked.decided_at = user, timezone.now()
        locked.decision_reason = reason.strip() or locked.decision_reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    if locked.person.user_id is not None and locked.person.user_id != user.pk:
        _tell_person(locked, program, "cancelled", reason.strip())
    return locked


@transaction.atomic
def absence_extend(
    *, absence: Absence, user, end_date: dt.date, tentative_return_date: dt.date | None = None
) -> Absence:
    """Move the end of a requested or approved absence (a deployment's return date moves): managers, or the
    person while it is a request. Overlaps and the yearly limit are checked again."""
    locked = _locked(absence)
    program = locked.program
    manager = is_absence_manager(user, program)
    if not can(user, Action.CHANGE, locked, program) or (locked.status == Absence.Status.APPROVED and not manager):
        raise PermissionDenied("Only the program's admins and coordinators can change an approved absence.")
    if locked.status not in (Absence.Status.REQUESTED, Absence.Status.APPROVED):
        raise ConflictError(f"This absence is {locked.get_status_display().lower()}; it cannot be extended.")
    _locked_person(program, locked.person_id)
    _dates_check(start_date=locked.start_date, end_date=end_date, half_day=locked.half_day)
    locked.end_date = end_date
    if tentative_return_date is not None:
        locked.tentative_return_date = tentative_return_date
    _overlap_check(absence=locked)
    _limit_check(absence=locked, program=program)
    locked.save(update_fields=["end_date", "tentative_return_date", "updated_at"])
    if locked.person.user_id is not None and locked.person.user_id != user.pk:
        _tell_person(locked, program, f"changed to end on {end_date:%d %b %Y}")
    return locked


# The program's yearly limits per kind of absence (read by the balances and _limit_check).


@transaction.atomic
def absence_limit_set(*, program: Organization, user, kind: str, days_per_year: int) -> AbsenceLimit:
    """Set how many days of `kind` a person may take per academic year (one limit per kind: an existing one
    changes); admins and coordinators. A ValidationError names the field at fault and nothing is stored."""
    ensure_allowed(user, Action.CHANGE, Resource.SCHEDULE, program, denied=LIMITS_DENIED)
    limit = AbsenceLimit.objects.select_for_update().filter(program=program, kind=kind).first()
    limit = limit or AbsenceLimit(program=program, kind=kind)
    limit.days_per_year = days_per_year
    limit.full_clean(validate_unique=False)  # one per kind: the row found above is the one changed
    limit._change_reason = f"Absence limit set by {user}"
    limit.save()
    return limit


@transaction.atomic
def absence_limit_delete(*, limit: AbsenceLimit, user) -> None:
    """Remove a limit (that kind of absence is then unlimited); admins and coordinators."""
    ensure_allowed(user, Action.CHANGE, Resource.SCHEDULE, limit.program, denied=LIMITS_DENIED)
    limit._change_reason = f"Absence limit removed by {user}"
    limit.delete()
