"""Background file jobs: start one (queued after commit), follow its progress, cancel it, run it, purge its file.

A job runs its kind's runner (integrations/jobs/kinds.py) in the background: a Celery task on the default queue,
or a daemon thread of the web process in the embedded default (integrations/jobs/tasks.py), as schedule runs do.
Progress goes to the cache at every report (an import reports from inside its one transaction, where the row's
own updates are not visible to others) and to the row when no transaction is open. A cancel is a flag on the row
(and in the cache) that the runner reads at each progress report; a queued job is cancelled at once. The file is
written under JOB_FILES_ROOT and kept JOB_FILE_DAYS days after the job finished; a cancelled or failed job keeps
none. The owner hears of a finished or failed job once (notify_once), with the link to its page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import get_valid_filename

from integrations.jobs.kinds import KINDS, JobKind, JobResult
from integrations.jobs.models import FileJob
from integrations.jobs.storage import job_files
from notifications.events import Event
from notifications.services import notify_once
from tenants.background import background_cancel
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.permissions import can

logger = logging.getLogger(__name__)

Status = FileJob.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
PROGRESS_EVERY = 0.5  # seconds between progress writes to the row
CACHE_SECONDS = 24 * 3600


class JobCancelled(Exception):
    """Raised inside a runner when its job was asked to stop."""


def _progress_key(job_id: int) -> str:
    return f"jobs:{job_id}:progress"


def _cancel_key(job_id: int) -> str:
    return f"jobs:{job_id}:cancel"


def job_kind(kind: str) -> JobKind:
    """The kind's spec, or a DomainError naming the known kinds."""
    try:
        return KINDS[kind]
    except KeyError:
        raise DomainError(f"Unknown job kind “{kind}”; known kinds: {', '.join(sorted(KINDS))}.") from None


def may_use(user, job: FileJob) -> bool:
    """The job's owner, while their role in its program still allows its kind (an export: reading the schedule)."""
    spec = KINDS.get(job.kind)
    return (
        spec is not None
        and job.created_by_id is not None
        and job.created_by_id == getattr(user, "pk", None)
        and can(user, spec.action, spec.resource, job.program)
    )


# ---------------------------------------------------------------------------------------------
# Reads


def jobs_of(*, user, program: Organization) -> QuerySet[FileJob]:
    """The user's own jobs in the program, newest first (nobody sees another person's jobs)."""
    return FileJob.objects.for_program(program).filter(created_by=user)


def job_progress(job: FileJob) -> tuple[int, int]:
    """(done, total) as last reported: the cache's while the job runs, else the row's."""
    if job.status == Status.RUNNING:
        reported = cache.get(_progress_key(job.pk))
        if reported:
            return reported[0], reported[1]
    return job.done, job.total


# ---------------------------------------------------------------------------------------------
# Writes


def job_start(
    *, program: Organization, user, kind: str, title: str, params: dict[str, Any], total: int = 0, key: str = ""
) -> FileJob:
    """Queue a job of `kind` for `user` (after commit). The user needs the kind's role in the program; a job of
    the program with the same non-empty `key` still queued or running is returned instead of a second one."""
    spec = job_kind(kind)
    if not can(user, spec.action, spec.resource, program):
        raise PermissionDenied(f"Your role in {program} does not allow this job ({spec.label}).")
    jobs_fail_stale()  # a job a dead process left behind must not hold its key
    with transaction.atomic():
        if key:
            Organization.objects.select_for_update().filter(pk=program.pk).exists()  # one start per key at a time
            running = FileJob.objects.for_program(program).filter(key=key, status__in=ACTIVE).first()
            if running is not None:
                return running
        job = FileJob.objects.create(
            program=program, created_by=user, kind=kind, title=title[:200], key=key, params=params, total=max(total, 0)
        )
        from integrations.jobs.tasks import job_dispatch  # the tasks module imports this one

        transaction.on_commit(lambda: job_dispatch(job.pk))
    return job


