"""Downloads of the schedule: Excel (block grid, half-day range), PDF (grid, one person) and CSV.

All are scoped to the active program. The version is `?version=` (published by default; drafts and
version ids for managers only), the year `?year=<id>` (else the current one), and the grid's filters
`pgy`, `rotation` and `person` apply.
"""

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify

from integrations.exports import assignments_csv as csv_export
from integrations.exports import excel as export_excel
from integrations.exports import pdf as export_pdf
from integrations.exports.assignments_csv import assignment_rows, assignments_count, csv_lines
from integrations.exports.jobs import export_job_start, range_people
from integrations.exports.picking import Picked
from integrations.exports.picking import pick as _pick
from scheduling.day_view import block_grid, session_grid
from scheduling.models import Person
from scheduling.selectors import academic_year_list, date_range_refusal
from tenants.access import require
from tenants.audit import record_export
from tenants.errors import DomainError
from tenants.params import parse_date
from tenants.permissions import Action, Resource, can

PDF = "application/pdf"


def _download(
    request: HttpRequest,
    body: bytes | str | Iterator[str],
    content_type: str,
    picked: Picked,
    what: str,
    extension: str,
) -> HttpResponse | StreamingHttpResponse:
    """The file as an attachment nobody caches (streamed when `body` is an iterator); the download is in the
    audit log."""
    name = picked.filename(what, extension)
    if isinstance(body, bytes | str):
        response: HttpResponse | StreamingHttpResponse = HttpResponse(body, content_type=content_type)
    else:
        response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, name, target=picked.version)
    return response


def _in_background(request: HttpRequest, rows: int) -> bool:
    """Whether the export runs as a background job: more than EXPORT_JOB_ROWS rows, unless `?stream=1` asks for
    the file at once (a script; only the CSV streams)."""
    return rows > settings.EXPORT_JOB_ROWS and request.GET.get("stream") != "1"


def _start_job(
    request: HttpRequest, picked: Picked, export: str, rows: int, span: tuple[dt.date, dt.date] | None = None
) -> HttpResponse:
    """Queue the export as the user's background job and send them to its page; the request is audited now."""
    try:
        job = export_job_start(
            program=request.program, user=request.user, export=export, picked=picked, span=span, rows=rows
        )
    except DomainError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    record_export(request, job.title, target=picked.version)
    messages.info(request, f"{job.title} has about {rows} rows: it is being made in the background.")
    return redirect("job-detail", pk=job.pk)


def _range(request: HttpRequest) -> tuple[dt.date, dt.date] | HttpResponse:
    """?start and ?end as dates, or a 400 saying what is wrong with them."""
    start, end = parse_date(request.GET.get("start")), parse_date(request.GET.get("end"))
    refusal = date_range_refusal(start, end)
    if refusal:
        return HttpResponse(refusal, status=400, content_type="text/plain; charset=utf-8")
    return start, end


@require(Action.VIEW, Resource.SCHEDULE)
def export_grid_xlsx(request: HttpRequest) -> HttpResponse:
    """The block grid as an Excel workbook, with a Legend sheet."""
    picked = _pick(request)
    body = export_excel.block_grid_workbook(grid=picked.grid(), version=picked.version)
    return _download(request, body, export_excel.XLSX_CONTENT_TYPE, picked, "blocks", "xlsx")


@require(Action.VIEW, Resource.SCHEDULE)
def export_range_xlsx(request: HttpRequest) -> HttpResponse:
    """A date range by half-day (?start=&end=) as an Excel workbook, with Calls and Legend sheets; past
    EXPORT_JOB_ROWS half-day cells (people x days x 2) made by a background job."""
    span = _range(request)
    if isinstance(span, HttpResponse):
        return span
    start, end = span
    year = None
    if "year" not in request.GET:  # the version of the year holding the range's first day
        year = academic_year_list(program=request.program).filter(start_date__lte=start, end_date__gte=start).first()
    picked = _pick(request, year)
    people, cells = range_people(picked, start, end)
    if _in_background(request, cells):
        return _start_job(request, picked, "range_xlsx", cells, (start, end))
    grid = session_grid(version=picked.version, start=start, end=end, person_ids=people)
    body = export_excel.range_workbook(grid=grid, version=picked.version)
    return _download(request, body, export_excel.XLSX_CONTENT_TYPE, picked, f"{start}-to-{end}", "xlsx")


@require(Action.VIEW, Resource.SCHEDULE)
def export_grid_pdf(request: HttpRequest) -> HttpResponse:
    """The block grid as a landscape letter PDF."""
    picked = _pick(request)
    return _download(
        request, export_pdf.grid_pdf(grid=picked.grid(), version=picked.version), PDF, picked, "blocks", "pdf"
    )


@login_required
def export_person_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's schedule as a PDF, for that person or anyone who may read the program's schedule."""
    program = getattr(request, "program", None)
    if program is None:
        raise PermissionDenied("You are not a member of any program.")
    person = get_object_or_404(Person.objects.for_program(program), pk=pk)
    if person.user_id != request.user.pk and not can(request.user, Action.VIEW, Resource.SCHEDULE, program):
        raise PermissionDenied("You may download only your own schedule.")
    picked = _pick(request)
    if "start" in request.GET or "end" in request.GET:
        span = _range(request)
        if isinstance(span, HttpResponse):
            return span
    else:
        span = export_pdf.person_range(version=picked.version, today=program.today())
    grid = block_grid(version=picked.version, person=person)
    sessions = session_grid(version=picked.version, start=span[0], end=span[1], person_ids=[person.pk])
    body = export_pdf.person_pdf(person=person, grid=grid, sessions=sessions, version=picked.version)
    return _download(request, body, PDF, picked, slugify(person.full_name), "pdf")


@require(Action.VIEW, Resource.SCHEDULE)
def export_assignments_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every assignment of the version (blocks, sessions, calls) as CSV, one row each, under the grid filters, read
    as every view reads it (scheduling.day_view): a half-day on approved leave is leave, a call on a whole day of
    leave is not taken, a free half-day inside a call is activity "call"; "code" and "label" are what the grid
    and the month view print. Streamed; past EXPORT_JOB_ROWS rows made by a background job instead."""
    picked = _pick(request)
    rows = assignments_count(picked)
    if _in_background(request, rows):
        return _start_job(request, picked, "assignments_csv", rows)
    lines = csv_lines(assignment_rows(picked))
    return _download(request, lines, csv_export.CONTENT_TYPE, picked, "assignments", "csv")
