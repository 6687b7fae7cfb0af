"""The dashboard: compliance of the published schedule, the latest run, one's own next duties, quick actions."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import ScheduleRun, ScheduleVersion
from scheduling.services import session_assignment_change
from tenants.models import Role
from tests.scheduling.factories import ScheduleRunFactory
from tests.scheduling.manager_pages import small_schedule

pytestmark = pytest.mark.django_db

NEXT_JULY = dt.date(dt.date.today().year + 1, 7, 1)  # block 1 lies ahead, so its duties are "next"


def test_manager_sees_compliance_latest_run_and_actions(client, program, coordinator):
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY)
    run = ScheduleRunFactory(academic_year=setup.year, status=ScheduleRun.Status.SUCCEEDED)
    client.force_login(coordinator)

    body = client.get(reverse("home")).content.decode()

    assert setup.year.name in body and program.name in body
    assert "ACGME compliant" in body and reverse("compliance") in body
    assert reverse("run-detail", args=[run.pk]) in body and "Succeeded" in body
    for name in ("run-new", "compliance", "schedule-grid", "admin:index"):
        assert f'href="{reverse(name)}"' in body
    assert "TODO" not in body


def test_manager_sees_the_number_of_violations(client, program, coordinator):
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY)
    post_call = NEXT_JULY + dt.timedelta(days=1)
    session_assignment_change(
        version=setup.version,
        person=setup.resident,
        date=post_call,
        session="AM",
        activity="inpatient",
        user=coordinator,
        reason="Test",
    )
    client.force_login(coordinator)

    response = client.get(reverse("home"))

    count = response.context["panel"]["violation_count"]
    assert count >= 1
    assert f"{count} ACGME violation" in response.content.decode()


def test_resident_sees_their_next_duties_and_their_actions(client, program, coordinator, member):
    user = member(Role.RESIDENT)
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY, user=user)
    client.force_login(user)

    response = client.get(reverse("home"))

    body = response.content.decode()
    panel = response.context["panel"]
    assert panel["me"] == setup.resident
    assert [s.date for s in panel["my_sessions"]][:2] == [NEXT_JULY, NEXT_JULY]
    assert len(panel["my_calls"]) == 5 and "In-house call" in body
    assert f'href="{reverse("my-schedule")}"' in body and f'href="{reverse("today")}"' in body
    assert f'href="{reverse("run-new")}"' not in body and "ACGME" not in body


def test_without_a_published_schedule_nothing_is_made_up(client, program, coordinator, member):
    user = member(Role.RESIDENT)
    small_schedule(program, coordinator, start=NEXT_JULY, user=user)  # a draft only
    client.force_login(user)

    body = client.get(reverse("home")).content.decode()

    assert "No schedule is published for this year yet." in body
    assert "Your duties appear here once a schedule is published." in body


def test_roles_without_schedule_access_keep_the_plain_home(client, program, coordinator, member):
    small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY)
    client.force_login(member(Role.MSA))

    response = client.get(reverse("home"))

    assert response.status_code == 200 and response.context["panel"] is None
    assert "ACGME" not in response.content.decode()


def test_dashboard_takes_a_bounded_number_of_queries(client, program, coordinator, django_assert_max_num_queries):
    small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY)
    client.force_login(coordinator)
    client.get(reverse("home"))  # fills the compliance cache

    with django_assert_max_num_queries(25):
        assert client.get(reverse("home")).status_code == 200
