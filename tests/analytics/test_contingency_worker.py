"""A contingency analysis through a real Celery worker on the solver queue: one task per scenario in a chord whose
callback finishes the analysis, with the progress reaching the total."""

import os
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from analytics import tasks
from analytics.contingency import contingency_start
from analytics.models import ContingencyAnalysis, ContingencyFinding
from config.celery import app as celery_app
from tests.scheduling.test_generation import tiny_program

WAIT = 240  # a generous wall-clock bound for background work

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="a chord needs a result backend: Redis (REDIS_URL), as in CI"
)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_every_scenario_as_a_chord_and_finishes_the_analysis(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    finished = threading.Event()
    scenarios: list[str] = []

    def on_postrun(sender=None, **kwargs):
        name = getattr(sender, "name", None)
        if name == tasks.contingency_scenario_task.name:
            scenarios.append(kwargs.get("task_id"))
        if name == tasks.contingency_phase_done_task.name:
            finished.set()  # waiting on the signal keeps this thread off the database while the worker writes

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    task_postrun.connect(on_postrun, weak=False)
    try:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_declare(queue=tasks.SOLVER_QUEUE, durable=True, auto_delete=False)
            connection.default_channel.queue_purge(tasks.SOLVER_QUEUE)  # leftovers of earlier sessions
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, queues=[tasks.SOLVER_QUEUE], shutdown_timeout=WAIT
        ):
            analysis = contingency_start(academic_year=year, first_block=1, last_block=1, depth=1, user=coordinator)
            assert finished.wait(WAIT), "the worker did not finish the analysis in time"
    finally:
        task_postrun.disconnect(on_postrun)
        celery_app.conf.task_always_eager = eager
    analysis.refresh_from_db()
    assert analysis.status == ContingencyAnalysis.Status.SUCCEEDED, analysis.message
    assert analysis.done == analysis.total == 8
    assert len(scenarios) == 8  # one task per person, six residents and two faculty
    assert ContingencyFinding.objects.filter(analysis=analysis).count() == 8
    assert analysis.summary["people"] == 8
