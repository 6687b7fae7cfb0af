"""Saved export templates: create, change, delete, run, and their scheduled email deliveries.

Templates belong to the program's managers (Resource.EXPORT: admins and coordinators): a shared template is
used and changed by all of them, a private one by its creator only. A delivery emails the template's file to
chosen members of the program who may read what it holds (the schedule: any member who reads the schedule;
people and absences: the managers), weekly or monthly at an hour of the program's time zone, once per period.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from integrations.exports import catalogue
from integrations.exports.files import ExportFile, table_file
from integrations.exports.models import ExportDelivery, ExportTemplate
from integrations.exports.tables import template_table
from notifications.services import email_file_send_once
from scheduling.models import Person, RotationTemplate
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization, User
from tenants.permissions import Action, Resource, can
from tenants.selectors import program_members

logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = (
    "name",
    "dataset",
    "file_format",
    "columns",
    "filters",
    "range_preset",
    "start_offset_days",
    "length_days",
    "grouping",
    "shared",
)
FILTER_KEYS = ("people", "pgy", "rotations", "kinds")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class TemplateInvalid(DomainError):
    """A template or delivery field is wrong; `field` names it, so a form shows the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, code="invalid")
        self.field = field


# --- Reads ---


def export_template_list(*, program: Organization, user: User) -> QuerySet[ExportTemplate]:
    """The templates `user` may use in the program: the shared ones and their own private ones."""
    return (
        ExportTemplate.objects.for_program(program)
        .filter(Q(shared=True) | Q(created_by=user))
        .select_related("created_by", "delivery", "program")
        .order_by("name")
    )


def _check_may(user: User, action: Action, template: ExportTemplate) -> None:
    if not can(user, action, template, template.program):
        raise DomainError("Only the program's admins and coordinators use export templates.", code="forbidden")
    if not template.shared and template.created_by_id != user.pk:
        raise DomainError("This template is private to the coordinator who made it.", code="forbidden")


# --- Validation ---


def _ids(program: Organization, model, values: Any, field: str, what: str) -> list[int]:
    if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise TemplateInvalid("filters", f"Filter “{field}” is a list of {what} ids.")
    found = set(model.objects.for_program(program).filter(pk__in=values).values_list("pk", flat=True))
    missing = [v for v in values if v not in found]
    if missing:
        raise TemplateInvalid("filters", f"No {what} with id {missing[0]} in {program.name}.")
    return sorted(set(values))


def _clean_filters(program: Organization, filters: Any) -> dict[str, list]:
    if filters in (None, ""):
        return {}
    if not isinstance(filters, dict):
        raise TemplateInvalid("filters", "Filters are an object: people, pgy, rotations, kinds.")
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise TemplateInvalid("filters", f"Unknown filter “{unknown[0]}”: use {', '.join(FILTER_KEYS)}.")
    clean: dict[str, list] = {}
    if filters.get("people"):
        clean["people"] = _ids(program, Person, filters["people"], "people", "person")
    if filters.get("rotations"):
        clean["rotations"] = _ids(program, RotationTemplate, filters["rotations"], "rotations", "rotation")
    pgy = filters.get("pgy") or []
    if not isinstance(pgy, list) or any(not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 8 for v in pgy):
        raise TemplateInvalid("filters", "Filter “pgy” is a list of PGY levels from 1 to 8.")
    if pgy:
        clean["pgy"] = sorted(set(pgy))
    kinds = filters.get("kinds") or []
    if not isinstance(kinds, list) or any(k not in catalogue.PERSON_KINDS for k in kinds):
        raise TemplateInvalid("filters", f"Filter “kinds” is a list of {', '.join(catalogue.PERSON_KINDS)}.")
    if kinds:
        clean["kinds"] = sorted(set(kinds))
    return clean


