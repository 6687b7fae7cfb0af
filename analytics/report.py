"""The combined analytics report of a program (one PDF, /analytics/report.pdf): fairness of the published year,
workload (hours against the 80-hour line, findings per block) and resilience (the level now, the next 14 days'
utilisation, the latest contingency analysis), each with its numbers in tables beside charts from analytics.charts.

A section whose analytics module is not installed yet is left out with a line saying so; a year with no published
schedule has fairness and workload sections saying that instead of figures.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from analytics.charts import Bar, bar_chart, column_chart
from analytics.models import ContingencyAnalysis
from scheduling.models import AcademicYear, ScheduleVersion
from tenants.models import Organization

# WeasyPrint styles an inline SVG only from a <style> inside it: the charts carry app.css's chart tones.
PDF_CHART_CSS = (
    "text{font-family:'DejaVu Sans',sans-serif;font-size:11px;fill:#1d2733}.chart-bar{fill:#1f5f8b}"
    ".chart-good{fill:#1b7f3b}.chart-warn{fill:#a86400}.chart-bad{fill:#b42318}"
    ".chart-line{stroke:#b42318;stroke-width:1.5;stroke-dasharray:4 3}.chart-line-label{fill:#b42318}"
)
RATING_TONE = {"good": "good", "warning": "warn", "poor": "bad"}
FAIRNESS_GOOD = 0.9


def _module(name: str) -> ModuleType | None:
    """An analytics module, or None while it has not landed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def styled(svg: SafeString) -> SafeString:
    """The chart with its tones inside the SVG (for WeasyPrint): a <style> right after the opening tag."""
    head, _, rest = str(svg).partition(">")
    return mark_safe(f"{head}><style>{PDF_CHART_CSS}</style>{rest}")  # noqa: S308  (our own chart's markup)


@dataclass
class Section:
    """One part of the report: its title, a line when it has no figures (not landed, nothing published), its charts
    and the rest of its context for the template."""

    key: str
    title: str
    missing: str = ""
    charts: list[SafeString] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def _fairness(version: ScheduleVersion | None) -> Section:
    section = Section("fairness", "Fairness")
    module = _module("analytics.fairness")
    if module is None:
        section.missing = "The fairness figures are not available in this installation yet."
        return section
    if version is None:
        section.missing = "No schedule is published for this academic year, so there is no fairness to read."
        return section
    report = module.fairness_report(version=version, span="year")
    for cohort in report.cohorts:
        bars = [
            Bar(f.measure.label, round(f.fairness, 2), RATING_TONE.get(f.rating, ""), f"spread {f.spread:g}")
            for f in cohort.measures
        ]
        if bars:
            title = f"Fairness (1 - Gini) per measure, {cohort.label}; good at {FAIRNESS_GOOD:g} or more"
            section.charts.append(styled(bar_chart(bars, title=title, line=FAIRNESS_GOOD, line_label="0.9")))
    section.data = {"report": report}
    return section


def _workload(version: ScheduleVersion | None) -> Section:
    section = Section("workload", "Workload")
    module = _module("analytics.workload")
    if module is None:
        section.missing = "The workload figures are not available in this installation yet."
        return section
    if version is None:
        section.missing = "No schedule is published for this academic year, so there are no hours to read."
        return section
    report = module.workload_report(version=version)
    if report.residents:
        bars = [
            Bar(row.person.name, row.max_average or 0.0, {"over": "bad", "near": "warn"}.get(row.flag, "good"))
            for row in report.residents
        ]
        title = f"Highest 4-week average per resident against the {report.limit:g}-hour line"
        section.charts.append(
            styled(bar_chart(bars, title=title, unit=" h", line=report.limit, line_label=f"{report.limit:g} h"))
        )
    if report.blocks:
        columns = [
            Bar(f"B{b.number}", b.violations + b.warnings, "bad" if b.violations else "warn" if b.warnings else "good")
            for b in report.blocks
        ]
        section.charts.append(styled(column_chart(columns, title="ACGME findings per block", height=180)))
    section.data = {"report": report}
    return section


def _percent(value: float | None) -> str:
    return "no one available" if value is None else f"{value * 100:.0f}%"


