"""Coordinators' edits of one cell of a version (a block rotation, a half-day, a call), checked against the
ACGME rules and the program's rules first; breaking one needs a written reason, kept in the history.

Every row an edit writes carries the same history time, and the version's own history gets an entry at that
time ("Cell edit: ..."), so the last edit can be undone exactly from the history (`schedule_version_undo`).
"""

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from scheduling.acgme_alerts import acgme_alerts_on_commit
from scheduling.announcements import announce_change
from scheduling.compliance import (
    FREE_ACTIVITIES,
    CallChange,
    Changes,
    activities_with_changes,
    block_changes,
    call_nights,
    call_period,
    calls_with_changes,
    person_report,
    rule_measure,
    rule_title,
    site_labels,
    supervision_report,
)
from scheduling.day_view import activity_label
from scheduling.models import (
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    ScheduleVersion,
    Session,
    SessionAssignment,
    Source,
)
from scheduling.program_settings import scheduling_settings
from tenants.access import ensure_allowed
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action


@dataclasses.dataclass(frozen=True, slots=True)
class RuleFinding:
    """A rule an edit would break: an ACGME rule (the checker's id and clause) or a program rule."""

    rule: str
    clause: str
    severity: str
    message: str

    @property
    def title(self) -> str:
        """The rule in words, with its ACGME clause or "program rule"."""
        return rule_title(self.rule)


class RuleBreachError(DomainError):
    """The edit breaks rules and no reason was given; nothing was saved. `findings` lists each rule."""

    code = "rule_breach"

    def __init__(self, findings: list[RuleFinding]) -> None:
        rules = "; ".join(dict.fromkeys(finding.title for finding in findings))
        super().__init__(f"This change breaks: {rules}. Give a reason to save it anyway.")
        self.findings = findings

    def problem_members(self) -> dict[str, Any]:
        """The API's problem names each broken rule, as the edit page lists them."""
        return {"findings": [dataclasses.asdict(finding) | {"title": finding.title} for finding in self.findings]}


PROGRAM_RULE = "program rule"


def _version_for_edit(*, version: ScheduleVersion, person, user) -> ScheduleVersion:
    """The version, locked for the rest of the transaction, after checking the user may change the schedule,
    the version is not archived and the person is of its program.
    """
    locked = _version_locked(version=version, user=user)
    if person.program_id != locked.program_id:
        raise DomainError(f"{person.full_name} is not in {locked.program}.")
    return locked


def _version_locked(*, version: ScheduleVersion, user) -> ScheduleVersion:
    """The version, locked for the rest of the transaction, after checking the user may change the schedule
    and the version is not archived.
    """
    program = Organization.objects.get(pk=version.program_id)
    ensure_allowed(
        user,
        Action.CHANGE,
        "schedule",
        program,
        denied="Only the admins and coordinators of {program} can change its schedule.",
    )
    # Every edit of a version locks its row first, so edits of one version run one after another and each
    # check sees what the previous edit wrote (a person's calls and half-days, a rotation's residents).
    # Re-read after locking: the version may have been archived while we waited.
    locked = (
        ScheduleVersion.objects.select_for_update(of=("self",))
        .select_related("academic_year", "program")
        .get(pk=version.pk)
    )
    if locked.status == ScheduleVersion.Status.ARCHIVED:
        raise ConflictError(f"{locked} is archived; edit the draft or the published schedule instead.")
    return locked


EDIT_MARK = "Cell edit: "
UNDO_MARK = "Undo: "
ASSIGNMENT_MODELS = (BlockAssignment, SessionAssignment, CallAssignment)


def _stamp(row, *, reason: str, user, at: dt.datetime) -> None:
    """What the history entry of the row's next save or delete records: why (at most 100 characters, the
    history column's size; an override's full reason stays on the row), who, and the edit's time."""
    row._change_reason = reason[:100]
    row._history_user = user
    row._history_date = at


