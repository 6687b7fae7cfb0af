"""The members API: a program's admins give, change and remove roles through the membership services (the last
admin stays, each change is in the history); coordinators read; other programs see nothing."""

import pytest
from django.urls import reverse

from tenants.models import Membership, Role
from tests.scheduling.test_api import assert_problem
from tests.tenants.factories import UserFactory

MEMBERS = reverse("api:member-list")


def member_url(pk: int) -> str:
    return reverse("api:member-detail", args=[pk])


def test_admin_gives_a_role_to_an_existing_account(api_as, program_admin, program):
    pat = UserFactory(email="pat@example.org")
    response = api_as(program_admin).post(MEMBERS, {"email": "PAT@example.org", "role": "coordinator"}, format="json")
    assert response.status_code == 201, response.content
    membership = Membership.objects.get(user=pat, organization=program)
    assert (response.json()["id"], response.json()["email"], membership.role) == (
        membership.pk,
        "pat@example.org",
        "coordinator",
    )
    assert membership.history.latest().history_user == program_admin


def test_admin_changes_and_removes_a_role(api_as, program_admin, member, program):
    rita = member(Role.RESIDENT)
    membership = Membership.objects.get(user=rita, organization=program)
    client = api_as(program_admin)
    assert client.patch(member_url(membership.pk), {"role": "faculty"}, format="json").json()["role"] == "faculty"
    assert Membership.objects.get(pk=membership.pk).role == "faculty"
    assert client.delete(member_url(membership.pk)).status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_keeps_the_role(api_as, program_admin, program):
    own = Membership.objects.get(user=program_admin, organization=program)
    body = assert_problem(api_as(program_admin).patch(member_url(own.pk), {"role": "resident"}, format="json"), 409)
    assert "only admin" in body["detail"]
    assert_problem(api_as(program_admin).delete(member_url(own.pk)), 409)
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN


def test_bad_member_input_names_the_field(api_as, program_admin, member):
    client = api_as(program_admin)
    body = assert_problem(client.post(MEMBERS, {"email": "nobody@example.org", "role": "chief"}, format="json"), 400)
    assert {"email", "role"} <= set(body["errors"])
    taken = member(Role.RESIDENT, email="taken@example.org")
    assert_problem(client.post(MEMBERS, {"email": taken.email, "role": "faculty"}, format="json"), 409)
    assert Membership.objects.get(user=taken).role == Role.RESIDENT


def test_coordinators_read_members_but_only_admins_change_them(api_as, coordinator, member, program):
    rita = member(Role.RESIDENT, email="rita@example.org")
    membership = Membership.objects.get(user=rita, organization=program)
    client = api_as(coordinator)
    listed = client.get(MEMBERS, {"role": "resident"}).json()["results"]
    assert [row["email"] for row in listed] == ["rita@example.org"]
    assert_problem(client.patch(member_url(membership.pk), {"role": "admin"}, format="json"), 403)
    assert_problem(client.post(MEMBERS, {"email": "x@example.org", "role": "admin"}, format="json"), 403)
    assert_problem(client.delete(member_url(membership.pk)), 403)
    assert Membership.objects.get(pk=membership.pk).role == Role.RESIDENT


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.RN])
def test_clinicians_and_staff_do_not_see_members(api_as, member, role):
    assert_problem(api_as(member(role)).get(MEMBERS), 403)


def test_another_programs_members_are_not_found(api_as, program_admin, member, other_program):
    theirs = Membership.objects.get(user=member(Role.RESIDENT, in_program=other_program))
    client = api_as(program_admin)
    assert theirs.pk not in {row["id"] for row in client.get(MEMBERS).json()["results"]}
    assert_problem(client.get(member_url(theirs.pk)), 404)
    assert_problem(client.patch(member_url(theirs.pk), {"role": "admin"}, format="json"), 404)
    assert_problem(client.delete(member_url(theirs.pk)), 404)
    assert Membership.objects.get(pk=theirs.pk).role == Role.RESIDENT