def _latest_contingency(program: Organization) -> ContingencyAnalysis | None:
    return (
        ContingencyAnalysis.objects.filter(program=program, status=ContingencyAnalysis.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


REDUNDANCY_ORDER = ("N+2", "N+1", "N+0", "below")
REDUNDANCY_TONE = {"N+2": "good", "N+1": "good", "N+0": "warn", "below": "bad"}


def contingency_figures(analysis: ContingencyAnalysis | None) -> dict[str, Any]:
    """The latest analysis's findings as the report prints them (its summary, analytics.contingency), with a chart
    of how many requirements stand at each redundancy level."""
    if analysis is None:
        return {}
    summary = analysis.summary or {}
    counts = dict.fromkeys(REDUNDANCY_ORDER, 0)
    for item in summary.get("redundancy", []):
        counts[item.get("level", "below")] = counts.get(item.get("level", "below"), 0) + 1
    bars = [Bar(level, count, REDUNDANCY_TONE.get(level, "")) for level, count in counts.items()]
    chart = (
        styled(bar_chart(bars, title="Requirements by redundancy (people able beyond the need)"))
        if any(counts.values())
        else ""
    )
    return {
        "headline": analysis.message,
        "people": summary.get("people", 0),
        "pairs_checked": summary.get("pairs_checked", 0),
        "critical": [(c["name"], "; ".join(c.get("uncoverable", [])[:3])) for c in summary.get("critical", [])],
        "sole": [(e["message"], ", ".join(e.get("people", []))) for e in summary.get("sole_providers", [])],
        "pairs": [
            (" and ".join(p.get("people", [])), "; ".join(p.get("uncoverable", [])[:2]))
            for p in summary.get("fatal_pairs", [])
        ],
        "redundancy": list(counts.items()),
        "chart": chart,
    }


def _resilience(program: Organization, day: dt.date) -> Section:
    section = Section("resilience", "Resilience")
    module = _module("analytics.utilisation")
    if module is None:
        section.missing = "The resilience level is not available in this installation yet."
        return section
    level = module.program_level(program=program, day=day)
    figures = module.service_days(program=program, start=day, end=day + dt.timedelta(days=level.horizon_days - 1))
    days = []
    for offset in range(level.horizon_days):
        date = day + dt.timedelta(days=offset)
        rows = figures.by_day.get(date) or [row for row in figures.rows if row.date == date]
        if not rows:
            continue
        peaks = [row.utilisation for row in rows]
        peak = None if any(p is None for p in peaks) else max(p for p in peaks if p is not None)
        worst = max(row.combined for row in rows)
        days.append({"date": date, "peak": peak, "level": worst.name, "tone": worst.tone})
    if days:
        columns = [
            Bar(f"{d['date']:%-d %b}", round((d["peak"] if d["peak"] is not None else 1.0) * 100), d["tone"])
            for d in days
        ]
        title = "Peak utilisation per day of the next two weeks against 80% (ORANGE)"
        section.charts.append(styled(column_chart(columns, title=title, unit="%", line=80, line_label="80%")))
    analysis = _latest_contingency(program)
    section.data = {
        "level": level,
        "utilisation": _percent(level.utilisation),
        "coverage": "no published schedule" if level.coverage is None else f"{level.coverage * 100:.0f}%",
        "days": [{**d, "peak": _percent(d["peak"])} for d in days],
        "worst": level.worst[:8],
        "contingency": analysis,
        "contingency_figures": contingency_figures(analysis),
        "contingency_landed": _module("analytics.contingency") is not None,
    }
    return section


def published_version(year: AcademicYear | None) -> ScheduleVersion | None:
    """The year's published version (None without a year or a published schedule)."""
    if year is None:
        return None
    return (
        ScheduleVersion.objects.filter(academic_year=year, status=ScheduleVersion.Status.PUBLISHED)
        .select_related("program", "academic_year")
        .first()
    )


def report_context(*, program: Organization, year: AcademicYear | None, day: dt.date | None = None) -> dict[str, Any]:
    """Everything the report template prints for the program's year (its published schedule) and day (its today)."""
    day = day or program.today()
    version = published_version(year)
    label = f"{year.name}, version {version.number} (published)" if version else (year.name if year else "no year")
    return {
        "program": program,
        "year": year,
        "version": version,
        "version_label": label,
        "day": day,
        "printed_at": timezone.now().astimezone(program.zone),
        "sections": [_fairness(version), _workload(version), _resilience(program, day)],
    }


def report_html(context: dict[str, Any]) -> str:
    """The report as the HTML the PDF is printed from."""
    return render_to_string("analytics/report_pdf.html", context)


def report_pdf(context: dict[str, Any]) -> bytes:
    """The report as a letter-size PDF (WeasyPrint)."""
    from weasyprint import HTML  # a heavy import, only for this download

    return HTML(string=report_html(context)).write_pdf()
