"""SOLUTION.json (version 1): `solution_to_json` / `solution_from_json`, and the Reference a re-solve takes.

{"version": 1, "statistics": {...}, "rotations": [...], "sessions": [...], "calls": [...],
"fmit_weeks": [...], "duties": {a DUTIES document}}: `python -m scheduling.engine check` reads it as is.
Dates are ISO dates; call start and end are ISO date-times with their UTC offset.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from scheduling.engine.problem import Reference
from scheduling.engine.solution import (
    CallAssignment,
    Conflict,
    FmitWeek,
    RotationAssignment,
    SessionAssignment,
    Solution,
    Statistics,
)

SOLUTION_VERSION = 1
STATUSES = ("optimal", "feasible", "infeasible", "cancelled", "timeout", "invalid")


class SolutionError(ValueError):
    """A SOLUTION.json that cannot be read; `path` names the field at fault."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def statistics_to_json(stats: Statistics) -> dict[str, Any]:
    return {
        "status": stats.status,
        "objective": stats.objective,
        "best_bound": stats.best_bound,
        "gap": stats.gap,
        "wall_seconds": stats.wall_seconds,
        "first_solution_seconds": stats.first_solution_seconds,
        "best_solution_seconds": stats.best_solution_seconds,
        "solutions_found": stats.solutions_found,
        "soft_costs": dict(stats.soft_costs),
        "fairness": stats.fairness,
        "wishes": stats.wishes,
        "conflicts": [{"requirement": c.requirement, "message": c.message} for c in stats.conflicts],
        "message": stats.message,
    }


def solution_to_json(solution: Solution) -> dict[str, Any]:
    """The SOLUTION.json document of a Solution (solution_from_json reads it back equal)."""
    return {
        "version": SOLUTION_VERSION,
        "statistics": statistics_to_json(solution.statistics),
        "rotations": [
            {"person": a.person, "block": a.block, "rotation": a.rotation, **({"half": a.half} if a.half else {})}
            for a in solution.rotations
        ],
        "sessions": [
            {
                "person": s.person,
                "date": s.date.isoformat(),
                "session": s.session,
                "activity": s.activity,
                "rotation": s.rotation,
            }
            for s in solution.sessions
        ],
        "calls": [
            {"person": c.person, "kind": c.kind, "start": c.start.isoformat(), "end": c.end.isoformat()}
            for c in solution.calls
        ],
        "fmit_weeks": [
            {"person": w.person, "start": w.start.isoformat(), "end": w.end.isoformat()} for w in solution.fmit_weeks
        ],
        "duties": solution.duties,
    }


def _get(data: Any, key: str, path: str) -> Any:
    if not isinstance(data, dict):
        raise SolutionError(path or "(document)", "must be an object")
    if key not in data:
        raise SolutionError(f"{path}.{key}" if path else key, "is required")
    return data[key]


def _list(data: Any, key: str, path: str) -> list[Any]:
    value = _get(data, key, path)
    if not isinstance(value, list):
        raise SolutionError(f"{path}.{key}" if path else key, "must be a list")
    return value


def _parse(kind: type, text: Any, path: str) -> Any:
    try:
        return kind.fromisoformat(text)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise SolutionError(path, f"must be an ISO {'date' if kind is date else 'date-time'} (got {text!r})") from None


def _statistics(data: Any) -> Statistics:
    status = _get(data, "status", "statistics")
    if status not in STATUSES:
        raise SolutionError("statistics.status", f"must be one of {', '.join(STATUSES)} (got {status!r})")
    conflicts = tuple(
        Conflict(_get(c, "requirement", f"statistics.conflicts[{i}]"), _get(c, "message", f"statistics.conflicts[{i}]"))
        for i, c in enumerate(data.get("conflicts", []))
    )
    return Statistics(
        status=status,
        objective=data.get("objective"),
        best_bound=data.get("best_bound"),
        gap=data.get("gap"),
        wall_seconds=data.get("wall_seconds", 0.0),
        first_solution_seconds=data.get("first_solution_seconds"),
        best_solution_seconds=data.get("best_solution_seconds"),
        solutions_found=data.get("solutions_found", 0),
        soft_costs=dict(data.get("soft_costs", {})),
        wishes=dict(data.get("wishes", {})),
        fairness=dict(data.get("fairness", {})),
        conflicts=conflicts,
        message=data.get("message", ""),
    )