@transaction.atomic
def job_cancel(*, job: FileJob, user) -> FileJob:
    """Ask the owner's queued or running job to stop: a queued one is cancelled at once (its task revoked), a
    running one stops at its next progress report and keeps no file. A finished job is a ConflictError."""
    locked = FileJob.objects.select_for_update().get(pk=job.pk)
    background_cancel(
        locked,
        allowed=may_use(user, locked),
        denied="Only the person who started a job can cancel it.",
        active=locked.active,
    )
    cache.set(_cancel_key(locked.pk), True, CACHE_SECONDS)
    if locked.status == Status.CANCELLED and locked.task_id:  # it was queued: its task need not start
        task_id = locked.task_id
        from integrations.jobs.tasks import job_revoke

        transaction.on_commit(lambda: job_revoke(task_id))
    return locked


# ---------------------------------------------------------------------------------------------
# Running (the body of the Celery task and of the embedded thread)


class JobContext:
    """What a runner is handed: progress reports (which raise JobCancelled once a cancel is asked) and the file."""

    def __init__(self, job: FileJob) -> None:
        self.job = job
        self.name = ""  # the file's name in job storage, once opened
        self.filename = ""
        self.content_type = ""
        self._written_at = 0.0

    def cancelled(self) -> bool:
        """Whether a cancel was asked (the cache's flag, else the row's committed one)."""
        if cache.get(_cancel_key(self.job.pk)):
            return True
        return FileJob.objects.filter(pk=self.job.pk, cancel_requested=True).exists()

    def progress(self, done: int, total: int | None = None) -> None:
        """Report `done` of `total` (rows); raises JobCancelled when the job was asked to stop."""
        job = self.job
        job.done = done
        if total is not None:
            job.total = total
        job.total = max(job.total, job.done)
        cache.set(_progress_key(job.pk), (job.done, job.total), CACHE_SECONDS)
        now = time.monotonic()
        if not connection.in_atomic_block and (now - self._written_at >= PROGRESS_EVERY or job.done >= job.total):
            FileJob.objects.filter(pk=job.pk).update(done=job.done, total=job.total)
            self._written_at = now
        if self.cancelled():
            raise JobCancelled

    @contextmanager
    def output(self, filename: str, content_type: str) -> Iterator[BinaryIO]:
        """The job's file, opened for writing in private storage; `filename` is what it is downloaded as."""
        folder = f"{self.job.program_id}/{self.job.pk}-{secrets.token_hex(8)}"
        self.name = f"{folder}/{get_valid_filename(filename) or 'download'}"
        self.filename, self.content_type = filename, content_type
        path = job_files.path(self.name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            yield out

    def discard(self) -> None:
        """Remove the file written so far (a cancelled or failed job keeps none)."""
        if self.name:
            _remove(self.name)
            self.name = ""


def _remove(name: str) -> None:
    job_files.delete(name)
    folder = os.path.dirname(job_files.path(name))
    with contextlib.suppress(OSError):  # not empty, or already gone
        os.rmdir(folder)


def job_claim(job_id: int) -> FileJob | None:
    """Move a queued job to running; None when it is not queued any more (idempotent)."""
    with transaction.atomic():
        job = FileJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Status.QUEUED:
            return None
        job.status, job.started_at = Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
        return job


def _notify(job: FileJob) -> None:
    if job.created_by_id is None or job.status not in (Status.DONE, Status.FAILED):
        return
    status = "is ready" if job.status == Status.DONE else "failed"
    detail = job.message if job.status == Status.FAILED else ""
    notify_once(
        key=f"job:{job.pk}",
        recipients=[job.created_by],
        event=Event.JOB_FINISHED,
        context={"job": job.title, "status": status, "detail": detail},
        program=Organization.objects.get(pk=job.program_id),
        link=reverse("job-detail", args=[job.pk]),
    )


def _finish(job: FileJob, ctx: JobContext, status: str, *, message: str = "", link: str = "") -> FileJob:
    with transaction.atomic():
        locked = FileJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != Status.RUNNING:  # failed as stale meanwhile: what it wrote goes
            ctx.discard()
            return locked
        now = timezone.now()
        locked.status, locked.finished_at, locked.message, locked.link = status, now, message[:2000], link
        locked.done, locked.total = job.done, max(job.total, job.done)
        if status == Status.DONE:
            locked.done = locked.total
            if ctx.name:
                locked.file.name, locked.filename, locked.content_type = ctx.name, ctx.filename, ctx.content_type
                locked.size = job_files.size(ctx.name)
                locked.expires_at = now + dt.timedelta(days=settings.JOB_FILE_DAYS)
        else:
            ctx.discard()
        locked.save(
            update_fields=[
                "status", "finished_at", "message", "link", "done", "total", "file", "filename", "content_type",
                "size", "expires_at",
            ]
        )  # fmt: skip
        _notify(locked)
    cache.delete_many([_progress_key(job.pk), _cancel_key(job.pk)])
    return locked


def job_run(job_id: int) -> FileJob | None:
    """Run a queued job to its end (done, failed or cancelled); idempotent (a job not queued is left alone)."""
    job = job_claim(job_id)
    return job_execute(job) if job is not None else None


def job_execute(job: FileJob) -> FileJob:
    """Run a claimed (running) job's runner and record how it ended; the owner is told of a file or a failure."""
    ctx = JobContext(job)
    try:
        if ctx.cancelled():
            raise JobCancelled
        result: JobResult = import_string(job_kind(job.kind).runner)(job=job, ctx=ctx)
    except JobCancelled:
        return _finish(job, ctx, Status.CANCELLED, message="Cancelled; nothing was kept.")
    except (DomainError, PermissionDenied) as error:
        return _finish(job, ctx, Status.FAILED, message=str(error))
    except Exception:
        logger.exception("Background job %s (%s) failed.", job.pk, job.kind)
        message = f"It failed because of an internal error (logged with #{job.pk})."
        return _finish(job, ctx, Status.FAILED, message=message)
    return _finish(job, ctx, Status.DONE, message=result.message, link=result.link)


def jobs_fail_stale(*, now: dt.datetime | None = None) -> int:
    """Fail the jobs a dead worker or a restarted process left queued or running past JOB_STALE_HOURS."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.JOB_STALE_HOURS)
    return FileJob.objects.filter(status__in=ACTIVE, created_at__lt=cutoff).update(
        status=Status.FAILED, finished_at=now, message="It stopped reporting (its worker probably stopped)."
    )


def _orphans(now: dt.datetime) -> list[str]:
    """Files in job storage no job holds, older than JOB_FILE_DAYS (what a dead worker left half-written)."""
    root = job_files.location
    if not os.path.isdir(root):
        return []
    held = set(FileJob.objects.exclude(file="").values_list("file", flat=True))
    cutoff = (now - dt.timedelta(days=settings.JOB_FILE_DAYS)).timestamp()
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            if relative not in held and os.path.getmtime(path) < cutoff:
                found.append(relative)
    return found


def job_files_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Remove the files of jobs whose time is up (finished + JOB_FILE_DAYS days), keeping the rows (marked), and
    the files no job holds that are as old; stale jobs are failed first. Returns how many files went (or, with
    `dry_run`, would)."""
    now = now or timezone.now()
    due = FileJob.objects.filter(expires_at__lte=now).exclude(file="")
    if dry_run:
        return due.count() + len(_orphans(now))
    jobs_fail_stale(now=now)
    removed = 0
    for job in due.only("pk", "file"):
        _remove(job.file.name)
        removed += FileJob.objects.filter(pk=job.pk).update(file="", size=None, message="The file was removed.")
    for name in _orphans(now):
        _remove(name)
        removed += 1
    return removed
