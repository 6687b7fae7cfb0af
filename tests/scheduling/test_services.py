"""Calendar services: academic years and blocks, federal holidays, default session times."""

import datetime as dt
from datetime import date, timedelta

import pytest

from scheduling.models import AcademicYear, Block, CalendarDay, SessionTime
from scheduling.services import (
    academic_year_create,
    academic_year_make_current,
    calendar_holidays_load,
    session_times_ensure_defaults,
)
from tenants.errors import DomainError

JULY_1 = date(2026, 7, 1)


def test_academic_year_create_makes_13_contiguous_blocks_covering_the_year(program):
    year = academic_year_create(program=program, start_date=JULY_1)

    assert (year.name, year.start_date, year.end_date) == ("2026-2027", JULY_1, date(2027, 6, 30))
    blocks = list(year.blocks.order_by("number"))
    assert [block.number for block in blocks] == list(range(1, 14))
    assert blocks[0].start_date == year.start_date
    assert blocks[-1].end_date == year.end_date
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert after.start_date == before.end_date + timedelta(days=1)
    assert [block.days for block in blocks] == [28] * 12 + [29]
    assert all(block.program_id == program.pk for block in blocks)
    assert not year.is_current


def test_academic_year_create_with_a_block_start_weekday_adds_orientation_block_zero(program):
    year = academic_year_create(program=program, start_date=JULY_1, block_start_weekday=0)

    zero = year.blocks.get(number=0)
    assert (zero.start_date, zero.end_date) == (JULY_1, date(2026, 7, 5))
    assert year.blocks.count() == 14
    assert year.blocks.get(number=1).start_date.weekday() == 0


def test_academic_year_create_refuses_a_duplicate_and_writes_nothing(program):
    academic_year_create(program=program, start_date=JULY_1)

    with pytest.raises(DomainError, match=r"already has the academic year 2026-2027 \(2026-07-01 to 2027-06-30\)"):
        academic_year_create(program=program, start_date=JULY_1)
    with pytest.raises(DomainError, match="overlap"):
        academic_year_create(program=program, start_date=date(2026, 9, 1), name="Late start")

    assert AcademicYear.objects.count() == 1
    assert Block.objects.count() == 13


def test_academic_year_create_allows_the_same_year_in_another_program(program, other_program):
    academic_year_create(program=program, start_date=JULY_1)
    academic_year_create(program=other_program, start_date=JULY_1)

    assert Block.objects.for_program(other_program).count() == 13


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"block_count": 15}, "15 blocks of 28 days do not fit"),
        ({"block_count": 27, "block_length_days": 7}, "Block count: Ensure this value is less than or equal to 26"),
        ({"block_length_days": 5, "block_count": 13}, "Block length days: Ensure this value is greater than or equal"),
    ],
)
def test_academic_year_create_refuses_impossible_blocks_readably(program, kwargs, message):
    with pytest.raises(DomainError, match=message):
        academic_year_create(program=program, start_date=JULY_1, **kwargs)

    assert not AcademicYear.objects.exists()
    assert not Block.objects.exists()


def test_academic_year_create_refuses_an_institution(program):
    with pytest.raises(DomainError, match="is an institution"):
        academic_year_create(program=program.parent, start_date=JULY_1)


def test_academic_year_create_make_current_moves_the_current_flag(program, other_program):
    last_year = academic_year_create(program=program, start_date=date(2025, 7, 1), make_current=True)
    other = academic_year_create(program=other_program, start_date=date(2025, 7, 1), make_current=True)

    this_year = academic_year_create(program=program, start_date=JULY_1, make_current=True)

    last_year.refresh_from_db()
    other.refresh_from_db()
    assert this_year.is_current
    assert not last_year.is_current
    assert other.is_current  # another program's current year is its own business
    assert AcademicYear.objects.for_program(program).get(is_current=True) == this_year
    assert last_year.history.count() == 2  # the change is in the audit history


def test_academic_year_make_current_switches_back_to_an_older_year(program):
    last_year = academic_year_create(program=program, start_date=date(2025, 7, 1))
    this_year = academic_year_create(program=program, start_date=JULY_1, make_current=True)

    academic_year_make_current(academic_year=last_year)

    this_year.refresh_from_db()
    assert last_year.is_current
    assert not this_year.is_current


