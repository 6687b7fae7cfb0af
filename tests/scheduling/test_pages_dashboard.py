"""The dashboard: compliance of the published schedule, the latest run, one's own next duties, quick actions."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import ScheduleRun, ScheduleVersion, SessionAssignment
from scheduling.services import session_assignment_change
from tenants.models import Role
from tests.scheduling.factories import (
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleRunFactory,
    SessionAssignmentFactory,
)
from tests.scheduling.manager_pages import small_schedule
from tests.scheduling.reading_data import published, year_holding

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


def test_clinic_staff_get_no_schedule_panel_nor_compliance(client, program, coordinator, member):
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


# --- The clinic staff's dashboard (clinical staff, RN, LPN, MSA) ---

STAFF_ROLES = [Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA]
Activity = SessionAssignment.Activity


@pytest.fixture
def clinic_today(program):
    """Today in the published schedule: Dr Osler and Ada in clinic in the AM, Alan in the PM, Ada on call
    tonight and Dr Hopper the FMIT attending; everyone has a phone and a pager."""
    today = program.today()
    version = published(year_holding(program, today))
    clinic = RotationTemplateFactory(program=program, name="Family Medicine Clinic", abbreviation="FMC")
    numbers = iter(range(100, 200))

    def contacts():
        number = next(numbers)
        return {"phone": f"(802) 555-{number:04d}", "pager": f"(802) 555-{number + 50:04d}"}

    osler = FacultyFactory(program=program, first_name="William", last_name="Osler", **contacts())
    hopper = FacultyFactory(program=program, first_name="Grace", last_name="Hopper", **contacts())
    ada = ResidentFactory(program=program, pgy=1, first_name="Ada", last_name="Lovelace", **contacts())
    alan = ResidentFactory(program=program, pgy=2, first_name="Alan", last_name="Turing", **contacts())
    SessionAssignmentFactory(version=version, person=osler, date=today, session="AM", activity=Activity.CLINIC)
    SessionAssignmentFactory(version=version, person=ada, date=today, session="AM", rotation=clinic)
    SessionAssignmentFactory(version=version, person=alan, date=today, session="PM")
    for session in ("AM", "PM"):
        SessionAssignmentFactory(version=version, person=hopper, date=today, session=session, activity=Activity.FMIT)
    start = dt.datetime.combine(today, dt.time(17), tzinfo=program.zone)
    CallAssignmentFactory(version=version, person=ada, start=start, end=start + dt.timedelta(hours=15))
    return {"osler": osler, "hopper": hopper, "ada": ada, "alan": alan}


def card(body: str, title: str) -> str:
    start = body.index(title)
    return body[start : body.index("</section>", start)]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_clinic_staff_see_todays_clinic_and_tonights_call_with_contact_numbers(client, member, clinic_today, role):
    client.force_login(member(role))

    body = client.get(reverse("home")).content.decode()

    assert "open here soon" not in body
    tonight = card(body, "On call tonight")
    ada, hopper, osler = clinic_today["ada"], clinic_today["hopper"], clinic_today["osler"]
    assert "Ada Lovelace" in tonight and ada.phone in tonight and ada.pager in tonight
    assert "Grace Hopper" in tonight and "FMIT attending" in tonight and hopper.phone in tonight
    morning = card(body, "In clinic this morning (AM)")
    assert "William Osler" in morning and osler.phone in morning and osler.pager in morning
    assert "Ada Lovelace" in morning and "Family Medicine Clinic" in morning and "Alan Turing" not in morning
    afternoon = card(body, "In clinic this afternoon (PM)")
    assert "Alan Turing" in afternoon and "Continuity clinic" in afternoon and "No faculty in clinic." in afternoon


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_clinic_staff_dashboards_link_only_to_pages_they_may_open(client, member, clinic_today, role):
    client.force_login(member(role))

    body = client.get(reverse("home")).content.decode()

    for name in ("today", "on-call", "notification-list"):
        assert f'href="{reverse(name)}' in body
    assert f'href="{reverse("on-call")}?span=week"' in body
    for name in ("my-schedule", "schedule-grid", "absence-list", "credentials-matrix", "api-docs", "admin:index"):
        assert f'href="{reverse(name)}"' not in body, name
    assert "/people/" not in body


def test_clinic_staff_are_told_when_nothing_is_published(client, program, member):
    year_holding(program)
    client.force_login(member(Role.RN))

    body = client.get(reverse("home")).content.decode()

    assert "No schedule has been published for" in body and f'href="{reverse("on-call")}"' in body


def test_clinic_staff_dashboard_takes_a_bounded_number_of_queries(
    client, program, member, clinic_today, django_assert_max_num_queries
):
    for i in range(30):
        ResidentFactory(program=program, pgy=i % 3 + 1)
    client.force_login(member(Role.LPN))

    with django_assert_max_num_queries(20):
        assert client.get(reverse("home")).status_code == 200


def test_residents_and_faculty_dashboards_link_to_who_is_on_call(client, program, coordinator, member):
    user = member(Role.FACULTY)
    small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY, user=user)
    client.force_login(user)

    body = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("on-call")}"' in body


def test_pages_print_times_on_the_programs_clock(client, program, coordinator, member):
    """A call from 17:00 to 08:00 in the program's zone reads 17:00-08:00 on the page, not the UTC hours."""
    program.time_zone = "America/Chicago"
    program.save(update_fields=["time_zone"])
    user = member(Role.RESIDENT)
    small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED, start=NEXT_JULY, user=user)
    client.force_login(user)

    response = client.get(reverse("home"))

    call = response.context["panel"]["my_calls"][0]
    local = call.start.astimezone(program.zone)
    body = response.content.decode()
    assert f"{local:%H:%M} –" in body
    assert f"{call.start.astimezone(dt.UTC):%H:%M} –" not in body  # Chicago is never on UTC
