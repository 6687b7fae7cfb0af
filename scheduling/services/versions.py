"""A schedule version's life cycle: publish a draft (one that breaks ACGME rules only with a written reason),
discard a draft, restore an archived version as a new draft."""

import dataclasses
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from scheduling.announcements import announce_published, announce_published_with_breaches
from scheduling.compliance import SessionParty, report_groups, rule_title, version_report
from scheduling.models import AcademicYear, BlockAssignment, CallAssignment, Person, ScheduleVersion, SessionAssignment
from tenants.audit import record
from tenants.audit_models import AuditAction
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action, can

ASSIGNMENT_MODELS = (BlockAssignment, SessionAssignment, CallAssignment)
BATCH_SIZE = 1000


@dataclasses.dataclass(frozen=True, slots=True)
class Breach:
    """An ACGME violation in a version: the rule and clause, the resident (for a session's finding no id, and the
    site and people there), the window or period (local times), the measured value and the limit it passed."""

    rule: str
    clause: str
    label: str
    person_id: int | None
    person: str
    start: dt.datetime
    end: dt.datetime
    value: float
    limit: float

    @property
    def title(self) -> str:
        return rule_title(self.rule)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "clause": self.clause,
            "label": self.label,
            "person": {"id": self.person_id, "name": self.person},
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "value": self.value,
            "limit": self.limit,
        }


def schedule_version_breaches(*, version: ScheduleVersion) -> list[Breach]:
    """The ACGME violations (not the warnings) of the whole version, as the compare and compliance pages show
    them (the checker's report on every resident's year, cached until a row changes)."""
    groups = report_groups(report=version_report(version=version), program_id=version.program_id)
    return [
        Breach(g.rule, g.clause, g.label, *_who(person), v.start, v.end, v.value, v.limit)
        for g in groups
        if g.severity == "violation"
        for person, v in g.items
    ]


def _who(person: Person | SessionParty) -> tuple[int | None, str]:
    """A breach's person id and name; a session's finding has no id and names its site and people."""
    if isinstance(person, SessionParty):
        return None, person.text
    return person.pk, person.full_name


def breach_rules(breaches: list[Breach]) -> list[str]:
    """The rules broken, each once, as people read them: "Continuous duty over 24+4 h (ACGME 6.22)"."""
    return list(dict.fromkeys(breach.title for breach in breaches))


class ComplianceBreachError(ConflictError):
    """Publishing was refused: the draft breaks ACGME rules and no reason was given; nothing changed.
    `breaches` lists each violation (the API's problem document carries them)."""

    code = "acgme_breach"

    def __init__(self, version: ScheduleVersion, breaches: list[Breach]) -> None:
        rules = "; ".join(breach_rules(breaches))
        count = len(breaches)
        super().__init__(
            f"Version {version.number} breaks ACGME rules: {count} violation{'s' if count != 1 else ''} of {rules}. "
            "Give a reason to publish it anyway."
        )
        self.breaches = breaches

    def problem_members(self) -> dict[str, Any]:
        return {"breaches": [breach.as_dict() for breach in self.breaches]}


def _program_checked(version: ScheduleVersion, user, action: Action, what: str) -> Organization:
    """The version's program, after checking the user may `action` its schedule (`user` None: an operator)."""
    program = Organization.objects.get(pk=version.program_id)
    if user is not None and not can(user, action, version, program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can {what}.")
    return program


def _locked(version: ScheduleVersion) -> ScheduleVersion:
    """The version row, locked for the rest of the transaction (cell edits take the same lock)."""
    versions = ScheduleVersion.objects.select_for_update(of=("self",)).select_related("academic_year", "program")
    return versions.get(pk=version.pk)


def _stamp(instance, *, reason: str, user, at: dt.datetime | None = None) -> None:
    """What the history entry of the next write of `instance` records: why (at most 100 characters, the
    history column's size), who and, when given, when."""
    instance._change_reason = reason[:100]
    if user is not None:
        instance._history_user = user
    if at is not None:
        instance._history_date = at


def schedule_version_publish(
    *, version: ScheduleVersion, user, academic_year: AcademicYear | None = None, reason: str = ""
) -> ScheduleVersion:
    """Publish a draft: the year's previously published version is archived (and stays readable).

    Admins and coordinators only (`user` None: an operator at the command line). A version that is not a
    draft, or not of `academic_year` when given, is refused. A draft that breaks ACGME rules (the whole year
    checked) needs a written `reason`, else ComplianceBreachError; the reason is kept on the version and in
    its history, and the program's admins are told.
    """
    _program_checked(version, user, Action.PUBLISH, "publish its schedule")
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=version.academic_year_id).exists()
        locked = _locked(version)
        if academic_year is not None and locked.academic_year_id != academic_year.pk:
            raise DomainError(f"Version {locked.number} belongs to {locked.academic_year}, not to {academic_year}.")
        if locked.status != ScheduleVersion.Status.DRAFT:
            raise ConflictError(f"{locked} is {locked.get_status_display().lower()}; only a draft can be published.")
        breaches = schedule_version_breaches(version=locked)
        reason = reason.strip()
        if breaches and not reason:
            raise ComplianceBreachError(locked, breaches)
        now = timezone.now()
        previous = ScheduleVersion.objects.select_for_update().filter(
            academic_year_id=locked.academic_year_id, status=ScheduleVersion.Status.PUBLISHED
        )
        archived = []
        for old in previous:
            old.status = ScheduleVersion.Status.ARCHIVED
            _stamp(old, reason=f"Archived: version {locked.number} published", user=user)
            old.save(update_fields=["status"])
            archived.append(old.number)
        locked.status, locked.published_at = ScheduleVersion.Status.PUBLISHED, now
        locked.published_by = user
        locked.publish_reason = reason if breaches else ""
        _stamp(locked, reason="Published with ACGME violations" if breaches else "Published", user=user)
        locked.save(update_fields=["status", "published_at", "published_by", "publish_reason"])
        record(
            AuditAction.SCHEDULE_PUBLISHED,
            actor=user,
            program=locked.program,
            target=locked,
            before={"status": ScheduleVersion.Status.DRAFT, "published_version": archived[0] if archived else None},
            after={"status": locked.status, "version": locked.number, "violations": len(breaches), "reason": reason},
        )
        announce_published(version=locked)
        if breaches:
            announce_published_with_breaches(
                version=locked, user=user, violations=len(breaches), rules=breach_rules(breaches)
            )
    return locked


