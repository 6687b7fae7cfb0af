"""The ACGME checker (DESIGN.md section 5): each rule passes and fails at its boundary. No database."""

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from math import floor
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.engine.acgme import RULES, Report, Violation, check, merge_periods, report_to_json
from scheduling.engine.duties import AcgmeLimits, Duty, DutyRoster, Leave, PersonDuties, parse_duties

TZ = "America/New_York"
NEW_YORK = ZoneInfo(TZ)


# --- building rosters -------------------------------------------------------------------------------------------


def shift(
    day: date, start: str, end: str, kind: str = "work", worked_hours: float | None = None, *, days_later: int = 0
) -> dict:
    """A duty on `day` from `start` to `end` (HH:MM local), `days_later`; an end at or before the start is on the
    next day."""
    end_day = day + timedelta(days=days_later or (1 if end <= start else 0))
    item = {"start": f"{day.isoformat()}T{start}", "end": f"{end_day.isoformat()}T{end}", "kind": kind}
    if worked_hours is not None:
        item["worked_hours"] = worked_hours
    return item


def days(first: date, last: date, weekdays: Iterable[int] = range(7)) -> list[date]:
    """Dates first..last (inclusive) on the given weekdays (0 = Monday)."""
    wanted = set(weekdays)
    count = (last - first).days + 1
    return [first + timedelta(days=n) for n in range(count) if (first + timedelta(days=n)).weekday() in wanted]


def person(duties: list[dict], *, pid: str = "r1", pgy: int = 2, leave: Iterable[tuple[str, str]] = ()) -> dict:
    return {"id": pid, "pgy": pgy, "duties": duties, "leave": [{"start": s, "end": e} for s, e in leave]}


def run(*people: dict, rules: dict | None = None) -> Report:
    return check(parse_duties({"timezone": TZ, "rules": rules or {}, "people": list(people)}))


def of_rule(report: Report, rule: str) -> list[Violation]:
    return [violation for violation in report.violations if violation.rule == rule]


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


MON_JUL_6 = date(2026, 7, 6)
FRI_JUL_31 = date(2026, 7, 31)
WEEKDAYS = range(5)


def sixteen_hour_weekdays() -> list[dict]:
    """Four weeks of Monday-Friday 07:00-23:00: exactly 80 h a week in the window 6 July - 2 August."""
    return [shift(day, "07:00", "23:00") for day in days(MON_JUL_6, FRI_JUL_31, WEEKDAYS)]


# --- weekly_hours (6.20) ----------------------------------------------------------------------------------------


def test_weekly_hours_exactly_80_on_average_passes():
    report = run(person(sixteen_hour_weekdays()))

    assert report.compliant
    assert report.violations == []
    assert report.people_checked == 1


def test_weekly_hours_80_5_on_average_fails_once_for_the_run_of_windows():
    duties = [*sixteen_hour_weekdays(), shift(date(2026, 7, 11), "10:00", "12:00")]

    report = run(person(duties))

    assert not report.compliant
    [violation] = report.violations
    assert (violation.rule, violation.clause, violation.severity) == ("weekly_hours", "6.20", "violation")
    assert (violation.value, violation.limit) == (80.5, 80.0)
    # Windows starting 4, 5 and 6 July all hold the 322 h; the earliest worst one is reported.
    assert (local(violation.start), local(violation.end)) == ("2026-07-04T00:00", "2026-08-01T00:00")


def test_weekly_hours_one_bad_month_gives_one_violation_not_28():
    ninety_a_week = [shift(day, "07:00", "22:00") for day in days(MON_JUL_6, date(2026, 8, 29), range(6))]

    [violation] = of_rule(run(person(ninety_a_week)), "weekly_hours")

    assert violation.value == 90.0


def test_weekly_hours_two_bad_stretches_apart_give_two_violations():
    first = [shift(day, "07:00", "22:00") for day in days(MON_JUL_6, date(2026, 8, 1), range(6))]
    second = [shift(day, "07:00", "22:00") for day in days(date(2026, 9, 14), date(2026, 10, 10), range(6))]

    violations = of_rule(run(person(first + second)), "weekly_hours")

    assert [(local(v.start)[:10], v.value) for v in violations] == [("2026-07-05", 90.0), ("2026-09-13", 90.0)]


