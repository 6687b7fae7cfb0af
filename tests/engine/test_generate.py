"""Synthetic programs: deterministic for a seed, a family-medicine curriculum, and schedulable at every size."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from scheduling.engine.facts import Facts
from scheduling.engine.generate import SIZES, federal_holidays, generate
from scheduling.engine.precheck import precheck
from scheduling.engine.problem import Didactics, Problem


def test_generate_is_deterministic_for_a_seed():
    assert generate(24, 12, 13, seed=5) == generate(24, 12, 13, seed=5)
    assert generate(24, 12, 13, seed=5).absences != generate(24, 12, 13, seed=6).absences


@pytest.mark.parametrize("size", sorted(SIZES))
def test_generated_sizes_have_the_expected_shape_and_pass_the_precheck(size: str):
    residents, faculty, blocks = SIZES[size]
    problem = generate(residents, faculty, blocks, seed=1)

    assert (len(problem.residents), len(problem.faculty), len(problem.calendar.blocks)) == (residents, faculty, blocks)
    assert set(Counter(r.pgy for r in problem.residents)) == {1, 2, 3}
    assert len(problem.rotations) == 16
    assert problem.requirements.call[0].per_night == (1 if residents < 40 else 2)
    assert hard_and_coverage(problem) == ([], [])


def hard_and_coverage(problem):  # type: ignore[no-untyped-def]
    hard, coverage = precheck(Facts(problem))
    return [c.message for c in hard], [c.message for c in coverage]


def test_generated_year_covers_the_academic_year_with_federal_holidays_closed():
    problem = generate(24, 12, 13, seed=1)
    cal = problem.calendar

    assert (cal.start, cal.end) == (date(2026, 7, 1), date(2027, 6, 30))
    holidays = {day.date: day for day in cal.days}
    assert holidays[date(2026, 7, 3)].name == "Independence Day"  # 4 July 2026 is a Saturday
    assert holidays[date(2026, 11, 26)].name == "Thanksgiving Day"
    assert all(day.day_type == "federal_holiday" and day.capacity_factor == 0 for day in cal.days)
    assert len(cal.days) == 11


def test_federal_holidays_move_weekend_dates_to_the_observed_weekday():
    holidays = federal_holidays(2027)

    assert holidays[date(2027, 6, 18)] == "Juneteenth"  # a Saturday, observed on Friday
    assert holidays[date(2027, 12, 24)] == "Christmas Day"
    assert holidays[date(2027, 5, 31)] == "Memorial Day"


def test_generate_refuses_sizes_it_cannot_build():
    with pytest.raises(ValueError, match="at least 3 residents"):
        generate(2, 2, 1)


def cohorts(problem: Problem) -> dict[int, int]:
    return Counter(r.pgy for r in problem.residents)


def may_hold(problem: Problem, pgy: int) -> set[str]:
    return {rot.id for rot in problem.rotations if rot.min_pgy <= pgy <= rot.max_pgy}


@pytest.mark.parametrize("size", ["M", "L", "XL"])
def test_each_cohorts_required_rotations_fill_the_year_and_cap_every_rotation_it_may_hold(size: str):
    problem = generate(*SIZES[size], seed=1)
    blocks = len(problem.calendar.blocks)

    for pgy in cohorts(problem):
        rows = [row for row in problem.requirements.required_rotations if row.pgy == pgy]
        assert {row.rotation for row in rows} == may_hold(problem, pgy)
        assert all(row.max_blocks is not None for row in rows)
        assert sum(row.min_blocks for row in rows) <= blocks <= sum(row.max_blocks or 0 for row in rows)


def test_no_rotation_may_fill_more_than_a_third_of_a_cohorts_year_unless_required_and_electives_are_capped():
    problem = generate(*SIZES["M"], seed=1)
    third = len(problem.calendar.blocks) / 3

    for row in problem.requirements.required_rotations:
        assert (row.max_blocks or 0) <= third or row.min_blocks > third, row
    electives = [row for row in problem.requirements.required_rotations if row.rotation == "ELEC"]
    assert electives and all((row.max_blocks or 0) <= 3 for row in electives)


def test_a_family_medicine_curriculum_per_pgy():
    required = {(row.pgy, row.rotation): row for row in generate(*SIZES["M"], seed=1).requirements.required_rotations}

    assert {rot for pgy, rot in required if pgy == 1} >= {"FMIT", "OB", "PEDS", "ICU", "EM", "NF", "SURG", "OPEDS"}
    assert {rot for pgy, rot in required if pgy == 2} >= {"FMIT", "ICU", "EM", "CARD", "GYN", "SPMED", "NF", "ELEC"}
    assert {rot for pgy, rot in required if pgy == 3} >= {"FMIT", "GERI", "COMM", "NF", "ELEC"}
    assert required[1, "FMIT"].min_blocks >= 3 and required[3, "FMIT"].max_blocks == 2
    assert all(required[pgy, "NF"].min_blocks == 1 for pgy in (1, 2, 3))


def test_didactics_are_a_protected_wednesday_afternoon_not_a_block_rotation():
    problem = generate(*SIZES["M"], seed=1)

    assert problem.requirements.didactics == Didactics(weekday=2, session="PM")
    assert not [rot for rot in problem.rotations if rot.kind == "conference" or "didactic" in rot.name.lower()]


def test_staffing_of_every_block_fits_the_residents():
    for size in ("M", "L", "XL"):
        problem = generate(*SIZES[size], seed=1)
        staffing = problem.requirements.staffing
        assert sum(s.min_residents for s in staffing) <= len(problem.residents)
        assert sum(s.max_residents or 0 for s in staffing) >= len(problem.residents)
