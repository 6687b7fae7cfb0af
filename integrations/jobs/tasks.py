"""Background file jobs as Celery tasks on the default queue, and the daily purge of their files.

Embedded mode (no REDIS_URL, CELERY_TASK_ALWAYS_EAGER) still runs a job in the background: the dispatcher starts
it in a daemon thread of the web process, never inside the request, as schedule runs do (scheduling/tasks.py).
"""

import logging
import threading
import uuid

from celery import shared_task
from django.db import connections

from integrations.jobs.models import FileJob
from integrations.jobs.services import job_files_purge, job_run

logger = logging.getLogger(__name__)


def _close_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


@shared_task(bind=True, acks_late=True)
def job_run_task(self, job_id: int) -> str | None:
    """Run the job `job_id`; idempotent (a job that is not queued any more is left alone)."""
    try:
        job = job_run(job_id)
        return job.status if job is not None else None
    finally:
        if not self.request.is_eager:
            _close_connections()


def _run_in_thread(job_id: int) -> None:
    try:
        job_run_task.apply(args=[job_id])
    finally:
        _close_connections()


def job_dispatch(job_id: int) -> threading.Thread | None:
    """Start the job in the background: a daemon thread in embedded mode, else the default queue (the task id is
    kept so a cancel can revoke it). Call it after commit. Returns the thread in embedded mode."""
    if job_run_task.app.conf.task_always_eager:
        thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"file-job-{job_id}", daemon=True)
        thread.start()
        return thread
    task_id = str(uuid.uuid4())  # kept before the task exists, so no worker's write races it
    FileJob.objects.filter(pk=job_id).update(task_id=task_id)
    job_run_task.apply_async(args=[job_id], task_id=task_id)
    return None


def job_revoke(task_id: str) -> None:
    """Tell the workers to drop a queued job's task (the job is already cancelled; the task would skip it)."""
    if job_run_task.app.conf.task_always_eager or not task_id:
        return
    try:
        job_run_task.app.control.revoke(task_id)
    except Exception:  # the broker being away must not fail the cancel, which already holds
        logger.warning("Could not revoke job task %s.", task_id, exc_info=True)


@shared_task
def job_files_purge_task() -> int:
    """Daily: remove job files older than JOB_FILE_DAYS and fail jobs left behind by a dead worker."""
    return job_files_purge()