def test_weekly_hours_overlapping_duties_are_not_counted_twice():
    duties = sixteen_hour_weekdays()

    assert run(person(duties + duties)).violations == []


def test_weekly_hours_counts_only_the_part_of_a_duty_inside_the_window():
    """316 h in the window 6 July - 2 August, plus a call from 20:00 on 2 August: only its 4 h before midnight count."""
    base = sixteen_hour_weekdays()[:-1] + [shift(FRI_JUL_31, "07:00", "19:00")]
    sunday = date(2026, 8, 2)

    assert run(person([*base, shift(sunday, "20:00", "08:00", "inhouse_call")])).compliant
    [violation] = run(person([*base, shift(sunday, "19:00", "08:00", "inhouse_call")])).violations
    assert (violation.rule, violation.value, local(violation.start)) == ("weekly_hours", 80.25, "2026-07-06T00:00")


def test_weekly_hours_home_call_worked_hours_count_where_the_home_call_starts():
    base = sixteen_hour_weekdays()[:-1] + [shift(FRI_JUL_31, "07:00", "19:00")]  # 316 h in 6 July - 2 August
    sunday, monday = date(2026, 8, 2), date(2026, 8, 3)

    assert run(person([*base, shift(sunday, "20:00", "08:00", "home_call", worked_hours=4)])).compliant
    [violation] = run(person([*base, shift(sunday, "20:00", "08:00", "home_call", worked_hours=5)])).violations
    assert (violation.rule, violation.value) == ("weekly_hours", 80.25)
    # The same 5 h on a home call starting just after midnight belong to 3 August, outside that window.
    assert run(person([*base, shift(monday, "00:00", "08:00", "home_call", worked_hours=5)])).compliant


def fifteen_hour_weekdays() -> list[dict]:
    """Four weeks of Monday-Friday 07:00-22:00: 75 h a week."""
    return [shift(day, "07:00", "22:00") for day in days(MON_JUL_6, FRI_JUL_31, WEEKDAYS)]


def saturdays() -> list[date]:
    return days(MON_JUL_6, FRI_JUL_31 + timedelta(days=1), [5])


def test_home_call_worked_hours_push_over_80_but_the_home_call_span_alone_does_not():
    span_only = [*fifteen_hour_weekdays(), *(shift(day, "08:00", "20:00", "home_call") for day in saturdays())]
    worked = [*fifteen_hour_weekdays(), *(shift(day, "08:00", "20:00", "home_call", 6) for day in saturdays())]

    assert run(person(span_only)).violations == []  # 75 h + 12 h spans
    [violation] = run(person(worked)).violations
    assert (violation.rule, violation.value, violation.limit) == ("weekly_hours", 81.0, 80.0)


def test_moonlighting_counts_toward_weekly_hours():
    duties = [*fifteen_hour_weekdays(), *(shift(day, "10:00", "16:00", "moonlighting") for day in saturdays())]

    [violation] = run(person(duties, pgy=2)).violations

    assert (violation.rule, violation.value) == ("weekly_hours", 81.0)


def test_weekly_hours_leave_days_leave_the_average():
    """Three weeks at 80 h and a week of leave: 240 h allowed in the window (60 h a week over 28 days) passes;
    three weeks at 84 h fail at 84 even though the 28-day average without the leave rule would be 63."""
    leave = [("2026-07-27", "2026-08-02")]
    eighty = [shift(day, "07:00", "23:00") for day in days(MON_JUL_6, date(2026, 7, 24), WEEKDAYS)]
    eighty_four = [shift(day, "07:00", "21:00") for day in days(MON_JUL_6, date(2026, 7, 25), range(6))]

    assert run(person(eighty, leave=leave)).violations == []
    [violation] = run(person(eighty_four, leave=leave)).violations
    assert (violation.rule, violation.value, violation.limit) == ("weekly_hours", 84.0, 80.0)
    assert (local(violation.start), local(violation.end)) == ("2026-07-06T00:00", "2026-08-03T00:00")


def test_a_window_that_is_all_leave_is_not_checked():
    duties = [shift(date(2026, 8, 1), "08:00", "20:00", "home_call", 12), shift(date(2026, 8, 2), "07:00", "17:00")]

    report = run(person(duties, leave=[("2026-07-01", "2026-09-30")]))

    assert report.violations == []


