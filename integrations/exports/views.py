"""Downloads of the schedule: Excel (block grid, half-day range), PDF (grid, one person) and CSV.

All are scoped to the active program. The version is `?version=` (published by default; drafts and
version ids for managers only), the year `?year=<id>` (else the current one), and the grid's filters
`pgy`, `rotation` and `person` apply.
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from integrations.exports import excel as export_excel
from integrations.exports import pdf as export_pdf
from scheduling.day_view import CALL_CODES, BlockGrid, block_grid, session_grid
from scheduling.models import AcademicYear, Person, RotationTemplate, ScheduleVersion
from scheduling.selectors import academic_year_list, date_range_refusal, person_ids_matching, schedule_version_pick
from scheduling.spreadsheet_safety import CsvWriter
from scheduling.views.access import is_manager, year_from_request
from tenants.access import require
from tenants.audit import record_export
from tenants.params import parse_date, parse_id, parse_whole
from tenants.permissions import Action, Resource, can

PDF = "application/pdf"


@dataclass
class Picked:
    """The year, version and grid filters a download was asked for."""

    year: AcademicYear
    version: ScheduleVersion
    pgy: int | None = None
    rotation: RotationTemplate | None = None
    person: Person | None = None

    def grid(self) -> BlockGrid:
        return block_grid(version=self.version, pgy=self.pgy, rotation=self.rotation, person=self.person)


def _pick(request: HttpRequest, year: AcademicYear | None = None) -> Picked:
    """Read ?year, ?version and the filters; 404 when the year or version does not exist or may not be seen."""
    program = request.program
    year = year or year_from_request(request)
    if year is None:
        raise Http404("This program has no academic year yet.")
    version = schedule_version_pick(
        academic_year=year, which=request.GET.get("version"), drafts_visible=is_manager(request)
    )
    if version is None:
        raise Http404(f"{year} has no published schedule.")
    picked = Picked(year=year, version=version)
    pgy, rotation, person = (request.GET.get(k, "") for k in ("pgy", "rotation", "person"))
    picked.pgy = parse_whole(pgy, low=1, high=8)
    rotation_id, person_id = parse_id(rotation), parse_id(person)
    if rotation_id is not None:
        picked.rotation = get_object_or_404(RotationTemplate.objects.for_program(program), pk=rotation_id)
    if person_id is not None:
        picked.person = get_object_or_404(Person.objects.for_program(program), pk=person_id)
    return picked


def _download(
    request: HttpRequest, body: bytes | str, content_type: str, picked: Picked, what: str, extension: str
) -> HttpResponse:
    """The file as an attachment nobody caches; the download is in the audit log."""
    version = picked.version
    status = "" if version.status == ScheduleVersion.Status.PUBLISHED else f"-{version.status}"
    name = f"{picked.version.program.slug}-{slugify(picked.year.name)}-v{version.number}{status}-{what}.{extension}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, name, target=version)
    return response


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
    """A date range by half-day (?start=&end=) as an Excel workbook, with Calls and Legend sheets."""
    span = _range(request)
    if isinstance(span, HttpResponse):
        return span
    start, end = span
    year = None
    if "year" not in request.GET:  # the version of the year holding the range's first day
        year = academic_year_list(program=request.program).filter(start_date__lte=start, end_date__gte=start).first()
    picked = _pick(request, year)
    people = person_ids_matching(  # the people the month and week views show under the same filters
        version=picked.version, start=start, end=end, pgy=picked.pgy, rotation=picked.rotation, person=picked.person
    )
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


CSV_HEADER = [
    "kind",
    "person",
    "pgy",
    "block",
    "date",
    "session",
    "activity",
    "rotation",
    "call_kind",
    "call_start",
    "call_end",
    "source",
    "code",
    "label",
]


@require(Action.VIEW, Resource.SCHEDULE)
def export_assignments_csv(request: HttpRequest) -> HttpResponse:
    """Every assignment of the version (blocks, sessions, calls) as CSV, one row each, under the grid filters, read
    as every view reads it (scheduling.day_view): a half-day on approved leave is leave, a call on a whole day of
    leave is not taken, a free half-day inside a call is activity "call"; "code" and "label" are what the grid
    and the month view print."""
    picked = _pick(request)
    grid = picked.grid()
    out = io.StringIO()
    writer = CsvWriter(out)  # every text cell, rotations and names alike, is escaped
    writer.writerow(CSV_HEADER)
    people = {row.person.pk: row.person for _, rows in grid.groups for row in rows}
    for _, rows in grid.groups:
        for row in rows:
            person = row.person
            for block, assignments, parts in zip(grid.blocks, row.cells, row.parts, strict=True):
                # One row per stored rotation, with the code and label the grid shows for its part of the block.
                for a, part in zip(assignments, parts, strict=False):
                    block_label = f"{block.number}" if not a.half else f"{block.number} ({a.get_half_display()})"
                    writer.writerow(
                        ["block", person.full_name, person.pgy or "", block_label, block.start_date, "", ""]
                        + [a.rotation.abbreviation, "", "", "", a.source, part.code, part.label]
                    )
    year = picked.year
    sessions = session_grid(version=picked.version, start=year.start_date, end=year.end_date, person_ids=list(people))
    for day in sessions.days:
        for person in sessions.people:
            for half in sessions.day(person.pk, day):
                if half is not None:
                    rotation = half.rotation.abbreviation if half.rotation is not None else ""
                    writer.writerow(
                        ["session", person.full_name, person.pgy or "", "", day, half.session, half.activity, rotation]
                        + ["", "", "", half.source, half.code, half.label]
                    )
    zone = request.program.zone
    for call in sessions.calls:
        person = people[call.person_id]
        start, end = call.start.astimezone(zone), call.end.astimezone(zone)
        writer.writerow(
            ["call", person.full_name, person.pgy or "", "", start.date(), "", "", "", call.kind]
            + [start.isoformat(), end.isoformat(), call.source, CALL_CODES.get(call.kind, call.kind)]
            + [f"{call.get_kind_display()} call"]
        )
    return _download(request, out.getvalue(), "text/csv; charset=utf-8", picked, "assignments", "csv")
