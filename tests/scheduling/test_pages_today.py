"""Today's roster: who is where in the AM and PM and who is on call tonight, for every role of the program."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import SessionAssignment
from tenants.models import Role
from tests.scheduling.factories import (
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    SessionAssignmentFactory,
)
from tests.scheduling.reading_data import draft, published, year_holding

TODAY = reverse("today")
JULY_6 = dt.date(2026, 7, 6)
Activity = SessionAssignment.Activity


@pytest.fixture
def year(program):
    return year_holding(program, JULY_6)


@pytest.fixture
def monday(program, year):
    """6 July 2026, published: two in clinic and one on leave in the AM, one inpatient in the PM, a call tonight."""
    version = published(year)
    clinic = RotationTemplateFactory(program=program, name="Family Medicine Clinic", abbreviation="FMC")
    wards = RotationTemplateFactory(program=program, name="Inpatient Medicine", abbreviation="IM")
    ada = ResidentFactory(program=program, pgy=1, first_name="Ada", last_name="Lovelace")
    grace = FacultyFactory(program=program, first_name="Grace", last_name="Hopper")
    alan = ResidentFactory(program=program, pgy=2, first_name="Alan", last_name="Turing")
    SessionAssignmentFactory(version=version, person=ada, date=JULY_6, session="AM", rotation=clinic)
    SessionAssignmentFactory(version=version, person=grace, date=JULY_6, session="AM")
    SessionAssignmentFactory(version=version, person=alan, date=JULY_6, session="AM", activity=Activity.LEAVE)
    SessionAssignmentFactory(
        version=version, person=ada, date=JULY_6, session="PM", activity=Activity.INPATIENT, rotation=wards
    )
    CallAssignmentFactory(
        version=version,
        person=ada,
        start=dt.datetime(2026, 7, 6, 21, 0, tzinfo=dt.UTC),  # 17:00 in New York
        end=dt.datetime(2026, 7, 7, 12, 0, tzinfo=dt.UTC),
    )
    return version


def body_of(response) -> str:
    return response.content.decode()


def section(body: str, title: str) -> str:
    start = body.index(title)
    return body[start : body.index("</section>", start)]


@pytest.mark.parametrize("role", [Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA, Role.RESIDENT, Role.FACULTY])
def test_every_role_sees_who_is_where_and_on_call(client, member, monday, role):
    client.force_login(member(role))

    response = client.get(TODAY, {"date": "2026-07-06"})

    body = body_of(response)
    assert response.status_code == 200
    assert "Monday 6 July 2026" in body
    morning = section(body, "Morning (AM)")
    afternoon = section(body, "Afternoon (PM)")
    assert "Clinic" in morning and "Ada Lovelace" in morning and "Grace Hopper" in morning
    assert "Off / Leave" in morning and "Alan Turing" in morning
    assert morning.index("Clinic") < morning.index("Off / Leave")
    assert "Inpatient" in afternoon and "Ada Lovelace" in afternoon and "Grace Hopper" not in afternoon
    tonight = section(body, "On call tonight")
    assert "Ada Lovelace" in tonight and "In-house call · 17:00 – Tue 08:00" in tonight


def test_clinic_staff_get_names_without_links_to_person_pages(client, member, monday):
    client.force_login(member(Role.MSA))

    body = body_of(client.get(TODAY, {"date": "2026-07-06"}))

    assert "/people/" not in body


def test_clinicians_get_links_to_person_pages(client, member, monday):
    client.force_login(member(Role.RESIDENT))

    body = body_of(client.get(TODAY, {"date": "2026-07-06"}))

    assert "/people/" in body


def test_today_shows_only_the_published_version_even_to_managers(client, program, coordinator, monday, year):
    SessionAssignmentFactory(
        version=draft(year), person=ResidentFactory(program=program, last_name="Draftonly"), date=JULY_6
    )
    client.force_login(coordinator)

    body = body_of(client.get(TODAY, {"date": "2026-07-06", "version": "draft"}))

    assert "Draftonly" not in body and "Ada Lovelace" in body


def test_today_defaults_to_the_programs_date(client, program, member):
    day = program.today()
    version = published(year_holding(program, day))
    SessionAssignmentFactory(
        version=version, person=ResidentFactory(program=program, last_name="Presentday"), date=day, session="PM"
    )
    zone = program.zone
    start = dt.datetime.combine(day, dt.time(17), tzinfo=zone)
    CallAssignmentFactory(
        version=version,
        person=ResidentFactory(program=program, last_name="Nightowl"),
        start=start,
        end=start + dt.timedelta(hours=14),
    )
    client.force_login(member(Role.RN))

    body = body_of(client.get(TODAY))

    assert f"Today, {day:%A} {day.day} {day:%B %Y}" in body
    assert "Presentday" in section(body, "Afternoon (PM)")
    assert "Nightowl" in section(body, "On call tonight")


@pytest.mark.parametrize("value", ["2026-07-32", "today", "6/7/2026"])
def test_bad_date_is_refused_with_a_message(client, member, year, value):
    client.force_login(member(Role.MSA))

    response = client.get(TODAY, {"date": value})

    assert response.status_code == 400
    assert "is not a date. Give it as YYYY-MM-DD" in body_of(response)


def test_day_without_published_schedule_says_so(client, member, year):
    draft(year)
    client.force_login(member(Role.LPN))

    body = body_of(client.get(TODAY, {"date": "2026-07-06"}))

    assert "No schedule has been published for 2026-2027 yet." in body


def test_day_outside_any_year_says_so(client, member, year):
    client.force_login(member(Role.LPN))

    body = body_of(client.get(TODAY, {"date": "2031-01-06"}))

    assert "No academic year of this program covers 6 January 2031." in body


def test_another_programs_staff_do_not_see_this_programs_roster(client, member, other_program, monday):
    client.force_login(member(Role.CLINICAL_STAFF, in_program=other_program))

    response = client.get(TODAY, {"date": "2026-07-06"})

    assert response.status_code == 200
    assert "Ada Lovelace" not in body_of(response)


def test_anonymous_visitor_is_sent_to_login(client, monday):
    response = client.get(TODAY)

    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_today_has_day_navigation_and_phone_markup(client, member, monday):
    client.force_login(member(Role.RN))

    body = body_of(client.get(TODAY, {"date": "2026-07-06"}))

    assert "?date=2026-07-05" in body and "?date=2026-07-07" in body
    assert 'name="viewport"' in body and 'class="roster-columns"' in body


@pytest.mark.parametrize("people", [5, 40])
def test_today_query_count_does_not_grow_with_people(
    client, program, member, year, people, django_assert_max_num_queries
):
    version = published(year)
    clinic = RotationTemplateFactory(program=program)
    for i in range(people):
        person = ResidentFactory(program=program, pgy=i % 3 + 1)
        for session in ("AM", "PM"):
            SessionAssignmentFactory(version=version, person=person, date=JULY_6, session=session, rotation=clinic)
        if i % 10 == 0:
            start = dt.datetime(2026, 7, 6, 21, i % 60, tzinfo=dt.UTC)
            CallAssignmentFactory(version=version, person=person, start=start, end=start + dt.timedelta(hours=14))
    client.force_login(member(Role.CLINICAL_STAFF))

    with django_assert_max_num_queries(15):
        response = client.get(TODAY, {"date": "2026-07-06"})

    assert response.status_code == 200
    assert body_of(response).count("PGY-") >= people * 2
