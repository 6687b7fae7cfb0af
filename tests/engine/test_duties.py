"""The DUTIES.json contract: strict parsing that names the field at fault, DST, round trip. No database."""

import copy
from dataclasses import fields
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduling.engine.duties import RULE_NAMES, AcgmeLimits, DutiesError, Duty, Leave, parse_duties, roster_to_json

NEW_YORK = ZoneInfo("America/New_York")


def document() -> dict:
    return {
        "timezone": "America/New_York",
        "rules": {},
        "people": [
            {
                "id": "r1",
                "pgy": 1,
                "duties": [
                    {"start": "2026-07-01T07:00", "end": "2026-07-01T17:00", "kind": "work"},
                    {"start": "2026-07-01T17:00", "end": "2026-07-02T08:00", "kind": "inhouse_call"},
                    {"start": "2026-07-04T17:00", "end": "2026-07-05T07:00", "kind": "home_call", "worked_hours": 2.5},
                ],
                "leave": [{"start": "2026-07-10", "end": "2026-07-14"}],
            },
            {"id": "r2", "pgy": 3, "duties": [], "leave": []},
        ],
    }


def error_of(data: object) -> DutiesError:
    with pytest.raises(DutiesError) as caught:
        parse_duties(data)
    return caught.value


def test_parse_duties_reads_local_times_as_aware_datetimes_in_the_zone():
    roster = parse_duties(document())

    assert roster.timezone == "America/New_York"
    assert roster.rules == AcgmeLimits()
    first, call, home = roster.people[0].duties
    assert first == Duty(
        start=datetime(2026, 7, 1, 7, tzinfo=NEW_YORK), end=datetime(2026, 7, 1, 17, tzinfo=NEW_YORK), kind="work"
    )
    assert first.start.astimezone(UTC) == datetime(2026, 7, 1, 11, tzinfo=UTC)
    assert call.seconds == 15 * 3600
    assert home.worked_hours == 2.5
    assert roster.people[0].leave == (Leave(date(2026, 7, 10), date(2026, 7, 14)),)
    assert [person.id for person in roster.people] == ["r1", "r2"]


def test_acgme_limits_defaults_are_the_common_requirements():
    limits = AcgmeLimits()

    assert (limits.weekly_hours, limits.window_days, limits.days_off_per_window) == (80, 28, 4)
    assert (limits.max_continuous_hours, limits.transition_hours, limits.max_period_hours) == (24, 4, 28)
    assert (limits.rest_after_24h_hours, limits.rest_between_periods_hours) == (14, 8)
    assert limits.call_nights_allowed(0) == 10  # ceil(28 / 3)
    assert limits.moonlighting_pgy1_allowed is False


def test_acgme_limits_scale_with_leave_days():
    limits = AcgmeLimits()

    assert limits.days_off_needed(0) == 4
    assert limits.days_off_needed(7) == 3
    assert limits.days_off_needed(8) == 2  # floor(20 / 7)
    assert limits.call_nights_allowed(7) == 7  # ceil(21 / 3)
    assert limits.call_nights_allowed(6) == 8  # ceil(22 / 3)
    assert limits.days_off_needed(28) == 0 and limits.call_nights_allowed(28) == 0


def test_an_explicit_call_limit_is_prorated_with_leave():
    limits = AcgmeLimits(inhouse_call_max_per_window=8)

    assert limits.call_nights_allowed(0) == 8
    assert limits.call_nights_allowed(7) == 6  # ceil(8 * 21 / 28)


def test_every_limit_can_be_overridden_by_its_field_name():
    assert tuple(f.name for f in fields(AcgmeLimits)) == RULE_NAMES


def test_rules_override_limits_by_name():
    data = document()
    data["rules"] = {
        "weekly_hours": 88,
        "rest_after_24h_hours": 16,
        "window_days": 28.0,
        "moonlighting_pgy1_allowed": True,
    }

    rules = parse_duties(data).rules

    assert rules == AcgmeLimits(
        weekly_hours=88.0, rest_after_24h_hours=16.0, window_days=28, moonlighting_pgy1_allowed=True
    )
    assert isinstance(rules.window_days, int)


def test_a_solution_document_is_checked_through_its_embedded_duties():
    solution = {"statistics": {"status": "optimal"}, "calls": [], "duties": document()}

    assert parse_duties(solution) == parse_duties(document())


def test_errors_in_an_embedded_duties_document_name_the_path_inside_the_solution():
    solution = {"statistics": {}, "duties": document()}
    solution["duties"]["people"][1]["pgy"] = 0

    assert str(error_of(solution)) == "duties.people[1].pgy: must be an integer from 1 to 8 (got 0)"
    assert error_of({"duties": []}).field_path == "duties"


def test_a_solution_without_a_schedule_says_so():
    error = error_of({"statistics": {"status": "infeasible"}, "duties": {}})

    assert str(error) == "duties: is empty: this solution holds no schedule to check (status infeasible)"


