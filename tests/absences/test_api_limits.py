"""Absence limits through the API (/api/v1/absence-limits/): managers set, change and remove a kind's yearly limit
through the absences service (one per kind, its history names who) and the next request is held to it; residents
read them; bad input is named with nothing stored; other programs see none; tokens need the scope."""

import pytest
from django.urls import reverse

from absences.models import Absence, AbsenceLimit
from tenants.models import Role
from tests.scheduling.factories import ResidentFactory
from tests.scheduling.test_api import assert_problem
from tests.tenants.test_access_tokens import bearer as token_client
from tests.tenants.test_access_tokens import make_token

pytestmark = pytest.mark.django_db

LIMITS = reverse("api:absence-limit-list")


def detail(limit: AbsenceLimit) -> str:
    return reverse("api:absence-limit-detail", args=[limit.pk])


def test_coordinator_sets_changes_and_removes_a_limit(api_as, coordinator, program):
    client = api_as(coordinator)

    created = client.post(LIMITS, {"kind": "vacation", "days_per_year": 20}, format="json")

    assert created.status_code == 201, created.content
    limit = AbsenceLimit.objects.get(program=program, kind="vacation")
    assert limit.days_per_year == 20 and limit.history.latest().history_user == coordinator
    again = client.post(LIMITS, {"kind": "vacation", "days_per_year": 18}, format="json")
    assert (again.status_code, again.json()["id"]) == (200, limit.pk)
    assert client.patch(detail(limit), {"days_per_year": 15}, format="json").json()["days_per_year"] == 15
    assert AbsenceLimit.objects.get(pk=limit.pk).days_per_year == 15
    assert client.delete(detail(limit)).status_code == 204
    assert not AbsenceLimit.objects.filter(program=program).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"days_per_year": 367}, "days_per_year"),
        ({"days_per_year": -1}, "days_per_year"),
        ({"days_per_year": "1e999"}, "days_per_year"),
        ({"kind": "sick"}, "kind"),
        ({"kind": "holiday"}, "kind"),
    ],
)
def test_bad_limit_input_is_named_and_nothing_changes(api_as, coordinator, program, change, field):
    client = api_as(coordinator)
    client.post(LIMITS, {"kind": "vacation", "days_per_year": 20}, format="json")
    limit = AbsenceLimit.objects.get(program=program)

    body = assert_problem(client.patch(detail(limit), change, format="json"), 400)

    assert list(body["errors"]) == [field]
    limit.refresh_from_db()
    assert (limit.kind, limit.days_per_year) == ("vacation", 20)


def test_residents_read_limits_but_cannot_set_them(api_as, coordinator, resident_user, program):
    api_as(coordinator).post(LIMITS, {"kind": "vacation", "days_per_year": 20}, format="json")
    limit = AbsenceLimit.objects.get(program=program)
    client = api_as(resident_user)

    assert [(row["kind"], row["days_per_year"]) for row in client.get(LIMITS).json()["results"]] == [("vacation", 20)]
    assert_problem(client.post(LIMITS, {"kind": "sick", "days_per_year": 5}, format="json"), 403)
    assert_problem(client.patch(detail(limit), {"days_per_year": 99}, format="json"), 403)
    assert_problem(client.delete(detail(limit)), 403)
    assert list(AbsenceLimit.objects.values_list("kind", "days_per_year")) == [("vacation", 20)]


def test_another_program_neither_sees_nor_changes_our_limits(api_as, member, coordinator, program, other_program):
    api_as(coordinator).post(LIMITS, {"kind": "vacation", "days_per_year": 20}, format="json")
    limit = AbsenceLimit.objects.get(program=program)
    client = api_as(member(Role.COORDINATOR, other_program), other_program)

    assert client.get(LIMITS).json()["results"] == []
    assert_problem(client.patch(detail(limit), {"days_per_year": 1}, format="json"), 404)
    assert_problem(client.delete(detail(limit)), 404)
    assert client.post(LIMITS, {"kind": "vacation", "days_per_year": 5}, format="json").status_code == 201
    assert AbsenceLimit.objects.get(pk=limit.pk).days_per_year == 20
    assert AbsenceLimit.objects.get(program=other_program).days_per_year == 5


def test_a_token_needs_write_schedule_to_set_a_limit(coordinator, program):
    def bearer(scopes):
        return token_client(make_token(coordinator, program, scopes).secret)

    reader = bearer(["read:schedule"])
    assert reader.get(LIMITS).status_code == 200
    body = assert_problem(reader.post(LIMITS, {"kind": "vacation", "days_per_year": 20}, format="json"), 403)
    assert "write:schedule" in body["detail"]
    assert not AbsenceLimit.objects.exists()
    writer = bearer(["write:schedule"])
    assert writer.post(LIMITS, {"kind": "vacation", "days_per_year": 20}, format="json").status_code == 201


def test_a_limit_set_here_holds_the_next_request(api_as, coordinator, resident_user, program):
    ResidentFactory(program=program, user=resident_user)
    api_as(coordinator).post(LIMITS, {"kind": "vacation", "days_per_year": 3}, format="json")
    trip = {"kind": "vacation", "start_date": "2026-08-03", "end_date": "2026-08-07"}

    refused = assert_problem(api_as(resident_user).post("/api/v1/absences/", trip, format="json"), 400)

    assert "3 days remaining" in refused["detail"]
    assert not Absence.objects.filter(program=program).exists()
