"""Load shedding: a cut service loses its minimum staffing and required blocks (the clinic its weekly half-days), and
a fallback sheds again only while the schedule leaves coverage short."""

from __future__ import annotations

import dataclasses

from scheduling.engine.problem import RequiredRotation
from scheduling.engine.shedding import CLINIC, needs_shedding, shed_service, uncovered
from scheduling.engine.solution import Conflict, RotationAssignment, Solution, Statistics
from tests.engine.test_model import tiny


def test_shedding_a_rotation_drops_its_minimum_and_required_blocks_and_nothing_else():
    problem = tiny()
    problem = dataclasses.replace(
        problem,
        requirements=dataclasses.replace(
            problem.requirements, required_rotations=(RequiredRotation(pgy=1, rotation="WARD", min_blocks=1),)
        ),
    )
    cut = shed_service(problem, "WARD")
    staffing = {s.rotation: (s.min_residents, s.max_residents) for s in cut.requirements.staffing}
    assert staffing == {"WARD": (0, 4), "NF": (0, 1)}  # the maximum stays
    assert [r.min_blocks for r in cut.requirements.required_rotations] == [0]
    assert cut.requirements.clinic_sessions_per_week == problem.requirements.clinic_sessions_per_week


def test_shedding_the_clinic_drops_the_weekly_half_days_only():
    problem = tiny()
    cut = shed_service(problem, CLINIC)
    assert cut.requirements.clinic_sessions_per_week == {}
    assert cut.requirements.staffing == problem.requirements.staffing


def _solution(status: str, conflicts: tuple[Conflict, ...], *, schedule: bool = True) -> Solution:
    rotations = (RotationAssignment("r0", 1, "WARD"),) if schedule else ()
    return Solution(statistics=Statistics(status=status, conflicts=conflicts), rotations=rotations)  # type: ignore[arg-type]


def test_only_coverage_left_short_or_no_schedule_calls_for_shedding():
    short = Conflict("staffing:WARD:block:1", "Block 1: Wards needs 2 residents; 1 is eligible and available")
    other = Conflict("clinic_week:r0", "something soft that is not coverage")
    assert needs_shedding(_solution("feasible", (short,)))
    assert uncovered(_solution("feasible", (short, other))) == [short]
    assert not needs_shedding(_solution("optimal", (other,)))
    assert needs_shedding(_solution("infeasible", (other,), schedule=False))
    assert not needs_shedding(_solution("cancelled", (short,)))  # the coordinator stopped it