def test_limits_are_program_settings():
    ninety_a_week = [shift(day, "07:00", "22:00") for day in days(MON_JUL_6, date(2026, 8, 29), range(6))]

    assert run(person(ninety_a_week), rules={"weekly_hours": 90}).compliant
    assert not run(person(ninety_a_week), rules={"weekly_hours": 88}).compliant


# --- day_off_in_7 (6.21.b) --------------------------------------------------------------------------------------


def six_on_one_off(first: date, last: date) -> list[dict]:
    """Monday-Saturday 07:00-17:00, Sundays off."""
    return [shift(day, "07:00", "17:00") for day in days(first, last, range(6))]


def test_day_off_one_in_seven_passes():
    assert run(person(six_on_one_off(MON_JUL_6, date(2026, 8, 29)))).violations == []


def test_day_off_every_day_worked_fails_once_at_the_worst_window():
    every_day = [shift(day, "07:00", "17:00") for day in days(date(2026, 7, 1), date(2026, 7, 28))]

    [violation] = run(person(every_day)).violations

    assert (violation.rule, violation.clause, violation.value, violation.limit) == ("day_off_in_7", "6.21.b", 0, 4)
    assert (local(violation.start), local(violation.end)) == ("2026-07-01T00:00", "2026-07-29T00:00")


def test_day_off_free_stretches_at_the_window_edges_count():
    """Windows that reach into the free days before or after 28 worked days find their free 24-hour periods."""
    every_day = [shift(day, "07:00", "17:00") for day in days(date(2026, 7, 1), date(2026, 7, 28))]
    with_days_off_before = [shift(day, "07:00", "17:00") for day in days(date(2026, 7, 5), date(2026, 8, 1))]

    assert of_rule(run(person(every_day)), "day_off_in_7")[0].value == 0
    # 20 days worked out of 28: any window holding them also holds 8 free days around them.
    assert run(person(every_day[:20])).violations == []
    assert run(person(with_days_off_before)).violations[0].rule == "day_off_in_7"


def test_day_off_home_call_on_the_only_day_off_fails():
    pattern = six_on_one_off(MON_JUL_6, date(2026, 8, 29))
    home_call = shift(date(2026, 7, 26), "08:00", "20:00", "home_call")

    [violation] = run(person([*pattern, home_call])).violations

    assert (violation.rule, violation.value, violation.limit) == ("day_off_in_7", 3, 4)


def test_day_off_with_a_week_of_leave_needs_three():
    """21 non-leave days need floor(21 / 7) = 3 free 24-hour periods."""
    leave = [("2026-07-27", "2026-08-02")]
    worked = days(MON_JUL_6, date(2026, 7, 25))
    three_off = [shift(day, "07:00", "17:00") for day in worked if day not in (date(2026, 7, 12), date(2026, 7, 19))]
    two_off = [*three_off, shift(date(2026, 7, 26), "07:00", "17:00")]

    assert run(person(three_off, leave=leave)).violations == []
    [violation] = run(person(two_off, leave=leave)).violations
    assert (violation.rule, violation.value, violation.limit) == ("day_off_in_7", 2, 3)
    assert local(violation.start) == "2026-07-06T00:00"


def test_leave_is_not_free_time():
    """Every day worked around ten days of leave: 18 non-leave days need 2 free 24-hour periods; leave gives none."""
    leave = [("2026-07-20", "2026-07-29")]
    worked = [day for day in days(MON_JUL_6, date(2026, 8, 2)) if not date(2026, 7, 20) <= day <= date(2026, 7, 29)]

    [violation] = run(person([shift(day, "07:00", "17:00") for day in worked], leave=leave)).violations

    assert (violation.rule, violation.value, violation.limit) == ("day_off_in_7", 0, 2)
    assert local(violation.start) == "2026-07-06T00:00"


# --- continuous_duty (6.22) -------------------------------------------------------------------------------------


def test_continuous_duty_28_hours_passes_and_28_5_fails():
    first = date(2026, 7, 1)

    assert run(person([shift(first, "07:00", "11:00", days_later=1)])).violations == []
    [violation] = run(person([shift(first, "07:00", "11:30", days_later=1)])).violations
    assert (violation.rule, violation.clause, violation.value, violation.limit) == ("continuous_duty", "6.22", 28.5, 28)
    assert (local(violation.start), local(violation.end)) == ("2026-07-01T07:00", "2026-07-02T11:30")


