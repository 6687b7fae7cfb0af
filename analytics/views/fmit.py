"""Analytics pages: the FMIT report (analytics.fmit) per faculty member and quarter, with its PDF and xlsx.

`?year=<id>` (the current year by default), `?version=published|draft|<id>` and `?quarter=1..4` (the whole year
when left out or "year") pick what is read; a value that is not one of these is refused (status 400).
"""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from analytics.charts import Bar, bar_chart
from analytics.fairness import Picked, fairness_version_pick
from analytics.fmit import CACHE_VERSION, FmitReport, PeriodFmit, fmit_report
from analytics.forms_fmit import FmitRulesForm
from analytics.views.fairness import PDF_CHART_CSS, RATING_BADGE
from scheduling.fmit_config import FIELDS as FMIT_FIELDS
from scheduling.models import AcademicYear, FmitYearConfig
from scheduling.schedule_cache import cached
from scheduling.selectors import academic_year_list
from scheduling.services import fmit_year_config_update
from scheduling.spreadsheet_safety import xlsx_append
from tenants.access import require
from tenants.audit import record_export
from tenants.errors import DomainError
from tenants.params import parse_id
from tenants.permissions import Action, Resource, can

CARD = {
    "title": "FMIT",
    "url_name": "analytics-fmit",
    "summary": "FMIT weeks per faculty member and quarter, the weekend calls and clinic they cost, against target.",
}
BAD_QUARTER = 'Choose quarter 1, 2, 3 or 4, or "year" for the whole year.'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    "Faculty",
    "Role",
    "Yearly target (weeks)",
    "Target in period (weeks)",
    "FMIT weeks",
    "Against target",
    "Weekend calls carried",
    "Clinic half-days lost",
    "Week starts",
)


def parse_quarter(raw: str | None) -> int | None:
    """1-4 from "1".."4"; None (the whole year) for nothing or "year"; a DomainError for anything else."""
    if raw in (None, "", "year"):
        return None
    if raw in ("1", "2", "3", "4"):
        return int(raw)
    raise DomainError(BAD_QUARTER, code="invalid_quarter")


def _read(request: HttpRequest) -> tuple[Picked | None, int | None, FmitReport | None, str]:
    """The picked version, the quarter, the report and a refusal ("" when the parameters are fine)."""
    raw_year = request.GET.get("year") or None
    year_id = parse_id(raw_year)
    if raw_year is not None and year_id is None:
        return None, None, None, "Choose one of this program's academic years."
    try:
        quarter = parse_quarter(request.GET.get("quarter"))
        picked = fairness_version_pick(
            program=request.program, year_id=year_id, which=(request.GET.get("version") or "")[:40] or None
        )
        report = fmit_report(version=picked.version) if picked.version is not None else None
        if report is not None:
            report.period(quarter)  # a quarter this year does not have is refused
    except DomainError as exc:
        return None, None, None, str(exc)
    return picked, quarter, report, ""


def weeks_chart(period: PeriodFmit) -> SafeString:
    """FMIT weeks per faculty member, the period's prorated mean target as the line."""
    if not period.rows:
        return SafeString("")
    bars = [
        Bar(row.name, row.weeks, tone="" if abs(row.against_target) < 1 else "warn", note=f"target {row.target:g}")
        for row in period.rows
    ]
    mean = round(sum(r.target for r in period.rows) / len(period.rows), 2)
    title = f"FMIT weeks per faculty member, {period.label}: the mean prorated target as the line"
    return bar_chart(bars, title=title, unit=" wk", line=mean, line_label=f"mean target {mean:g}")


def _rules_form(request: HttpRequest, picked: Picked | None) -> FmitRulesForm | None:
    """The year's FMIT rules as a form, for the managers who may change them."""
    if (
        picked is None
        or picked.year is None
        or not can(request.user, Action.CHANGE, Resource.SCHEDULE, request.program)
    ):
        return None
    row = FmitYearConfig.objects.filter(academic_year=picked.year).first()
    return FmitRulesForm(instance=row or FmitYearConfig(program=request.program, academic_year=picked.year))


def _context(request: HttpRequest, picked: Picked | None, quarter: int | None, report: FmitReport | None) -> dict:
    period = report.period(quarter) if report is not None else None
    return {
        "rules_form": _rules_form(request, picked),
        "picked": picked,
        "quarter": quarter,
        "quarters": [(str(n), f"Q{n}") for n in range(1, 5)],
        "years": list(academic_year_list(program=request.program).order_by("-start_date")),
        "report": report,
        "period": period,
        "chart": weeks_chart(period) if period is not None else "",
        "badge": RATING_BADGE[period.rating] if period is not None else "",
        "query": request.GET.urlencode(),
    }


@require(Action.VIEW, Resource.ANALYTICS)
def fmit_page(request: HttpRequest) -> HttpResponse:
    """Per faculty member, FMIT weeks, weekend calls carried and clinic half-days lost against the target."""
    picked, quarter, report, refusal = _read(request)
    if refusal:
        messages.error(request, refusal)
        context = _context(request, None, None, None)
        return render(request, "analytics/fmit.html", {**context, "refused": True}, status=400)
    return render(request, "analytics/fmit.html", _context(request, picked, quarter, report))


