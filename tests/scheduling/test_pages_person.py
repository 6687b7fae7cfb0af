"""A person's schedule page and /me/: content, who may open it, drafts, other programs, query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import SessionAssignment
from scheduling.views.reading import week_hours
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

ME = reverse("my-schedule")


def page(pk: int) -> str:
    return reverse("person-schedule", args=[pk])


@pytest.fixture
def today(program):
    return program.today()


@pytest.fixture
def year(program, today):
    return year_holding(program, today)


@pytest.fixture
def version(year):
    return published(year)


@pytest.fixture
def clinic(program):
    return RotationTemplateFactory(program=program, name="Family Medicine Clinic", abbreviation="FMC", colour="#f6e58d")


@pytest.fixture
def resident(member):
    return member(Role.RESIDENT, email="ada@example.org")


@pytest.fixture
def ada(program, resident, version, clinic, today):
    """A PGY-2 linked to the resident's login, with this block's rotation, a clinic morning and a call."""
    person = ResidentFactory(program=program, pgy=2, first_name="Ada", last_name="Lovelace", user=resident)
    block = version.academic_year.blocks.get(start_date__lte=today, end_date__gte=today)
    BlockAssignmentFactory(version=version, block=block, person=person, rotation=clinic)
    SessionAssignmentFactory(version=version, person=person, date=today, session="AM", rotation=clinic)
    SessionAssignmentFactory(
        version=version, person=person, date=today, session="PM", activity=SessionAssignment.Activity.CONFERENCE
    )
    zone = program.zone
    start = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(17), tzinfo=zone)
    CallAssignmentFactory(version=version, person=person, start=start, end=start + dt.timedelta(hours=15))
    return person


def body_of(response) -> str:
    return response.content.decode()


def test_resident_sees_own_schedule_on_my_page(client, resident, ada, today):
    client.force_login(resident)

    response = client.get(ME)

    body = body_of(response)
    assert response.status_code == 200
    assert "<h1>Ada Lovelace</h1>" in body and "Your schedule · PGY-2" in body
    assert "FMC</span> Family Medicine Clinic" in body  # rotations by block
    assert f"{today:%a} {today.day} {today:%b}" in body  # the next 14 days start today
    assert 'Clinic <span class="muted">· Family Medicine Clinic</span>' in body
    assert "Conference / didactics" in body
    call_day = today + dt.timedelta(days=2)
    next_day = call_day + dt.timedelta(days=1)
    assert f"{call_day:%a} {call_day.day} {call_day:%b}</strong> · In-house call, 17:00 – {next_day:%a} 08:00" in body
    assert reverse("export-person-pdf", args=[ada.pk]) in body
    assert 'class="table-scroll"' in body and 'name="viewport"' in body


def test_rotations_by_block_print_each_blocks_dates_once_and_a_halfs_own(client, program, resident, ada, version):
    """A rotation filling its block reads by name beside the block's dates; a split block's halves keep theirs."""
    later = version.academic_year.blocks.order_by("number").last()
    for half, name in ((1, "Sports Medicine"), (2, "Cardiology")):
        rotation = RotationTemplateFactory(program=program, name=name, allows_half_block=True)
        BlockAssignmentFactory(version=version, block=later, person=ada, rotation=rotation, half=half)
    client.force_login(resident)

    body = body_of(client.get(ME))

    assert "Family Medicine Clinic</td>" in body  # no dates after the name: the Dates column has them
    first_end = later.start_date + dt.timedelta(days=13)
    assert f"Sports Medicine (first half), {later.start_date:%-d %b} – {first_end:%-d %b %Y}" in body
    assert f"Cardiology (second half), {first_end + dt.timedelta(days=1):%-d %b} – {later.end_date:%-d %b %Y}" in body


def test_my_page_without_a_linked_person_says_so(client, member, version):
    client.force_login(member(Role.FACULTY))

    response = client.get(ME)

    assert response.status_code == 200
    assert "No person record is linked to your login in this program" in body_of(response)


def test_person_linked_in_another_program_is_not_used(client, member, other_program, version):
    user = member(Role.RESIDENT)
    ResidentFactory(program=other_program, user=user)

    client.force_login(user)

    assert "No person record is linked" in body_of(client.get(ME))


def test_resident_may_read_a_colleagues_schedule_read_only(client, program, member, ada, version):
    colleague = FacultyFactory(program=program, first_name="Grace", last_name="Hopper")
    client.force_login(member(Role.RESIDENT))

    own = client.get(page(ada.pk))
    other = client.get(page(colleague.pk))

    assert own.status_code == 200 and other.status_code == 200
    assert "Grace Hopper" in body_of(other)
    assert "block rotations are for residents" in body_of(other)
    assert "/versions/" not in body_of(own)


def test_another_programs_person_is_not_found(client, member, other_program, version):
    stranger = ResidentFactory(program=other_program)
    client.force_login(member(Role.RESIDENT))

    assert client.get(page(stranger.pk)).status_code == 404


def test_another_programs_user_cannot_read_this_programs_person(client, member, other_program, ada):
    client.force_login(member(Role.COORDINATOR, in_program=other_program))

    assert client.get(page(ada.pk)).status_code == 404


@pytest.mark.parametrize("role", [Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA])
def test_clinic_staff_cannot_open_person_pages(client, member, ada, role):
    client.force_login(member(role))

    assert client.get(page(ada.pk)).status_code == 403
    assert client.get(ME).status_code == 403


def test_resident_asking_for_a_draft_sees_the_published_schedule(client, program, member, ada, year):
    other_rotation = RotationTemplateFactory(program=program, name="Draft Only Rotation", abbreviation="DRO")
    block = year.blocks.get(number=1)
    BlockAssignmentFactory(version=draft(year), block=block, person=ada, rotation=other_rotation)
    client.force_login(member(Role.RESIDENT))

    body = body_of(client.get(page(ada.pk), {"version": "draft"}))

    assert "Draft Only Rotation" not in body
    assert "visible to coordinators and admins only" in body


def test_coordinator_reads_a_draft_of_the_person(client, program, coordinator, ada, year):
    other_rotation = RotationTemplateFactory(program=program, name="Draft Only Rotation", abbreviation="DRO")
    block = year.blocks.get(number=1)
    BlockAssignmentFactory(version=draft(year), block=block, person=ada, rotation=other_rotation)
    client.force_login(coordinator)

    body = body_of(client.get(page(ada.pk), {"version": "draft"}))

    assert "Draft Only Rotation" in body and "Draft" in body


def test_no_published_schedule_is_said_plainly(client, program, member, year):
    person = ResidentFactory(program=program)
    client.force_login(member(Role.RESIDENT))

    body = body_of(client.get(page(person.pk)))

    assert "No schedule has been published for" in body


def test_hours_section_handles_no_figures(client, resident, ada):
    client.force_login(resident)

    response = client.get(ME)

    assert "Hours per week" in body_of(response)
    if not response.context["sched"]["hours"]:
        assert "No duty hours to show for this year yet." in body_of(response)


def test_week_hours_rows_mark_weeks_over_80_hours():
    rows = week_hours([(dt.date(2026, 7, 6), 62.5), (dt.date(2026, 7, 13), 84.0), (dt.date(2026, 7, 20), 120.0)])

    assert [(r.hours, r.width, r.over) for r in rows] == [(62.5, 62.5, False), (84.0, 84.0, True), (120.0, 100.0, True)]


def test_bad_version_filter_is_refused(client, coordinator, ada):
    client.force_login(coordinator)

    response = client.get(page(ada.pk), {"version": "99999"})

    assert response.status_code == 404
    assert "no such schedule version" in body_of(response)


@pytest.mark.parametrize("extra_calls", [1, 30])
def test_person_page_query_count_is_fixed(
    client, program, resident, ada, version, today, extra_calls, django_assert_max_num_queries
):
    zone = program.zone
    for i in range(extra_calls):
        start = dt.datetime.combine(today + dt.timedelta(days=3 + i), dt.time(18), tzinfo=zone)
        CallAssignmentFactory(version=version, person=ada, start=start, end=start + dt.timedelta(hours=12))
    for i in range(1, 14):
        SessionAssignmentFactory(version=version, person=ada, date=today + dt.timedelta(days=i), session="AM")
    client.force_login(resident)

    # includes making the calendar-feed token on the first visit (with its owner's object permissions), the
    # approved absences of the grid and days, and the person's wishes
    with django_assert_max_num_queries(32):
        response = client.get(ME)

    assert response.status_code == 200
    assert body_of(response).count("In-house call,") == extra_calls + 1
