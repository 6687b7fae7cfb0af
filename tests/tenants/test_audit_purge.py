"""Audit events are kept two years: `manage.py purge_audit` and its daily beat task remove older ones, and log it."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from config.celery import app
from tenants.audit_models import AuditEvent
from tenants.tasks import audit_purge_task

pytestmark = pytest.mark.django_db


def _event(days_ago: int, detail: str) -> AuditEvent:
    return AuditEvent.objects.create(
        action="auth.login", occurred_at=timezone.now() - dt.timedelta(days=days_ago), detail=detail
    )


@pytest.fixture
def ages():
    return [_event(800, "old"), _event(731, "just past"), _event(729, "kept"), _event(1, "recent")]


def _details() -> set[str]:
    return set(AuditEvent.objects.exclude(action="audit.purged").values_list("detail", flat=True))


def test_purge_removes_events_older_than_two_years_and_logs_it(ages):
    out = StringIO()

    call_command("purge_audit", stdout=out)

    assert "Deleted 2 audit events older than 730 days." in out.getvalue()
    assert _details() == {"kept", "recent"}
    purged = AuditEvent.objects.get(action="audit.purged")
    assert purged.after["deleted"] == 2 and purged.after["days"] == 730 and purged.program is None


def test_dry_run_counts_and_deletes_nothing(ages):
    out = StringIO()

    call_command("purge_audit", "--dry-run", "--days", "400", stdout=out)

    assert "Would delete 3 audit events older than 400 days." in out.getvalue()
    assert AuditEvent.objects.count() == 4


@pytest.mark.parametrize("days", ["30", "0", "-5"])
def test_a_retention_under_a_year_is_refused(ages, days):
    with pytest.raises(CommandError, match="kept at least 365 days"):
        call_command("purge_audit", "--days", days)

    assert AuditEvent.objects.count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_after_a_purge_the_database_refuses_deletes_again_in_the_same_transaction(ages):
    call_command("purge_audit", stdout=StringIO())

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tenants_auditevent")
    assert _details() == {"kept", "recent"}


def test_the_daily_beat_task_purges(ages):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-purge"]

    assert entry["task"] in app.tasks
    assert audit_purge_task.apply().get() == 2
    assert _details() == {"kept", "recent"}
