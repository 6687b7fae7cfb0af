"""My background jobs at /jobs/: the list, a job's page with its live progress (htmx polls the partial), cancel,
and the file's download. A job is its owner's only: anyone else, in this program or another, gets 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from integrations.jobs.downloads import job_file_response
from integrations.jobs.models import FileJob
from integrations.jobs.services import job_cancel, job_progress, jobs_of
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

LIST_LIMIT = 50


def _job(request: HttpRequest, pk: int) -> FileJob:
    job = jobs_of(user=request.user, program=request.program).filter(pk=pk).first()
    if job is None:
        raise Http404("No such job of yours in this program.")
    return job


def _progress_context(job: FileJob) -> dict:
    done, total = job_progress(job)
    percent = 100 if job.status == FileJob.Status.DONE else (min(100, done * 100 // total) if total else 0)
    return {"job": job, "done": done, "total": total, "percent": percent, "active": job.active}


@require(Action.VIEW, Resource.SCHEDULE)
def job_list(request: HttpRequest) -> HttpResponse:
    """My jobs in the active program, newest first: large exports and imports made in the background."""
    jobs = list(jobs_of(user=request.user, program=request.program)[:LIST_LIMIT])
    context = {"jobs": jobs, "export_rows": settings.EXPORT_JOB_ROWS, "import_rows": settings.IMPORT_JOB_ROWS}
    return render(request, "jobs/job_list.html", context)


@require(Action.VIEW, Resource.SCHEDULE)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A job: its progress while it runs, then its file (kept for JOB_FILE_DAYS days) or what went wrong."""
    return render(request, "jobs/job_detail.html", _progress_context(_job(request, pk)))


@require(Action.VIEW, Resource.SCHEDULE)
def job_progress_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial htmx polls; once the job has finished it holds the outcome (the download, or what went
    wrong) and no poll, so the page shows it in place and stops asking."""
    return render(request, "jobs/_job_progress.html", _progress_context(_job(request, pk)))


@require(Action.VIEW, Resource.SCHEDULE)
@require_POST
def job_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop my job: a queued one at once, a running one at its next progress report; no file is kept."""
    job = _job(request, pk)
    try:
        job_cancel(job=job, user=request.user)
    except (DomainError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{job.title} is being cancelled.")
    return redirect("job-detail", pk=job.pk)


@require(Action.VIEW, Resource.SCHEDULE)
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """My finished job's file, while it is kept and my role still allows its kind; the download is audited."""
    return job_file_response(request, _job(request, pk))
