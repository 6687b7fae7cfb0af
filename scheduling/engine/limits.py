"""How long a CP-SAT solve searches: seconds of wall-clock time, and optionally a fixed amount of work.

A wall-clock limit ends a search after so many seconds, so what it returns depends on how fast and how busy the
machine is. A work limit ends it after so much of CP-SAT's deterministic time, a count of the work done (a unit is
2 to 6 seconds of an idle core on the engine's models): with one worker, the same model, seed and work limit give
the same answer on any machine under any load, and the wall-clock limit is only a safety net.
"""

from __future__ import annotations

from ortools.sat.python import cp_model


def limit_search(solver: cp_model.CpSolver, *, seconds: float, work: float | None = None) -> None:
    """Stop `solver` after `seconds` of wall-clock time and, when `work` is given, after that much work."""
    solver.parameters.max_time_in_seconds = seconds
    if work is not None:
        solver.parameters.max_deterministic_time = work
