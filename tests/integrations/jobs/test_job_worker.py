"""A large export through a real Celery worker on the default queue (Redis, as in production): the job is queued
after commit, the worker writes the file, and it is the direct download's."""

import os
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.urls import reverse

from config.celery import app as celery_app
from integrations.jobs import tasks
from integrations.jobs.models import FileJob
from tests.scheduling import export_data

WAIT = 240

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="a real worker needs Redis (REDIS_URL)")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_export_file(client, program, coordinator, resident_user, settings):
    export_data.build(program, ann_user=resident_user)
    client.force_login(coordinator)
    settings.EXPORT_JOB_ROWS = 10**9
    direct = client.get(reverse("export-assignments-csv")).getvalue()
    settings.EXPORT_JOB_ROWS = 2
    finished = threading.Event()

    def on_postrun(sender=None, **kwargs):
        if getattr(sender, "name", None) == tasks.job_run_task.name:
            finished.set()

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    task_postrun.connect(on_postrun, weak=False)
    try:
        queue = celery_app.conf.task_default_queue
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_declare(queue=queue, durable=True, auto_delete=False)
            connection.default_channel.queue_purge(queue)  # leftovers of earlier sessions
        with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=WAIT):
            response = client.get(reverse("export-assignments-csv"))
            assert response.status_code == 302
            assert finished.wait(WAIT), "the worker did not run the job in time"
    finally:
        task_postrun.disconnect(on_postrun)
        celery_app.conf.task_always_eager = eager
    job = FileJob.objects.get()
    assert job.status == FileJob.Status.DONE, job.message
    assert job.task_id  # kept, so a cancel of a queued job can revoke it
    assert b"".join(client.get(reverse("job-download", args=[job.pk])).streaming_content) == direct