def test_touching_periods_merge_into_one_continuous_period():
    first, second = date(2026, 7, 1), date(2026, 7, 2)
    touching = [
        shift(first, "07:00", "17:00"),
        shift(first, "17:00", "08:00", "inhouse_call"),
        shift(second, "08:00", "11:30"),
    ]
    apart = [shift(first, "07:00", "17:00"), shift(first, "17:01", "11:30", "inhouse_call")]

    [violation] = run(person(touching)).violations
    assert (violation.rule, violation.value, local(violation.start)) == ("continuous_duty", 28.5, "2026-07-01T07:00")
    # One minute apart they are two periods: no continuous_duty, but a warning for the missing rest.
    [warning] = run(person(apart)).violations
    assert (warning.rule, warning.severity, warning.value) == ("rest_between_periods", "warning", 0.02)


def test_home_call_is_not_continuous_duty():
    first = date(2026, 7, 1)
    duties = [shift(first, "07:00", "17:00"), shift(first, "17:00", "17:00", "home_call", worked_hours=3)]

    assert run(person(duties)).violations == []


# --- rest_after_24h (6.21.a) and rest_between_periods (6.21) ----------------------------------------------------


def test_rest_after_24h_10_hours_fail_and_14_pass():
    first, second = date(2026, 7, 1), date(2026, 7, 2)
    long_period = shift(first, "07:00", "07:00", "inhouse_call")

    assert run(person([long_period, shift(second, "21:00", "23:00")])).violations == []
    [violation] = run(person([long_period, shift(second, "17:00", "23:00")])).violations
    assert (violation.rule, violation.clause, violation.value, violation.limit) == ("rest_after_24h", "6.21.a", 10, 14)
    assert (local(violation.start), local(violation.end)) == ("2026-07-02T07:00", "2026-07-02T17:00")


def test_rest_after_24h_reports_short_rest_once_not_also_as_a_warning():
    first, second = date(2026, 7, 1), date(2026, 7, 2)

    report = run(person([shift(first, "07:00", "07:00"), shift(second, "14:00", "18:00")]))

    assert [violation.rule for violation in report.violations] == ["rest_after_24h"]


def test_rest_after_a_period_under_24_hours_needs_only_8():
    first, second = date(2026, 7, 1), date(2026, 7, 2)

    assert run(person([shift(first, "07:00", "06:00"), shift(second, "16:00", "20:00")])).violations == []


def test_rest_between_periods_7_hours_is_a_warning_and_the_report_stays_compliant():
    first, second = date(2026, 7, 1), date(2026, 7, 2)

    report = run(person([shift(first, "07:00", "17:00"), shift(second, "00:00", "06:00")]))

    assert report.compliant
    [warning] = report.violations
    assert (warning.rule, warning.clause, warning.severity, warning.value, warning.limit) == (
        "rest_between_periods",
        "6.21",
        "warning",
        7,
        8,
    )
    assert run(person([shift(first, "07:00", "17:00"), shift(second, "01:00", "06:00")])).violations == []


# --- inhouse_call_frequency (6.27) ------------------------------------------------------------------------------


def calls_every(nth: int, first: date, last: date) -> list[dict]:
    return [shift(day, "17:00", "08:00", "inhouse_call") for day in days(first, last)[::nth]]


def test_inhouse_call_every_third_night_passes():
    report = run(person(calls_every(3, date(2026, 7, 1), date(2026, 9, 30))))

    assert report.violations == []


def test_inhouse_call_every_second_night_fails_once():
    [violation] = run(person(calls_every(2, date(2026, 7, 1), date(2026, 9, 30)))).violations

    assert (violation.rule, violation.clause, violation.value, violation.limit) == (
        "inhouse_call_frequency",
        "6.27",
        14,
        10,
    )


def test_inhouse_call_split_at_midnight_is_one_call_night():
    nights = calls_every(3, date(2026, 7, 1), date(2026, 9, 30))
    split = []
    for night in nights:
        midnight = night["end"][:10] + "T00:00"
        split += [{**night, "end": midnight}, {**night, "start": midnight}]

    assert run(person(split)).violations == []


