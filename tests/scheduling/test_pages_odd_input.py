"""Odd request parameters are refused with a message, never a server error: Unicode digits that pass
str.isdigit(), ids beyond the database's integer, NUL, and dates at the calendar's edges."""

import pytest
from django.urls import reverse

from scheduling.models import ScheduleVersion
from tenants.params import parse_date, parse_id, parse_month, parse_whole
from tests.scheduling.manager_pages import small_schedule
from tests.scheduling.test_pages_dashboard import NEXT_JULY

ODD = ["²", "٣٣", "99999999999999999999999", "\x00", "1e999", "-1", "0001-01-01", "9999-12-31", "x" * 500]
PAGES = [
    ("schedule-grid", ("year", "version", "pgy", "rotation", "person")),
    ("schedule-month", ("month", "version", "person")),
    ("schedule-week", ("start", "version", "person", "pgy")),
    ("today", ("date",)),
    ("on-call", ("date", "span")),
    ("compliance", ("version", "year")),
    ("export-grid-xlsx", ("year", "version", "pgy", "rotation", "person")),
    ("export-range-xlsx", ("start", "end")),
    ("absence-calendar", ("month",)),
]


def test_parameters_are_read_within_bounds():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    for odd in ("²", "٣", "0", "-3", "9" * 20, "4\x002", "", None, "1e3"):
        assert parse_id(odd) is None, odd
    assert parse_whole("3", low=1, high=8) == 3 and parse_whole("9", low=1, high=8) is None
    assert parse_date("2026-07-06").isoformat() == "2026-07-06"
    for odd in ("0001-01-01", "9999-12-31", "2026-02-30", "20260706", "2026-7-6", "²026-07-06"):
        assert parse_date(odd) is None, odd
    assert parse_month("2026-07").day == 1 and parse_month("9999-12") is None and parse_month("2026-13") is None


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "params"), PAGES, ids=[name for name, _ in PAGES])
def test_odd_parameters_never_break_a_page(client, program, coordinator, name, params):
    small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY)
    client.force_login(coordinator)
    url = reverse(name)
    for param in params:
        for odd in ODD:
            response = client.get(url, {param: odd})
            assert response.status_code < 500, (param, odd)
            if response.status_code == 400:
                assert response.content.strip(), (param, odd)  # a message says what is wrong


@pytest.mark.django_db
def test_a_unicode_digit_filter_is_refused_with_a_message(client, program, coordinator):
    small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY)
    client.force_login(coordinator)

    response = client.get(reverse("schedule-grid"), {"pgy": "²"})

    assert response.status_code == 400
    assert "is not a number" in response.content.decode()