def _edit_mark(*, version: ScheduleVersion, user, at: dt.datetime, text: str) -> None:
    """An entry in the version's history at the edit's time, naming the edit (its rows carry the same time)."""
    version._history_user = user
    ScheduleVersion.history.bulk_history_create(
        [version], update=True, default_change_reason=text[:100], default_date=at
    )


def _summary(*, person, when: str, old: str, new: str) -> str:
    return f"{EDIT_MARK}{person.full_name}, {when}: {old or 'nothing'} → {new or 'nothing'}"


@contextmanager
def _conflict_on_duplicate() -> Iterator[None]:
    """Writes in a savepoint: a row another writer added meanwhile (a unique constraint) is a ConflictError."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ConflictError(
            "Someone else changed this cell at the same moment; reload the schedule and try again."
        ) from exc


def _acgme_findings(*, version: ScheduleVersion, person, changes) -> list[RuleFinding]:
    """The ACGME violations and warnings the change adds for the person (a resident), and the sessions it leaves
    under-supervised (whoever the person is)."""
    supervision = _supervision_findings(version=version, changes=changes)
    if person.kind != Person.Kind.RESIDENT:
        return supervision
    before = person_report(version=version, person_ids=[person.pk])
    known = {(v.rule, v.start, v.end, v.value) for v in before.violations}
    after = person_report(version=version, person_ids=[person.pk], changes=changes)
    return [acgme_finding(v) for v in after.violations if (v.rule, v.start, v.end, v.value) not in known] + supervision


def acgme_finding(v) -> RuleFinding:
    """An ACGME checker's violation (or warning) of a person as a RuleFinding: its value, limit and period."""
    message = f"{rule_measure(v.rule, v.value, v.limit)} ({v.start:%a %d %b %H:%M} to {v.end:%a %d %b %H:%M})."
    return RuleFinding(rule=v.rule, clause=v.clause, severity=v.severity, message=message)


def _supervision_findings(*, version: ScheduleVersion, changes) -> list[RuleFinding]:
    """The half-day sessions the change leaves with more supervision units than their faculty cover, or with
    more than they had: taking out a session's only faculty member, adding a PGY-1 to a full clinic."""
    keys = {(day, session) for _, day, session in changes.sessions}
    if not keys:
        return []
    before = supervision_report(version=version, keys=keys)
    excess = {(v.start, v.site): v.value - v.limit for v in before.violations}
    after = [
        v
        for v in supervision_report(version=version, keys=keys, changes=changes).violations
        if v.value - v.limit > excess.get((v.start, v.site), 0)
    ]
    sites = site_labels(program_id=version.program_id, sites={v.site for v in after})
    return [
        RuleFinding(
            rule=v.rule,
            clause=v.clause,
            severity=v.severity,
            message=f"{sites[v.site]}, {v.start:%a %d %b} {v.session}: {rule_measure(v.rule, v.value, v.limit)} "
            f"({len(v.residents)} resident(s), {len(v.faculty)} faculty).",
        )
        for v in after
    ]


def _call_spacing_findings(*, version: ScheduleVersion, person, changes) -> list[RuleFinding]:
    """Pairs of in-house call nights the change brings closer than the program allows."""
    program = Organization.objects.get(pk=version.program_id)
    rules = scheduling_settings(program).rules
    gap = max(1, rules.min_days_between_calls)
    zone = program.zone

    def close_pairs(nights: list[dt.date]) -> set[tuple[dt.date, dt.date]]:
        return {(a, b) for a, b in zip(nights, nights[1:], strict=False) if (b - a).days <= gap}

    before = close_pairs(call_nights(calls_with_changes(version, [person.pk], None), zone))
    after = close_pairs(call_nights(calls_with_changes(version, [person.pk], changes), zone))
    return [call_spacing_finding(a, b, rules=rules) for a, b in sorted(after - before)]


