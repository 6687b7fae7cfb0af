"""SOLUTION.json: the engine's answer as frozen dataclasses.

It holds the assignments, the duty periods derived from them in the DUTIES format (so
`python -m scheduling.engine check SOLUTION.json` runs on it as is), and the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Status = Literal["optimal", "feasible", "infeasible", "cancelled", "timeout", "invalid"]


@dataclass(frozen=True, slots=True)
class RotationAssignment:
    """A resident's rotation for a block, or for one half of it (`half` 1: its first 14 days, 2: the rest)."""

    person: str
    block: int
    rotation: str
    half: int = 0  # 0: the whole block


@dataclass(frozen=True, slots=True)
class SessionAssignment:
    """What a person does in one half-day session: clinic, inpatient, supervising, fmit, off, leave, ..."""

    person: str
    date: date
    session: str  # "AM" or "PM"
    activity: str
    rotation: str | None = None


@dataclass(frozen=True, slots=True)
class CallAssignment:
    """A call duty period, local aware start and end."""

    person: str
    kind: str  # "in_house"
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class FmitWeek:
    """A faculty member attending the inpatient teaching service for the week starting `start`."""

    person: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Progress:
    """What the solver callback reports while searching (at most about once a second)."""

    solutions: int
    objective: float | None
    best_bound: float | None
    gap: float | None
    elapsed_seconds: float


@dataclass(frozen=True, slots=True)
class Conflict:
    """One requirement in the smallest conflicting set the engine found, in coordinator language."""

    requirement: str  # a stable id, e.g. "staffing:inpatient:block:4"
    message: str  # "Block 4: inpatient needs 6 residents; 5 are eligible and available"


@dataclass(frozen=True, slots=True)
class Statistics:
    """How the search went: status, objective, best bound, honest gap, time, and each soft term's cost."""

    status: Status
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    wall_seconds: float = 0.0
    first_solution_seconds: float | None = None
    best_solution_seconds: float | None = None  # when the returned schedule was found
    solutions_found: int = 0
    soft_costs: dict[str, float] = field(default_factory=dict)
    fairness: dict[str, Any] = field(default_factory=dict)
    wishes: dict[str, Any] = field(default_factory=dict)  # {summary, outcomes}: scheduling/engine/wishes.py
    conflicts: tuple[Conflict, ...] = ()
    message: str = ""


@dataclass(frozen=True, slots=True)
class Solution:
    """A schedule for the problem's horizon; empty assignments when infeasible or cancelled before any."""

    statistics: Statistics
    rotations: tuple[RotationAssignment, ...] = ()
    sessions: tuple[SessionAssignment, ...] = ()
    calls: tuple[CallAssignment, ...] = ()
    fmit_weeks: tuple[FmitWeek, ...] = ()
    duties: dict[str, Any] = field(default_factory=dict)  # a DUTIES.json document (DESIGN.md section 6)

    @property
    def has_schedule(self) -> bool:
        return bool(self.rotations)
