"""The read API of people, rotations, academic years and blocks: every row comes from the active program."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from scheduling.models import Person, RotationTemplate
from tenants.models import Role
from tests.scheduling.factories import (
    AcademicYearFactory,
    BlockFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
)

PROBLEM = "application/problem+json"
ENDPOINTS = ["person", "rotation", "academic-year", "block"]
CLINIC_STAFF_ROLES = [Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA]


def make_rows(endpoint: str, program, count: int) -> list:
    """`count` rows of the endpoint's model in the program."""
    if endpoint == "person":
        return ResidentFactory.create_batch(count, program=program)
    if endpoint == "rotation":
        return RotationTemplateFactory.create_batch(count, program=program)
    if endpoint == "academic-year":
        return AcademicYearFactory.create_batch(count, program=program)
    blocks: list = []
    while len(blocks) < count:
        year = AcademicYearFactory(program=program)
        blocks += [BlockFactory(academic_year=year, number=n) for n in range(1, min(13, count - len(blocks)) + 1)]
    return blocks


def list_url(endpoint: str) -> str:
    return reverse(f"api:{endpoint}-list")


def detail_url(endpoint: str, pk: int) -> str:
    return reverse(f"api:{endpoint}-detail", args=[pk])


def result_ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body


@pytest.fixture
def rows_in_both(program, other_program):
    """Three rows in the active program and two in the other, per endpoint."""

    def make(endpoint: str) -> tuple[list, list]:
        return make_rows(endpoint, program, 3), make_rows(endpoint, other_program, 2)

    return make


# Tenancy: rows of the active program only


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.RESIDENT, Role.FACULTY, Role.ADMIN])
def test_list_shows_only_the_active_programs_rows(api_as, member, rows_in_both, endpoint, role):
    ours, theirs = rows_in_both(endpoint)
    response = api_as(member(role)).get(list_url(endpoint))
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert result_ids(response) == {row.pk for row in ours}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_detail_shows_a_row_of_the_active_program(api_as, resident_user, rows_in_both, endpoint):
    ours, _ = rows_in_both(endpoint)
    response = api_as(resident_user).get(detail_url(endpoint, ours[0].pk))
    assert response.status_code == 200
    assert response.json()["id"] == ours[0].pk


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("reference", ["id", "slug"])
def test_header_naming_a_program_the_user_is_not_in_is_refused(
    api_as, coordinator, other_program, rows_in_both, endpoint, reference
):
    _, theirs = rows_in_both(endpoint)
    client = api_as(coordinator)
    client.credentials(HTTP_X_ORGANIZATION_ID=str(getattr(other_program, reference)))
    for url in (list_url(endpoint), detail_url(endpoint, theirs[0].pk)):
        body = assert_problem(client.get(url), 403)
        assert "X-Organization-ID" in body["detail"]
        assert "program you belong to" in body["detail"]
        assert "results" not in body and "id" not in body


def test_header_that_is_not_an_id_or_slug_is_refused_not_a_crash(coordinator):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(coordinator)
    assert_problem(client.get(list_url("person"), HTTP_X_ORGANIZATION_ID="²"), 403)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_detail_of_another_programs_row_is_not_found(api_as, coordinator, rows_in_both, endpoint):
    _, theirs = rows_in_both(endpoint)
    body = assert_problem(api_as(coordinator).get(detail_url(endpoint, theirs[0].pk)), 404)
    assert body["instance"] == detail_url(endpoint, theirs[0].pk)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_member_of_both_programs_sees_the_program_the_header_names(
    api_as, member, other_program, rows_in_both, endpoint
):
    ours, theirs = rows_in_both(endpoint)
    user = member(Role.COORDINATOR)
    member(Role.RESIDENT, in_program=other_program, email=user.email)  # same user, second membership
    assert result_ids(api_as(user, in_program=other_program).get(list_url(endpoint))) == {r.pk for r in theirs}
    assert result_ids(api_as(user).get(list_url(endpoint))) == {r.pk for r in ours}


# Roles and authentication


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", CLINIC_STAFF_ROLES)
def test_clinic_staff_cannot_read_people_rotations_or_calendar(api_as, member, rows_in_both, endpoint, role):
    """DESIGN.md section 12: clinical staff, RN, LPN and MSA read only the roster and the call list."""
    ours, _ = rows_in_both(endpoint)
    client = api_as(member(role))
    body = assert_problem(client.get(list_url(endpoint)), 403)
    assert body["detail"] == "Your role in this program does not allow this."
    assert_problem(client.get(detail_url(endpoint, ours[0].pk)), 403)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_request_is_refused_without_data(rows_in_both, endpoint):
    ours, _ = rows_in_both(endpoint)
    response = APIClient().get(list_url(endpoint))
    assert response.status_code in (401, 403)
    body = assert_problem(response, response.status_code)
    assert body["code"] == "not_authenticated"
    assert "results" not in body


@pytest.mark.parametrize("authorization", [None, "Token not-a-real-key"])
def test_unauthenticated_request_gets_401_with_www_authenticate(db, authorization):
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    response = client.get(list_url("person"))
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")  # personal access tokens are the documented way


