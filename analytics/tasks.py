"""Background work of the analytics app: contingency analyses fanned out on the `solver` queue.

With a broker (REDIS_URL), an analysis is a Celery chord: one task per scenario in a group, and a callback that
runs when every one of them has finished; more solver workers (machines) make it faster. Depth 2 chains a second
chord (the critical pairs, chosen from the N-1 findings) from the first one's callback. In the embedded default
(no REDIS_URL, tasks eager) the scenarios run one after another in a daemon thread of the web process, as schedule
runs do (scheduling/tasks.py), never inside the request.
"""

import logging
import threading

from celery import chord, group, shared_task
from django.db import connections

from analytics.contingency import (
    contingency_add_pairs,
    contingency_claim,
    contingency_fail,
    contingency_finish,
    contingency_run_in_process,
    contingency_scenario_run,
    n1_scenarios,
)

logger = logging.getLogger(__name__)

SOLVER_QUEUE = "solver"


def _close_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


@shared_task(bind=True, acks_late=True, ignore_result=False)
def contingency_scenario_task(self, analysis_id: int, lost: list[str]) -> str | None:
    """Decide one scenario (a person, or a pair, lost over the analysis's blocks); idempotent. Its result (the
    finding's verdict) is kept for the chord, which waits for every scenario of the phase."""
    try:
        finding = contingency_scenario_run(analysis_id=analysis_id, lost=lost)
        return finding.result if finding is not None else None
    finally:
        if not self.request.is_eager:
            _close_connections()


@shared_task(bind=True, acks_late=True)
def contingency_phase_done_task(self, _results: list | None, analysis_id: int, phase: int) -> None:
    """The chord's callback: after N-1 of a depth-2 analysis, queue the pairs' chord; else finish the analysis."""
    try:
        pairs = contingency_add_pairs(analysis_id) if phase == 1 else []
        if pairs:
            _chord(analysis_id, pairs, phase=2)
        else:
            contingency_finish(analysis_id)
    except Exception:
        logger.exception("Contingency analysis %s failed after phase %s.", analysis_id, phase)
        contingency_fail(analysis_id, f"The analysis failed because of an internal error (logged with #{analysis_id}).")
    finally:
        if not self.request.is_eager:
            _close_connections()


def _chord(analysis_id: int, scenarios: list[list[str]], *, phase: int) -> None:
    header = group(contingency_scenario_task.si(analysis_id, lost).set(queue=SOLVER_QUEUE) for lost in scenarios)
    callback = contingency_phase_done_task.s(analysis_id, phase).set(queue=SOLVER_QUEUE)
    chord(header)(callback)


def _run_in_thread(analysis_id: int) -> None:
    try:
        contingency_run_in_process(analysis_id)
    finally:
        _close_connections()


def contingency_dispatch(analysis_id: int) -> threading.Thread | None:
    """Start the analysis in the background: a daemon thread in embedded mode, else a chord on the solver queue.
    Call it after commit. Returns the thread in embedded mode."""
    if contingency_scenario_task.app.conf.task_always_eager:
        thread = threading.Thread(
            target=_run_in_thread, args=(analysis_id,), name=f"contingency-{analysis_id}", daemon=True
        )
        thread.start()
        return thread
    analysis = contingency_claim(analysis_id)
    if analysis is None:
        return None
    scenarios = n1_scenarios(analysis)
    if not scenarios:
        contingency_finish(analysis_id)
        return None
    _chord(analysis_id, scenarios, phase=1)
    return None