def test_inhouse_call_with_a_week_of_leave_allows_seven():
    leave = [("2026-07-27", "2026-08-02")]
    seven = calls_every(3, MON_JUL_6, date(2026, 7, 24))

    assert len(seven) == 7
    assert run(person(seven, leave=leave)).violations == []
    [violation] = run(
        person([*seven, shift(date(2026, 7, 26), "17:00", "08:00", "inhouse_call")], leave=leave)
    ).violations
    assert (violation.rule, violation.value, violation.limit) == ("inhouse_call_frequency", 8, 7)


# --- moonlighting_pgy1 (6.25.b) ---------------------------------------------------------------------------------


def test_moonlighting_pgy1_fails_and_pgy2_passes():
    moonlighting = [shift(date(2026, 7, 4), "18:00", "23:00", "moonlighting")]

    [violation] = run(person(moonlighting, pgy=1)).violations
    assert (violation.rule, violation.clause, violation.value, violation.limit) == ("moonlighting_pgy1", "6.25.b", 5, 0)
    assert run(person(moonlighting, pgy=2)).violations == []
    assert run(person(moonlighting, pgy=1), rules={"moonlighting_pgy1_allowed": True}).violations == []


# --- DST: real elapsed hours ------------------------------------------------------------------------------------


def test_continuous_duty_passes_only_because_of_the_spring_forward_hour():
    """07:00 on 13 March to 12:00 on 14 March 2027 is 29 hours on the clock but 28 real hours."""
    assert run(person([shift(date(2027, 3, 13), "07:00", "12:00", days_later=1)])).violations == []


def test_continuous_duty_fails_because_of_the_fall_back_hour():
    """07:00 on 31 October to 10:30 on 1 November 2026 is 27.5 hours on the clock but 28.5 real hours."""
    [violation] = run(person([shift(date(2026, 10, 31), "07:00", "10:30", days_later=1)])).violations

    assert (violation.rule, violation.value) == ("continuous_duty", 28.5)


def test_night_shifts_across_dst_last_13_and_11_real_hours():
    fall_back = run(person([shift(date(2026, 10, 31), "19:00", "07:00"), shift(date(2026, 11, 1), "14:00", "20:00")]))
    spring = run(person([shift(date(2027, 3, 13), "19:00", "07:00"), shift(date(2027, 3, 14), "14:00", "20:00")]))

    # 07:00 to 14:00 is 7 h either way; the nights themselves are 13 h and 11 h (see test_duties).
    assert [(v.rule, v.value) for v in fall_back.violations] == [("rest_between_periods", 7)]
    assert [(v.rule, v.value) for v in spring.violations] == [("rest_between_periods", 7)]


def test_weekly_hours_count_the_fall_back_night_as_13_hours():
    """300 h of weekday shifts + the 31 October night (12 h on the clock, 13 real) + 8 h on 17 October = 321 h."""
    weekdays = [shift(day, "07:00", "22:00") for day in days(date(2026, 10, 12), date(2026, 11, 6), WEEKDAYS)]
    night = shift(date(2026, 10, 31), "19:00", "07:00")

    assert run(person([*weekdays, night, shift(date(2026, 10, 17), "07:00", "14:00")])).violations == []
    [violation] = run(person([*weekdays, night, shift(date(2026, 10, 17), "07:00", "15:00")])).violations
    assert (violation.rule, violation.value) == ("weekly_hours", 80.25)
    assert (local(violation.start), local(violation.end)) == ("2026-10-10T00:00", "2026-11-07T00:00")


def eight_hour_days_with_days_off(off: set[date]) -> list[dict]:
    """1-28 March 2027, 08:00-16:00 daily; on an off day the shift moves to 16:00-24:00, leaving exactly 24 hours
    on the clock free since the day before."""
    return [
        shift(day, "16:00" if day in off else "08:00", "00:00" if day in off else "16:00")
        for day in days(date(2027, 3, 1), date(2027, 3, 28))
    ]


