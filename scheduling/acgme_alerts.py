"""ACGME alerts: a change to the published schedule that leaves a breach, or brings a resident within 5 hours of
the weekly-hours limit averaged over 4 weeks, is announced to the program's managers (Event.ACGME_WARNING).

The changes that call it, after their transaction commits (`acgme_alerts_on_commit`): a cell edit or its undo
(scheduling.services.edits), a swap carried out or rolled back (swaps.services), an approved absence changing or
moved (the `Absence` post_save receiver `absence_saved`, connected in scheduling.apps: absences sits below
scheduling and never calls it). Only the changed people are checked, with the compliance page's reading and checker
(`compliance.version_duties` + `engine.acgme.check`; an absence's check also lays the person's approved leave over
the rows, as its impact page does), and only the findings whose window holds a changed day are sent. "Near the
limit" is the same checker with the weekly limit lowered by NEAR_MARGIN_HOURS. Each manager hears of a person's
rule and window once: a later finding of the same rule whose 4-week window overlaps one already sent is not sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from absences.models import Absence
from notifications.events import Event
from notifications.models import Notification
from notifications.services import notify_once
from scheduling.compliance import (
    WEEKLY_LIMIT_DEFAULT,
    Changes,
    absence_changes,
    rule_measure,
    rule_title,
    version_duties,
)
from scheduling.engine.acgme import Report, check
from scheduling.engine.duties import parse_duties
from scheduling.models import CallAssignment, Person, ScheduleVersion
from scheduling.program_settings import scheduling_settings
from tenants.models import Organization
from tenants.selectors import MANAGER_ROLES, program_members, role_in

logger = logging.getLogger(__name__)

NEAR_MARGIN_HOURS = 5.0
NEAR_RULE = "weekly_hours_near"  # the key's rule of a 4-week average within the margin of the limit
KEY_PREFIX = "acgme"


@dataclass(frozen=True, slots=True)
class Alert:
    """One finding to announce: a breach (`near` False) or a weekly average within the margin of the limit."""

    person: Person
    rule: str
    start: dt.datetime
    end: dt.datetime
    value: float
    limit: float
    near: bool = False
    with_leave: bool = False  # found with the person's approved absences laid over the rows

    @property
    def key_rule(self) -> str:
        return NEAR_RULE if self.near else self.rule

    @property
    def window(self) -> str:
        """ "01 Jul to 28 Jul 2026": the window's local dates, inclusive."""
        last = (self.end - dt.timedelta(seconds=1)).date()
        return f"{self.start:%d %b} to {last:%d %b %Y}"

    @property
    def detail(self) -> str:
        return self._measure + (" With the approved absence counted as leave." if self.with_leave else "")

    @property
    def _measure(self) -> str:
        if self.near:
            return (
                f"{self.value:.1f} h a week averaged over the 4 weeks {self.window}, within {NEAR_MARGIN_HOURS:g} h "
                f"of the {self.limit:g}-hour limit."
            )
        return f"{rule_measure(self.rule, round(self.value, 1), self.limit)}, {self.window}."


def _checked(duties: dict, weekly_hours: float | None = None) -> Report:
    if weekly_hours is not None:
        duties = {**duties, "rules": {**duties["rules"], "weekly_hours": weekly_hours}}
    return check(parse_duties(duties))


def _touches(start: dt.datetime, end: dt.datetime, first: dt.date, last: dt.date) -> bool:
    """Whether the finding's window (or period) holds a day from first to last."""
    return start.date() <= last and (end - dt.timedelta(seconds=1)).date() >= first


def acgme_alerts_find(
    *,
    version: ScheduleVersion,
    person_ids: Iterable[int],
    first: dt.date,
    last: dt.date,
    changes: Changes | None = None,
) -> list[Alert]:
    """The breaches of the people's residents in the version (with `changes`) whose window or period holds a day from
    `first` to `last`, and their 4-week weekly-hours averages there within NEAR_MARGIN_HOURS of the limit."""
    people = Person.objects.filter(
        program_id=version.program_id, pk__in=list(person_ids), kind=Person.Kind.RESIDENT
    ).in_bulk()
    if not people:
        return []
    duties = version_duties(version=version, person_ids=list(people), changes=changes)
    limit = float(duties["rules"].get("weekly_hours", WEEKLY_LIMIT_DEFAULT))
    alerts = []
    for v in _checked(duties).violations:
        if v.severity == "violation" and v.person and _touches(v.start, v.end, first, last):
            alerts.append(Alert(people[int(v.person[1:])], v.rule, v.start, v.end, v.value, v.limit))
    for v in _checked(duties, max(limit - NEAR_MARGIN_HOURS, 1.0)).violations:
        if v.rule == "weekly_hours" and v.value <= limit and _touches(v.start, v.end, first, last):
            alerts.append(Alert(people[int(v.person[1:])], v.rule, v.start, v.end, v.value, limit, near=True))
    return alerts


