"""The writable roster API: people and rotation templates, written by admins and coordinators through the
roster services (kept in the history with who and why), refused to residents, scoped to the active program."""

import pytest
from django.urls import reverse

from scheduling.models import Person, RotationTemplate
from tenants.models import Role
from tests.scheduling.factories import BlockAssignmentFactory, ResidentFactory, RotationTemplateFactory
from tests.scheduling.test_api import assert_problem

PEOPLE = reverse("api:person-list")
ROTATIONS = reverse("api:rotation-list")


def person_url(pk: int, suffix: str = "detail") -> str:
    return reverse(f"api:person-{suffix}", args=[pk])


def rotation_url(pk: int) -> str:
    return reverse("api:rotation-detail", args=[pk])


# People


def test_coordinator_adds_a_resident_kept_in_the_history(api_as, coordinator, program):
    body = {"kind": "resident", "first_name": "Ada", "last_name": "Okafor", "pgy": 1, "email": "ada@example.org"}
    response = api_as(coordinator).post(PEOPLE, body, format="json")
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.program, person.full_name, person.pgy, person.email) == (program, "Ada Okafor", 1, "ada@example.org")
    assert response["Location"].endswith(person_url(person.pk))
    assert "email" not in response.json()  # contact details stay out of the shared roster
    entry = person.history.latest()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == ("+", coordinator, "Added")
    listed = api_as(coordinator).get(PEOPLE, {"search": "Okafor"}).json()["results"]
    assert [row["id"] for row in listed] == [person.pk]


def test_coordinator_changes_a_person_and_the_history_keeps_the_old_value(api_as, coordinator, program):
    person = ResidentFactory(program=program, pgy=1)
    response = api_as(coordinator).patch(person_url(person.pk), {"pgy": 2}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["pgy"] == 2
    person.refresh_from_db()
    assert person.pgy == 2
    assert [entry.pgy for entry in person.history.order_by("history_date")] == [1, 2]
    assert person.history.latest().history_user == coordinator


def test_coordinator_deactivates_a_person_who_stays_readable(api_as, coordinator, program):
    person = ResidentFactory(program=program)
    client = api_as(coordinator)
    response = client.post(person_url(person.pk, "deactivate"))
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    assert client.get(person_url(person.pk)).json()["is_active"] is False
    assert [row["id"] for row in client.get(PEOPLE, {"is_active": "false"}).json()["results"]] == [person.pk]
    assert client.post(person_url(person.pk, "deactivate")).status_code == 200  # asking again is harmless


def test_a_resident_needs_a_pgy_and_the_refusal_names_the_field(api_as, coordinator):
    response = api_as(coordinator).post(
        PEOPLE, {"kind": "resident", "first_name": "No", "last_name": "Level"}, format="json"
    )
    body = assert_problem(response, 400)
    assert "pgy" in body["errors"]
    assert not Person.objects.filter(last_name="Level").exists()


def test_bad_person_input_is_a_problem_naming_the_field(api_as, coordinator):
    response = api_as(coordinator).post(
        PEOPLE, {"kind": "surgeon", "first_name": "X", "last_name": "Y", "phone": "call me"}, format="json"
    )
    body = assert_problem(response, 400)
    assert {"kind", "phone"} <= set(body["errors"])


def test_linking_a_login_outside_the_program_is_refused(api_as, coordinator, member, other_program):
    outsider = member(Role.RESIDENT, in_program=other_program)
    response = api_as(coordinator).post(
        PEOPLE, {"kind": "faculty", "first_name": "A", "last_name": "B", "user": outsider.pk}, format="json"
    )
    assert "user" in assert_problem(response, 400)["errors"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.RN])
def test_people_are_written_by_managers_only(api_as, member, program, role):
    person = ResidentFactory(program=program, pgy=1)
    client = api_as(member(role))
    new = {"kind": "staff", "first_name": "A", "last_name": "B"}
    assert_problem(client.post(PEOPLE, new, format="json"), 403)
    assert_problem(client.patch(person_url(person.pk), {"pgy": 3}, format="json"), 403)
    assert_problem(client.post(person_url(person.pk, "deactivate")), 403)
    person.refresh_from_db()
    assert (person.pgy, person.is_active) == (1, True)