def test_day_off_across_the_spring_forward_night_is_23_real_hours_and_does_not_count():
    usual = {date(2027, 3, 5), date(2027, 3, 10), date(2027, 3, 19), date(2027, 3, 24)}
    across_dst = {date(2027, 3, 5), date(2027, 3, 14), date(2027, 3, 19), date(2027, 3, 24)}

    assert run(person(eight_hour_days_with_days_off(usual))).violations == []
    [violation] = run(person(eight_hour_days_with_days_off(across_dst))).violations
    assert (violation.rule, violation.value, violation.limit) == ("day_off_in_7", 3, 4)
    assert (local(violation.start), local(violation.end)) == ("2027-03-01T00:00", "2027-03-29T00:00")


def test_windows_without_duty_are_not_checked():
    """With 28 days off needed, any window across the spring-forward night (671 h) would fail; those holding no
    duty are not checked, so only the windows around the two duties are reported."""
    duties = [shift(date(2027, 1, 5), "07:00", "17:00"), shift(date(2027, 5, 20), "07:00", "17:00")]

    violations = run(person(duties), rules={"days_off_per_window": 28}).violations

    assert [v.rule for v in violations] == ["day_off_in_7", "day_off_in_7"]
    assert [v.start <= datetime(2027, 1, 5, 7, tzinfo=NEW_YORK) < v.end for v in violations] == [True, False]
    assert violations[1].start <= datetime(2027, 5, 20, 7, tzinfo=NEW_YORK) < violations[1].end


# --- the report -------------------------------------------------------------------------------------------------


def test_report_json_shape_is_the_design_contract():
    report = run(
        person([shift(date(2026, 7, 1), "07:00", "11:30", days_later=1)], pid="r1"),
        person([shift(date(2026, 7, 1), "07:00", "17:00"), shift(date(2026, 7, 2), "00:00", "06:00")], pid="r2"),
        person([], pid="r3", pgy=1),
    )

    assert report_to_json(report) == {
        "compliant": False,
        "violations": [
            {
                "rule": "continuous_duty",
                "person": "r1",
                "start": "2026-07-01T07:00",
                "end": "2026-07-02T11:30",
                "value": 28.5,
                "limit": 28.0,
                "severity": "violation",
                "clause": "6.22",
            },
            {
                "rule": "rest_between_periods",
                "person": "r2",
                "start": "2026-07-01T17:00",
                "end": "2026-07-02T00:00",
                "value": 7.0,
                "limit": 8.0,
                "severity": "warning",
                "clause": "6.21",
            },
        ],
        "people_checked": 3,
    }


def test_values_are_rounded_to_two_decimals():
    [warning] = run(
        person([shift(date(2026, 7, 1), "07:00", "17:00"), shift(date(2026, 7, 1), "17:20", "18:00")])
    ).violations

    assert warning.value == 0.33


def test_an_empty_roster_is_compliant():
    report = check(DutyRoster(timezone=TZ, rules=AcgmeLimits(), people=()))

    assert report == Report(compliant=True, violations=[], people_checked=0)


def test_every_rule_has_its_clause_and_severity():
    assert RULES == {
        "weekly_hours": ("6.20", "violation"),
        "day_off_in_7": ("6.21.b", "violation"),
        "continuous_duty": ("6.22", "violation"),
        "rest_after_24h": ("6.21.a", "violation"),
        "rest_between_periods": ("6.21", "warning"),
        "inhouse_call_frequency": ("6.27", "violation"),
        "moonlighting_pgy1": ("6.25.b", "violation"),
        "supervision_ratio": ("program rule", "violation"),
    }


def test_merge_periods_merges_touching_and_overlapping_periods():
    assert merge_periods([(5, 8), (0, 2), (2, 3), (7, 9), (10, 11)]) == [(0, 3), (5, 9), (10, 11)]
    assert merge_periods([]) == []


# --- properties -------------------------------------------------------------------------------------------------

BASES = [datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)]
KINDS = ["work", "work", "inhouse_call", "home_call", "moonlighting"]
QUARTER = 15 * 60


