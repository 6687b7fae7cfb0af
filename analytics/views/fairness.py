"""Analytics pages: fairness per cohort (analytics.fairness), its CSV and PDF, and the carry-over setting.

`?year=<id>` (the current year by default), `?version=published|draft|<id>` and `?span=year|ytd` pick what is
read; a value that is not one of these is refused with a message (status 400) and nothing else is shown.
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from analytics.charts import Bar, bar_chart
from analytics.fairness import (
    CACHE_VERSION,
    SPAN_LABELS,
    SPANS,
    FairnessReport,
    MeasureFigures,
    Picked,
    fairness_report,
    fairness_version_pick,
)
from analytics.fairness_settings import fairness_settings, fairness_settings_update
from scheduling.schedule_cache import cached
from scheduling.selectors import academic_year_list
from scheduling.spreadsheet_safety import CsvWriter
from tenants.access import require
from tenants.audit import record_export
from tenants.errors import DomainError
from tenants.params import parse_id
from tenants.permissions import Action, Resource, can

CARD = {
    "title": "Fairness",
    "url_name": "analytics-fairness",
    "summary": "Who carries more calls, weekends, holidays, FMIT and night-float weeks than their cohort.",
}
RATING_BADGE = {"good": "ok", "warning": "warn", "poor": "bad"}
# WeasyPrint styles an inline SVG only from a <style> inside it, so the PDF's charts carry app.css's chart tones.
PDF_CHART_CSS = (
    "text{font-family:'DejaVu Sans',sans-serif;font-size:11px;fill:#1d2733}.chart-bar{fill:#1f5f8b}"
    ".chart-good{fill:#1b7f3b}.chart-warn{fill:#a86400}.chart-bad{fill:#b42318}"
    ".chart-line{stroke:#b42318;stroke-width:1.5;stroke-dasharray:4 3}.chart-line-label{fill:#b42318}"
)


@dataclass(frozen=True)
class Chart:
    """A cohort's figures for one measure with its bar chart (person bars, the cohort mean as the line)."""

    figures: MeasureFigures
    svg: SafeString
    badge: str


def _chart(figures: MeasureFigures) -> Chart:
    if not figures.max:  # no one holds any: a sentence says so, no chart or table of zeros
        return Chart(figures, SafeString(""), RATING_BADGE[figures.rating])
    unit = figures.measure.unit
    bars = [
        Bar(p.name, p.value, tone=p.tone, note=f"{p.deviation:+.1f}{unit} against the cohort mean")
        for p in figures.people
    ]
    title = f"{figures.measure.label}, {figures.cohort}: one bar per person, the cohort mean as the line"
    svg = bar_chart(bars, title=title, unit=unit, line=figures.mean, line_label=f"mean {figures.mean:g}{unit}")
    return Chart(figures, svg, RATING_BADGE[figures.rating])


def _sections(report: FairnessReport, *, pdf: bool = False) -> list[tuple[object, list[Chart]]]:
    sections = [(measure, [_chart(f) for f in figures]) for measure, figures in report.by_measure()]
    if pdf:
        sections = [(measure, [_styled(chart) for chart in charts]) for measure, charts in sections]
    return sections


def _styled(chart: Chart) -> Chart:
    """The chart with its tones inside the SVG (for WeasyPrint): a <style> right after the opening tag."""
    if not chart.svg:
        return chart
    head, _, rest = str(chart.svg).partition(">")
    return Chart(chart.figures, mark_safe(f"{head}><style>{PDF_CHART_CSS}</style>{rest}"), chart.badge)  # noqa: S308


def _read(request: HttpRequest) -> tuple[Picked | None, str, FairnessReport | None, str]:
    """The picked version, the span, its report, and a refusal ("" when the parameters are fine)."""
    span = request.GET.get("span") or "year"
    if span not in SPANS:
        return None, "year", None, 'Choose span "year" (the academic year) or "ytd" (year to date).'
    raw_year = request.GET.get("year") or None
    year_id = parse_id(raw_year)
    if raw_year is not None and year_id is None:
        return None, span, None, "Choose one of this program's academic years."
    try:
        picked = fairness_version_pick(
            program=request.program, year_id=year_id, which=(request.GET.get("version") or "")[:40] or None
        )
    except DomainError as exc:
        return None, span, None, str(exc)
    report = fairness_report(version=picked.version, span=span) if picked.version is not None else None
    return picked, span, report, ""


