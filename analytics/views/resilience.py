"""The resilience page: the program's level (tier 1), utilisation and coverage per service for the days ahead, the
redundancy table, and the contingency (tier 2) and fallback (tier 3) panels of the other analytics pages; its CSV
and PDF (see analytics/urls.py and analytics/utilisation.py)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from weasyprint import HTML

from analytics import utilisation
from analytics.charts import Bar, column_chart
from analytics.utilisation import Forecast, Level, ServiceDay
from analytics.views import contingency, fallbacks
from scheduling.spreadsheet_safety import CsvWriter
from tenants.access import require
from tenants.audit import record_export
from tenants.params import date_window_message, parse_date, parse_whole
from tenants.permissions import Action, Resource

CARD = {
    "title": "Resilience",
    "url_name": "analytics-resilience",
    "summary": "The program's level, utilisation and coverage per service for the next 90 days, and redundancy.",
}
REDUNDANCY_DAYS = 7  # the redundancy table shows this many days from the start
WORST_SHOWN = 8  # service-days named beside the level


class Refusal(Exception):
    """A parameter the page cannot use; the message says which and what it takes."""


@dataclass(frozen=True)
class Window:
    start: dt.date
    days: int

    @property
    def query(self) -> str:
        return f"start={self.start.isoformat()}&days={self.days}"


def _window(request: HttpRequest) -> Window:
    """`?start=YYYY-MM-DD` (the program's today by default) and `?days=1..180` (90 by default)."""
    start, days = request.program.today(), utilisation.FORECAST_DAYS
    wanted = request.GET.get("start", "").strip()
    if wanted:
        start = parse_date(wanted)
        if start is None:
            raise Refusal(f"The start date must be written YYYY-MM-DD. {date_window_message('start date')}")
    wanted = request.GET.get("days", "").strip()
    if wanted:
        days = parse_whole(wanted, low=1, high=utilisation.MAX_FORECAST_DAYS)
        if days is None:
            raise Refusal(f"The number of days must be a whole number from 1 to {utilisation.MAX_FORECAST_DAYS}.")
    return Window(start, days)


def _refuse(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    return render(request, "analytics/resilience_refused.html", {"message": str(refusal)}, status=400)


def percent(value: float | None) -> str:
    """75% for 0.75; "no one available" for None (a demand with no safe capacity)."""
    return "no one available" if value is None else f"{value * 100:.0f}%"


def coverage_text(value: float | None) -> str:
    return "no published schedule" if value is None else f"{value * 100:.0f}%"


def _panels(request: HttpRequest) -> dict[str, Any]:
    """The contingency and fallback panels' context, from their own pages' modules when they provide it."""
    context: dict[str, Any] = {}
    for area in (contingency, fallbacks):
        panel_context = getattr(area, "panel_context", None)
        if callable(panel_context):
            context.update(panel_context(request) or {})
    return context


def _charts(figures: Forecast) -> dict[str, Any]:
    days = utilisation.day_summaries(figures)
    peak = [
        Bar(
            f"{d.date:%d %b}",
            100.0 if d.utilisation is None else round(d.utilisation * 100, 1),
            d.level.tone,
            f"{d.level.name}; {d.peak.service.label}" if d.peak else d.level.name,
        )
        for d in days
    ]
    covered = [
        Bar(f"{d.date:%d %b}", round(d.coverage * 100, 1), d.defense.tone if d.defense is not None else "")
        for d in days
        if d.coverage is not None
    ]
    return {
        "utilisation_chart": column_chart(
            peak, title="Highest utilisation of any service, per day", unit="%", line=80, line_label="80% ORANGE"
        ),
        "coverage_chart": column_chart(covered, title="Places covered by the published schedule, per day", unit="%")
        if covered
        else "",
    }


def _service_chart(rows: tuple[ServiceDay, ...], label: str) -> str:
    bars = [
        Bar(f"{r.date:%d %b}", 100.0 if r.utilisation is None else round(r.utilisation * 100, 1), r.level.tone)
        for r in rows
    ]
    return column_chart(bars, title=f"{label}: utilisation per day", unit="%", line=80, line_label="80%")


def _service_line(summary: utilisation.ServiceSummary) -> dict[str, Any]:
    peak, thinnest = summary.peak, summary.thinnest
    needs = sorted({row.required for row in summary.rows}) or [summary.service.per_day]
    return {
        "label": summary.service.label,
        "kind": summary.service.kind,
        "required": f"{needs[0]}–{needs[-1]}" if len(needs) > 1 else needs[0],  # FMIT: each day its year's rules
        "days": summary.days,
        "peak": percent(peak.utilisation) if peak else "",
        "peak_date": peak.date if peak else None,
        "peak_level": peak.level if peak else None,
        "mean": percent(summary.mean_utilisation) if summary.rows else "",
        "strained": summary.strained_days,
        "strained_if_requested": summary.strained_days_if_requested,
        "coverage": coverage_text(summary.coverage),
        "thinnest": thinnest.redundancy if thinnest else "",
        "thinnest_date": thinnest.date if thinnest else None,
        "chart": _service_chart(summary.rows, summary.service.label) if summary.rows else "",
    }


def _day_line(day: utilisation.DaySummary) -> dict[str, Any]:
    peak = day.peak
    return {
        "date": day.date,
        "service": peak.service.label if peak else "no service that day",
        "utilisation": percent(day.utilisation),
        "level": day.level,
        "level_if_requested": day.level_if_requested,
        "coverage": coverage_text(day.coverage),
        "defense": day.defense,
    }


def _worst_line(worst: utilisation.Worst) -> dict[str, Any]:
    return {
        "label": worst.label,
        "date": worst.date,
        "utilisation": percent(worst.utilisation),
        "coverage": coverage_text(worst.coverage),
        "level": worst.level,
    }


def resilience_context(request: HttpRequest, window: Window) -> dict[str, Any]:
    """Everything the page and the PDF show, computed once and formatted (no query from the template)."""
    program = request.program
    figures = utilisation.forecast(program=program, start=window.start, days=window.days)
    report = utilisation.level_from_forecast(figures, day=program.today())
    report = report or utilisation.program_level(program=program)
    summaries = [s for s in utilisation.service_summaries(figures) if s.rows]
    redundancy_days = [window.start + dt.timedelta(days=i) for i in range(min(REDUNDANCY_DAYS, window.days))]
    cells = {(row.service.key, row.date): row for row in figures.rows}
    return {
        "window": window,
        "end": figures.end,
        "report": report,
        "report_utilisation": percent(report.utilisation),
        "report_coverage": coverage_text(report.coverage),
        "worst": [_worst_line(w) for w in report.worst[:WORST_SHOWN]],
        "worst_more": max(0, len(report.worst) - WORST_SHOWN),
        "levels": [(level.name, level.words, level.tone) for level in Level],
        "services": [_service_line(s) for s in summaries],
        "days": [_day_line(d) for d in utilisation.day_summaries(figures)],
        "redundancy_days": redundancy_days,
        "redundancy": [
            (s.service.label, [cells.get((s.service.key, day)) for day in redundancy_days]) for s in summaries
        ],
        **_charts(figures),
    }


@require(Action.VIEW, Resource.ANALYTICS)
def resilience_page(request: HttpRequest) -> HttpResponse:
    """The level, the forecast per service with charts and tables, redundancy, and the tier 2 and 3 panels."""
    try:
        window = _window(request)
    except Refusal as refusal:
        return _refuse(request, refusal)
    context = {**_panels(request), **resilience_context(request, window)}
    return render(request, "analytics/resilience.html", context)


CSV_HEADER = [
    "date",
    "service",
    "kind",
    "required",
    "eligible",
    "available",
    "safe_capacity",
    "utilisation_pct",
    "level",
    "available_if_requested",
    "utilisation_if_requested_pct",
    "level_if_requested",
    "covered",
    "coverage_pct",
    "defense_level",
    "redundancy",
]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def csv_row(row: ServiceDay) -> list[Any]:
    defense = row.defense
    return [
        row.date.isoformat(),
        row.service.label,
        row.service.kind,
        row.required,
        row.eligible,
        f"{row.available:g}",
        f"{row.safe_capacity:.1f}",
        _number(row.utilisation),
        row.level.name,
        f"{row.available_if_requested:g}",
        _number(row.utilisation_if_requested),
        row.level_if_requested.name,
        "" if row.covered is None else row.covered,
        _number(row.coverage),
        "" if defense is None else defense.name,
        row.redundancy,
    ]


def _download(request: HttpRequest, content: bytes | str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, name)
    return response


@require(Action.VIEW, Resource.ANALYTICS)
def resilience_csv(request: HttpRequest) -> HttpResponse:
    """Every service-day of the window, one a row (the page's tables in full)."""
    try:
        window = _window(request)
    except Refusal as refusal:
        return HttpResponse(str(refusal), status=400, content_type="text/plain; charset=utf-8")
    figures = utilisation.forecast(program=request.program, start=window.start, days=window.days)
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(CSV_HEADER)
    for row in figures.rows:
        writer.writerow(csv_row(row))
    name = f"{request.program.slug}-resilience-{window.start}-{window.days}d.csv"
    return _download(request, out.getvalue(), "text/csv; charset=utf-8", name)


@require(Action.VIEW, Resource.ANALYTICS)
def resilience_pdf(request: HttpRequest) -> HttpResponse:
    """The level and the page's tables on letter paper (WeasyPrint)."""
    try:
        window = _window(request)
    except Refusal as refusal:
        return HttpResponse(str(refusal), status=400, content_type="text/plain; charset=utf-8")
    program = request.program
    context = {
        **resilience_context(request, window),
        "program": program,
        "printed_at": timezone.now().astimezone(program.zone),
        "version_label": f"Resilience from {window.start:%d %b %Y}, {window.days} days",
    }
    pdf = HTML(string=render_to_string("analytics/resilience_pdf.html", context)).write_pdf()
    name = f"{program.slug}-resilience-{window.start}-{window.days}d.pdf"
    return _download(request, pdf, "application/pdf", name)


urlpatterns: list[URLPattern] = [
    path("resilience/", resilience_page, name="analytics-resilience"),
    path("resilience.csv", resilience_csv, name="analytics-resilience-csv"),
    path("resilience.pdf", resilience_pdf, name="analytics-resilience-pdf"),
]
