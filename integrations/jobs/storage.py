"""Where job files live: JOB_FILES_ROOT (under VAR_DIR, outside MEDIA_ROOT), never served by a URL of its own.

The location is read from the settings at each use, so a test (or an operator) moving it needs no restart.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="integrations.jobs.storage.JobFileStorage")
class JobFileStorage(FileSystemStorage):
    """A file system storage at settings.JOB_FILES_ROOT with no public URL: files go out through the job's
    download view, which checks the program and the owner."""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.JOB_FILES_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Job files have no public URL; they are downloaded through their job's page.")


job_files = JobFileStorage()