def test_token_authentication_reads_the_program_named_by_slug(program, coordinator, rows_in_both):
    ours, _ = rows_in_both("person")
    token = Token.objects.create(user=coordinator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_ORGANIZATION_ID=program.slug)
    response = client.get(list_url("person"))
    assert response.status_code == 200
    assert result_ids(response) == {row.pk for row in ours}


def test_token_authentication_still_refuses_another_programs_header(other_program, coordinator, rows_in_both):
    rows_in_both("person")
    token = Token.objects.create(user=coordinator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_ORGANIZATION_ID=str(other_program.pk))
    assert_problem(client.get(list_url("person")), 403)


@pytest.mark.parametrize("endpoint", ["academic-year", "block"])
def test_writes_are_not_offered(api_as, coordinator, rows_in_both, endpoint):
    ours, _ = rows_in_both(endpoint)
    client = api_as(coordinator)
    assert_problem(client.post(list_url(endpoint), {}, format="json"), 405)
    assert_problem(client.put(detail_url(endpoint, ours[0].pk), {}, format="json"), 405)
    assert_problem(client.patch(detail_url(endpoint, ours[0].pk), {}, format="json"), 405)
    assert_problem(client.delete(detail_url(endpoint, ours[0].pk)), 405)


def test_people_are_never_deleted(api_as, coordinator, rows_in_both):
    ours, _ = rows_in_both("person")
    assert_problem(api_as(coordinator).delete(detail_url("person", ours[0].pk)), 405)


def test_residents_may_not_even_attempt_writes(api_as, resident_user):
    assert_problem(api_as(resident_user).post(list_url("person"), {}, format="json"), 403)


# Query counts


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_takes_a_fixed_number_of_queries(api_as, coordinator, program, endpoint, django_assert_max_num_queries):
    rows = make_rows(endpoint, program, 5)
    client = api_as(coordinator)
    with django_assert_max_num_queries(4):
        assert len(client.get(list_url(endpoint)).json()["results"]) == 5
    rows += make_rows(endpoint, program, 25)
    with django_assert_max_num_queries(4):
        assert len(client.get(list_url(endpoint)).json()["results"]) == len(rows) == 30


# Payloads


def test_person_payload_has_schedule_fields_but_no_contact_details(api_as, resident_user, program, member):
    login = member(Role.FACULTY, email="dr.house@example.org")
    faculty = FacultyFactory(
        program=program, first_name="Gregory", last_name="House", email="house@example.org", user=login
    )
    body = api_as(resident_user).get(detail_url("person", faculty.pk)).json()
    assert body == {
        "id": faculty.pk,
        "kind": "faculty",
        "first_name": "Gregory",
        "last_name": "House",
        "full_name": "Gregory House",
        "pgy": None,
        "faculty_role": "core",
        "specialties": "",
        "clinic_min_per_week": 2,
        "clinic_max_per_week": 4,
        "fmit_target_weeks": 6,
        "is_active": True,
    }
    assert "example.org" not in str(body)


def test_rotation_payload_has_every_template_field(api_as, resident_user, program):
    rotation = RotationTemplateFactory(program=program, name="Night float", abbreviation="NF", max_residents=2)
    body = api_as(resident_user).get(detail_url("rotation", rotation.pk)).json()
    template_fields = {field.name for field in RotationTemplate._meta.concrete_fields} - {"program"}
    assert body.keys() == template_fields
    assert body["abbreviation"] == "NF" and body["max_residents"] == 2 and body["colour"] == "#1f77b4"


def test_academic_year_payload_counts_its_blocks(api_as, resident_user, program):
    year = AcademicYearFactory(program=program, is_current=True)
    for number in range(1, 5):
        BlockFactory(academic_year=year, number=number)
    AcademicYearFactory(program=program)
    response = api_as(resident_user).get(list_url("academic-year"))
    counts = {row["id"]: (row["blocks_count"], row["block_count"]) for row in response.json()["results"]}
    assert counts[year.pk] == (4, 13)
    assert sorted(blocks for blocks, _ in counts.values()) == [0, 4]


def test_block_payload_has_dates_days_and_year(api_as, resident_user, program):
    year = AcademicYearFactory(program=program, name="2026-2027")
    block = BlockFactory(academic_year=year, number=2)
    body = api_as(resident_user).get(detail_url("block", block.pk)).json()
    assert body == {
        "id": block.pk,
        "academic_year": year.pk,
        "number": 2,
        "start_date": "2026-07-29",
        "end_date": "2026-08-25",
        "days": 28,
    }


# Filters and ordering


@pytest.fixture
def people(program, other_program):
    # fixed first names: a random one ("Adam", "Adaline") would match the "ada" search
    residents = [
        ResidentFactory(program=program, pgy=pgy, first_name="Bo", last_name=f"Resident{pgy}") for pgy in (1, 2, 2, 3)
    ]
    faculty = FacultyFactory(program=program, first_name="Ada", last_name="Lovelace")
    former = ResidentFactory(program=program, pgy=2, is_active=False, first_name="Cy", last_name="Gone")
    ResidentFactory(program=other_program, pgy=2, first_name="Ada")
    return {"residents": residents, "faculty": faculty, "former": former}


