"""Email delivery against a real SMTP server on loopback: parts, retries, failures, bounces, idempotency."""

import smtplib
import time

import pytest

from notifications import services, tasks
from notifications.events import Event
from notifications.models import EmailLog, Notification
from notifications.services import notify
from tenants.models import Role
from tests.notifications.conftest import free_port, parts

pytestmark = pytest.mark.django_db

Status = EmailLog.Status
PUBLISHED = {"year": "2026-2027", "version": "v3"}


@pytest.fixture
def resident(member):
    return member(Role.RESIDENT, email="ria.resident@example.org", first_name="Ria", last_name="Resident")


def publish(program, *users, link="/schedule/"):
    return notify(recipients=users, event=Event.SCHEDULE_PUBLISHED, context=PUBLISHED, program=program, link=link)


def test_email_arrives_with_text_and_html_parts_for_the_right_recipient(
    smtp_server, program, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert smtp_server.envelopes[0][1] == ["ria.resident@example.org"]
    assert message["To"] == "ria.resident@example.org"
    assert message["Subject"] == "Schedule published: 2026-2027"
    bodies = parts(message)
    assert set(bodies) == {"text/plain", "text/html"}
    assert "Hello Ria Resident," in bodies["text/plain"]
    assert "The 2026-2027 schedule (v3) is published." in bodies["text/plain"]
    assert "https://scheduler.example.org/schedule/" in bodies["text/plain"]
    assert '<a href="https://scheduler.example.org/schedule/"' in bodies["text/html"]
    assert "https://scheduler.example.org/notifications/preferences/" in bodies["text/html"]
    log = EmailLog.objects.get(notification=notification)
    assert (log.status, log.attempts, log.error) == (Status.SENT, 1, "")
    assert log.sent_at is not None
    assert log.message_id == message["Message-ID"]
    assert log.idempotency_key == f"notification:{notification.pk}"


def test_email_is_sent_only_after_the_transaction_commits(smtp_server, program, resident):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        publish(program, resident)
        raise RuntimeError("the caller's transaction fails")

    assert smtp_server.messages == []
    assert not Notification.objects.exists()


def test_smtp_451_is_retried_and_recorded_then_marked_failed_after_the_last_attempt(
    smtp_server, program, resident, django_capture_on_commit_callbacks
):
    smtp_server.data_reply = "451 4.3.0 Try again later"

    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)

    log = EmailLog.objects.get(notification=notification)
    assert smtp_server.data_attempts == tasks.EMAIL_MAX_RETRIES + 1
    assert smtp_server.messages == []
    assert log.status == Status.FAILED
    assert log.attempts == tasks.EMAIL_MAX_RETRIES + 1
    assert "451" in log.error and "Try again later" in log.error
    assert log.sent_at is None


def test_a_temporary_failure_is_retried_until_the_email_goes(
    smtp_server, program, resident, django_capture_on_commit_callbacks
):
    smtp_server.fail_next(2, "451 4.3.0 Try again later")

    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)

    log = EmailLog.objects.get(notification=notification)
    assert len(smtp_server.messages) == 1
    assert (log.status, log.attempts, log.error) == (Status.SENT, 3, "")


def test_a_closed_smtp_port_fails_after_the_retries(
    smtp_server, settings, program, resident, django_capture_on_commit_callbacks
):
    settings.EMAIL_PORT = free_port()  # nothing listens there

    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)

    log = EmailLog.objects.get(notification=notification)
    assert log.status == Status.FAILED
    assert log.attempts == tasks.EMAIL_MAX_RETRIES + 1
    assert "ConnectionRefusedError" in log.error


def test_a_refused_recipient_bounces_without_retrying(
    smtp_server, program, resident, django_capture_on_commit_callbacks
):
    smtp_server.rcpt_reply = "550 5.1.1 No such user here"

    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)

    log = EmailLog.objects.get(notification=notification)
    assert (log.status, log.attempts) == (Status.BOUNCED, 1)
    assert "No such user here" in log.error


def test_a_permanent_smtp_error_fails_at_once(smtp_server, program, resident, django_capture_on_commit_callbacks):
    smtp_server.data_reply = "554 5.6.0 Message rejected"

    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)

    log = EmailLog.objects.get(notification=notification)
    assert (log.status, log.attempts) == (Status.FAILED, 1)
    assert smtp_server.data_attempts == 1


def test_a_duplicated_or_retried_task_never_sends_twice(
    smtp_server, program, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)
    log = EmailLog.objects.get(notification=notification)

    assert tasks.email_send_task.delay(log.pk).get() == Status.SENT
    tasks.email_send_task.apply(args=[log.pk], retries=3)

    assert len(smtp_server.messages) == 1
    log.refresh_from_db()
    assert (log.status, log.attempts) == (Status.SENT, 1)


def test_a_task_for_a_deleted_log_does_nothing(smtp_server):
    assert tasks.email_send_task.delay(123456).get() is None
    assert smtp_server.messages == []


def test_without_smtp_settings_the_inbox_works_and_the_log_says_email_is_off(
    settings, program, resident, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = ""

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (notification,) = publish(program, resident)

    assert Notification.objects.get(pk=notification.pk).recipient == resident
    log = EmailLog.objects.get(notification=notification)
    assert (log.status, log.error, log.attempts) == (Status.SKIPPED, services.EMAIL_NOT_CONFIGURED, 0)
    assert not [callback for callback in callbacks if "email_send_task" in repr(callback)]


def test_retries_back_off_exponentially_on_the_notifications_queue():
    task = tasks.email_send_task
    assert task.max_retries == 5
    assert task.retry_backoff == 30 and task.retry_backoff_max == 900
    assert set(task.autoretry_for) == {smtplib.SMTPException, OSError}
    from config.celery import app

    assert app.amqp.router.route({}, task.name)["queue"].name == "notifications"


def test_a_hung_smtp_server_times_out_and_the_retry_sends(
    smtp_server, settings, program, resident, django_capture_on_commit_callbacks
):
    settings.EMAIL_TIMEOUT = 0.5
    smtp_server.rcpt_delay_next = 2.0  # seconds the server hangs before answering the first RCPT

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)

    log = EmailLog.objects.get(notification=notification)
    assert (log.status, log.attempts) == (Status.SENT, 2)
    assert len(smtp_server.messages) == 1
    assert time.monotonic() - started < 10