def call_spacing_finding(a: dt.date, b: dt.date, *, rules) -> RuleFinding:
    """Two in-house call nights closer than the program's rules allow, as a RuleFinding."""
    gap = max(1, rules.min_days_between_calls)
    what = "consecutive call nights" if (b - a).days == 1 else f"call nights {(b - a).days} days apart"
    return RuleFinding(
        rule="call_spacing",
        clause=PROGRAM_RULE,
        severity="violation",
        message=f"{a:%a %d %b} and {b:%a %d %b} are {what}; the program needs at least {gap} "
        f"night(s) off call after a call (at most {rules.max_consecutive_calls} in a row).",
    )


def _refuse_without_reason(findings: list[RuleFinding], reason: str) -> dict[str, Any]:
    """The override fields to save, or RuleBreachError when rules are broken and no reason was given."""
    if not findings:
        return {"override_reason": "", "acknowledged_by": None}
    if not reason.strip():
        raise RuleBreachError(findings)
    return {"override_reason": reason.strip(), "acknowledged_by": None}


def _changes_save(
    *, version: ScheduleVersion, changes, override: dict[str, Any], reason: str, user, at: dt.datetime
) -> None:
    """Write a Changes (sessions set or removed, calls removed and added) as manual rows, each in the history."""
    change_reason = reason.strip() or "Manual edit"
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
        if value is None:
            if row is not None:
                _stamp(row, reason=change_reason, user=user, at=at)
                row.delete()
            continue
        if row is None:
            row = SessionAssignment(program_id=version.program_id, version=version, person_id=key[0], date=key[1])
            row.session = key[2]
        row.activity, row.rotation_id = value
        row.source = Source.MANUAL
        row.override_reason, row.acknowledged_by = override["override_reason"], override["acknowledged_by"]
        _stamp(row, reason=change_reason, user=user, at=at)
        row.save()
    for call in CallAssignment.objects.filter(version=version, pk__in=changes.calls_removed):
        _stamp(call, reason=change_reason, user=user, at=at)
        call.delete()
    for added in changes.calls_added:
        call = CallAssignment(
            program_id=version.program_id,
            version=version,
            person_id=added.person_id,
            kind=added.kind,
            start=added.start,
            end=added.end,
            worked_hours=None if added.worked_hours is None else Decimal(str(added.worked_hours)),
            source=Source.MANUAL,
            **override,
        )
        _stamp(call, reason=change_reason, user=user, at=at)
        call.save()


@transaction.atomic
def block_assignment_change(
    *, version: ScheduleVersion, person, block: Block, rotation, user, reason: str = ""
) -> BlockAssignment:
    """Give a resident `rotation` for the whole `block` of the version; their half-days and call times in the
    block are re-derived as the engine would. Checked first: PGY eligibility, the rotation's maximum residents,
    and the ACGME rules; breaking any needs a `reason` (saved with the user who acknowledged it).
    """
    version = _version_for_edit(version=version, person=person, user=user)
    if person.kind != Person.Kind.RESIDENT or not person.is_active:
        raise DomainError(f"Block rotations are for active residents; {person.full_name} is not one.")
    if block.academic_year_id != version.academic_year_id:
        raise DomainError(f"Block {block.number} is not a block of {version.academic_year}.")
    if rotation.program_id != version.program_id or not rotation.is_active:
        raise DomainError(f"{rotation.name} is not an active rotation of this program.")
    findings: list[RuleFinding] = []
    if not rotation.min_pgy <= person.pgy <= rotation.max_pgy:
        findings.append(
            RuleFinding(
                "pgy_eligibility",
                PROGRAM_RULE,
                "violation",
                f"{rotation.name} takes PGY {rotation.min_pgy}-{rotation.max_pgy}; "
                f"{person.full_name} is PGY-{person.pgy}.",
            )
        )
    others = (
        BlockAssignment.objects.filter(version=version, block=block, rotation=rotation)
        .exclude(person=person)
        .values("person_id")
        .distinct()
        .count()
    )
    if rotation.max_residents is not None and others + 1 > rotation.max_residents:
        findings.append(
            RuleFinding(
                "rotation_max_residents",
                PROGRAM_RULE,
                "violation",
                f"{rotation.name} takes at most {rotation.max_residents} residents in block {block.number}; "
                f"this makes {others + 1}.",
            )
        )
    changes = block_changes(version=version, person=person, block=block, rotation=rotation)
    findings += _acgme_findings(version=version, person=person, changes=changes)
    override = _refuse_without_reason(findings, reason)
    if override["override_reason"]:
        override["acknowledged_by"] = user
    rows = BlockAssignment.objects.filter(version=version, person=person, block=block)
    at = timezone.now()
    with _conflict_on_duplicate():
        for row in rows.exclude(half=BlockAssignment.Half.WHOLE):
            _stamp(row, reason=reason.strip() or "Manual edit", user=user, at=at)
            row.delete()
        before = ", ".join(sorted({row.rotation.name for row in rows.select_related("rotation")}))
        assignment = rows.first() or BlockAssignment(
            program_id=version.program_id, version=version, person=person, block=block
        )
        assignment.rotation, assignment.source = rotation, Source.MANUAL
        assignment.override_reason = override["override_reason"]
        assignment.acknowledged_by = override["acknowledged_by"]
        _stamp(assignment, reason=reason.strip() or "Manual edit", user=user, at=at)
        assignment.save()
        _changes_save(version=version, changes=changes, override=override, reason=reason, user=user, at=at)
    when = f"Block {block.number}"
    _edit_mark(
        version=version, user=user, at=at, text=_summary(person=person, when=when, old=before, new=rotation.name)
    )
    announce_change(version=version, person=person, when=when, old=before, new=rotation.name)
    acgme_alerts_on_commit(version=version, person_ids=[person.pk], first=block.start_date, last=block.end_date)
    return assignment


