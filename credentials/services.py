"""Writes of certifications and procedure credentials, and expiry reminders (the CSV upload is integrations'
(integrations/certifications/).

Every write is checked with can(user, ..., "credential", program): admins and coordinators change credentials;
faculty and residents read them. Errors carry a message a person understands.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from credentials import selectors
from credentials.models import CertificationType, PersonCertification, Procedure, ProcedureCredential
from notifications.events import Event
from notifications.services import notify_once
from tenants.access import ensure_allowed
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource

REMINDER_THRESHOLDS = (7, 14, 30, 90, 180)  # days before expiry, smallest first


def _save(instance: models.Model, user, *, message: str = "") -> models.Model:
    """full_clean() then save; a database refusal (a race past full_clean) becomes a readable ConflictError."""
    instance.full_clean()
    instance._history_user = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ConflictError(message or f"This {instance._meta.verbose_name} conflicts with another one.") from error
    return instance


def _apply(instance: models.Model, changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(unknown)}.")
    for name, value in changes.items():
        setattr(instance, name, value)


def _delete(instance: models.Model, user, in_use: str) -> None:
    instance._history_user = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as error:
        raise ConflictError(in_use) from error


# Certification types and procedures.

TYPE_FIELDS = ("code", "name", "renewal_months", "required_for_residents", "required_for_faculty",
               "required_for_specialties")  # fmt: skip
PROCEDURE_FIELDS = ("name", "code", "category", "complexity", "min_pgy", "supervision_ratio")


@transaction.atomic
def certification_type_create(*, program: Organization, user, **fields: Any) -> CertificationType:
    """Add a certification type (code, name, renewal period, who must hold it) to the program."""
    ensure_allowed(user, Action.ADD, Resource.CREDENTIAL, program, "add certification types")
    certification_type = CertificationType(program=program)
    _apply(certification_type, fields, TYPE_FIELDS)
    return _save(certification_type, user, message="This program already has a certification type with this code.")


@transaction.atomic
def certification_type_update(*, certification_type: CertificationType, user, **changes: Any) -> CertificationType:
    """Change a certification type; the certifications of that type keep their dates."""
    ensure_allowed(user, Action.CHANGE, Resource.CREDENTIAL, certification_type.program, "change certification types")
    _apply(certification_type, changes, TYPE_FIELDS)
    return _save(certification_type, user, message="This program already has a certification type with this code.")


@transaction.atomic
def certification_type_delete(*, certification_type: CertificationType, user) -> None:
    """Remove a certification type nobody holds (refused while certifications of it exist)."""
    ensure_allowed(user, Action.DELETE, Resource.CREDENTIAL, certification_type.program, "delete certification types")
    _delete(certification_type, user, f"People hold {certification_type.code} certifications; delete those first.")


@transaction.atomic
def procedure_create(*, program: Organization, user, **fields: Any) -> Procedure:
    """Add a procedure (code, category, complexity, minimum PGY, supervision ratio) to the program."""
    ensure_allowed(user, Action.ADD, Resource.CREDENTIAL, program, "add procedures")
    procedure = Procedure(program=program)
    _apply(procedure, fields, PROCEDURE_FIELDS)
    return _save(procedure, user, message="This program already has a procedure with this code.")


@transaction.atomic
def procedure_update(*, procedure: Procedure, user, **changes: Any) -> Procedure:
    """Change a procedure's description, complexity, minimum PGY or supervision ratio."""
    ensure_allowed(user, Action.CHANGE, Resource.CREDENTIAL, procedure.program, "change procedures")
    _apply(procedure, changes, PROCEDURE_FIELDS)
    return _save(procedure, user, message="This program already has a procedure with this code.")


@transaction.atomic
def procedure_delete(*, procedure: Procedure, user) -> None:
    """Remove a procedure nobody is credentialed for (refused while credentials for it exist)."""
    ensure_allowed(user, Action.DELETE, Resource.CREDENTIAL, procedure.program, "delete procedures")
    _delete(procedure, user, f"People hold credentials for {procedure.name}; remove those first.")


# Person certifications.

CERTIFICATION_FIELDS = ("number", "issued_on", "expires_on")


@transaction.atomic
def certification_record(
    *,
    program: Organization,
    person,
    type: CertificationType,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
    number: str = "",
    user,
) -> PersonCertification:
    """Record a person's certification, verified by `user` now; without an expiry, the type's renewal period
    after issue is used. A renewal is recorded as a new certification (a later issue date).
    """
    ensure_allowed(user, Action.ADD, Resource.CREDENTIAL, program, "record certifications")
    certification = PersonCertification(
        program=program,
        person=person,
        type=type,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on or (type.expiry_for(issued_on) if issued_on and type else None),
        verified_by=user,
        verified_at=timezone.now(),
    )
    return _save(certification, user, message="This person already has this certification issued on this date.")


@transaction.atomic
def certification_update(*, certification: PersonCertification, user, **changes: Any) -> PersonCertification:
    """Correct a certification's number or dates; `user` becomes its verifier."""
    ensure_allowed(user, Action.CHANGE, Resource.CREDENTIAL, certification.program, "change certifications")
    _apply(certification, changes, CERTIFICATION_FIELDS)
    certification.verified_by, certification.verified_at = user, timezone.now()
    return _save(certification, user, message="This person already has this certification issued on this date.")


@transaction.atomic
def certification_delete(*, certification: PersonCertification, user) -> None:
    """Remove a certification recorded in error (an expired one is kept as history instead)."""
    ensure_allowed(user, Action.DELETE, Resource.CREDENTIAL, certification.program, "delete certifications")
    _delete(certification, user, "This certification cannot be deleted.")


