"""Exports run as background jobs (integrations/jobs): the same rows and the same file as the direct download,
written to the job's private file with progress reports (which stop the job once a cancel is asked)."""

from __future__ import annotations

import datetime as dt

from integrations.exports import excel as export_excel
from integrations.exports.assignments_csv import CONTENT_TYPE, assignment_rows, csv_lines
from integrations.exports.picking import picked_from_params
from integrations.jobs.kinds import JobResult
from integrations.jobs.models import FileJob
from integrations.jobs.services import JobContext
from scheduling.day_view import session_grid
from scheduling.selectors import person_ids_matching

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
