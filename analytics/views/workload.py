"""Analytics pages: workload (see analytics/urls.py): hours per week against the 80-hour line, clinic continuity,
ACGME findings per block; each table as CSV, the whole page as a PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from analytics.charts import Bar, bar_chart, column_chart
from analytics.workload import PersonHours, WorkloadReport, workload_report
from scheduling.models import AcademicYear, ScheduleVersion
from scheduling.selectors import schedule_version_pick
from scheduling.views.access import year_from_request
from scheduling.views.reading import Refusal, refuse
from tenants.access import require
from tenants.audit import record_export
from tenants.csv_safety import CsvWriter
from tenants.params import parse_id
from tenants.permissions import Action, Resource

CARD = {
    "title": "Workload",
    "url_name": "analytics-workload",
    "summary": "Hours per week against the 80-hour line, clinic continuity and ACGME findings per block.",
}
VERSION_CHOICES = ("published", "draft")
BAD_VERSION = "Choose version=published, draft or the id of a schedule version of this program."
BAD_YEAR = "Choose an academic year of this program by its id (?year=3)."
BAD_PERSON = "Choose a person of this schedule by their id, a whole number (?person=12)."


@dataclass(frozen=True)
class Pick:
    """What the request asks for: the year, the version (None when the year has none of that kind), the person."""

    year: AcademicYear | None
    version: ScheduleVersion | None
    wanted: str
    person_id: int | None


def pick(request: HttpRequest) -> Pick:
    """`?version=published|draft|<id>` (published by default) of `?year=<id>` (the current year by default) and
    `?person=<id>`; a Refusal says what is wrong with them (404 for a version id not of this program)."""
    if request.GET.get("year"):
        year_id = parse_id(request.GET["year"])
        if year_id is None or not AcademicYear.objects.for_program(request.program).filter(pk=year_id).exists():
            raise Refusal(BAD_YEAR)
    year = year_from_request(request)
    wanted = request.GET.get("version") or "published"
    person_id = None
    if request.GET.get("person"):
        person_id = parse_id(request.GET["person"])
        if person_id is None:
            raise Refusal(BAD_PERSON)
    version = None
    if parse_id(wanted) is not None:
        versions = ScheduleVersion.objects.for_program(request.program).select_related("academic_year", "program")
        version = versions.filter(pk=parse_id(wanted)).first()
        if version is None:
            raise Refusal("This program has no schedule version with that id.", status=404)
        year = version.academic_year
    elif wanted not in VERSION_CHOICES:
        raise Refusal(BAD_VERSION)
    elif year is not None:
        version = schedule_version_pick(academic_year=year, which=wanted, drafts_visible=True)
    return Pick(year, version, wanted, person_id)


def chosen_person(report: WorkloadReport, person_id: int | None) -> PersonHours | None:
    """The person asked for (a Refusal when the report has none such), else the resident with the highest
    4-week average (the one closest to the line), else the first person."""
    if person_id is not None:
        row = report.hours_of(person_id)
        if row is None:
            raise Refusal(BAD_PERSON, status=404)
        return row
    ranked = sorted(report.residents, key=lambda r: (-(r.max_average or 0), -r.max_week, r.person.name))
    return ranked[0] if ranked else (report.faculty[0] if report.faculty else None)


def weekly_chart(row: PersonHours, limit: float) -> SafeString:
    """A person's hours per week as columns, the weekly limit as the line (none for faculty)."""
    resident = row.person.kind == "resident"
    columns = [
        Bar(
            week.start.strftime("%-d %b"),
            week.hours,
            "bad" if week.over else "warn" if week.average_flag else "",
            f"week of {week.start:%-d %b %Y}" + (f"; 4-week average {week.average:g} h" if week.average else ""),
        )
        for week in row.weeks
    ]
    title = f"Hours per week of {row.person.name}" + (f" against the {limit:g}-hour line" if resident else "")
    return column_chart(
        columns, title=title, unit=" h", line=limit if resident else None, line_label=f"{limit:g} h", height=220
    )