def test_people_filter_by_kind_pgy_and_active(api_as, coordinator, people):
    client = api_as(coordinator)
    residents = {p.pk for p in people["residents"]} | {people["former"].pk}
    assert result_ids(client.get(list_url("person"), {"kind": "resident"})) == residents
    assert result_ids(client.get(list_url("person"), {"kind": "faculty"})) == {people["faculty"].pk}
    pgy2 = {p.pk for p in people["residents"] if p.pgy == 2} | {people["former"].pk}
    assert result_ids(client.get(list_url("person"), {"pgy": 2})) == pgy2
    assert result_ids(client.get(list_url("person"), {"pgy": 2, "is_active": "true"})) == pgy2 - {people["former"].pk}
    assert result_ids(client.get(list_url("person"), {"is_active": "false"})) == {people["former"].pk}


def test_people_search_matches_first_or_last_name_in_the_program(api_as, coordinator, people):
    client = api_as(coordinator)
    assert result_ids(client.get(list_url("person"), {"search": "ada"})) == {people["faculty"].pk}
    assert result_ids(client.get(list_url("person"), {"search": "ada love"})) == {people["faculty"].pk}
    assert result_ids(client.get(list_url("person"), {"search": "ada smith"})) == set()


def test_people_ordering(api_as, coordinator, people):
    response = api_as(coordinator).get(list_url("person"), {"kind": "resident", "ordering": "-pgy,last_name"})
    assert [row["pgy"] for row in response.json()["results"]] == [3, 2, 2, 2, 1]


def test_invalid_filter_value_is_a_validation_problem(api_as, coordinator, people):
    body = assert_problem(api_as(coordinator).get(list_url("person"), {"kind": "surgeon", "pgy": "two"}), 400)
    assert set(body["errors"]) == {"kind", "pgy"}


def test_rotations_filter_by_kind_and_active(api_as, coordinator, program, other_program):
    clinic = RotationTemplateFactory(program=program, kind=RotationTemplate.Kind.OUTPATIENT_CLINIC)
    ward = RotationTemplateFactory(program=program)
    retired = RotationTemplateFactory(program=program, is_active=False)
    RotationTemplateFactory(program=other_program, kind=RotationTemplate.Kind.OUTPATIENT_CLINIC)
    client = api_as(coordinator)
    assert result_ids(client.get(list_url("rotation"), {"kind": "outpatient_clinic"})) == {clinic.pk}
    assert result_ids(client.get(list_url("rotation"), {"is_active": "true"})) == {clinic.pk, ward.pk}
    assert result_ids(client.get(list_url("rotation"), {"is_active": "false"})) == {retired.pk}


def test_academic_years_filter_by_current(api_as, coordinator, program, other_program):
    current = AcademicYearFactory(program=program, is_current=True)
    AcademicYearFactory(program=program)
    AcademicYearFactory(program=other_program, is_current=True)
    response = api_as(coordinator).get(list_url("academic-year"), {"is_current": "true"})
    assert result_ids(response) == {current.pk}


def test_blocks_filter_by_year_and_number(api_as, coordinator, program):
    year, next_year = AcademicYearFactory(program=program), AcademicYearFactory(program=program)
    blocks = {(y.pk, n): BlockFactory(academic_year=y, number=n) for y in (year, next_year) for n in (1, 2, 3)}
    client = api_as(coordinator)
    in_year = client.get(list_url("block"), {"academic_year": year.pk})
    assert result_ids(in_year) == {blocks[year.pk, n].pk for n in (1, 2, 3)}
    numbered = client.get(list_url("block"), {"academic_year": next_year.pk, "number": 2})
    assert result_ids(numbered) == {blocks[next_year.pk, 2].pk}


def test_blocks_filter_refuses_another_programs_year_like_an_unknown_one(api_as, coordinator, other_program):
    theirs = BlockFactory(academic_year=AcademicYearFactory(program=other_program))
    client = api_as(coordinator)
    for year_id in (theirs.academic_year_id, 999_999):
        body = assert_problem(client.get(list_url("block"), {"academic_year": year_id}), 400)
        assert list(body["errors"]) == ["academic_year"]


def test_blocks_are_listed_by_year_then_number(api_as, coordinator, program):
    year = AcademicYearFactory(program=program, start_date=dt.date(2026, 7, 1), end_date=dt.date(2027, 6, 30))
    for number in (3, 1, 2):
        BlockFactory(academic_year=year, number=number)
    response = api_as(coordinator).get(list_url("block"))
    assert [row["number"] for row in response.json()["results"]] == [1, 2, 3]


def test_people_are_not_linked_to_logins_of_others(api_as, resident_user, program):
    """The roster never exposes which login belongs to whom (only `Person` fields are serialised)."""
    ResidentFactory(program=program, user=resident_user)
    body = api_as(resident_user).get(list_url("person")).json()
    assert all("user" not in row and "email" not in row for row in body["results"])
    assert Person.objects.filter(user=resident_user).exists()