@transaction.atomic
def session_assignment_change(
    *, version: ScheduleVersion, person, date: dt.date, session: str, activity: str, user, reason: str = ""
) -> SessionAssignment:
    """Set what the person does in one half-day of the version, checked against the ACGME rules first
    (breaking one needs a `reason`). A duty half-day keeps the row's rotation; off, leave, post-call and
    continuity clinic have none.
    """
    version = _version_for_edit(version=version, person=person, user=user)
    year = version.academic_year
    if not year.start_date <= date <= year.end_date:
        raise DomainError(f"{date:%d %b %Y} is outside {year} ({year.start_date} to {year.end_date}).")
    if session not in Session.values:
        raise DomainError(f"The session must be AM or PM (got {session!r}).")
    if activity not in SessionAssignment.Activity.values:
        raise DomainError(f"Unknown activity {activity!r}.")
    current = SessionAssignment.objects.filter(version=version, person=person, date=date, session=session).first()
    if current is not None and current.activity == activity:
        return current
    keep = current is not None and activity not in FREE_ACTIVITIES and activity != SessionAssignment.Activity.CLINIC
    changes = Changes(sessions={(person.pk, date, session): (activity, current.rotation_id if keep else None)})
    findings = _acgme_findings(version=version, person=person, changes=changes)
    override = _refuse_without_reason(findings, reason)
    if override["override_reason"]:
        override["acknowledged_by"] = user
    at = timezone.now()
    with _conflict_on_duplicate():
        _changes_save(version=version, changes=changes, override=override, reason=reason, user=user, at=at)
    when = f"{date:%a %d %b %Y} {session}"
    resident = person.kind == Person.Kind.RESIDENT
    old = activity_label(current.activity, resident=resident) if current is not None else ""
    new = activity_label(activity, resident=resident)
    _edit_mark(version=version, user=user, at=at, text=_summary(person=person, when=when, old=old, new=new))
    announce_change(version=version, person=person, when=when, old=old, new=new)
    acgme_alerts_on_commit(version=version, person_ids=[person.pk], first=date, last=date)
    return SessionAssignment.objects.get(version=version, person=person, date=date, session=session)


CALL_ACTIONS = ("add", "remove", "move")


