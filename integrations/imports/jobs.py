"""Imports run as background jobs (integrations/jobs) when the file has more than IMPORT_JOB_ROWS rows: the check
(dry run) and the commit alike, the same service as the wizard's, with its progress. A cancel stops the import
inside its one transaction, so nothing is written."""

from django.urls import reverse

from integrations.imports.models import ImportSession
from integrations.imports.services import import_session_run
from integrations.jobs.kinds import JobResult
from integrations.jobs.models import FileJob
from integrations.jobs.services import JobContext


def _run(job: FileJob, ctx: JobContext, *, commit: bool) -> JobResult:
    ctx.progress(0)
    session = import_session_run(
        session_id=job.params["session"], user_id=job.created_by_id, commit=commit, progress=ctx.progress
    )
    report = session.report or {}
    problems = report.get("problem_count", 0)
    if session.status == ImportSession.Status.COMMITTED:
        link = reverse("version-compare", args=[session.version_id]) if session.version_id else ""
        return JobResult(
            link=link or reverse("import-check", args=[session.pk]), message=f"{session.filename} is imported."
        )
    link = reverse("import-check", args=[session.pk])
    if problems:
        found = f"{problems} problem{'s' if problems != 1 else ''}"
        message = f"Nothing was imported: {found} found." if commit else f"The check found {found}."
        return JobResult(link=link, message=message)
    return JobResult(link=link, message="The check found no problem: the file may be imported.")


def check(*, job: FileJob, ctx: JobContext) -> JobResult:
    """The dry run of the job's import session."""
    return _run(job, ctx, commit=False)


def commit(*, job: FileJob, ctx: JobContext) -> JobResult:
    """The import of the job's session, all or nothing."""
    return _run(job, ctx, commit=True)