@st.composite
def duties_strategy(draw, base: datetime, zone: ZoneInfo, span_days: int = 45) -> Duty:
    start = base + timedelta(seconds=QUARTER * draw(st.integers(0, 4 * 24 * span_days)))
    end = start + timedelta(seconds=QUARTER * draw(st.integers(1, 4 * 32)))
    kind = draw(st.sampled_from(KINDS))
    worked = None
    if kind == "home_call" and draw(st.booleans()):
        worked = draw(st.integers(0, int((end - start).total_seconds() // QUARTER))) / 4
    return Duty(start=start.astimezone(zone), end=end.astimezone(zone), kind=kind, worked_hours=worked)


@st.composite
def rosters(draw) -> DutyRoster:
    zone = ZoneInfo(draw(st.sampled_from([TZ, "Europe/London", "Australia/Lord_Howe", "UTC"])))
    base = draw(st.sampled_from(BASES))
    span_days = draw(st.sampled_from([12, 45]))
    people = []
    for index in range(draw(st.integers(1, 3))):
        duties = draw(st.lists(duties_strategy(base, zone, span_days), max_size=60))
        leave = []
        for _ in range(draw(st.integers(0, 2))):
            first = base.date() + timedelta(days=draw(st.integers(-5, 50)))
            leave.append(Leave(first, first + timedelta(days=draw(st.integers(0, 30)))))
        people.append(
            PersonDuties(id=f"r{index}", pgy=draw(st.integers(1, 3)), duties=tuple(duties), leave=tuple(leave))
        )
    rules = AcgmeLimits(
        weekly_hours=draw(st.sampled_from([80.0, 40.0, 20.0])),
        window_days=draw(st.sampled_from([28, 7])),
        days_off_per_window=draw(st.sampled_from([4, 12, 24])),
        inhouse_call_every_nth_night=draw(st.sampled_from([3, 7])),
        inhouse_call_max_per_window=draw(st.sampled_from([None, None, 1, 4])),
    )
    return DutyRoster(timezone=str(zone.key), rules=rules, people=tuple(people))


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def epoch_periods(duties: Iterable[Duty]) -> list[tuple[int, int]]:
    return [(round(duty.start.timestamp()), round(duty.end.timestamp())) for duty in duties]


def reference_windowed(roster: DutyRoster, person: PersonDuties) -> list[tuple[str, str, float, float]]:
    """A slow, direct reading of the windowed rules: every window, every duty, no prefix sums."""
    zone, limits, width = roster.zone, roster.rules, roster.rules.window_days
    busy = merge_periods(epoch_periods(person.duties))
    if not busy:
        return []
    on_duty = merge_periods(epoch_periods(d for d in person.duties if d.kind != "home_call"))
    calls = merge_periods(epoch_periods(d for d in person.duties if d.kind == "inhouse_call"))
    leave = {item.start + timedelta(days=n) for item in person.leave for n in range((item.end - item.start).days + 1)}

    def midnight(day: date) -> int:
        return round(datetime.combine(day, time(), zone).timestamp())

    def day_of(instant: int) -> date:
        return datetime.fromtimestamp(instant, zone).date()

    def overlap(a: int, b: int, periods: list[tuple[int, int]]) -> int:
        return sum(max(0, min(b, e) - max(a, s)) for s, e in periods)

    first, last = day_of(busy[0][0]), day_of(busy[-1][1] - 1)
    offending: dict[str, list[tuple[date, float, float, float]]] = {}
    day = first - timedelta(days=width - 1)
    while day <= last:
        window = [day + timedelta(days=n) for n in range(width)]
        a, b = midnight(window[0]), midnight(window[-1] + timedelta(days=1))
        leave_days = sum(d in leave for d in window)
        if overlap(a, b, busy) and leave_days < width:
            working = width - leave_days
            seconds = sum(
                overlap(midnight(d), midnight(d + timedelta(days=1)), on_duty) for d in window if d not in leave
            )
            seconds += sum(
                round(d.worked_hours * 3600)
                for d in person.duties
                if d.kind == "home_call"
                and d.worked_hours
                and day_of(round(d.start.timestamp())) in set(window) - leave
            )
            average = seconds * 7 / working / 3600
            if seconds * 7 > limits.weekly_hours * 3600 * working:
                offending.setdefault("weekly_hours", []).append((day, average, average, limits.weekly_hours))
            blocked = merge_periods(
                busy + [(midnight(d), midnight(d + timedelta(days=1))) for d in window if d in leave]
            )
            free, cursor = 0, a
            for s, e in blocked:
                if s > cursor:
                    free += (min(s, b) - cursor) // 86400 if cursor < b else 0
                cursor = max(cursor, e)
            if cursor < b:
                free += (b - cursor) // 86400
            needed = floor(limits.days_off_per_window * working / width)
            if free < needed:
                offending.setdefault("day_off_in_7", []).append((day, needed - free, free, needed))
            nights = len({day_of(s) for s, _ in calls} & (set(window) - leave))
            allowed = limits.call_nights_allowed(leave_days)
            if nights > allowed:
                offending.setdefault("inhouse_call_frequency", []).append((day, nights - allowed, nights, allowed))
        day += timedelta(days=1)

    expected = []
    for rule, windows in offending.items():
        runs: list[list[tuple[date, float, float, float]]] = []
        for item in windows:
            if runs and (item[0] - runs[-1][-1][0]).days == 1:
                runs[-1].append(item)
            else:
                runs.append([item])
        for one_run in runs:
            worst = max(one_run, key=lambda item: (item[1], -item[0].toordinal()))
            start = datetime.combine(worst[0], time(), zone)
            expected.append((rule, start.strftime("%Y-%m-%d"), round(worst[2], 2), round(worst[3], 2)))
    return sorted(expected)


WINDOWED = {"weekly_hours", "day_off_in_7", "inhouse_call_frequency"}


@PROPERTY_SETTINGS
@given(rosters())
def test_property_windowed_rules_match_a_direct_reading(roster):
    report = check(roster)

    for person in roster.people:
        found = sorted(
            (v.rule, v.start.strftime("%Y-%m-%d"), v.value, v.limit)
            for v in report.violations
            if v.person == person.id and v.rule in WINDOWED
        )
        assert found == reference_windowed(roster, person)


@PROPERTY_SETTINGS
@given(rosters())
def test_property_the_checker_never_crashes_and_its_verdict_follows_its_violations(roster):
    report = check(roster)

    assert report.people_checked == len(roster.people)
    assert report.compliant == all(v.severity == "warning" for v in report.violations)
    assert all(v.severity == RULES[v.rule][1] and v.clause == RULES[v.rule][0] for v in report.violations)
    assert report_to_json(report)["people_checked"] == len(roster.people)


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 100)).map(lambda p: (p[0], p[0] + p[1]))))
def test_property_merging_is_idempotent(periods):
    merged = merge_periods(periods)

    assert merge_periods(merged) == merged
    assert all(end < following for (_, end), (following, _) in zip(merged, merged[1:], strict=False))
    assert sum(e - s for s, e in merged) <= sum(e - s for s, e in periods)


