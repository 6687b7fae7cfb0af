"""Writing the audit log: `record()` is the one way a row gets into it.

    from tenants.audit import record
    record("membership.changed", request=request, program=program, target=membership,
           before={"role": "resident"}, after={"role": "admin"})

The actor, program, address, user agent, request id and path come from the request when it is given; a
service called without one still gets the address, user agent, request id and path of the request being
served (simple_history's middleware keeps it), never its user or program: services name those themselves.
Values are copied as JSON with secrets taken out: a key named like a password, secret or token, or a private
absence note, never reaches the row, at any depth.
"""

import datetime as dt
import ipaddress
from collections.abc import Mapping
from typing import Any

from axes.helpers import get_client_ip_address
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django_guid import get_guid
from simple_history.models import HistoricalRecords

from tenants.audit_models import AuditAction, AuditEvent
from tenants.errors import DomainError

REDACTED_KEYS = frozenset({"note_private", "private_note", "password", "secret", "token"})
_REDACTED_PARTS = ("password", "secret")
_REDACTED_SUFFIXES = ("_token", "_secret", "_key")

PLATFORM: Any = object()
"""Pass as `program=` for a platform event (a sign-in) even when the request has an active program."""

RETENTION_DAYS = 730  # two years
MIN_RETENTION_DAYS = 365

_LIMITS = {"user_agent": 300, "request_id": 64, "path": 500, "target_repr": 200, "actor_email": 254}


def _redacted(key: object) -> bool:
    name = str(key).lower()
    return name in REDACTED_KEYS or any(part in name for part in _REDACTED_PARTS) or name.endswith(_REDACTED_SUFFIXES)


def _text(value: str) -> str:
    """`value` without NUL characters, which PostgreSQL refuses in text and JSON (a query string may carry them)."""
    return value.replace("\x00", "\N{REPLACEMENT CHARACTER}")


def scrub(value: Any) -> Any:
    """A copy of `value` without the keys that may hold a password, a secret or a private note, and without NULs."""
    if isinstance(value, Mapping):
        return {_text(str(key)): scrub(item) for key, item in value.items() if not _redacted(key)}
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(item) for item in value]
    if isinstance(value, Model):
        return str(value.pk)
    return value


def _client_ip(request: Any) -> str | None:
    """The client's address as the sign-in throttle reads it (django-axes: REMOTE_ADDR, or behind a proxy the
    forwarded address when AXES_PROXY_COUNT is set)."""
    try:
        return str(ipaddress.ip_address((get_client_ip_address(request) or "").strip()))
    except ValueError:
        return None


def _request_fields(request: Any) -> dict[str, Any]:
    django_request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    meta = getattr(django_request, "META", {})
    request_id = get_guid() or meta.get("HTTP_X_REQUEST_ID", "")  # the id the logs carry (django-guid)
    return {
        "ip_address": _client_ip(django_request),
        "user_agent": _text(meta.get("HTTP_USER_AGENT", "")),
        "request_id": _text(str(request_id)),
        "path": _text(getattr(django_request, "path", "")),
    }


def _actor_of(request: Any):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record(
    action: str,
    *,
    request: Any = None,
    actor: Any = None,
    program: Any = None,
    target: Model | None = None,
    before: Any = None,
    after: Any = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event to the audit log and return it; an unknown action name is a programming error.

    actor and program default to the request's user and active program (PLATFORM: no program). Runs in the
    caller's transaction: if the change it describes is rolled back, so is its audit row.
    """
    action = AuditAction(action).value  # ValueError for a name not in AuditAction
    serving = request if request is not None else getattr(HistoricalRecords.context, "request", None)
    fields: dict[str, Any] = _request_fields(serving) if serving is not None else {}
    if actor is None and request is not None:
        actor = _actor_of(request)
    if actor is not None and not actor.is_authenticated:
        actor = None
    if program is PLATFORM:
        program = None
    elif program is None and request is not None:
        program = getattr(getattr(request, "_request", request), "program", None)
    if target is not None:
        fields.update(target_type=target._meta.label_lower, target_id=str(target.pk or ""), target_repr=str(target))
    fields["actor_email"] = getattr(actor, "email", "") or ""
    for name, limit in _LIMITS.items():
        if name in fields:
            fields[name] = _text(str(fields[name] or ""))[:limit]
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        program=program,
        before=scrub(before),
        after=scrub(after),
        detail=_text(detail or ""),
        **fields,
    )


def record_export(request: Any, filename: str, *, target: Model | None = None, program: Any = None) -> AuditEvent:
    """An export downloaded: the file's name and the query that picked its rows."""
    query = dict(getattr(request, "GET", {}).items())
    after = {"file": filename, "query": query}
    return record(AuditAction.EXPORT_DOWNLOADED, request=request, program=program, target=target, after=after)


def audit_purge(*, days: int = RETENTION_DAYS, dry_run: bool = False, now: dt.datetime | None = None) -> int:
    """Delete the events older than `days` days (never less than a year) and log that it did; returns how many
    went, or with `dry_run` how many would. On PostgreSQL the append-only trigger lets this one transaction delete.
    """
    if days < MIN_RETENTION_DAYS:
        raise DomainError(f"Audit events are kept at least {MIN_RETENTION_DAYS} days; {days} is too few.")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    old = AuditEvent.objects.older_than(cutoff)
    if dry_run:
        return old.count()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL audit.purge = 'on'")
        deleted = old.purge()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL audit.purge = 'off'")  # for the rest of an enclosing transaction
        if deleted:
            after = {"older_than": cutoff.isoformat(), "days": days, "deleted": deleted}
            record(AuditAction.AUDIT_PURGED, program=PLATFORM, after=after)
    return deleted
