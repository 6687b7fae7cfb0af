"""Who is on call: a printable page of a day's or a week's cover with contact numbers (every role of the
program), and its CSV, which carries the numbers only when a manager asks for them (`?contacts=1`)."""

import datetime as dt
import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scheduling.on_call import OnCallDay, on_call_days
from scheduling.spreadsheet_safety import CsvWriter
from scheduling.views import reading
from scheduling.views.access import is_manager
from tenants.access import require
from tenants.audit import record_export
from tenants.permissions import Action, Resource, can

SPANS = ("day", "week")
CONTACTS_REFUSED = "Only coordinators and admins may export contact numbers."


@dataclass(frozen=True)
class Span:
    """The days asked for: one day, or the Monday-to-Sunday week holding it."""

    day: dt.date
    kind: str

    @property
    def start(self) -> dt.date:
        return self.day if self.kind == "day" else self.day - dt.timedelta(days=self.day.weekday())

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=0 if self.kind == "day" else 6)

    def moved(self, steps: int) -> str:
        return (self.start + dt.timedelta(days=steps * (1 if self.kind == "day" else 7))).isoformat()


def _span(request: HttpRequest) -> Span:
    """`?date=YYYY-MM-DD` (the program's today by default) and `?span=day|week` (day), else a Refusal (400)."""
    wanted = request.GET.get("date", "").strip()
    day = reading.parse_day(wanted) if wanted else request.program.today()
    kind = request.GET.get("span", "").strip() or "day"
    if kind not in SPANS:
        raise reading.Refusal(f"The span “{kind}” is not known. Give span=day or span=week.")
    return Span(day, kind)


@require(Action.VIEW, Resource.CALL_LIST)
def on_call(request: HttpRequest) -> HttpResponse:
    """Who is on call on a day or over a week (weekends included), with phone and pager, ready to print."""
    try:
        span = _span(request)
    except reading.Refusal as refusal:
        return reading.refuse(request, refusal)
    today = request.program.today()
    context = {
        "span": span,
        "days": on_call_days(program=request.program, start=span.start, end=span.end),
        "today": today,
        "prev": span.moved(-1),
        "next": span.moved(1),
        "link_people": can(request.user, Action.VIEW, Resource.SCHEDULE, request.program),
        "manager": is_manager(request),
    }
    return render(request, "scheduling/on_call.html", context)


CSV_HEADER = ["date", "cover", "person", "pgy", "duty", "start", "end"]


@require(Action.VIEW, Resource.CALL_LIST)
def on_call_csv(request: HttpRequest) -> HttpResponse:
    """The call list of a day or a week as CSV; phone and pager columns only with `?contacts=1`, for managers."""
    try:
        span = _span(request)
    except reading.Refusal as refusal:
        return HttpResponse(refusal.message, status=refusal.status, content_type="text/plain; charset=utf-8")
    contacts = request.GET.get("contacts") == "1"
    if contacts and not is_manager(request):
        raise PermissionDenied(CONTACTS_REFUSED)
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(CSV_HEADER + (["phone", "pager"] if contacts else []))
    for day in on_call_days(program=request.program, start=span.start, end=span.end):
        for cover, row in _rows(day):
            writer.writerow(row + ([cover.person.phone, cover.person.pager] if contacts else []))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{request.program.slug}-on-call-{span.start}" + ("" if span.kind == "day" else f"-to-{span.end}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, f"{name}.csv")
    return response


def _rows(day: OnCallDay):
    """(cover, CSV row without contacts) of a day: residents first, then faculty."""
    for group, covers in (("resident", day.residents), ("faculty", day.faculty)):
        for cover in covers:
            start = cover.start.isoformat() if cover.start else ""
            end = cover.end.isoformat() if cover.end else ""
            pgy = cover.person.pgy or ""
            yield cover, [day.day.isoformat(), group, cover.person.full_name, pgy, cover.duty, start, end]
