"""Production mode refuses weak secrets and passes Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_TESTING", "DJANGO_DEBUG", "SECRET_KEY"}}
    base.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", "SECRET_KEY is not set"),
        ("short-key", "SECRET_KEY is too weak"),
        ("django-insecure-" + "x" * 60, "SECRET_KEY is too weak"),
        ("a" * 60, "SECRET_KEY is too weak"),
    ],
)
def test_production_refuses_to_start_with_a_missing_or_weak_secret(secret, message):
    result = _run(["manage.py", "check"], SECRET_KEY=secret)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_check_deploy():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="scheduler.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_default_runs_tasks_in_process_and_redis_url_switches_to_a_broker():
    code = "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    embedded = _run(["-c", f"import django; django.setup(); {code}"], DJANGO_DEBUG="1", REDIS_URL="")
    assert embedded.stdout.split() == ["True", "memory://"], embedded.stderr
    scaled = _run(
        ["-c", f"import django; django.setup(); {code}"], DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/9"
    )
    assert scaled.stdout.split() == ["False", "redis://127.0.0.1:6379/9"], scaled.stderr


def test_database_url_switches_to_postgresql():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"
    result = _run(
        ["-c", f"import django; django.setup(); {code}"],
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/anything",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr
