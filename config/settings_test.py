"""Test overrides: the same settings as everywhere, with a fast password hasher."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_TESTING", "1")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test runs at the same time may share a Redis database (with their own test databases, so the same ids for other
# rows): each run's cache keys carry its own prefix, so no run reads another's cached reports or clears its keys.
CACHES["default"]["KEY_PREFIX"] = f"test{os.getpid()}"  # noqa: F405

# Background job files of a test run go to a directory of its own, never under var/.
JOB_FILES_ROOT = Path(tempfile.gettempdir()) / f"rs-test-jobs-{os.getpid()}"  # noqa: F405
