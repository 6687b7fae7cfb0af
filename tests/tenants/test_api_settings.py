"""The program's settings sections through the API (/api/v1/program/settings/<section>/): managers read and change
the scheduling and wishes sections, admins the security one, through the same services as the pages; a bad
setting is a 400 naming it with nothing stored; other programs and roles see nothing; tokens need the scope."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from scheduling.program_settings import scheduling_settings
from scheduling.wish_settings import wish_settings
from tenants.audit_models import AuditEvent
from tenants.mfa import security_settings
from tenants.models import Organization, Role
from tests.scheduling.test_api import assert_problem
from tests.tenants.test_access_tokens import bearer as token_client
from tests.tenants.test_access_tokens import make_token

SCHEDULING = reverse("api:program-settings-scheduling-list")
WISHES = reverse("api:program-settings-wishes-list")
SECURITY = reverse("api:program-settings-security-list")


def fresh(program: Organization) -> Organization:
    return Organization.objects.get(pk=program.pk)


def bearer(user, program, scopes) -> APIClient:
    return token_client(make_token(user, program, scopes).secret)


def test_urls_are_the_documented_ones():
    assert (SCHEDULING, WISHES, SECURITY) == (
        "/api/v1/program/settings/scheduling/",
        "/api/v1/program/settings/wishes/",
        "/api/v1/program/settings/security/",
    )


def test_coordinator_reads_and_changes_the_scheduling_settings(api_as, coordinator, program):
    client = api_as(coordinator)
    before = client.get(SCHEDULING)
    assert before.status_code == 200, before.content
    assert before.json()["requirements"]["clinic_capacity"] == 6  # the default, filled in
    assert "fmit_week_start" not in before.json()  # FMIT rules are per academic year (fmit-configs/)

    change = {"requirements": {"clinic_capacity": 5}, "faculty_clinic_max_per_week": {"apd": 1}}
    response = client.patch(SCHEDULING, change, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["requirements"]["clinic_capacity"] == 5
    stored = scheduling_settings(fresh(program))
    assert (stored.requirements.clinic_capacity, stored.faculty_clinic_max_per_week["apd"]) == (5, 1)
    assert stored.rules == scheduling_settings(program).rules  # what was not sent stays


def test_a_bad_scheduling_setting_is_named_and_nothing_is_stored(api_as, coordinator, program):
    client = api_as(coordinator)
    client.patch(SCHEDULING, {"weights": {"change": 3}}, format="json")
    before = fresh(program).settings

    bad = client.patch(
        SCHEDULING, {"weights": {"change": 1}, "requirements": {"clinic_capacity": "lots"}}, format="json"
    )

    body = assert_problem(bad, 400)
    assert list(body["errors"]) == ["requirements.clinic_capacity"]
    assert fresh(program).settings == before
    assert list(assert_problem(client.patch(SCHEDULING, {"colour": "red"}, format="json"), 400)["errors"]) == ["colour"]
    assert_problem(client.patch(SCHEDULING, [1, 2], format="json"), 400)
    moved = assert_problem(client.patch(SCHEDULING, {"fmit_week_start": 1}, format="json"), 400)
    assert list(moved["errors"]) == ["fmit_week_start"]
    assert "kept per academic year" in moved["errors"]["fmit_week_start"][0]
    assert fresh(program).settings == before


def test_coordinator_changes_how_wishes_are_weighed(api_as, coordinator, program):
    client = api_as(coordinator)
    assert client.get(WISHES).json() == {"weights": {"high": 10, "medium": 5, "low": 2}, "week_start": 0}

    response = client.patch(WISHES, {"weights": {"high": 20, "medium": 8, "low": 1}}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"weights": {"high": 20, "medium": 8, "low": 1}, "week_start": 0}
    assert wish_settings(fresh(program)).high == 20
    body = assert_problem(client.patch(WISHES, {"weights": {"high": 1, "medium": 5, "low": 2}}, format="json"), 400)
    assert list(body["errors"]) == ["weights"]
    assert "high must weigh at least medium" in body["errors"]["weights"][0]
    assert list(assert_problem(client.patch(WISHES, {"week_start": 9}, format="json"), 400)["errors"]) == ["week_start"]
    assert wish_settings(fresh(program)).high == 20


def test_admin_requires_a_second_factor_for_everyone_and_it_is_audited(api_as, program_admin, program):
    client = api_as(program_admin)
    assert client.get(SECURITY).json() == {"require_mfa": False}

    response = client.patch(SECURITY, {"require_mfa": True}, format="json")

    assert response.status_code == 200, response.content
    assert security_settings(fresh(program)).require_mfa is True
    event = AuditEvent.objects.get(action="program.settings_changed", program=program)
    assert (event.actor_id, event.before, event.after) == (
        program_admin.pk,
        {"security": {"require_mfa": False}},
        {"security": {"require_mfa": True}},
    )
    body = assert_problem(client.patch(SECURITY, {"require_mfa": "yes"}, format="json"), 400)
    assert list(body["errors"]) == ["require_mfa"]
    assert list(assert_problem(client.patch(SECURITY, {"everyone": True}, format="json"), 400)["errors"]) == [
        "everyone"
    ]
    assert security_settings(fresh(program)).require_mfa is True


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_other_roles_neither_read_nor_change_the_settings(api_as, member, program, role):
    client = api_as(member(role))
    for url, change in ((SCHEDULING, {"weights": {"change": 1}}), (WISHES, {"week_start": 3}), (SECURITY, {})):
        assert_problem(client.get(url), 403)
        assert_problem(client.patch(url, change, format="json"), 403)
    assert fresh(program).settings == program.settings


def test_coordinators_leave_the_security_section_to_admins(api_as, coordinator, program):
    client = api_as(coordinator)
    assert_problem(client.get(SECURITY), 403)
    assert_problem(client.patch(SECURITY, {"require_mfa": True}, format="json"), 403)
    assert security_settings(fresh(program)).require_mfa is False


def test_another_programs_manager_sees_and_changes_only_their_own(api_as, member, coordinator, program, other_program):
    api_as(coordinator).patch(WISHES, {"week_start": 3}, format="json")
    theirs = member(Role.COORDINATOR, other_program)
    client = api_as(theirs, other_program)

    assert client.get(WISHES).json()["week_start"] == 0
    assert client.patch(WISHES, {"week_start": 5}, format="json").status_code == 200
    assert_problem(api_as(theirs, program).get(WISHES), 403)
    assert_problem(api_as(theirs, program).patch(WISHES, {"week_start": 6}, format="json"), 403)
    assert (wish_settings(fresh(program)).week_start, wish_settings(fresh(other_program)).week_start) == (3, 5)


def test_a_token_needs_the_scope_of_the_section(coordinator, program_admin, program):
    reader = bearer(coordinator, program, ["read:schedule"])
    assert reader.get(SCHEDULING).status_code == 200
    refused = assert_problem(reader.patch(SCHEDULING, {"weights": {"change": 1}}, format="json"), 403)
    assert "write:schedule" in refused["detail"]
    assert scheduling_settings(fresh(program)).weights.change == 50

    writer = bearer(coordinator, program, ["write:schedule"])
    assert writer.patch(WISHES, {"week_start": 2}, format="json").status_code == 200
    assert wish_settings(fresh(program)).week_start == 2

    assert "read:program" in assert_problem(writer.get(SECURITY), 403)["detail"]
    admin = bearer(program_admin, program, ["write:program"])
    assert admin.patch(SECURITY, {"require_mfa": True}, format="json").status_code == 200
    assert security_settings(fresh(program)).require_mfa is True