def _clean(program: Organization, values: dict[str, Any]) -> dict[str, Any]:
    """The template's fields checked and normalised; TemplateInvalid names the first field at fault."""
    name = str(values.get("name") or "").strip()
    if not name:
        raise TemplateInvalid("name", "Give the template a name.")
    if len(name) > 120:
        raise TemplateInvalid("name", "A template's name has at most 120 characters.")
    dataset = values.get("dataset") or catalogue.SCHEDULE
    if dataset not in catalogue.FORMATS_OF:
        raise TemplateInvalid("dataset", f"Unknown export “{dataset}”: use {', '.join(catalogue.FORMATS_OF)}.")
    file_format = values.get("file_format") or catalogue.XLSX
    allowed = catalogue.FORMATS_OF[dataset]
    if file_format not in allowed:
        raise TemplateInvalid("file_format", f"A {dataset} export can be {', '.join(allowed)}, not “{file_format}”.")
    columns = values.get("columns") or []
    known = [c.key for c in catalogue.COLUMNS[dataset]]
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise TemplateInvalid("columns", "Columns are a list of column names.")
    for column in columns:
        if column not in known:
            raise TemplateInvalid(
                "columns", f"A {dataset} export has no column “{column}”: choose from {', '.join(known)}."
            )
    if len(set(columns)) != len(columns):
        raise TemplateInvalid("columns", "Each column may appear once.")
    preset = values.get("range_preset") or catalogue.NEXT_4_WEEKS
    if preset not in dict(catalogue.RANGES):
        raise TemplateInvalid("range_preset", f"Unknown range “{preset}”: use {', '.join(dict(catalogue.RANGES))}.")
    offset, length = values.get("start_offset_days", 0) or 0, values.get("length_days", 28) or 28
    if not isinstance(offset, int) or not -366 <= offset <= 366:
        raise TemplateInvalid("start_offset_days", "The range starts from 366 days before to 366 days after today.")
    if not isinstance(length, int) or not 1 <= length <= catalogue.MAX_LENGTH_DAYS:
        raise TemplateInvalid("length_days", f"The range is 1 to {catalogue.MAX_LENGTH_DAYS} days long.")
    grouping = values.get("grouping") or catalogue.BY_PERSON
    if grouping not in dict(catalogue.GROUPINGS):
        raise TemplateInvalid("grouping", f"Unknown grouping “{grouping}”: use {', '.join(dict(catalogue.GROUPINGS))}.")
    return {
        "name": name,
        "dataset": dataset,
        "file_format": file_format,
        "columns": columns,
        "filters": _clean_filters(program, values.get("filters")),
        "range_preset": preset,
        "start_offset_days": offset,
        "length_days": length,
        "grouping": grouping,
        "shared": bool(values.get("shared", True)),
    }


def _check_name_free(program: Organization, name: str, template: ExportTemplate | None) -> None:
    others = ExportTemplate.objects.for_program(program).filter(name__iexact=name)
    if template is not None:
        others = others.exclude(pk=template.pk)
    if others.exists():
        raise ConflictError(f"{program.name} already has an export template named “{name}”.")


# --- Writes ---


@transaction.atomic
def export_template_create(
    *, program: Organization, user: User, values: dict[str, Any], delivery: dict[str, Any] | None = None
) -> ExportTemplate:
    """Save a new template (and its delivery, if given) for the program's managers or, private, for `user`."""
    if not can(user, Action.ADD, Resource.EXPORT, program):
        raise DomainError("Only the program's admins and coordinators make export templates.", code="forbidden")
    clean = _clean(program, values)
    _check_name_free(program, clean["name"], None)
    template = ExportTemplate.objects.create(program=program, created_by=user, **clean)
    if delivery is not None:
        export_delivery_set(template=template, user=user, values=delivery)
    return template


