"""Idempotency-Keys are kept their promised 24 hours, then purged: `manage.py purge_idempotency_keys` and its
daily beat task remove older ones, and a retry within the 24 hours still gets the first answer."""

import datetime as dt
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from absences.models import Absence
from config.celery import app
from tenants.models import IdempotentRequest
from tenants.tasks import idempotency_keys_purge_task
from tests.tenants.test_idempotency import ABSENCES, TRIP, keyed, me  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _age(key: str, hours: float) -> None:
    """Make the stored key `hours` old, as if it had been sent then."""
    made = timezone.now() - dt.timedelta(hours=hours)
    IdempotentRequest.objects.filter(key=key).update(
        created_at=made, expires_at=made + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    )


@pytest.fixture
def keys(resident_user):
    """Keys sent 10 days, 2 days, 25 hours, 23 hours and 1 minute ago, each with its stored answer."""
    for key, hours in (("ten-days", 240), ("two-days", 48), ("yesterday", 25), ("today", 23), ("now", 0.02)):
        IdempotentRequest.objects.create(
            user=resident_user,
            key=key,
            fingerprint="f" * 64,
            status_code=201,
            body={"id": 1},
            expires_at=timezone.now(),
        )
        _age(key, hours)


def _kept() -> set[str]:
    return set(IdempotentRequest.objects.values_list("key", flat=True))


def test_purge_removes_keys_past_24_hours_and_keeps_recent_ones(keys):
    out = StringIO()

    call_command("purge_idempotency_keys", stdout=out)

    assert out.getvalue().strip() == "3 idempotency keys older than 24 hours removed."
    assert _kept() == {"today", "now"}


def test_older_than_days_keeps_keys_that_long(keys):
    out = StringIO()

    call_command("purge_idempotency_keys", "--older-than-days", "7", stdout=out)

    assert out.getvalue().strip() == "1 idempotency key older than 7 days removed."
    assert _kept() == {"two-days", "yesterday", "today", "now"}


@pytest.mark.parametrize("value", ["0", "-3", "abc", "1.5", "²", "99999999999999999999", ""])
def test_a_bad_older_than_days_is_refused_and_nothing_goes(keys, value):
    with pytest.raises(CommandError, match="--older-than-days must be a whole number from 1 to 3650") as refused:
        call_command("purge_idempotency_keys", "--older-than-days", value)

    assert refused.value.returncode == 2
    assert len(_kept()) == 5


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["zero"], "CommandError: --older-than-days must be a whole number from 1 to 3650 (got 'zero')."),
        ([], "manage.py purge_idempotency_keys: error: argument --older-than-days: expected one argument"),
    ],
)
def test_from_the_command_line_a_bad_value_is_one_line_and_exit_2(keys, args, line):
    command = [sys.executable, "manage.py", "purge_idempotency_keys", "--skip-checks", "--older-than-days", *args]

    done = subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False)

    assert (done.returncode, done.stderr.strip().splitlines(), done.stdout) == (2, [line], "")
    assert len(_kept()) == 5


def test_the_daily_beat_task_purges(keys):
    entry = settings.CELERY_BEAT_SCHEDULE["idempotency-keys-purge"]

    assert entry["task"] in app.tasks
    assert idempotency_keys_purge_task.apply().get() == 3
    assert _kept() == {"today", "now"}


def test_a_retry_within_24_hours_still_replays_after_the_purge(api_as, resident_user, me):  # noqa: F811
    client = keyed(api_as(resident_user), "trip-august")
    first = client.post(ABSENCES, TRIP, format="json")
    _age("trip-august", 23)

    call_command("purge_idempotency_keys", stdout=StringIO())
    retry = client.post(ABSENCES, TRIP, format="json")

    assert first.status_code == retry.status_code == 201, retry.content
    assert retry["Idempotent-Replayed"] == "true" and retry.json() == first.json()
    assert Absence.objects.count() == 1


def test_a_key_past_24_hours_is_purged_and_no_longer_replays(api_as, resident_user, me):  # noqa: F811
    client = keyed(api_as(resident_user), "trip-august")
    client.post(ABSENCES, TRIP, format="json")
    _age("trip-august", 25)

    call_command("purge_idempotency_keys", stdout=StringIO())

    assert not IdempotentRequest.objects.filter(key="trip-august").exists()
    retry = client.post(ABSENCES, TRIP, format="json")
    assert retry.status_code == 409 and "overlap" in retry.json()["detail"]  # handled anew: the trip exists
    assert not retry.has_header("Idempotent-Replayed") and Absence.objects.count() == 1