def test_another_programs_person_is_not_found(api_as, coordinator, other_program):
    theirs = ResidentFactory(program=other_program, pgy=1)
    client = api_as(coordinator)
    assert_problem(client.patch(person_url(theirs.pk), {"pgy": 3}, format="json"), 404)
    assert_problem(client.post(person_url(theirs.pk, "deactivate")), 404)
    theirs.refresh_from_db()
    assert (theirs.pgy, theirs.is_active) == (1, True)


# Rotation templates


ROTATION = {"name": "Inpatient medicine", "abbreviation": "IM", "kind": "inpatient", "min_pgy": 1, "max_pgy": 2}


def test_coordinator_adds_changes_and_archives_a_rotation(api_as, coordinator, program):
    client = api_as(coordinator)
    response = client.post(ROTATIONS, {**ROTATION, "work_days": [0, 1, 2]}, format="json")
    assert response.status_code == 201, response.content
    rotation = RotationTemplate.objects.get(pk=response.json()["id"])
    assert (rotation.program, rotation.work_days) == (program, [0, 1, 2])
    assert client.patch(rotation_url(rotation.pk), {"max_residents": 3}, format="json").json()["max_residents"] == 3
    assert client.patch(rotation_url(rotation.pk), {"is_active": False}, format="json").status_code == 200
    rotation.refresh_from_db()
    assert rotation.is_active is False
    assert rotation.history.latest().history_change_reason == "Archived"
    assert rotation.history.latest().history_user == coordinator


def test_a_rotation_name_taken_in_the_program_is_refused_naming_the_field(api_as, coordinator, program):
    RotationTemplateFactory(program=program, name="Inpatient medicine")
    body = assert_problem(api_as(coordinator).post(ROTATIONS, ROTATION, format="json"), 400)
    assert "name" in body["errors"]


def test_bad_rotation_input_is_a_problem_naming_the_fields(api_as, coordinator):
    bad = {**ROTATION, "colour": "blue", "work_days": [9], "min_pgy": 3, "max_pgy": 1}
    body = assert_problem(api_as(coordinator).post(ROTATIONS, bad, format="json"), 400)
    assert {"colour", "work_days"} <= set(body["errors"])
    assert not RotationTemplate.objects.exists()


def test_an_upside_down_pgy_range_is_refused(api_as, coordinator):
    body = assert_problem(api_as(coordinator).post(ROTATIONS, {**ROTATION, "min_pgy": 3}, format="json"), 400)
    assert "PGY" in str(body["errors"])
    assert not RotationTemplate.objects.exists()


def test_a_rotation_in_use_is_archived_not_deleted(api_as, coordinator, program):
    used = BlockAssignmentFactory(block__academic_year__program=program).rotation
    unused = RotationTemplateFactory(program=program)
    client = api_as(coordinator)
    body = assert_problem(client.delete(rotation_url(used.pk)), 409)
    assert "archive" in body["detail"]
    assert client.delete(rotation_url(unused.pk)).status_code == 204
    assert list(RotationTemplate.objects.all()) == [used]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_rotations_are_written_by_managers_only(api_as, member, program, role):
    rotation = RotationTemplateFactory(program=program, max_residents=2)
    client = api_as(member(role))
    assert_problem(client.post(ROTATIONS, ROTATION, format="json"), 403)
    assert_problem(client.patch(rotation_url(rotation.pk), {"max_residents": 9}, format="json"), 403)
    assert_problem(client.delete(rotation_url(rotation.pk)), 403)
    rotation.refresh_from_db()
    assert rotation.max_residents == 2


def test_another_programs_rotation_is_not_found(api_as, coordinator, other_program):
    theirs = RotationTemplateFactory(program=other_program, max_residents=2)
    client = api_as(coordinator)
    assert_problem(client.patch(rotation_url(theirs.pk), {"max_residents": 9}, format="json"), 404)
    assert_problem(client.delete(rotation_url(theirs.pk)), 404)
    assert RotationTemplate.objects.get(pk=theirs.pk).max_residents == 2
