"""Background work of the scheduling app: solving schedule runs on the `solver` queue.

Embedded mode (no REDIS_URL, CELERY_TASK_ALWAYS_EAGER) still runs a solve in the background: the
dispatcher starts it in a daemon thread of the web process, never inside the request. A run that a
dead worker or a restarted process left queued or running is marked failed by
`schedule_runs_fail_stale`, called when a worker starts and before each new run of the same year.
"""

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready
from django.db import connections

from scheduling.services import schedule_run_execute, schedule_runs_fail_stale

logger = logging.getLogger(__name__)

SOLVER_QUEUE = "solver"


def _close_connections() -> None:
    """Close this thread's database connections (a worker thread must not leave them open)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


@shared_task(bind=True, acks_late=True)
def schedule_run_execute_task(self, run_id: int) -> str | None:
    """Solve the schedule run `run_id`; idempotent (a run that is not queued any more is left alone)."""
    try:
        run = schedule_run_execute(run_id=run_id)
        return run.status if run is not None else None
    finally:
        if not self.request.is_eager:
            _close_connections()


def _execute_in_thread(run_id: int) -> None:
    try:
        schedule_run_execute_task.apply(args=[run_id])
    finally:
        _close_connections()


def schedule_run_dispatch(run_id: int) -> threading.Thread | None:
    """Start the run's solve in the background: a daemon thread in embedded mode, else the solver queue.

    Call it after commit (the worker must see the run). Returns the thread in embedded mode.
    """
    if schedule_run_execute_task.app.conf.task_always_eager:
        thread = threading.Thread(target=_execute_in_thread, args=(run_id,), name=f"schedule-run-{run_id}", daemon=True)
        thread.start()
        return thread
    schedule_run_execute_task.apply_async(args=[run_id], queue=SOLVER_QUEUE)
    return None


@worker_ready.connect
def _fail_stale_runs_on_worker_start(**kwargs: object) -> None:
    """Runs a dead worker left running past their time limit are marked failed when a worker starts."""
    try:
        schedule_runs_fail_stale()
    except Exception:
        logger.exception("Could not check for stale schedule runs.")
    finally:
        _close_connections()