def _key(person_id: int, rule: str, start: dt.date) -> str:
    return f"{KEY_PREFIX}:{person_id}:{rule}:{start.isoformat()}"


def _already_told(program: Organization, alert: Alert, window_days: int) -> set[int]:
    """The users already told of this person's rule in a window overlapping the alert's."""
    prefix = f"{KEY_PREFIX}:{alert.person.pk}:{alert.key_rule}:"
    told = set()
    rows = Notification.objects.filter(program=program, event=Event.ACGME_WARNING, once_key__startswith=prefix)
    for user_id, key in rows.values_list("recipient_id", "once_key"):
        try:
            start = dt.date.fromisoformat(key.removeprefix(prefix))
        except ValueError:
            continue
        if abs((start - alert.start.date()).days) < window_days:
            told.add(user_id)
    return told


def _link(version: ScheduleVersion, alert: Alert) -> str:
    """The compliance page's "Week" link of the finding: the person's week at the window's start, in the version."""
    return f"{reverse('schedule-week')}?start={alert.start:%Y-%m-%d}&person={alert.person.pk}&version={version.pk}"


def acgme_alerts_send(*, version: ScheduleVersion, alerts: Iterable[Alert]) -> list[Notification]:
    """Tell the program's coordinators and admins (each by their preferences for the event) of each alert, once
    per person, rule and window; returns the inbox items made."""
    alerts = list(alerts)
    if not alerts:
        return []
    program = Organization.objects.get(pk=version.program_id)
    managers = [member for member in program_members(program) if role_in(member, program) in MANAGER_ROLES]
    window_days = int(scheduling_settings(program).acgme.get("window_days", 28))
    made: list[Notification] = []
    for alert in alerts:
        told = _already_told(program, alert, window_days)
        recipients = [user for user in managers if user.pk not in told]
        if not recipients:
            continue
        title = rule_title(alert.rule)
        made += notify_once(
            key=_key(alert.person.pk, alert.key_rule, alert.start.date()),
            recipients=recipients,
            event=Event.ACGME_WARNING,
            context={
                "person": alert.person.full_name,
                "rule": f"near the limit: {title}" if alert.near else title,
                "detail": alert.detail,
            },
            program=program,
            link=_link(version, alert),
        )
    return made


def acgme_alerts_check(
    *, version_id: int, person_ids: Iterable[int], first: dt.date, last: dt.date, with_leave: bool = False
) -> list[Notification]:
    """Check the people in the version, if it is still the published one, over the windows holding a day from
    `first` to `last`, and announce what is found (`with_leave`: their approved absences laid over the rows)."""
    version = ScheduleVersion.objects.select_related("program").filter(pk=version_id).first()
    if version is None or version.status != ScheduleVersion.Status.PUBLISHED:
        return []
    person_ids = list(person_ids)
    changes = None
    if with_leave:
        absences = Absence.objects.filter(program_id=version.program_id, person_id__in=person_ids).approved()
        calls = CallAssignment.objects.filter(version=version, person_id__in=person_ids)
        changes = absence_changes(absences=absences, calls=calls, zone=version.program.zone)
    alerts = acgme_alerts_find(version=version, person_ids=person_ids, first=first, last=last, changes=changes)
    alerts = [dataclasses.replace(alert, with_leave=with_leave) for alert in alerts]
    return acgme_alerts_send(version=version, alerts=alerts)


def acgme_alerts_on_commit(
    *, version: ScheduleVersion, person_ids: Iterable[int], first: dt.date, last: dt.date, with_leave: bool = False
) -> None:
    """After the surrounding transaction commits (nothing when it rolls back), check and announce: a change to a
    draft is no one's schedule yet and sends nothing. An error is logged, never raised to the change's caller."""
    if version.status != ScheduleVersion.Status.PUBLISHED:
        return
    version_id, people = version.pk, sorted(set(person_ids))

    def run() -> None:
        try:
            acgme_alerts_check(version_id=version_id, person_ids=people, first=first, last=last, with_leave=with_leave)
        except Exception:  # an alert must never undo or fail the change that was saved
            logger.exception("ACGME alert check failed for version %s, people %s", version_id, people)

    transaction.on_commit(run)


def absence_saved(sender, instance: Absence, created: bool, update_fields=None, **kwargs) -> None:
    """An absence approved (or an approved one moved) changes what the checker reads for its person in each
    published version its dates touch: check them after commit."""
    if instance.status != Absence.Status.APPROVED:
        return
    if not created and update_fields is not None and not {"status", "end_date", "start_date"} & set(update_fields):
        return
    versions = ScheduleVersion.objects.filter(
        program_id=instance.program_id,
        status=ScheduleVersion.Status.PUBLISHED,
        academic_year__start_date__lte=instance.end_date,
        academic_year__end_date__gte=instance.start_date,
    )
    for version in versions:
        acgme_alerts_on_commit(
            version=version,
            person_ids=[instance.person_id],
            first=instance.start_date,
            last=instance.end_date,
            with_leave=True,
        )
