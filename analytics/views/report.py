"""The combined analytics report as one PDF (/analytics/report.pdf): fairness, workload and resilience of the
program's published year (`?year=<id>`, the current year by default); see analytics.report."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.text import slugify

from analytics.report import report_context, report_pdf
from scheduling.views.access import year_from_request
from tenants.access import require
from tenants.audit import record_export
from tenants.permissions import Action, Resource

CARD = {
    "title": "Download the report (PDF)",
    "url_name": "analytics-report-pdf",
    "summary": "Fairness, workload and resilience in one document, each chart with its numbers, for the director.",
}


@require(Action.VIEW, Resource.ANALYTICS)
def analytics_report_pdf(request: HttpRequest) -> HttpResponse:
    """The report of the active program's year as a letter-size PDF download (recorded in the audit log)."""
    program = request.program
    year = year_from_request(request)
    context = report_context(program=program, year=year)
    name = f"{program.slug}-{slugify(year.name) if year else 'no-year'}-analytics-report.pdf"
    response = HttpResponse(report_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, name, target=context["version"])
    return response


urlpatterns: list[URLPattern] = [
    path("report.pdf", analytics_report_pdf, name="analytics-report-pdf"),
]
