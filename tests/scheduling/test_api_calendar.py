"""The calendar's read endpoints (session times, day types, required rotations) and a version's ACGME check."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import CalendarDay, RotationRequirement
from scheduling.services import call_assignment_change, session_times_ensure_defaults
from tenants.models import Role
from tests.scheduling.factories import RotationTemplateFactory
from tests.scheduling.manager_pages import JULY_1, small_schedule
from tests.scheduling.test_api import assert_problem


def test_session_times_and_holidays_of_the_program_only(api_as, member, program, other_program):
    session_times_ensure_defaults(program=program)
    session_times_ensure_defaults(program=other_program)
    CalendarDay.objects.create(program=program, date=dt.date(2026, 7, 4), day_type="federal_holiday", name="July 4")
    CalendarDay.objects.create(program=program, date=dt.date(2026, 12, 25), day_type="federal_holiday", name="Xmas")
    theirs = CalendarDay.objects.create(program=other_program, date=dt.date(2026, 7, 4), day_type="closure")
    client = api_as(member(Role.RESIDENT))

    times = client.get(reverse("api:session-time-list")).json()["results"]
    assert [(row["session"], row["start_time"], row["hours"]) for row in times] == [
        ("AM", "07:00:00", 5.0),
        ("PM", "13:00:00", 4.0),
    ]
    days = client.get(reverse("api:calendar-day-list"), {"date_from": "2026-07-01", "date_to": "2026-07-31"})
    assert [row["name"] for row in days.json()["results"]] == ["July 4"]
    assert_problem(client.get(reverse("api:calendar-day-detail", args=[theirs.pk])), 404)
    bad = assert_problem(client.get(reverse("api:calendar-day-list"), {"date_from": "9999-01-01"}), 400)
    assert "date_from" in bad["errors"]


def test_rotation_requirements_filter_by_pgy(api_as, member, program):
    clinic = RotationTemplateFactory(program=program, name="Clinic", min_pgy=1, max_pgy=3)
    RotationRequirement.objects.create(program=program, pgy=1, rotation=clinic, min_blocks=2)
    RotationRequirement.objects.create(program=program, pgy=2, rotation=clinic, min_blocks=1)
    rows = api_as(member(Role.FACULTY)).get(reverse("api:rotation-requirement-list"), {"pgy": 1}).json()["results"]
    assert [(row["pgy"], row["rotation_name"], row["min_blocks"]) for row in rows] == [(1, "Clinic", 2)]


@pytest.fixture
def setup(program, coordinator):
    return small_schedule(program, coordinator)


def test_a_version_breaking_a_rule_lists_its_breaches_to_managers(api_as, coordinator, member, setup):
    url = reverse("api:schedule-version-compliance", args=[setup.version.pk])
    client = api_as(coordinator)
    assert client.get(url).json() == {"version": setup.version.pk, "compliant": True, "breaches": []}
    for day in (1, 2, 3):  # three nights in a row after the call of 1 July: continuous duty past 24+4 h
        call_assignment_change(
            version=setup.version,
            person=setup.resident,
            date=JULY_1 + dt.timedelta(days=day),
            action="add",
            user=coordinator,
            reason="Cover",
        )

    body = client.get(url).json()

    assert body["compliant"] is False
    assert {breach["person"]["name"] for breach in body["breaches"]} == {"Rita Resident"}
    assert_problem(api_as(member(Role.RESIDENT)).get(url), 403)


def test_another_programs_version_compliance_is_not_found(api_as, member, other_program, setup):
    outsider = api_as(member(Role.COORDINATOR, in_program=other_program), in_program=other_program)
    assert_problem(outsider.get(reverse("api:schedule-version-compliance", args=[setup.version.pk])), 404)