def test_calendar_holidays_load_marks_the_11_federal_holidays_on_their_observed_dates(program):
    year = academic_year_create(program=program, start_date=JULY_1)

    assert calendar_holidays_load(academic_year=year) == 11

    days = {day.date: day for day in CalendarDay.objects.for_program(program)}
    assert sorted(days) == [
        date(2026, 7, 3),  # Independence Day falls on a Saturday: observed Friday
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 12, 25),
        date(2027, 1, 1),
        date(2027, 1, 18),
        date(2027, 2, 15),
        date(2027, 5, 31),
        date(2027, 6, 18),  # Juneteenth falls on a Saturday: observed Friday
    ]
    assert days[date(2026, 7, 3)].name == "Independence Day (observed)"
    assert days[date(2027, 6, 18)].name == "Juneteenth National Independence Day (observed)"
    assert days[date(2026, 11, 26)].name == "Thanksgiving Day"
    assert {day.day_type for day in days.values()} == {CalendarDay.DayType.FEDERAL_HOLIDAY}
    assert {day.capacity_factor for day in days.values()} == {0}


def test_calendar_holidays_load_twice_does_not_duplicate(program):
    year = academic_year_create(program=program, start_date=JULY_1)
    calendar_holidays_load(academic_year=year)

    assert calendar_holidays_load(academic_year=year) == 11

    assert CalendarDay.objects.for_program(program).count() == 11
    assert CalendarDay.history.count() == 11  # nothing changed, so nothing was rewritten


def test_calendar_holidays_load_moves_new_year_to_the_friday_before(program):
    year = academic_year_create(program=program, start_date=date(2021, 7, 1))

    assert calendar_holidays_load(academic_year=year) == 11

    dates = set(CalendarDay.objects.for_program(program).values_list("date", flat=True))
    assert date(2021, 12, 31) in dates  # 1 January 2022 is a Saturday
    assert date(2022, 1, 1) not in dates
    assert date(2021, 7, 5) in dates  # 4 July 2021 is a Sunday
    assert date(2022, 6, 20) in dates  # 19 June 2022 is a Sunday


def test_calendar_holidays_load_keeps_a_day_the_program_closed(program):
    year = academic_year_create(program=program, start_date=JULY_1)
    CalendarDay.objects.create(
        program=program, date=date(2026, 12, 25), day_type=CalendarDay.DayType.CLOSURE, name="Clinic closed"
    )
    CalendarDay.objects.create(program=program, date=date(2026, 9, 7), name="Wrongly normal")

    assert calendar_holidays_load(academic_year=year) == 10

    assert CalendarDay.objects.get(program=program, date=date(2026, 12, 25)).name == "Clinic closed"
    labor_day = CalendarDay.objects.get(program=program, date=date(2026, 9, 7))
    assert (labor_day.day_type, labor_day.name) == (CalendarDay.DayType.FEDERAL_HOLIDAY, "Labor Day")


def test_calendar_holidays_load_touches_only_its_program(program, other_program):
    calendar_holidays_load(academic_year=academic_year_create(program=program, start_date=JULY_1))

    assert not CalendarDay.objects.for_program(other_program).exists()


def test_session_times_ensure_defaults_creates_am_and_pm(program):
    session_times_ensure_defaults(program=program)

    times = {row.session: (row.start_time, row.end_time) for row in SessionTime.objects.for_program(program)}
    assert times == {"AM": (dt.time(7), dt.time(12)), "PM": (dt.time(13), dt.time(17))}


def test_session_times_ensure_defaults_keeps_existing_times_and_is_idempotent(program):
    SessionTime.objects.create(program=program, session="AM", start_time=dt.time(8), end_time=dt.time(12, 30))

    session_times_ensure_defaults(program=program)
    session_times_ensure_defaults(program=program)

    assert SessionTime.objects.for_program(program).count() == 2
    assert SessionTime.objects.get(program=program, session="AM").start_time == dt.time(8)
