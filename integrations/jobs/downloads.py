"""A finished job's file as the answer to its owner (the page's download and the API's `file` action)."""

from django.http import FileResponse, Http404, HttpRequest

from integrations.jobs.models import FileJob
from integrations.jobs.services import may_use
from tenants.audit import record_export


def job_file_response(request: HttpRequest, job: FileJob) -> FileResponse:
    """The file as an attachment nobody caches, while it is kept and the owner's role still allows its kind; 404
    otherwise. The download is in the audit log."""
    if job.status != FileJob.Status.DONE or not job.file or not may_use(request.user, job):
        raise Http404("This job has no file (not finished yet, or removed after its time).")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is gone; start the export again.") from None
    response = FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)
    response["Cache-Control"] = "private, no-store"
    record_export(request, job.filename, target=job)
    return response