@require(Action.CHANGE, Resource.SCHEDULE)
@require_POST
def fmit_rules(request: HttpRequest) -> HttpResponse:
    """Change the FMIT rules of the academic year `year` (POST) through fmit_year_config_update; a refusal is a
    message and nothing is stored."""
    year = AcademicYear.objects.for_program(request.program).filter(pk=parse_id(request.POST.get("year"))).first()
    if year is None:
        messages.error(request, "Choose one of this program's academic years.")
        return redirect("analytics-fmit")
    form = FmitRulesForm(request.POST, instance=FmitYearConfig(program=request.program, academic_year=year))
    back = f"{reverse('analytics-fmit')}?year={year.pk}"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    values = {name: form.cleaned_data[name] for name in FMIT_FIELDS}
    try:
        fmit_year_config_update(academic_year=year, user=request.user, values=values)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"The FMIT rules of {year.name} are saved.")
    return redirect(back)


def _file_name(request: HttpRequest, report: FmitReport, quarter: int | None, extension: str) -> str:
    status = "" if report.version_status == "published" else f"-{report.version_status}"
    span = f"q{quarter}" if quarter else "year"
    year = slugify(report.academic_year_name)
    return f"{request.program.slug}-{year}-v{report.version_number}{status}-fmit-{span}.{extension}"


def _download(request: HttpRequest, picked: Picked, quarter: int | None, body: bytes, kind: str, ext: str):
    report = fmit_report(version=picked.version)
    name = _file_name(request, report, quarter, ext)
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, name, target=picked.version)
    return response


def _refused(refusal: str) -> HttpResponse:
    return HttpResponse(refusal, status=400, content_type="text/plain; charset=utf-8")


def period_rows(period: PeriodFmit) -> list[list]:
    """The period's table as rows of plain values (HEADERS order)."""
    return [
        [
            row.name,
            row.role,
            row.target_year if row.target_year is not None else "",
            row.target,
            row.weeks,
            row.against_target,
            row.weekend_calls,
            row.clinic_lost,
            ", ".join(f"{week:%Y-%m-%d}" for week in row.week_starts),
        ]
        for row in period.rows
    ]


def fmit_xlsx_bytes(report: FmitReport) -> bytes:
    """A workbook: a summary sheet (each quarter and the year: Gini, spread, fairest spread, balanced), then one
    sheet per quarter and one for the whole year with the faculty table. Names are string cells (never formulas)."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    xlsx_append(
        summary, [f"FMIT {report.academic_year_name}, version {report.version_number} ({report.version_status})"]
    )
    xlsx_append(summary, [f"Weeks start on {report.week_start_name}; tolerance {report.tolerance} week(s)"])
    xlsx_append(
        summary,
        [
            "Period",
            "FMIT weeks",
            "Weekend calls",
            "Clinic half-days lost",
            "Gini",
            "Fairness",
            "Spread against target",
            "Fairest whole-week spread",
            "Balanced",
        ],
    )
    for period in (*report.quarters, report.year):
        totals = period.totals
        xlsx_append(
            summary,
            [
                period.label,
                totals["weeks"],
                totals["weekend_calls"],
                totals["clinic_lost"],
                period.gini,
                period.fairness,
                period.spread,
                period.fairest,
                "yes" if period.balanced else "no",
            ],
        )
    for period in (*report.quarters, report.year):
        sheet = book.create_sheet(f"Q{period.quarter.number}" if period.quarter else "Year")
        xlsx_append(sheet, [period.label])
        xlsx_append(sheet, list(HEADERS))
        for row in period_rows(period):
            xlsx_append(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@require(Action.VIEW, Resource.ANALYTICS)
def fmit_xlsx(request: HttpRequest) -> HttpResponse:
    """The report as a workbook (every quarter and the whole year)."""
    picked, quarter, report, refusal = _read(request)
    if refusal or report is None:
        return _refused(refusal or "This year has no schedule of that kind to read.")
    body = cached(
        request.program.pk, ("analytics-fmit-xlsx", CACHE_VERSION, report.version_id), lambda: fmit_xlsx_bytes(report)
    )
    return _download(request, picked, quarter, body, XLSX, "xlsx")


def _styled(svg: SafeString) -> SafeString:
    if not svg:
        return svg
    head, _, rest = str(svg).partition(">")
    return mark_safe(f"{head}><style>{PDF_CHART_CSS}</style>{rest}")  # noqa: S308


def fmit_pdf_bytes(report: FmitReport, quarter: int | None, program, today: dt.date) -> bytes:
    from weasyprint import HTML  # loaded only when a PDF is drawn

    period = report.period(quarter)
    context = {
        "program": program,
        "report": report,
        "period": period,
        "chart": _styled(weeks_chart(period)),
        "printed_on": today,
    }
    return HTML(string=render_to_string("analytics/fmit_pdf.html", context)).write_pdf()


@require(Action.VIEW, Resource.ANALYTICS)
def fmit_pdf(request: HttpRequest) -> HttpResponse:
    """The page's period as a letter PDF (WeasyPrint), kept in the schedule cache for the day."""
    picked, quarter, report, refusal = _read(request)
    if refusal or report is None:
        return _refused(refusal or "This year has no schedule of that kind to read.")
    program = request.program
    today = program.today()
    parts = ("analytics-fmit-pdf", CACHE_VERSION, report.version_id, quarter, today)
    body = cached(program.pk, parts, lambda: fmit_pdf_bytes(report, quarter, program, today))
    return _download(request, picked, quarter, body, "application/pdf", "pdf")


urlpatterns: list[URLPattern] = [
    path("fmit/", fmit_page, name="analytics-fmit"),
    path("fmit/xlsx/", fmit_xlsx, name="analytics-fmit-xlsx"),
    path("fmit/pdf/", fmit_pdf, name="analytics-fmit-pdf"),
    path("fmit/rules/", fmit_rules, name="analytics-fmit-rules"),
]
