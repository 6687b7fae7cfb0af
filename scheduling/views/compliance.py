"""The compliance page: a version's ACGME violations and warnings by rule and person, and hours per week."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from scheduling.compliance import hours_table, report_groups, version_report
from scheduling.models import ScheduleVersion
from scheduling.selectors import schedule_version_pick
from scheduling.views.access import year_from_request
from tenants.access import require
from tenants.params import parse_id
from tenants.permissions import Action, Resource


@require(Action.CHANGE, Resource.SCHEDULE)
def compliance(request: HttpRequest) -> HttpResponse:
    """The published version by default, or `?version=draft|<id>` of the year; each finding links to its week."""
    year = year_from_request(request)
    wanted = request.GET.get("version") or None
    version = None
    if parse_id(wanted) is not None:  # a version id names its year too
        versions = ScheduleVersion.objects.for_program(request.program).select_related("academic_year", "program")
        version = get_object_or_404(versions, pk=parse_id(wanted))
        year = version.academic_year
    elif wanted not in (None, "published", "draft"):
        raise Http404("Choose version=published, draft or a version id.")
    elif year is not None:
        version = schedule_version_pick(academic_year=year, which=wanted, drafts_visible=True)
    context = {"year": year, "version": version, "wanted": wanted or "published"}
    if version is not None:
        report = version_report(version=version)
        weeks, rows, limit = hours_table(version=version, start=year.start_date, end=year.end_date)
        context.update(
            report=report,
            groups=report_groups(report=report, program_id=request.program.pk),
            violation_count=sum(1 for v in report.violations if v.severity == "violation"),
            warning_count=sum(1 for v in report.violations if v.severity == "warning"),
            weeks=weeks,
            hours_rows=rows,
            limit=limit,
        )
    return render(request, "scheduling/compliance_page.html", context)
