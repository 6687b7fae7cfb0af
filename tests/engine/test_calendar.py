"""Cutting an academic year into blocks: pure Python, no database."""

from datetime import date, timedelta

import pytest

from scheduling.engine.calendar import BlockDates, academic_year_end, academic_year_start, block_dates

YEAR_START = date(2026, 7, 1)  # a Wednesday
YEAR_END = date(2027, 6, 30)


def assert_contiguous(blocks: list[BlockDates], start: date, end: date) -> None:
    assert blocks[0].start == start
    assert blocks[-1].end == end
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert after.number == before.number + 1
        assert after.start == before.end + timedelta(days=1)


def test_block_dates_thirteen_blocks_of_28_days_stretch_the_last_to_june_30():
    blocks = block_dates(YEAR_START, YEAR_END)

    assert [block.number for block in blocks] == list(range(1, 14))
    assert blocks[0] == BlockDates(1, date(2026, 7, 1), date(2026, 7, 28))
    assert all(block.days == 28 for block in blocks[:-1])
    assert blocks[-1] == BlockDates(13, date(2027, 6, 2), date(2027, 6, 30))
    assert blocks[-1].days == 29
    assert_contiguous(blocks, YEAR_START, YEAR_END)


def test_block_dates_monday_start_makes_an_orientation_block_zero():
    blocks = block_dates(YEAR_START, YEAR_END, block_start_weekday=0)

    assert blocks[0] == BlockDates(0, date(2026, 7, 1), date(2026, 7, 5))
    assert blocks[1].start == date(2026, 7, 6)
    assert all(block.start.weekday() == 0 for block in blocks[1:])
    assert blocks[-1].number == 13
    assert blocks[-1].days == 24  # cut to end on the year's last day
    assert_contiguous(blocks, YEAR_START, YEAR_END)


def test_block_dates_start_weekday_equal_to_first_day_needs_no_orientation():
    blocks = block_dates(YEAR_START, YEAR_END, block_start_weekday=YEAR_START.weekday())

    assert blocks[0].number == 1
    assert blocks[0].start == YEAR_START


def test_block_dates_orientation_days_come_before_block_one():
    blocks = block_dates(YEAR_START, YEAR_END, orientation_days=7, block_count=12)

    assert blocks[0] == BlockDates(0, date(2026, 7, 1), date(2026, 7, 7))
    assert blocks[1].start == date(2026, 7, 8)
    assert len(blocks) == 13
    assert_contiguous(blocks, YEAR_START, YEAR_END)


def test_block_dates_orientation_then_weekday_moves_block_one_forward():
    blocks = block_dates(YEAR_START, YEAR_END, orientation_days=3, block_start_weekday=0)

    # 1 July + 3 days is Saturday 4 July; the next Monday is 6 July.
    assert blocks[0] == BlockDates(0, date(2026, 7, 1), date(2026, 7, 5))
    assert blocks[1].start == date(2026, 7, 6)


def test_block_dates_single_block_covers_the_whole_year():
    assert block_dates(YEAR_START, YEAR_END, block_count=1) == [BlockDates(1, YEAR_START, YEAR_END)]


def test_block_dates_cuts_the_last_block_down_to_one_day():
    # 13 blocks of 28 days fill 364 of the 365 days, leaving 30 June for block 14.
    blocks = block_dates(YEAR_START, YEAR_END, block_count=14)

    assert blocks[-1] == BlockDates(14, YEAR_END, YEAR_END)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"block_count": 15}, "do not fit"),
        ({"orientation_days": 29}, "do not fit"),
        ({"block_length_days": 31}, "do not fit"),
        ({"block_count": 0}, "at least one block"),
        ({"block_length_days": 0}, "at least one day"),
        ({"orientation_days": -1}, "Orientation"),
        ({"block_start_weekday": 7}, "weekday"),
    ],
)
def test_block_dates_refuses_impossible_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        block_dates(YEAR_START, YEAR_END, **kwargs)


def test_block_dates_refuses_a_year_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="cannot end"):
        block_dates(YEAR_END, YEAR_START)


def test_block_dates_refuses_block_one_after_the_year():
    with pytest.raises(ValueError, match="do not fit"):
        block_dates(YEAR_START, date(2026, 7, 10), block_count=1, orientation_days=10)


def test_academic_year_end_is_the_day_before_the_same_date_next_year():
    assert academic_year_end(YEAR_START) == YEAR_END
    assert academic_year_end(date(2027, 7, 1)) == date(2028, 6, 30)
    assert academic_year_end(date(2028, 2, 29)) == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2026, 7, 1), date(2026, 7, 1)),
        (date(2026, 6, 30), date(2025, 7, 1)),
        (date(2027, 1, 15), date(2026, 7, 1)),
    ],
)
def test_academic_year_start_is_the_first_of_july_on_or_before_the_day(day, start):
    assert academic_year_start(day) == start