@transaction.atomic
def call_assignment_change(
    *,
    version: ScheduleVersion,
    person,
    date: dt.date,
    action: str,
    user,
    to_date: dt.date | None = None,
    post_call: bool = True,
    reason: str = "",
) -> CallAssignment | None:
    """Add, remove or move (to `to_date`) the person's in-house call starting on the night of `date`.

    A new call runs as the engine derives it (after the day's work, else 24 h from the AM start, to the
    call end next morning); `post_call` makes the duty half-days of the next day post-call. Checked first
    against the ACGME rules and the program's call spacing; breaking one needs a `reason`.
    Returns the new call (None when removed).
    """
    version = _version_for_edit(version=version, person=person, user=user)
    if person.kind != Person.Kind.RESIDENT:
        raise DomainError(f"In-house call is for residents; {person.full_name} is not one.")
    if action not in CALL_ACTIONS:
        raise DomainError(f"Choose to add, remove or move the call (got {action!r}).")
    year = version.academic_year
    target = to_date if action == "move" else date
    for day in (date, target):
        if day is None:
            raise DomainError("Give the date to move the call to.")
        if not year.start_date <= day <= year.end_date:
            raise DomainError(f"{day:%d %b %Y} is outside {year} ({year.start_date} to {year.end_date}).")
    if action == "move" and target == date:
        raise DomainError("The call already starts on that date; choose another date to move it to.")
    zone = Organization.objects.get(pk=version.program_id).zone
    calls = CallAssignment.objects.filter(version=version, person=person, kind=CallAssignment.Kind.IN_HOUSE)
    on_date = [call for call in calls if call.start.astimezone(zone).date() == date]
    if action == "add" and on_date:
        raise ConflictError(f"{person.full_name} already has an in-house call on {date:%a %d %b}.")
    if action in ("remove", "move") and not on_date:
        raise DomainError(f"{person.full_name} has no in-house call on {date:%a %d %b} to {action}.")
    removed = frozenset(call.pk for call in on_date) if action != "add" else frozenset()
    if action == "move" and any(call.start.astimezone(zone).date() == target for call in calls):
        raise ConflictError(f"{person.full_name} already has an in-house call on {target:%a %d %b}.")
    added: tuple[CallChange, ...] = ()
    sessions: dict[tuple[int, dt.date, str], tuple[str, int | None] | None] = {}
    if action in ("add", "move"):
        start, end = call_period(version=version, person=person, day=target, changes=Changes(calls_removed=removed))
        added = (CallChange(person.pk, CallAssignment.Kind.IN_HOUSE, start, end),)
        if post_call:
            after = target + dt.timedelta(days=1)
            for session, activity in (
                activities_with_changes(version, [person.pk], None).get((person.pk, after), {}).items()
            ):
                if activity not in FREE_ACTIVITIES:
                    sessions[(person.pk, after, session)] = (SessionAssignment.Activity.POST_CALL, None)
    changes = Changes(sessions=sessions, calls_removed=removed, calls_added=added)
    findings = _acgme_findings(version=version, person=person, changes=changes)
    findings += _call_spacing_findings(version=version, person=person, changes=changes)
    override = _refuse_without_reason(findings, reason)
    if override["override_reason"]:
        override["acknowledged_by"] = user
    at = timezone.now()
    with _conflict_on_duplicate():
        _changes_save(version=version, changes=changes, override=override, reason=reason, user=user, at=at)
    old = f"the night of {date:%a %d %b}" if removed else ""
    new = f"the night of {target:%a %d %b}" if added else ""
    _edit_mark(version=version, user=user, at=at, text=_summary(person=person, when="In-house call", old=old, new=new))
    announce_change(version=version, person=person, when="In-house call", old=old, new=new)
    days = [date, target + dt.timedelta(days=1)]
    acgme_alerts_on_commit(version=version, person_ids=[person.pk], first=min(days), last=max(days))
    if not added:
        return None
    return CallAssignment.objects.get(version=version, person=person, start=added[0].start)


# Undoing the last cell edit of a version (one level), from the history the edit wrote.


@dataclasses.dataclass(frozen=True, slots=True)
class LastEdit:
    """The newest cell edit of a version (or the undo of it), as the version's history records it."""

    summary: str
    user: Any
    at: dt.datetime
    undone: bool