@PROPERTY_SETTINGS
@given(rosters(), st.data())
def test_property_splitting_a_period_where_it_touches_itself_changes_nothing(roster, data):
    splittable = [
        (p, d)
        for p, person in enumerate(roster.people)
        for d, duty in enumerate(person.duties)
        if duty.kind != "home_call" and duty.seconds >= 2 * 60
    ]
    if not splittable:
        return
    p, d = data.draw(st.sampled_from(splittable))
    person = roster.people[p]
    duty = person.duties[d]
    # Elapsed seconds, not wall-clock arithmetic: across a clock change `start + timedelta` lands off the period.
    cut = datetime.fromtimestamp(duty.start.timestamp() + data.draw(st.integers(60, duty.seconds - 60)), roster.zone)
    pieces = (replace(duty, end=cut), replace(duty, start=cut))
    split_person = replace(person, duties=person.duties[:d] + pieces + person.duties[d + 1 :])
    split_roster = replace(roster, people=roster.people[:p] + (split_person,) + roster.people[p + 1 :])

    assert check(split_roster) == check(roster)


@PROPERTY_SETTINGS
@given(rosters(), st.data())
def test_property_adding_duty_never_makes_weekly_hours_compliant(roster, data):
    before = {v.person for v in check(roster).violations if v.rule == "weekly_hours"}
    zone = roster.zone
    base = min(
        BASES,
        key=lambda b: abs(
            b.timestamp() - min((d.start.timestamp() for p in roster.people for d in p.duties), default=0)
        ),
    )
    p = data.draw(st.integers(0, len(roster.people) - 1))
    extra = data.draw(st.lists(duties_strategy(base, zone), min_size=1, max_size=5))
    person = roster.people[p]
    grown = replace(
        roster,
        people=roster.people[:p] + (replace(person, duties=person.duties + tuple(extra)),) + roster.people[p + 1 :],
    )

    after = {v.person for v in check(grown).violations if v.rule == "weekly_hours"}

    assert before <= after