@transaction.atomic
def export_template_update(
    *,
    template: ExportTemplate,
    user: User,
    values: dict[str, Any],
    delivery: dict[str, Any] | None = None,
    unschedule: bool = False,
) -> ExportTemplate:
    """Change a template (fields not given keep their value); `delivery` sets or changes its schedule,
    `unschedule` stops it."""
    _check_may(user, Action.CHANGE, template)
    template = ExportTemplate.objects.select_for_update().get(pk=template.pk)
    current = {f: getattr(template, f) for f in TEMPLATE_FIELDS}
    clean = _clean(template.program, {**current, **values})
    if not clean["shared"] and template.created_by_id not in (None, user.pk):
        raise TemplateInvalid("shared", "Only its creator may make a shared template private.")
    _check_name_free(template.program, clean["name"], template)
    for name, value in clean.items():
        setattr(template, name, value)
    template.save()
    if delivery is not None:
        export_delivery_set(template=template, user=user, values=delivery)
    elif unschedule:
        ExportDelivery.objects.filter(template=template).delete()
    return template


@transaction.atomic
def export_template_delete(*, template: ExportTemplate, user: User) -> None:
    """Delete a template and its scheduled delivery."""
    _check_may(user, Action.DELETE, template)
    template.delete()


# --- Deliveries ---


def recipient_resource(template: ExportTemplate) -> Resource:
    """What a recipient must be allowed to read: the schedule, or (people, absences) the managers' exports."""
    return Resource.SCHEDULE if template.dataset == catalogue.SCHEDULE else Resource.EXPORT


def eligible_recipients(template: ExportTemplate) -> list[User]:
    """The program's members who may receive this template's file, by name."""
    resource = recipient_resource(template)
    members = program_members(template.program).exclude(email="").order_by("last_name", "first_name", "email")
    return [u for u in members if can(u, Action.VIEW, resource, template.program)]


def _current_period(delivery: ExportDelivery, local: dt.datetime) -> dt.date:
    """The first day of the period `local` is in: the last send day (weekday or day of month) whose send hour
    has come."""
    today = local.date()
    if delivery.frequency == ExportDelivery.Frequency.MONTHLY:
        day = today.replace(day=delivery.day_of_month)
        if day > today or (day == today and local.hour < delivery.hour):
            previous = today.replace(day=1) - dt.timedelta(days=1)
            day = previous.replace(
                day=min(delivery.day_of_month, calendar.monthrange(previous.year, previous.month)[1])
            )
        return day
    day = today - dt.timedelta(days=(today.weekday() - delivery.weekday) % 7)
    if day == today and local.hour < delivery.hour:
        day -= dt.timedelta(days=7)
    return day


def _int(values: dict[str, Any], name: str, low: int, high: int, default: int, message: str) -> int:
    value = values.get(name, default)
    if value in (None, ""):
        value = default
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise TemplateInvalid(name, message)
    return value


@transaction.atomic
def export_delivery_set(*, template: ExportTemplate, user: User, values: dict[str, Any]) -> ExportDelivery:
    """Schedule (or reschedule) the template's email: `frequency` weekly|monthly, `weekday` 0-6 or `day_of_month`
    1-28, `hour` 0-23, `recipients` (user ids of members who may read it), `is_active`. The first email goes at
    the next send time after this: a period already begun is not sent."""
    _check_may(user, Action.CHANGE, template)
    frequency = values.get("frequency") or ExportDelivery.Frequency.WEEKLY
    if frequency not in ExportDelivery.Frequency.values:
        raise TemplateInvalid("frequency", "Send it weekly or monthly.")
    weekday = _int(values, "weekday", 0, 6, 0, "The weekday is 0 (Monday) to 6 (Sunday).")
    day = _int(values, "day_of_month", 1, 28, 1, "The day of the month is 1 to 28 (every month has it).")
    hour = _int(values, "hour", 0, 23, 7, "The hour is 0 to 23, in the program's time zone.")
    wanted = values.get("recipients") or []
    ids = [getattr(r, "pk", r) for r in wanted]
    if not ids:
        raise TemplateInvalid("recipients", "Choose at least one recipient.")
    eligible = {u.pk: u for u in eligible_recipients(template)}
    refused = [pk for pk in ids if pk not in eligible]
    if refused:
        raise TemplateInvalid(
            "recipients",
            "Recipients are members of the program who may read this export"
            + (" (its admins and coordinators)." if recipient_resource(template) == Resource.EXPORT else ".")
            + f" User {refused[0]} is not one.",
        )
    delivery = ExportDelivery.objects.filter(template=template).first() or ExportDelivery(
        program=template.program, template=template
    )
    delivery.frequency, delivery.weekday, delivery.day_of_month, delivery.hour = frequency, weekday, day, hour
    delivery.is_active = bool(values.get("is_active", True))
    local = timezone.now().astimezone(template.program.zone)
    delivery.last_sent_period = max(delivery.last_sent_period or dt.date.min, _current_period(delivery, local))
    delivery.save()
    delivery.recipients.set([eligible[pk] for pk in ids])
    return delivery


