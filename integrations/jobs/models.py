"""A background job that makes a file or runs an import: a large export, an import over the row limit.

Generic on purpose: `kind` names a runner (integrations/jobs/kinds.py), `params` are its plain arguments, and the
file it writes is kept until `expires_at` (finished + JOB_FILE_DAYS days), then the periodic purge removes it.
"""

from django.conf import settings
from django.db import models

from integrations.jobs.storage import job_files
from tenants.models import ProgramOwnedModel


class FileJob(ProgramOwnedModel):
    """One background job of one user in one program: its status, progress (`done` of `total` rows), the file
    it made (private storage, downloaded through a view checking the program and the owner) or the page it
    points to (`link`), and why it failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=40, help_text="The runner (integrations/jobs/kinds.py).")
    title = models.CharField(max_length=200, help_text="What the job makes, for lists and notifications.")
    key = models.CharField(
        max_length=100, blank=True, help_text="Jobs of one program with the same key run one at a time."
    )
    params = models.JSONField(default=dict, blank=True, help_text="The runner's arguments (ids and plain values).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When the purge removes the file.")
    file = models.FileField(storage=job_files, max_length=300, blank=True)
    filename = models.CharField(max_length=255, blank=True, help_text="The name the file is downloaded as.")
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    link = models.CharField(max_length=300, blank=True, help_text="The page holding the result (an import's).")
    message = models.TextField(blank=True, help_text="Why it failed, or what it did.")
    task_id = models.CharField(max_length=64, blank=True)

    permission_resource = "schedule"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["program", "created_by", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} (job #{self.pk})"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