def _marks(version: ScheduleVersion) -> QuerySet:
    """The version's history entries of cell edits and undos, newest first."""
    marked = Q(history_change_reason__startswith=EDIT_MARK) | Q(history_change_reason__startswith=UNDO_MARK)
    return ScheduleVersion.history.filter(marked, id=version.pk).order_by("-history_date", "-history_id")


def schedule_version_last_edit(*, version: ScheduleVersion) -> LastEdit | None:
    """The version's newest cell edit and whether it is already undone (None when it has had no edit)."""
    mark = _marks(version).select_related("history_user").first()
    if mark is None:
        return None
    text, undone = mark.history_change_reason, mark.history_change_reason.startswith(UNDO_MARK)
    summary = text.removeprefix(UNDO_MARK).removeprefix(EDIT_MARK)
    return LastEdit(summary=summary, user=mark.history_user, at=mark.history_date, undone=undone)


def _rows_before(version: ScheduleVersion, at: dt.datetime) -> list[tuple[type, int, Any]]:
    """(model, row id, its history entry from before the edit at `at`, None if the edit created it) for every
    row the edit wrote. A row the edit deleted is put back from its deletion entry, which holds its values.
    """
    before = []
    for model in ASSIGNMENT_MODELS:
        first: dict[int, Any] = {}
        for entry in model.history.filter(version_id=version.pk, history_date=at).order_by("history_id"):
            first.setdefault(entry.id, entry)
        for row_id, entry in first.items():
            if entry.history_type == "+":
                before.append((model, row_id, None))
            elif entry.history_type == "-":
                before.append((model, row_id, entry))
            else:
                earlier = (
                    model.history.filter(id=row_id, history_date__lt=at)
                    .order_by("-history_date", "-history_id")
                    .first()
                )
                if earlier is None:
                    raise ConflictError("The history of this edit is incomplete; it cannot be undone exactly.")
                before.append((model, row_id, earlier))
    return before


@transaction.atomic
def schedule_version_undo(*, version: ScheduleVersion, user) -> str:
    """Undo the version's last cell edit: every row it wrote (the rotation, its half-days and calls) is put
    back as it was, from the history, and the undo is itself recorded ("Undo: ..."). One level: an undo is
    not undone, and an edit followed by another change of the version's rows is refused. Returns what was
    undone.
    """
    locked = _version_locked(version=version, user=user)
    mark = _marks(locked).first()
    if mark is None:
        raise DomainError(f"Version {locked.number} has no cell edit to undo.")
    if mark.history_change_reason.startswith(UNDO_MARK):
        raise ConflictError(
            f"The last cell edit of version {locked.number} is already undone; only the last change can be undone."
        )
    at = mark.history_date
    if any(model.history.filter(version_id=locked.pk, history_date__gt=at).exists() for model in ASSIGNMENT_MODELS):
        raise ConflictError(
            f"Version {locked.number} changed after its last cell edit; that edit can no longer be undone."
        )
    now, reason = timezone.now(), f"{UNDO_MARK}{mark.history_change_reason}"
    rows = _rows_before(locked, at)
    for model, row_id, earlier in rows:  # first remove what the edit added, so the put-back rows fit
        added = model.objects.filter(pk=row_id).first() if earlier is None else None
        if added is not None:
            _stamp(added, reason=reason, user=user, at=now)
            added.delete()
    for model, _row_id, earlier in rows:
        if earlier is not None:
            row = model(**{field.attname: getattr(earlier, field.attname) for field in earlier.tracked_fields})
            _stamp(row, reason=reason, user=user, at=now)
            row.save()
    _edit_mark(version=locked, user=user, at=now, text=reason)
    summary = mark.history_change_reason.removeprefix(EDIT_MARK)
    people = set()
    for model in ASSIGNMENT_MODELS:
        people |= set(model.history.filter(version_id=locked.pk, history_date=at).values_list("person_id", flat=True))
    for person in Person.objects.filter(pk__in=people):
        announce_change(version=locked, person=person, when="A change was undone", old=summary, new="as before")
    return summary
