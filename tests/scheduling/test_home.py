"""The home page: program, year and counts for the active program, by role."""

import datetime as dt

import pytest
from django.urls import reverse

from tenants.models import Role
from tests.absences.factories import AbsenceFactory
from tests.credentials.factories import PersonCertificationFactory
from tests.scheduling.factories import AcademicYearFactory, BlockFactory, FacultyFactory, ResidentFactory
from tests.tenants.factories import MembershipFactory


@pytest.fixture
def year(program):
    today = program.today()  # the program's date: the server's (UTC) runs ahead of New York every evening
    start = dt.date(today.year if today.month >= 7 else today.year - 1, 7, 1)
    year = AcademicYearFactory(
        program=program,
        name=f"{start.year}-{start.year + 1}",
        is_current=True,
        start_date=start,
        end_date=dt.date(start.year + 1, 6, 30),
    )
    for number in range(1, 14):
        BlockFactory(academic_year=year, number=number)
    return year


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_login_page_uses_the_site_layout(client, db):  # the page lists the institutions offering SSO
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Residency Scheduler" in body and 'name="login"' in body and 'name="password"' in body


def test_coordinator_sees_program_year_and_counts(client, program, other_program, member, year):
    ResidentFactory.create_batch(3, program=program, pgy=1)
    FacultyFactory.create_batch(2, program=program)
    ResidentFactory.create_batch(5, program=other_program)
    client.force_login(member(Role.COORDINATOR))
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert program.name in body and year.name in body
    counts = dict(response.context["overview"]["counts"])
    assert counts["Residents"] == 3
    assert counts["Faculty"] == 2
    assert counts["Blocks"] == 13
    assert reverse("admin:scheduling_person_changelist") in body


def test_home_takes_a_fixed_number_of_queries(client, program, member, year, django_assert_max_num_queries):
    client.force_login(member(Role.COORDINATOR))
    today = program.today()
    for person in ResidentFactory.create_batch(30, program=program):
        AbsenceFactory(program=program, person=person, start_date=today, end_date=today)
        PersonCertificationFactory(
            type__program=program, person=person, issued_on=today - dt.timedelta(days=700), expires_on=today
        )
    with django_assert_max_num_queries(17):
        assert client.get(reverse("home")).status_code == 200


def test_dashboard_shows_coming_absences_and_expiring_certifications_by_role(client, program, member, year):
    today = program.today()
    resident_user = member(Role.RESIDENT)
    mine = ResidentFactory(program=program, user=resident_user, first_name="Rita", last_name="Mine")
    other = ResidentFactory(program=program, first_name="Otto", last_name="Other")
    soon = today + dt.timedelta(days=10)
    for person in (mine, other):
        AbsenceFactory(program=program, person=person, start_date=soon, end_date=soon)
        PersonCertificationFactory(
            type__program=program,
            type__code=f"ACLS{person.pk}",
            person=person,
            issued_on=today - dt.timedelta(days=700),
            expires_on=today + dt.timedelta(days=20),
        )
    later = soon + dt.timedelta(days=60)  # outside the 30 days: not listed
    AbsenceFactory(program=program, person=other, kind="conference", start_date=later, end_date=later)

    client.force_login(member(Role.COORDINATOR))
    body = client.get(reverse("home")).content.decode()
    assert "Absences in the next 30 days" in body and "Rita Mine" in body and "Otto Other" in body
    assert f"ACLS{mine.pk}" in body and f"ACLS{other.pk}" in body
    assert "Conference" not in body  # starts in 70 days

    client.force_login(resident_user)
    body = client.get(reverse("home")).content.decode()
    assert "My next absences" in body and f"ACLS{mine.pk}" in body
    assert "Otto Other" not in body and f"ACLS{other.pk}" not in body


def test_dashboard_lists_a_new_absence_and_certification_at_once(client, program, member, year):
    """The coming-up lists are kept between visits, but never past a change of what they show."""
    today = program.today()
    resident_user = member(Role.RESIDENT)
    mine = ResidentFactory(program=program, user=resident_user)
    client.force_login(resident_user)
    assert "My next absences" not in client.get(reverse("home")).content.decode()  # none: no card

    PersonCertificationFactory(
        type__program=program,
        type__code="NRP",
        person=mine,
        issued_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=5),
    )
    assert "NRP" in client.get(reverse("home")).content.decode()

    soon = today + dt.timedelta(days=3)
    absence = AbsenceFactory(program=program, person=mine, kind="conference", start_date=soon, end_date=soon)
    assert "Conference" in client.get(reverse("home")).content.decode()

    absence.delete()
    assert "Conference" not in client.get(reverse("home")).content.decode()


def test_resident_sees_the_year_but_no_manage_links(client, program, member, year):
    client.force_login(member(Role.RESIDENT))
    body = client.get(reverse("home")).content.decode()
    assert year.name in body
    assert reverse("admin:scheduling_person_changelist") not in body


def test_clinic_staff_do_not_see_program_counts(client, program, member, year):
    client.force_login(member(Role.MSA))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["overview"] is None


def test_user_without_program_is_told_to_ask_an_admin(client, db):
    from tests.tenants.factories import UserFactory

    client.force_login(UserFactory())
    assert "You do not belong to any program yet" in client.get(reverse("home")).content.decode()


def test_switcher_lists_only_the_users_programs(client, program, other_program, member):
    from tests.tenants.factories import ProgramFactory

    stranger = ProgramFactory(name="Stranger Program")
    user = member(Role.COORDINATOR)
    MembershipFactory(user=user, organization=other_program, role=Role.RESIDENT)
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    assert other_program.name in body and program.name in body
    assert stranger.name not in body
