"""Synthetic programs: deterministic for a seed, realistic, and schedulable at every size."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from scheduling.engine.facts import Facts
from scheduling.engine.generate import SIZES, federal_holidays, generate
from scheduling.engine.precheck import precheck


def test_generate_is_deterministic_for_a_seed():
    assert generate(24, 12, 13, seed=5) == generate(24, 12, 13, seed=5)
    assert generate(24, 12, 13, seed=5).absences != generate(24, 12, 13, seed=6).absences


@pytest.mark.parametrize("size", sorted(SIZES))
def test_generated_sizes_have_the_expected_shape_and_pass_the_precheck(size: str):
    residents, faculty, blocks = SIZES[size]
    problem = generate(residents, faculty, blocks, seed=1)

    assert (len(problem.residents), len(problem.faculty), len(problem.calendar.blocks)) == (residents, faculty, blocks)
    assert set(Counter(r.pgy for r in problem.residents)) == {1, 2, 3}
    assert len(problem.rotations) == 10
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
