"""Academic-year arithmetic: cutting a year into rotation blocks (DESIGN.md section 3)."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class BlockDates:
    """One block of a year, both dates inclusive; number 0 is the orientation block."""

    number: int
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def academic_year_end(start: date) -> date:
    """The day before the same date one year later (a 29 February start ends on 28 February)."""
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:
        return date(start.year + 1, 2, 28)


def academic_year_start(day: date, *, month: int = 7, first_day: int = 1) -> date:
    """The start of the academic year (by default 1 July) that contains `day`."""
    start = date(day.year, month, first_day)
    return start if start <= day else date(day.year - 1, month, first_day)


def block_dates(
    start: date,
    end: date,
    *,
    block_count: int = 13,
    block_length_days: int = 28,
    block_start_weekday: int | None = None,
    orientation_days: int = 0,
) -> list[BlockDates]:
    """Cut the year `start`..`end` into an optional orientation block 0 and blocks 1..N.

    Block 1 starts `orientation_days` in, moved on to the next `block_start_weekday` (0 = Monday)
    if set; earlier days form block 0. The last block is stretched or cut to end on `end`.
    """
    if end < start:
        raise ValueError(f"The year cannot end ({end}) before it starts ({start}).")
    if block_count < 1:
        raise ValueError(f"A year needs at least one block, not {block_count}.")
    if block_length_days < 1:
        raise ValueError(f"A block lasts at least one day, not {block_length_days}.")
    if orientation_days < 0:
        raise ValueError(f"Orientation cannot last {orientation_days} days.")
    if block_start_weekday is not None and not 0 <= block_start_weekday <= 6:
        raise ValueError(f"The block start weekday is 0 (Monday) to 6 (Sunday), not {block_start_weekday}.")

    first = start + timedelta(days=orientation_days)
    if block_start_weekday is not None:
        first += timedelta(days=(block_start_weekday - first.weekday()) % 7)
    last_start = first + timedelta(days=block_length_days * (block_count - 1))
    if last_start > end:
        raise ValueError(
            f"{block_count} blocks of {block_length_days} days do not fit between {start} and {end}: "
            f"block 1 starts on {first}, so block {block_count} would start on {last_start}, after the year ends."
        )

    blocks = [BlockDates(0, start, first - timedelta(days=1))] if first > start else []
    for number in range(1, block_count + 1):
        block_start = first + timedelta(days=block_length_days * (number - 1))
        block_end = end if number == block_count else block_start + timedelta(days=block_length_days - 1)
        blocks.append(BlockDates(number, block_start, block_end))
    return blocks
