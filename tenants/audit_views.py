"""The audit log page (/audit/) and its CSV download: the program's admins and superusers search and filter it.

Both read the same filters (tenants.audit_filters) over the events the reader may see (tenants.audit_selectors);
a download is itself audited.
"""

import json
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from tenants.access import require
from tenants.audit import record
from tenants.audit_filters import AuditEventFilter
from tenants.audit_models import AuditAction, AuditEvent
from tenants.audit_selectors import audit_events_visible
from tenants.csv_safety import CsvWriter
from tenants.permissions import Action, Resource

PAGE_SIZE = 50
DENIED = "The audit log is for the program's admins."
CSV_HEADER = [
    "occurred_at",
    "actor_email",
    "action",
    "program",
    "target_type",
    "target_id",
    "target",
    "ip_address",
    "user_agent",
    "request_id",
    "path",
    "detail",
    "before",
    "after",
]


def _filterset(request: HttpRequest) -> AuditEventFilter:
    events = audit_events_visible(user=request.user, program=request.program)
    return AuditEventFilter(request.GET, queryset=events, request=request)


def _changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of an event's values, for the page."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    return [(key, before.get(key), after.get(key)) for key in dict.fromkeys([*before, *after])]


@require(Action.VIEW, Resource.AUDIT, denied=DENIED)
def audit_list(request: HttpRequest) -> HttpResponse:
    """Events newest first, 50 a page, under the filters; bad filters are named and show nothing."""
    filterset = _filterset(request)
    events = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.changes = _changes(event)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "tenants/audit_list.html", context, status=200 if filterset.is_valid() else 400)


class _Echo:
    """A file whose write() hands the line back, so that rows stream (Django's streaming CSV recipe)."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(events) -> Iterator[str]:
    writer = CsvWriter(_Echo())
    yield writer.writerow(CSV_HEADER)
    for e in events.iterator(chunk_size=2000):
        values = [e.occurred_at.isoformat(), e.actor_email, e.action, e.program.name if e.program else ""]
        values += [e.target_type, e.target_id, e.target_repr, e.ip_address or "", e.user_agent, e.request_id]
        values += [e.path, e.detail, json.dumps(e.before, sort_keys=True), json.dumps(e.after, sort_keys=True)]
        yield writer.writerow(values)


@require(Action.VIEW, Resource.AUDIT, denied=DENIED)
def audit_csv(request: HttpRequest) -> HttpResponse:
    """The filtered events as CSV (UTC times, values as JSON); the download is recorded as an event."""
    filterset = _filterset(request)
    if not filterset.is_valid():
        message = " ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    name = f"{request.program.slug}-audit-{timezone.localdate():%Y-%m-%d}.csv"
    record(AuditAction.AUDIT_EXPORTED, request=request, after={"file": name, "query": request.GET.dict()})
    response = StreamingHttpResponse(_csv_lines(filterset.qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