@transaction.atomic
def export_delivery_remove(*, template: ExportTemplate, user: User) -> None:
    """Stop the template's scheduled email."""
    _check_may(user, Action.CHANGE, template)
    ExportDelivery.objects.filter(template=template).delete()


def export_template_run(
    *, template: ExportTemplate, file_format: str | None = None, today: dt.date | None = None
) -> ExportFile:
    """The template's file as of `today` (the program's today by default), in its format or `file_format`."""
    file_format = file_format or template.file_format
    if file_format not in catalogue.FORMATS_OF[template.dataset]:
        raise DomainError(f"A {template.dataset} export can be {', '.join(catalogue.FORMATS_OF[template.dataset])}.")
    return table_file(template_table(template=template, today=today), file_format)


def _send(delivery: ExportDelivery, period: dt.date, local: dt.datetime) -> int:
    template = delivery.template
    try:
        export = export_template_run(template=template, today=local.date())
    except DomainError as exc:
        logger.warning("Export template %s: period %s not sent: %s", template.pk, period, exc)
        return 0
    allowed = {u.pk for u in eligible_recipients(template)}
    every = "week" if delivery.frequency == ExportDelivery.Frequency.WEEKLY else "month"
    sent = 0
    for user in delivery.recipients.all():
        if user.pk not in allowed:
            continue  # left the program or lost the role since being chosen
        log = email_file_send_once(
            program=template.program,
            recipient=user,
            subject=f"{template.name}: {template.program.name}",
            context={"template_name": template.name, "period_label": f"every {every}", "range_label": export.name},
            idempotency_key=f"export-template:{template.pk}:{period.isoformat()}:{user.pk}",
            file_name=export.name,
            file_type=export.content_type.split(";")[0],  # the mail part names its own charset
            content=export.body,
        )
        sent += log is not None
    return sent


def export_deliveries_send_due(*, now: dt.datetime | None = None) -> int:
    """Send every active delivery whose period has begun and was not sent yet; returns how many emails were
    queued. Each delivery is locked while it is sent and remembers its period, and each email's idempotency key
    names the template, the period and the recipient: a period goes once however often this runs."""
    now = now or timezone.now()
    sent = 0
    due = ExportDelivery.objects.filter(is_active=True, program__is_active=True).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            delivery = (
                ExportDelivery.objects.select_for_update(of=("self",))
                .select_related("template", "template__program")
                .filter(pk=pk, is_active=True)
                .first()
            )
            if delivery is None:
                continue
            local = now.astimezone(delivery.template.program.zone)
            period = _current_period(delivery, local)
            if delivery.last_sent_period is not None and delivery.last_sent_period >= period:
                continue
            sent += _send(delivery, period, local)
            delivery.last_sent_period, delivery.last_sent_at = period, now
            delivery.save(update_fields=["last_sent_period", "last_sent_at"])
    return sent
