"""Exports run as background jobs (integrations/jobs): the same rows and the same file as the direct download,
written to the job's private file with progress reports (which stop the job once a cancel is asked); and the start
of one, shared by the download pages and POST /api/v1/jobs/."""

from __future__ import annotations

import datetime as dt

from integrations.exports import excel as export_excel
from integrations.exports.assignments_csv import CONTENT_TYPE, assignment_rows, assignments_count, csv_lines
from integrations.exports.picking import Picked, picked_from_params, range_params
from integrations.jobs.kinds import JobResult
from integrations.jobs.models import FileJob
from integrations.jobs.services import JobContext, job_start
from scheduling.day_view import session_grid
from scheduling.models import Person
from scheduling.selectors import person_ids_matching
from tenants.errors import DomainError
from tenants.models import Organization

CHUNK = 1000  # rows between progress reports (and cancel checks)


def assignments_csv(*, job: FileJob, ctx: JobContext) -> JobResult:
    """The assignments CSV of the job's picked version and filters."""
    picked = picked_from_params(program=job.program, user=job.created_by, params=job.params)
    ctx.progress(0)
    with ctx.output(picked.filename("assignments", "csv"), CONTENT_TYPE) as out:
        for count, line in enumerate(csv_lines(assignment_rows(picked)), start=1):
            out.write(line.encode("utf-8"))
            if count % CHUNK == 0:
                ctx.progress(count - 1)  # rows after the header
    return JobResult(message=f"{max(ctx.job.done, ctx.job.total)} rows.")


def range_xlsx(*, job: FileJob, ctx: JobContext) -> JobResult:
    """The half-day range workbook of the job's picked version, filters and dates."""
    picked = picked_from_params(program=job.program, user=job.created_by, params=job.params)
    start, end = dt.date.fromisoformat(job.params["start"]), dt.date.fromisoformat(job.params["end"])
    people = person_ids_matching(
        version=picked.version, start=start, end=end, pgy=picked.pgy, rotation=picked.rotation, person=picked.person
    )
    ctx.progress(0)
    grid = session_grid(version=picked.version, start=start, end=end, person_ids=people)
    cells = 2 * len(grid.days)
    body = export_excel.range_workbook(
        grid=grid, version=picked.version, tick=lambda rows: ctx.progress(rows * cells, len(grid.people) * cells)
    )
    with ctx.output(picked.filename(f"{start}-to-{end}", "xlsx"), export_excel.XLSX_CONTENT_TYPE) as out:
        out.write(body)
    return JobResult(message=f"{len(grid.people)} people, {len(grid.days)} days.")


# ---------------------------------------------------------------------------------------------
# Starting one (the pages past EXPORT_JOB_ROWS, and POST /api/v1/jobs/ at any size)

KIND_OF = {"assignments_csv": "export_assignments_csv", "range_xlsx": "export_range_xlsx"}


def _active_people(program: Organization) -> int:
    return Person.objects.for_program(program).filter(is_active=True).count()


def range_people(picked: Picked, start: dt.date, end: dt.date) -> tuple[list[int] | None, int]:
    """The people a range workbook holds (None: every active person), as the month and week views show them under
    the same filters, and its half-day cells (people x days x 2), what decides whether it runs as a job."""
    people = person_ids_matching(
        version=picked.version, start=start, end=end, pgy=picked.pgy, rotation=picked.rotation, person=picked.person
    )
    count = len(people) if people is not None else _active_people(picked.version.program)
    return people, 2 * ((end - start).days + 1) * count


def export_job_start(
    *,
    program: Organization,
    user,
    export: str,
    picked: Picked,
    span: tuple[dt.date, dt.date] | None = None,
    rows: int | None = None,
) -> FileJob:
    """Queue the export `export` (a key of KIND_OF) of the picked rows as the user's background job; `span` is the
    range workbook's first and last day, `rows` the size already counted (else counted here, for the progress)."""
    if export == "range_xlsx":
        if span is None:
            raise DomainError("A range workbook needs a start and an end date.")
        start, end = span
        what, extension, extra = f"{start}-to-{end}", "xlsx", range_params(start, end)
        rows = range_people(picked, start, end)[1] if rows is None else rows
    else:
        what, extension, extra = "assignments", "csv", {}
        rows = assignments_count(picked) if rows is None else rows
    title = picked.filename(what, extension)
    return job_start(
        program=program, user=user, kind=KIND_OF[export], title=title, params=picked.params() | extra, total=rows
    )