def test_error_messages_stay_short_whatever_the_input():
    assert len(str(error_of({"timezone": "x" * 5000, "people": []}))) < 120
    assert len(str(error_of({"timezone": "UTC", "people": [], "y" * 5000: 1}))) < 120


def test_roster_to_json_round_trips():
    data = document()
    data["rules"] = {"weekly_hours": 88.0, "inhouse_call_max_per_window": 9}

    roster = parse_duties(data)
    written = roster_to_json(roster)

    assert written == data
    assert parse_duties(written) == roster


def test_roster_to_json_writes_only_overridden_rules():
    assert roster_to_json(parse_duties(document()))["rules"] == {}


def test_ambiguous_local_time_is_its_first_occurrence():
    """fold=0: 01:30 on the fall-back night (2026-11-01, New York) is daylight time, 05:30 UTC."""
    data = document()
    data["people"][0]["duties"] = [{"start": "2026-11-01T01:30", "end": "2026-11-01T03:00", "kind": "work"}]

    duty = parse_duties(data).people[0].duties[0]

    assert duty.start.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert duty.seconds == int(2.5 * 3600)  # 01:30 EDT to 03:00 EST


def test_nonexistent_local_time_is_read_with_the_offset_before_the_gap():
    """fold=0: 02:30 on the spring-forward night (2027-03-14) does not exist; it is read as 02:30 EST = 03:30 EDT."""
    data = document()
    data["people"][0]["duties"] = [{"start": "2027-03-14T02:30", "end": "2027-03-14T05:00", "kind": "work"}]

    duty = parse_duties(data).people[0].duties[0]

    assert duty.start.astimezone(UTC) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert (duty.start.hour, duty.start.minute) == (3, 30)
    assert duty.seconds == int(1.5 * 3600)


def test_durations_are_real_hours_across_dst():
    data = document()
    data["people"][0]["duties"] = [
        {"start": "2026-10-31T19:00", "end": "2026-11-01T07:00", "kind": "work"},
        {"start": "2027-03-13T19:00", "end": "2027-03-14T07:00", "kind": "work"},
    ]

    fall_back, spring_forward = parse_duties(data).people[0].duties

    assert fall_back.seconds == 13 * 3600
    assert spring_forward.seconds == 11 * 3600


def test_a_duty_ending_in_the_spring_forward_gap_before_it_starts_is_refused():
    """03:00 EDT is 07:00 UTC; 02:30 (nonexistent, read as EST) is 07:30 UTC: the end comes before the start."""
    data = document()
    data["people"][0]["duties"] = [{"start": "2027-03-14T02:30", "end": "2027-03-14T03:00", "kind": "work"}]

    assert error_of(data).field_path == "people[0].duties[0].end"


def test_seconds_in_local_times_are_accepted():
    data = document()
    data["people"][0]["duties"] = [{"start": "2026-07-01T07:00:30", "end": "2026-07-01T08:00", "kind": "work"}]

    duty = parse_duties(data).people[0].duties[0]

    assert duty.seconds == 3570
    assert roster_to_json(parse_duties(data))["people"][0]["duties"][0]["start"] == "2026-07-01T07:00:30"


def mutate(change) -> dict:
    data = copy.deepcopy(document())
    change(data)
    return data