# Procedure credentials.

CREDENTIAL_FIELDS = ("level", "max_residents_supervised", "granted_on", "expires_on")


@transaction.atomic
def procedure_credential_grant(
    *,
    program: Organization,
    person,
    procedure: Procedure,
    level: str = ProcedureCredential.Level.QUALIFIED,
    granted_on: dt.date,
    expires_on: dt.date | None = None,
    max_residents_supervised: int | None = None,
    user,
) -> ProcedureCredential:
    """Grant a person a procedure credential at `level`, active from `granted_on`.

    A person holds one credential per procedure: granting again replaces its level and dates and makes it active.
    """
    ensure_allowed(user, Action.ADD, Resource.CREDENTIAL, program, "grant procedure credentials")
    credential = (
        ProcedureCredential.objects.select_for_update().filter(program=program, person=person, procedure=procedure)
    ).first() or ProcedureCredential(program=program, person=person, procedure=procedure)
    credential.level, credential.granted_on, credential.expires_on = level, granted_on, expires_on
    credential.max_residents_supervised = max_residents_supervised
    credential.status, credential.status_note = ProcedureCredential.Status.ACTIVE, ""
    return _save(credential, user, message="This person already has a credential for this procedure.")


@transaction.atomic
def procedure_credential_update(*, credential: ProcedureCredential, user, **changes: Any) -> ProcedureCredential:
    """Change a credential's level, supervision limit or dates (its status changes by suspend and reinstate)."""
    ensure_allowed(user, Action.CHANGE, Resource.CREDENTIAL, credential.program, "change procedure credentials")
    _apply(credential, changes, CREDENTIAL_FIELDS)
    return _save(credential, user)


@transaction.atomic
def procedure_credential_suspend(*, credential: ProcedureCredential, user, reason: str) -> ProcedureCredential:
    """Suspend an active credential, saying why; the person stops counting as credentialed at once."""
    ensure_allowed(user, Action.CHANGE, Resource.CREDENTIAL, credential.program, "suspend procedure credentials")
    locked = ProcedureCredential.objects.select_for_update().get(pk=credential.pk)
    if not reason.strip():
        raise DomainError("Say why the credential is suspended.")
    if locked.status != ProcedureCredential.Status.ACTIVE:
        raise ConflictError(f"This credential is {locked.get_status_display().lower()}, not active.")
    locked.status, locked.status_note = ProcedureCredential.Status.SUSPENDED, reason.strip()[:200]
    return _save(locked, user)


@transaction.atomic
def procedure_credential_reinstate(*, credential: ProcedureCredential, user, note: str = "") -> ProcedureCredential:
    """Make a suspended or expired credential active again (an expiry date already past must be moved first)."""
    ensure_allowed(user, Action.CHANGE, Resource.CREDENTIAL, credential.program, "reinstate procedure credentials")
    locked = ProcedureCredential.objects.select_for_update().get(pk=credential.pk)
    if locked.status == ProcedureCredential.Status.ACTIVE:
        raise ConflictError("This credential is already active.")
    if locked.expires_on is not None and locked.expires_on < locked.program.today():
        raise DomainError(f"This credential expired on {locked.expires_on:%Y-%m-%d}; give it a new expiry date first.")
    locked.status, locked.status_note = ProcedureCredential.Status.ACTIVE, note.strip()[:200]
    return _save(locked, user)


@transaction.atomic
def procedure_credential_delete(*, credential: ProcedureCredential, user) -> None:
    """Remove a credential granted in error (suspend one that was rightly granted instead, to keep its history)."""
    ensure_allowed(user, Action.DELETE, Resource.CREDENTIAL, credential.program, "delete procedure credentials")
    _delete(credential, user, "This credential cannot be deleted.")


# Expiry reminders.


def reminder_threshold(days_left: int) -> int | None:
    """The smallest reminder threshold (7/14/30/90/180 days) that `days_left` has reached, else None."""
    if days_left < 0:
        return None
    return next((threshold for threshold in REMINDER_THRESHOLDS if days_left <= threshold), None)


def certification_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind each holder of a current certification expiring within 180 days, once per threshold reached.

    Only the smallest threshold reached is sent (a card found 20 days out gets the 30-day reminder, later the
    14-day one), through notify_once with key "cert:<id>:<threshold>", so running twice sends nothing new.
    `today` defaults to each program's own date. Returns the number of reminders made.
    """
    sent = 0
    for program in Organization.objects.programs():
        day = today or program.today()
        due = (
            selectors.current_certifications(program=program)
            .filter(
                person__is_active=True,
                person__user__isnull=False,
                expires_on__gte=day,
                expires_on__lte=day + dt.timedelta(days=max(REMINDER_THRESHOLDS)),
            )
            .select_related("person__user")
        )
        for certification in due:
            sent += len(_certification_remind(certification, program, day))
    return sent


@transaction.atomic
def _certification_remind(certification: PersonCertification, program: Organization, day: dt.date) -> list:
    days_left = (certification.expires_on - day).days
    threshold = reminder_threshold(days_left)
    if threshold is None:
        return []
    return notify_once(
        key=f"cert:{certification.pk}:{threshold}",
        recipients=[certification.person.user],
        event=Event.CERTIFICATION_EXPIRING,
        context={
            "certification": certification.type.name or certification.type.code,
            "expires": certification.expires_on.isoformat(),
            "days": days_left,
        },
        program=program,
        link=reverse("credentials-person", args=[certification.person_id]),
    )
