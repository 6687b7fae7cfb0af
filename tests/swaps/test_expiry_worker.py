"""End to end: the periodic expiry task, sent to the broker (Redis when REDIS_URL is set, else memory://) and run
by a real Celery worker, marks a posting past its time expired and tells its requester."""

import datetime as dt
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import Notification
from swaps.models import Swap
from swaps.services import LegSpec, swap_create
from swaps.tasks import swaps_expire_task
from tests.swaps.factories import call_nights, call_shift

QUEUE = "default"
WAIT = 60


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_expires_a_posting_past_its_time(world):
    night = call_nights(world, world.ann)[1]
    swap = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind="posting",
        legs=[LegSpec(world.ann, None, call_shift(night))],
    )
    fresh = swap_create(
        program=world.program,
        user=world.user("ben"),
        kind="posting",
        legs=[LegSpec(world.ben, None, call_shift(call_nights(world, world.ben)[1]))],
    )
    Swap.objects.filter(pk=swap.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=5))
    finished = threading.Event()
    results = []

    def on_postrun(sender=None, retval=None, **kwargs):
        if getattr(sender, "name", None) == swaps_expire_task.name:
            results.append(retval)
            finished.set()

    celery_app.conf.task_always_eager = False  # the autouse fixture restores it
    task_postrun.connect(on_postrun, weak=False)
    try:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_declare(queue=QUEUE, durable=True, auto_delete=False)
            connection.default_channel.queue_purge(QUEUE)
        with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[QUEUE], shutdown_timeout=WAIT):
            swaps_expire_task.apply_async(queue=QUEUE)
            assert finished.wait(WAIT), "the worker did not run the expiry in time"
    finally:
        task_postrun.disconnect(on_postrun)
    assert results == [1]
    swap.refresh_from_db()
    fresh.refresh_from_db()
    assert (swap.status, fresh.status) == (Swap.Status.EXPIRED, Swap.Status.PENDING)
    note = Notification.objects.get(recipient=world.user("ann"), event="swap_decided")
    assert "expired" in note.title and note.link == f"/swaps/{swap.pk}/"