def duty0(data: dict) -> dict:
    return data["people"][0]["duties"][0]


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (lambda d: d.pop("timezone"), "timezone", "is required"),
        (lambda d: d.update(timezone="Mars/Olympus_Mons"), "timezone", "unknown time zone 'Mars/Olympus_Mons'"),
        (lambda d: d.update(timezone=""), "timezone", "IANA time zone"),
        (lambda d: d.update(timezone=5), "timezone", "IANA time zone"),
        (lambda d: d.update(timezone="../../etc/passwd"), "timezone", "unknown time zone"),
        (lambda d: d.update(rules={"max_weekly_hours": 88}), "rules.max_weekly_hours", "unknown field"),
        (lambda d: d.update(rules={"weekly_hours": "80"}), "rules.weekly_hours", "must be a number"),
        (lambda d: d.update(rules={"weekly_hours": True}), "rules.weekly_hours", "must be a number"),
        (lambda d: d.update(rules={"weekly_hours": 0}), "rules.weekly_hours", "must be from 1 to 168 (got 0)"),
        (lambda d: d.update(rules={"window_days": 10**9}), "rules.window_days", "must be from 1 to 366"),
        (lambda d: d.update(timezone="x" * 5000), "timezone", "unknown time zone 'xxxxxxxx"),
        (lambda d: d.update(rules={"window_days": 27.5}), "rules.window_days", "whole number"),
        (lambda d: d.update(rules={"moonlighting_pgy1_allowed": 1}), "rules.moonlighting_pgy1_allowed", "true or"),
        (lambda d: d.update(rules=[]), "rules", "must be an object"),
        (lambda d: d.pop("people"), "people", "is required"),
        (lambda d: d.update(people={}), "people", "must be a list"),
        (lambda d: d.update(extra=1), "extra", "unknown field"),
        (lambda d: d["people"].__setitem__(0, "r1"), "people[0]", "must be an object"),
        (lambda d: d["people"][0].pop("id"), "people[0].id", "is required"),
        (lambda d: d["people"][0].update(id=""), "people[0].id", "non-empty string"),
        (lambda d: d["people"][0].update(id=7), "people[0].id", "non-empty string"),
        (lambda d: d["people"][1].update(id="r1"), "people[1].id", "duplicate of people[0]"),
        (lambda d: d["people"][0].update(pgy=9), "people[0].pgy", "from 1 to 8"),
        (lambda d: d["people"][0].update(pgy="2"), "people[0].pgy", "from 1 to 8"),
        (lambda d: d["people"][0].update(name="Ann"), "people[0].name", "unknown field"),
        (lambda d: d["people"][0].pop("duties"), "people[0].duties", "is required"),
        (lambda d: d["people"][0].update(leave={}), "people[0].leave", "must be a list"),
        (lambda d: duty0(d).update(kind="night"), "people[0].duties[0].kind", "must be one of work, inhouse_call"),
        (lambda d: duty0(d).pop("kind"), "people[0].duties[0].kind", "is required"),
        (lambda d: duty0(d).update(start="2026-07-01 07:00"), "people[0].duties[0].start", "not an ISO local"),
        (lambda d: duty0(d).update(start="2026-07-01T07:00-04:00"), "people[0].duties[0].start", "not an ISO local"),
        (lambda d: duty0(d).update(start="2026-07-01"), "people[0].duties[0].start", "not an ISO local"),
        (lambda d: duty0(d).update(start=None), "people[0].duties[0].start", "not an ISO local"),
        (lambda d: duty0(d).update(start="2026-02-30T07:00"), "people[0].duties[0].start", "not a valid date-time"),
        (lambda d: duty0(d).update(end="2026-07-01T25:00"), "people[0].duties[0].end", "not a valid date-time"),
        (lambda d: duty0(d).update(start="1800-07-01T07:00"), "people[0].duties[0].start", "year must be from"),
        (lambda d: duty0(d).pop("end"), "people[0].duties[0].end", "is required"),
        (lambda d: duty0(d).update(end="2026-07-01T06:00"), "people[0].duties[0].end", "must be after start"),
        (lambda d: duty0(d).update(end="2026-07-01T07:00"), "people[0].duties[0].end", "must be after start"),
        (lambda d: duty0(d).update(worked_hours=1), "people[0].duties[0].worked_hours", "home_call duties only"),
        (lambda d: duty0(d).update(note="x"), "people[0].duties[0].note", "unknown field"),
        (
            lambda d: d["people"][0]["duties"][2].update(worked_hours=-1),
            "people[0].duties[2].worked_hours",
            "must be from 0",
        ),
        (
            lambda d: d["people"][0]["duties"][2].update(worked_hours=15),
            "people[0].duties[2].worked_hours",
            "home call's 14 h",
        ),
        (
            lambda d: d["people"][0]["duties"][2].update(worked_hours="2"),
            "people[0].duties[2].worked_hours",
            "must be a number",
        ),
        (
            lambda d: d["people"][0]["leave"][0].update(end="2026-07-09"),
            "people[0].leave[0].end",
            "must not be before start (2026-07-10)",
        ),
        (lambda d: d["people"][0]["leave"][0].update(start="10/07/2026"), "people[0].leave[0].start", "ISO date"),
        (lambda d: d["people"][0]["leave"][0].update(end="2026-13-01"), "people[0].leave[0].end", "not a valid date"),
        (lambda d: d["people"][0]["leave"][0].pop("start"), "people[0].leave[0].start", "is required"),
        (lambda d: d["people"][0]["leave"][0].update(days=5), "people[0].leave[0].days", "unknown field"),
    ],
)
def test_bad_input_names_the_field_at_fault(change, path, fragment):
    error = error_of(mutate(change))

    assert error.field_path == path
    assert fragment in error.message
    assert str(error).startswith(f"{path}: ")


def test_end_before_start_message_quotes_the_start():
    data = mutate(lambda d: duty0(d).update(end="2026-07-01T06:00"))

    assert str(error_of(data)) == "people[0].duties[0].end: must be after start (2026-07-01T07:00)"


def test_a_document_that_is_not_an_object_is_refused():
    error = error_of([1, 2])

    assert error.field_path == ""
    assert "JSON object" in str(error)


def test_duty_refuses_naive_datetimes_and_backwards_periods_when_built_in_code():
    with pytest.raises(ValueError, match="aware"):
        Duty(start=datetime(2026, 7, 1, 7), end=datetime(2026, 7, 1, 17), kind="work")
    with pytest.raises(ValueError, match="end after"):
        Duty(start=datetime(2026, 7, 1, 7, tzinfo=UTC), end=datetime(2026, 7, 1, 7, tzinfo=UTC), kind="work")
    with pytest.raises(ValueError, match="before it starts"):
        Leave(date(2026, 7, 2), date(2026, 7, 1))
    with pytest.raises(ValueError, match="weekly_hours"):
        AcgmeLimits(weekly_hours=-1)