def averages_chart(report: WorkloadReport) -> SafeString:
    """Every resident's highest 4-week average, the limit as the line."""
    bars = [
        Bar(
            row.person.name,
            row.max_average or 0.0,
            {"over": "bad", "near": "warn"}.get(row.flag, "good"),
            f"{row.person.cohort}; highest week {row.max_week:g} h",
        )
        for row in report.residents
    ]
    return bar_chart(
        bars,
        title=f"Highest 4-week average per resident against the {report.limit:g}-hour line",
        unit=" h",
        line=report.limit,
        line_label=f"{report.limit:g} h",
    )


def blocks_chart(report: WorkloadReport) -> SafeString:
    """ACGME findings per block: red with violations, amber with warnings only, green when clean."""
    columns = [
        Bar(
            f"B{block.number}",
            block.violations + block.warnings,
            "bad" if block.violations else "warn" if block.warnings else "good",
            f"{block.violations} violations, {block.warnings} warnings",
        )
        for block in report.blocks
    ]
    return column_chart(columns, title="ACGME findings per block", height=180)


def _context(request: HttpRequest, picked: Pick) -> dict:
    context: dict = {"year": picked.year, "version": picked.version, "wanted": picked.wanted}
    if picked.version is None:
        return context
    report = workload_report(version=picked.version)
    person = chosen_person(report, picked.person_id)
    query = {"version": picked.version.pk}
    context.update(
        report=report,
        person=person,
        person_chart=weekly_chart(person, report.limit) if person else "",
        averages_chart=averages_chart(report) if report.residents else "",
        blocks_chart=blocks_chart(report) if report.blocks else "",
        query=query,
    )
    return context


@require(Action.VIEW, Resource.ANALYTICS)
def workload_page(request: HttpRequest) -> HttpResponse:
    """The workload of the published version (or `?version=draft|<id>`), one person's weeks (`?person=<id>`)."""
    try:
        context = _context(request, pick(request))
    except Refusal as refusal:
        return refuse(request, refusal)
    return render(request, "analytics/workload.html", context)


# Downloads.

CSV_TABLES = (
    ("hours", "Hours per person per week"),
    ("people", "Everyone's highest week and 4-week average"),
    ("continuity", "Clinic continuity"),
    ("blocks", "ACGME findings per block"),
)


def _rows(report: WorkloadReport, table: str, person_id: int | None) -> tuple[list[str], list[list]]:
    people = [row for row in (*report.residents, *report.faculty) if person_id in (None, row.person.id)]
    if table == "hours":
        header = ["Person", "Cohort", "Week starting", "Hours", "Over the limit", "4-week average", "Average flag"]
        rows = [
            [
                r.person.name,
                r.person.cohort,
                w.start.isoformat(),
                w.hours,
                "yes" if w.over else "",
                w.average,
                w.average_flag,
            ]
            for r in people
            for w in r.weeks
        ]
    elif table == "people":
        header = ["Person", "Cohort", "Highest week (h)", "Highest 4-week average (h)", "Weeks over the limit",
                  "Averages within 5 h", "Checker's weekly-hours breaches", "Leave days", "Flag"]  # fmt: skip
        rows = [
            [
                r.person.name,
                r.person.cohort,
                r.max_week,
                r.max_average,
                r.weeks_over,
                r.averages_near,
                r.checker_breaches,
                r.leave_days,
                r.flag,
            ]  # fmt: skip
            for r in people
        ]
    elif table == "continuity":
        header = ["Resident", "Cohort", "Clinic half-days", "Usual weekday", "On the usual weekday", "Share"]
        rows = [
            [c.person.name, c.person.cohort, c.sessions, c.usual_weekday_name, c.on_usual, c.share]
            for c in report.continuity
            if person_id in (None, c.person.id)
        ]
        rows += [[f"Average, {c.cohort}", "", "", "", "", c.average_share] for c in report.cohorts]
    else:
        header = ["Block", "Start", "End", "Violations", "Warnings", "People", "Rules"]
        rows = [
            [
                b.number,
                b.start.isoformat(),
                b.end.isoformat(),
                b.violations,
                b.warnings,
                b.people,
                "; ".join(f"{title}: {count}" for title, count in b.rules),
            ]  # fmt: skip
            for b in report.blocks
        ]
    return header, rows