def _half(value: Any, path: str) -> int:
    if value not in (0, 1, 2) or isinstance(value, bool):
        raise SolutionError(path, f"must be 1 (the first 14 days) or 2 (the rest of the block) (got {value!r})")
    return int(value)


def solution_from_json(data: Any) -> Solution:
    """Read a SOLUTION.json document; SolutionError names the field at fault."""
    version = _get(data, "version", "")
    if version != SOLUTION_VERSION:
        raise SolutionError("version", f"unsupported version {version!r} (this engine reads {SOLUTION_VERSION})")
    rotations = tuple(
        RotationAssignment(
            _get(a, "person", f"rotations[{i}]"),
            _get(a, "block", f"rotations[{i}]"),
            _get(a, "rotation", f"rotations[{i}]"),
            _half(a.get("half", 0), f"rotations[{i}].half"),
        )
        for i, a in enumerate(_list(data, "rotations", ""))
    )
    sessions = tuple(
        SessionAssignment(
            person=_get(s, "person", f"sessions[{i}]"),
            date=_parse(date, _get(s, "date", f"sessions[{i}]"), f"sessions[{i}].date"),
            session=_get(s, "session", f"sessions[{i}]"),
            activity=_get(s, "activity", f"sessions[{i}]"),
            rotation=s.get("rotation"),
        )
        for i, s in enumerate(_list(data, "sessions", ""))
    )
    calls = tuple(
        CallAssignment(
            person=_get(c, "person", f"calls[{i}]"),
            kind=c.get("kind", "in_house"),
            start=_parse(datetime, _get(c, "start", f"calls[{i}]"), f"calls[{i}].start"),
            end=_parse(datetime, _get(c, "end", f"calls[{i}]"), f"calls[{i}].end"),
        )
        for i, c in enumerate(_list(data, "calls", ""))
    )
    weeks = tuple(
        FmitWeek(
            person=_get(w, "person", f"fmit_weeks[{i}]"),
            start=_parse(date, _get(w, "start", f"fmit_weeks[{i}]"), f"fmit_weeks[{i}].start"),
            end=_parse(date, _get(w, "end", f"fmit_weeks[{i}]"), f"fmit_weeks[{i}].end"),
        )
        for i, w in enumerate(_list(data, "fmit_weeks", ""))
    )
    duties = data.get("duties", {})
    if not isinstance(duties, dict):
        raise SolutionError("duties", "must be a DUTIES object")
    return Solution(
        statistics=_statistics(_get(data, "statistics", "")),
        rotations=rotations,
        sessions=sessions,
        calls=calls,
        fmit_weeks=weeks,
        duties=duties,
    )


def reference_from_solution(solution: Solution) -> Reference:
    """The assignments of a solution as the Reference of a minimal-change re-solve.

    Calls are keyed by the local date they start on, clinic by (person, date, session) for every "clinic"
    session (residents' continuity clinic and faculty clinic), FMIT weeks by their first day in the horizon.
    """
    return Reference(
        rotations={(a.person, a.block): a.rotation for a in solution.rotations if not a.half},
        halves={(a.person, a.block, a.half): a.rotation for a in solution.rotations if a.half},
        calls=frozenset((c.person, c.start.date()) for c in solution.calls),
        fmit_weeks=frozenset((w.person, w.start) for w in solution.fmit_weeks),
        clinic=frozenset((s.person, s.date, s.session) for s in solution.sessions if s.activity == "clinic"),
    )