def _context(request: HttpRequest, picked: Picked | None, span: str, report: FairnessReport | None) -> dict:
    program = request.program
    return {
        "picked": picked,
        "span": span,
        "spans": list(SPAN_LABELS.items()),
        "years": list(academic_year_list(program=program).order_by("-start_date")),
        "report": report,
        "sections": _sections(report) if report is not None else [],
        "carry_over": fairness_settings(program).carry_over_equity,
        "can_change": can(request.user, Action.CHANGE, Resource.ANALYTICS, program),
        "query": request.GET.urlencode(),
    }


@require(Action.VIEW, Resource.ANALYTICS)
def fairness_page(request: HttpRequest) -> HttpResponse:
    """Per measure, a bar chart per cohort with its table; tiles of each cohort's fairness per measure."""
    picked, span, report, refusal = _read(request)
    context = _context(request, picked, span, report)
    if refusal:
        messages.error(request, refusal)
        return render(request, "analytics/fairness.html", {**context, "refused": True}, status=400)
    return render(request, "analytics/fairness.html", context)


def _file_name(report: FairnessReport, extension: str) -> str:
    version = report.version
    status = "" if version.status == "published" else f"-{version.status}"
    year = slugify(report.academic_year.name)
    return f"{version.program.slug}-{year}-v{version.number}{status}-fairness-{report.span}.{extension}"


def _download(request: HttpRequest, report: FairnessReport, body: bytes | str, content_type: str, ext: str):
    name = _file_name(report, ext)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, name, target=report.version)
    return response


def _refused(refusal: str) -> HttpResponse:
    return HttpResponse(refusal, status=400, content_type="text/plain; charset=utf-8")


@require(Action.VIEW, Resource.ANALYTICS)
def fairness_csv(request: HttpRequest) -> HttpResponse:
    """The page's table as CSV: one row per cohort, measure and person, with the cohort's figures."""
    picked, _, report, refusal = _read(request)
    if refusal or report is None:
        return _refused(refusal or "This year has no schedule of that kind to read.")
    out = io.StringIO()
    writer = CsvWriter(out)  # names are escaped against spreadsheet formulas
    for row in report.rows():
        writer.writerow(row)
    return _download(request, report, out.getvalue(), "text/csv; charset=utf-8", "csv")


@require(Action.VIEW, Resource.ANALYTICS)
def fairness_pdf(request: HttpRequest) -> HttpResponse:
    """The page's content as a letter PDF (WeasyPrint): the tiles, then each measure's charts and tables. Kept
    in the schedule cache for the day (it prints the date), as the report is: drawing it takes seconds."""
    picked, span, report, refusal = _read(request)
    if refusal or report is None:
        return _refused(refusal or "This year has no schedule of that kind to read.")
    program = request.program
    today = program.today()
    parts = ("analytics-fairness-pdf", CACHE_VERSION, report.version.pk, span, report.start, report.end, today)
    body = cached(program.pk, parts, lambda: _pdf(report, today))
    return _download(request, report, body, "application/pdf", "pdf")


def _pdf(report: FairnessReport, today: dt.date) -> bytes:
    from weasyprint import HTML  # loaded only when a PDF is drawn

    context = {
        "program": report.version.program,
        "report": report,
        "sections": _sections(report, pdf=True),
        "version_label": f"{report.academic_year.name}, version {report.version.number} "
        f"({report.version.get_status_display().lower()}), {report.span_label.lower()}",
        "printed_on": today,
    }
    return HTML(string=render_to_string("analytics/fairness_pdf.html", context)).write_pdf()


@require(Action.CHANGE, Resource.ANALYTICS)
@require_POST
def fairness_carry_over(request: HttpRequest) -> HttpResponse:
    """Turn the carry-over of last year's counts on or off (`carry_over_equity` = "true" or "false")."""
    wanted = request.POST.get("carry_over_equity")
    back = reverse("analytics-fairness")
    if wanted not in ("true", "false"):
        messages.error(request, "Choose whether last year's counts carry over: true or false.")
        return redirect(back)
    fairness_settings_update(
        program=request.program, user=request.user, settings={"carry_over_equity": wanted == "true"}
    )
    if wanted == "true":
        messages.success(request, "Last year's published counts are now added to this year's.")
    else:
        messages.success(request, "Only this year's counts are shown now.")
    return redirect(back)


urlpatterns: list[URLPattern] = [
    path("fairness/", fairness_page, name="analytics-fairness"),
    path("fairness/csv/", fairness_csv, name="analytics-fairness-csv"),
    path("fairness/pdf/", fairness_pdf, name="analytics-fairness-pdf"),
    path("fairness/carry-over/", fairness_carry_over, name="analytics-fairness-carry-over"),
]
