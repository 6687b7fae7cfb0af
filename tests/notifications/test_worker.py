"""End to end: notify() -> broker (Redis in CI, else memory://) -> a worker on the notifications queue -> SMTP."""

import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from config.celery import app as celery_app
from notifications import tasks
from notifications.events import Event
from notifications.models import EmailLog
from notifications.services import notify
from tenants.models import Role
from tests.notifications.conftest import parts

QUEUE = "notifications"
WAIT = 60


@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_on_the_notifications_queue_delivers_an_email(smtp_server, member, program):
    resident = member(Role.RESIDENT, email="ria@example.org")
    finished = threading.Event()

    def on_postrun(sender=None, **kwargs):
        if getattr(sender, "name", None) == tasks.email_send_task.name:
            finished.set()

    celery_app.conf.task_always_eager = False  # the autouse fixture restores it
    task_postrun.connect(on_postrun, weak=False)
    try:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_declare(queue=QUEUE, durable=True, auto_delete=False)
            connection.default_channel.queue_purge(QUEUE)  # leftovers of earlier sessions
        with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[QUEUE], shutdown_timeout=WAIT):
            (notification,) = notify(
                recipients=[resident], event=Event.SCHEDULE_PUBLISHED, context={"year": "2026-2027"}, program=program
            )
            assert finished.wait(WAIT), "the worker did not deliver the email in time"
    finally:
        task_postrun.disconnect(on_postrun)

    log = EmailLog.objects.get(notification=notification)
    assert (log.status, log.attempts) == (EmailLog.Status.SENT, 1)
    (message,) = smtp_server.messages
    assert message["To"] == "ria@example.org" and message["Subject"] == "Schedule published: 2026-2027"
    assert set(parts(message)) == {"text/plain", "text/html"}