def _download(request: HttpRequest, body: bytes | str, content_type: str, picked: Pick, what: str) -> HttpResponse:
    version = picked.version
    assert version is not None and picked.year is not None
    status = "" if version.status == ScheduleVersion.Status.PUBLISHED else f"-{version.status}"
    name = f"{request.program.slug}-{slugify(picked.year.name)}-v{version.number}{status}-workload-{what}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, name, target=version)
    return response


def _picked_version(request: HttpRequest) -> Pick:
    picked = pick(request)
    if picked.version is None:
        raise Refusal("There is no schedule version to export: choose a year with a published schedule or a draft.")
    return picked


@require(Action.VIEW, Resource.ANALYTICS)
def workload_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One of the page's tables as CSV (`hours`, `people`, `continuity`, `blocks`), with the page's parameters."""
    try:
        picked = _picked_version(request)
        report = workload_report(version=picked.version)
        if picked.person_id is not None:
            chosen_person(report, picked.person_id)
    except Refusal as refusal:
        return refuse(request, refusal)
    header, rows = _rows(report, table, picked.person_id)
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return _download(request, out.getvalue(), "text/csv; charset=utf-8", picked, f"{table}.csv")


# WeasyPrint draws an inline SVG with the styles inside it only (the page's stylesheet does not reach it), so the
# PDF's charts carry app.css's chart colours themselves.
PDF_CHART_STYLE = (
    "<style>.chart-bar{fill:#1f5f8b}.chart-good{fill:#1b7f3b}.chart-warn{fill:#a86400}.chart-bad{fill:#b42318}"
    ".chart-label,.chart-value{fill:#1d2733;font-size:11px}.chart-line{stroke:#b42318;stroke-width:1.5;"
    "stroke-dasharray:4 3}.chart-line-label{fill:#b42318;font-size:11px}</style>"
)


def styled_for_pdf(svg: str) -> SafeString:
    """A chart of analytics.charts with its colours inside the SVG, for WeasyPrint."""
    head, mark, rest = svg.partition(">")
    return mark_safe(head + mark + PDF_CHART_STYLE + rest if mark else svg)  # noqa: S308 (our own SVG and style)


@require(Action.VIEW, Resource.ANALYTICS)
def workload_pdf(request: HttpRequest) -> HttpResponse:
    """The page as a letter-size PDF (WeasyPrint): the charts with their numbers, every table."""
    from weasyprint import HTML  # a heavy import, only for this download

    try:
        picked = _picked_version(request)
        context = _context(request, picked)
    except Refusal as refusal:
        return refuse(request, refusal)
    version = picked.version
    context |= {
        "program": request.program,
        "printed_at": timezone.now().astimezone(request.program.zone),
        "version_label": f"{version.academic_year.name}, version {version.number} "
        f"({version.get_status_display().lower()})",
    }
    for chart in ("person_chart", "averages_chart", "blocks_chart"):
        context[chart] = styled_for_pdf(context.get(chart) or "")
    body = HTML(string=render_to_string("analytics/workload_pdf.html", context)).write_pdf()
    return _download(request, body, "application/pdf", picked, "report.pdf")


urlpatterns: list[URLPattern] = [
    path("workload/", workload_page, name="analytics-workload"),
    path("workload/report.pdf", workload_pdf, name="analytics-workload-pdf"),
    *(
        path(f"workload/{table}.csv", workload_csv, {"table": table}, name=f"analytics-workload-csv-{table}")
        for table, _ in CSV_TABLES
    ),
]
