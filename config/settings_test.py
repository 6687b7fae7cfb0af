"""Test overrides: the same settings as everywhere, with a fast password hasher."""

import os

os.environ.setdefault("DJANGO_TESTING", "1")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