def _delete_recorded(rows: QuerySet, *, reason: str, user, at: dt.datetime) -> int:
    """Delete the rows in bulk, each with its history entry ("-", as a one-by-one delete would write)."""
    history = rows.model.history.model
    entries = [
        history(
            history_type="-",
            history_date=at,
            history_user=user,
            history_change_reason=reason[:100],
            **{field.attname: getattr(row, field.attname) for field in history.tracked_fields},
        )
        for row in rows
    ]
    history.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    # The history is written above; a plain delete would send a signal per row (tens of thousands in a year).
    rows._raw_delete(rows.db)
    return len(entries)


@transaction.atomic
def schedule_version_discard(*, version: ScheduleVersion, user) -> int:
    """Delete a draft with all its assignments, every deletion recorded in the history; returns how many
    assignments went. Admins and coordinators only; a published or archived version is refused.
    """
    _program_checked(version, user, Action.DELETE, "discard a draft of its schedule")
    locked = _locked(version)
    if locked.status == ScheduleVersion.Status.PUBLISHED:
        raise ConflictError(
            f"Version {locked.number} is the published schedule of {locked.academic_year}; only a draft can be "
            "discarded. Publish another version to replace it."
        )
    if locked.status == ScheduleVersion.Status.ARCHIVED:
        raise ConflictError(
            f"Version {locked.number} of {locked.academic_year} is archived: it is the record of a schedule that "
            "was published, and only a draft can be discarded."
        )
    at, reason = timezone.now(), f"Discarded draft version {locked.number}"
    deleted = sum(
        _delete_recorded(model.objects.filter(version=locked), reason=reason, user=user, at=at)
        for model in ASSIGNMENT_MODELS
    )
    _stamp(locked, reason=reason, user=user, at=at)
    locked.delete()
    return deleted


@transaction.atomic
def schedule_version_restore(*, version: ScheduleVersion, user) -> ScheduleVersion:
    """Copy an archived version's assignments into a new draft of its year (the next number, noted "Restored
    from version N"), to edit and publish again. Admins and coordinators only; archived versions only.
    """
    _program_checked(version, user, Action.ADD, "restore an earlier version of its schedule")
    AcademicYear.objects.select_for_update().filter(pk=version.academic_year_id).exists()  # serialise numbering
    source = ScheduleVersion.objects.select_related("academic_year").get(pk=version.pk)
    if source.status != ScheduleVersion.Status.ARCHIVED:
        what = "the published schedule" if source.status == ScheduleVersion.Status.PUBLISHED else "a draft"
        raise ConflictError(
            f"Version {source.number} of {source.academic_year} is {what}; only an archived version can be restored."
        )
    latest = ScheduleVersion.objects.filter(academic_year_id=source.academic_year_id).aggregate(n=Max("number"))["n"]
    note = f"Restored from version {source.number}"
    draft = ScheduleVersion(
        program_id=source.program_id, academic_year_id=source.academic_year_id, number=latest + 1, note=note
    )
    _stamp(draft, reason=note, user=user)
    draft.save()
    for model in ASSIGNMENT_MODELS:
        copies = []
        for row in model.objects.filter(version=source).order_by("pk"):
            row.pk, row.version = None, draft
            copies.append(row)
        if copies:
            bulk_create_with_history(
                copies, model, batch_size=BATCH_SIZE, default_user=user, default_change_reason=note
            )
    return draft


def schedule_version_draft_create(*, academic_year: AcademicYear, note: str, user) -> ScheduleVersion:
    """A new empty draft of the year (the next number), for rows written from elsewhere (an import). Admins and
    coordinators only; it is compared, checked and published like any draft."""
    program = Organization.objects.get(pk=academic_year.program_id)
    if user is not None and not can(user, Action.ADD, ScheduleVersion.permission_resource, program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can make a draft of its schedule.")
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=academic_year.pk).exists()  # serialise numbering
        latest = ScheduleVersion.objects.filter(academic_year_id=academic_year.pk).aggregate(n=Max("number"))["n"]
        draft = ScheduleVersion(
            program_id=academic_year.program_id,
            academic_year_id=academic_year.pk,
            number=(latest or 0) + 1,
            note=note[:200],
        )
        _stamp(draft, reason=note, user=user)
        draft.save()
    return draft
