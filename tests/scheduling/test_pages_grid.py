"""The block grid, month and week pages: what each role sees, drafts, filters, bad input and query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import BlockAssignment, CalendarDay, Person, SessionAssignment
from tenants.models import Role
from tests.scheduling.factories import (
    BlockAssignmentFactory,
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    SessionAssignmentFactory,
)
from tests.scheduling.reading_data import draft, published, year_holding

GRID = reverse("schedule-grid")
MONTH = reverse("schedule-month")
WEEK = reverse("schedule-week")
JULY_6 = dt.date(2026, 7, 6)  # a Monday in block 1 of 2026-2027


@pytest.fixture
def year(program):
    return year_holding(program, JULY_6)


@pytest.fixture
def inpatient(program):
    return RotationTemplateFactory(program=program, name="Inpatient Medicine", abbreviation="IM", colour="#1f77b4")


@pytest.fixture
def clinic(program):
    return RotationTemplateFactory(
        program=program, name="Family Medicine Clinic", abbreviation="FMC", colour="#f6e58d", allows_half_block=True
    )


def assign(version, person, block_number, rotation, half=0):
    block = version.academic_year.blocks.get(number=block_number)
    return BlockAssignmentFactory(version=version, block=block, person=person, rotation=rotation, half=half)


def body_of(response) -> str:
    return response.content.decode()


def rows_in(response) -> set[str]:
    """Last names of the people with a row on the page (each row links to the person's page)."""
    body = body_of(response)
    return {p.last_name for p in Person.objects.all() if reverse("person-schedule", args=[p.pk]) + '"' in body}


# --- Block grid ---


def test_anonymous_visitor_is_sent_to_login(client, year):
    response = client.get(GRID)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_resident_sees_published_grid_grouped_by_pgy_then_faculty(client, program, member, year, inpatient):
    version = published(year)
    ada = ResidentFactory(program=program, pgy=1, first_name="Ada", last_name="Lovelace")
    ResidentFactory(program=program, pgy=2, first_name="Bea", last_name="Second")
    FacultyFactory(program=program, first_name="Fay", last_name="Faculty")
    assign(version, ada, 1, inpatient)
    client.force_login(member(Role.RESIDENT))

    response = client.get(GRID)

    body = body_of(response)
    assert response.status_code == 200
    assert "Lovelace, Ada" in body and "Second, Bea" in body and "Faculty, Fay" in body
    assert body.index("PGY-1") < body.index("PGY-2") < body.index(">Faculty<")
    assert 'title="Inpatient Medicine, 1 Jul – 28 Jul 2026">IM<' in body
    assert "background:#1f77b4" in body
    assert "version 1" in body and "Published" in body
    assert 'class="table-scroll"' in body
    assert "/versions/" not in body  # no edit links for residents
    assert reverse("export-grid-xlsx") in body and reverse("export-grid-pdf") in body
    assert reverse("export-assignments-csv") in body
    assert 'class="legend"' in body and "IM</span> Inpatient Medicine" in body


def test_grid_cell_titles_name_the_rotation_and_its_dates(client, program, member, year, inpatient, clinic):
    version = published(year)
    ada = ResidentFactory(program=program, pgy=1)
    assign(version, ada, 1, inpatient)
    assign(version, ada, 2, clinic, half=BlockAssignment.Half.FIRST)
    assign(version, ada, 2, inpatient, half=BlockAssignment.Half.SECOND)
    client.force_login(member(Role.FACULTY))

    body = body_of(client.get(GRID))

    assert 'title="Inpatient Medicine, 1 Jul – 28 Jul 2026"' in body
    assert 'title="Family Medicine Clinic (first half), 29 Jul – 11 Aug 2026"' in body
    assert 'title="Inpatient Medicine (second half), 12 Aug – 25 Aug 2026"' in body
    assert 'class="cell split"' in body


def test_resident_asking_for_the_draft_still_sees_only_the_published_version(
    client, program, member, year, inpatient, clinic
):
    person = ResidentFactory(program=program, pgy=1)
    assign(published(year), person, 1, inpatient)
    assign(draft(year), person, 1, clinic)
    client.force_login(member(Role.RESIDENT))

    body = body_of(client.get(GRID, {"version": "draft"}))

    assert 'title="Inpatient Medicine, 1 Jul' in body
    assert 'title="Family Medicine Clinic, ' not in body
    assert "visible to coordinators and admins only" in body


def test_coordinator_sees_the_draft_with_edit_links_and_a_version_switcher(
    client, program, coordinator, year, inpatient, clinic
):
    person = ResidentFactory(program=program, pgy=1)
    assign(published(year), person, 1, inpatient)
    version = draft(year, number=2)
    assign(version, person, 1, clinic)
    client.force_login(coordinator)

    body = body_of(client.get(GRID, {"version": "draft"}))

    assert 'title="Family Medicine Clinic, 1 Jul' in body and 'title="Inpatient Medicine, ' not in body
    assert "version 2" in body and "Draft" in body and "not visible to residents and faculty" in body
    block = year.blocks.get(number=1)
    assert reverse("edit-block", kwargs={"pk": version.pk, "person": person.pk, "block": block.pk}) in body
    assert 'name="version"' in body and "v2 · Draft" in body and "v1 · Published" in body


def test_coordinator_asking_for_an_unknown_version_is_told(client, coordinator, year, other_program):
    published(year)
    foreign = published(year_holding(other_program, JULY_6))
    client.force_login(coordinator)

    response = client.get(GRID, {"version": foreign.pk})

    assert response.status_code == 404
    assert "no such schedule version" in body_of(response)


def test_no_published_version_is_said_plainly_and_managers_get_the_generate_link(client, member, coordinator, year):
    draft(year)
    client.force_login(member(Role.RESIDENT))
    body = body_of(client.get(GRID))
    assert "No schedule has been published for 2026-2027 yet." in body
    assert reverse("run-new") not in body

    client.force_login(coordinator)
    body = body_of(client.get(GRID))
    assert "No schedule has been published for 2026-2027 yet." in body
    assert reverse("run-new") in body


def test_grid_filters_by_pgy_rotation_and_person(client, program, member, year, inpatient, clinic):
    version = published(year)
    one = ResidentFactory(program=program, pgy=1, last_name="Oneson")
    two = ResidentFactory(program=program, pgy=2, last_name="Twoson")
    FacultyFactory(program=program, last_name="Teacher")
    assign(version, one, 1, inpatient)
    assign(version, two, 1, clinic)
    client.force_login(member(Role.FACULTY))

    by_pgy = rows_in(client.get(GRID, {"pgy": 2}))
    by_rotation = rows_in(client.get(GRID, {"rotation": inpatient.pk}))
    by_person = rows_in(client.get(GRID, {"person": two.pk}))

    assert by_pgy == {"Twoson"}
    assert by_rotation == {"Oneson"}
    assert by_person == {"Twoson"}


def test_grid_filter_options_and_versions_follow_new_people_rotations_and_drafts(client, program, coordinator, year):
    """The options are kept between visits, but never past a change of what they list."""
    published(year)
    client.force_login(coordinator)
    body = body_of(client.get(GRID))
    assert "Newcomer" not in body and "Toxicology" not in body and "v2 · Draft" not in body

    ResidentFactory(program=program, pgy=3, last_name="Newcomer")
    RotationTemplateFactory(program=program, name="Toxicology")
    draft(year)
    body = body_of(client.get(GRID))
    assert "Newcomer" in body and "Toxicology" in body and "v2 · Draft" in body


def test_grid_refuses_malformed_or_foreign_filters_with_a_message(client, member, year, other_program):
    published(year)
    foreign_rotation = RotationTemplateFactory(program=other_program)
    client.force_login(member(Role.RESIDENT))

    malformed = client.get(GRID, {"pgy": "one"})
    foreign = client.get(GRID, {"rotation": foreign_rotation.pk})

    assert malformed.status_code == 400 and "is not a number" in body_of(malformed)
    assert foreign.status_code == 404 and "no such rotation in this program" in body_of(foreign)


def test_clinic_staff_cannot_open_the_grid(client, member, year):
    published(year)
    for role in (Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA):
        client.force_login(member(role))
        assert client.get(GRID).status_code == 403
        assert client.get(MONTH).status_code == 403


def test_another_programs_user_never_sees_this_programs_schedule(client, program, member, year, other_program):
    version = published(year)
    assign(
        version, ResidentFactory(program=program, last_name="Secretname"), 1, RotationTemplateFactory(program=program)
    )
    client.force_login(member(Role.COORDINATOR, in_program=other_program))

    response = client.get(GRID, {"year": year.pk, "version": version.pk})

    assert "Secretname" not in body_of(response)
    assert "Secretname" not in body_of(client.get(MONTH, {"month": "2026-07"}))


@pytest.mark.parametrize("people", [5, 40])
def test_grid_query_count_does_not_grow_with_people(
    client, program, coordinator, year, inpatient, clinic, people, django_assert_max_num_queries
):
    version = published(year)
    rotations = [inpatient, clinic]
    for i in range(people):
        person = ResidentFactory(program=program, pgy=i % 3 + 1)
        for number in range(1, 14):
            assign(version, person, number, rotations[(i + number) % 2])
    FacultyFactory.create_batch(3, program=program)
    client.force_login(coordinator)

    with django_assert_max_num_queries(21):  # + leave and faculty half-days, approved absences, swaps to approve
        response = client.get(GRID)

    assert response.status_code == 200
    assert body_of(response).count('class="part"') == people * 13


# --- Month and week ---


@pytest.fixture
def july(program, year, clinic, inpatient):
    """A published July with a clinic morning, an inpatient afternoon, a call and a holiday."""
    version = published(year)
    ada = ResidentFactory(program=program, pgy=1, first_name="Ada", last_name="Lovelace")
    SessionAssignmentFactory(version=version, person=ada, date=JULY_6, session="AM", rotation=clinic)
    SessionAssignmentFactory(
        version=version,
        person=ada,
        date=JULY_6,
        session="PM",
        activity=SessionAssignment.Activity.INPATIENT,
        rotation=inpatient,
    )
    CallAssignmentFactory(
        version=version,
        person=ada,
        start=dt.datetime(2026, 7, 6, 21, 0, tzinfo=dt.UTC),
        end=dt.datetime(2026, 7, 7, 12, 0, tzinfo=dt.UTC),
    )
    CalendarDay.objects.create(
        program=program, date=dt.date(2026, 7, 3), day_type=CalendarDay.DayType.FEDERAL_HOLIDAY, name="Independence Day"
    )
    return version, ada


def test_month_shows_half_days_calls_weekends_and_holidays(client, member, july):
    client.force_login(member(Role.RESIDENT))

    response = client.get(MONTH, {"month": "2026-07"})

    body = body_of(response)
    assert response.status_code == 200
    assert "July 2026" in body
    assert 'title="Mon 6 Jul AM: Clinic — Family Medicine Clinic"' in body
    assert 'title="Mon 6 Jul PM: Inpatient — Inpatient Medicine">IM<' in body
    assert 'title="Ada Lovelace: In-house call 17:00 – Tue 08:00">Lovelace' in body  # in the program's zone
    assert 'title="Independence Day"' in body
    assert "day-head weekend" in body  # 4 and 5 July 2026 are a weekend
    assert "month=2026-06" in body and "month=2026-08" in body  # prev and next


def test_month_defaults_to_this_month(client, member, program):
    year_holding(program)
    client.force_login(member(Role.RESIDENT))

    body = body_of(client.get(MONTH))

    assert f"{program.today():%B %Y}" in body


@pytest.mark.parametrize("value", ["2026-13", "July", "2026-7", "2026-07-01"])
def test_malformed_month_is_refused_with_a_message(client, member, year, value):
    client.force_login(member(Role.RESIDENT))

    response = client.get(MONTH, {"month": value})

    assert response.status_code == 400
    assert "Give it as YYYY-MM" in body_of(response)


def test_week_starts_on_monday_and_keeps_filters_in_navigation(client, member, july, clinic):
    version, ada = july
    client.force_login(member(Role.FACULTY))

    response = client.get(WEEK, {"start": "2026-07-08", "rotation": clinic.pk})

    body = body_of(response)
    assert response.status_code == 200
    assert "Week of 6 July 2026" in body
    assert "Lovelace" in body
    assert f"start=2026-06-29&amp;rotation={clinic.pk}" in body or f"rotation={clinic.pk}&amp;start=2026-06-29" in body
    assert [c.day for c in response.context["table"]["columns"]] == [
        dt.date(2026, 7, 6) + dt.timedelta(days=i) for i in range(7)
    ]


def test_week_filter_by_rotation_leaves_out_people_without_it(client, program, member, july, inpatient):
    ResidentFactory(program=program, pgy=1, last_name="Elsewhere")
    client.force_login(member(Role.FACULTY))

    response = client.get(WEEK, {"start": "2026-07-06", "rotation": inpatient.pk})

    assert rows_in(response) == {"Lovelace"}


@pytest.mark.parametrize("value", ["2026-02-30", "tomorrow", "20260706"])
def test_malformed_week_start_is_refused_with_a_message(client, member, year, value):
    client.force_login(member(Role.RESIDENT))

    response = client.get(WEEK, {"start": value})

    assert response.status_code == 400
    assert "Give it as YYYY-MM-DD" in body_of(response)


def test_resident_sees_no_draft_sessions_in_the_week(client, program, member, year, clinic):
    person = ResidentFactory(program=program, pgy=1, last_name="Drafty")
    published(year)
    SessionAssignmentFactory(version=draft(year), person=person, date=JULY_6, rotation=clinic)
    client.force_login(member(Role.RESIDENT))

    response = client.get(WEEK, {"start": "2026-07-06", "version": "draft"})

    assert "— Family Medicine Clinic" not in body_of(response)
    assert "visible to coordinators and admins only" in body_of(response)


def test_week_outside_any_year_says_so(client, member, year):
    client.force_login(member(Role.RESIDENT))

    response = client.get(WEEK, {"start": "2031-01-06"})

    assert response.status_code == 200
    assert "No academic year of this program covers" in body_of(response)


@pytest.mark.parametrize("people", [5, 40])
def test_month_query_count_does_not_grow_with_people(
    client, program, coordinator, year, clinic, people, django_assert_max_num_queries
):
    version = published(year)
    for i in range(people):
        person = ResidentFactory(program=program, pgy=i % 3 + 1)
        for day in range(1, 8):
            for session in ("AM", "PM"):
                SessionAssignmentFactory(
                    version=version, person=person, date=dt.date(2026, 7, day), session=session, rotation=clinic
                )
        start = dt.datetime(2026, 7, i % 28 + 1, 21, tzinfo=dt.UTC)
        CallAssignmentFactory(version=version, person=person, start=start, end=start + dt.timedelta(hours=15))
    client.force_login(coordinator)

    with django_assert_max_num_queries(22):  # + the header's count of swaps waiting for approval
        response = client.get(MONTH, {"month": "2026-07", "rotation": clinic.pk})

    assert response.status_code == 200
    assert body_of(response).count('title="') >= people * 14
