"""Each audited action leaves one row saying who, when, from where, and what changed; the admin cannot alter one."""

import json

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from scheduling.models import ScheduleVersion
from scheduling.services import schedule_version_publish
from tenants.audit_models import AuditEvent
from tenants.mfa import totp_enrol
from tenants.models import Role
from tenants.services import membership_change, membership_create, membership_delete
from tests.credentials.factories import CertificationTypeFactory, PersonCertificationFactory
from tests.scheduling import export_data
from tests.tenants.factories import UserFactory
from tests.tenants.second_factor import TEST_TOTP_SECRET, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
BROWSER = {"HTTP_USER_AGENT": "Firefox/140 test", "REMOTE_ADDR": "198.51.100.7"}


def only(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


def _whole_row(event: AuditEvent) -> str:
    return json.dumps(model_to_dict(event), default=str)


# Sign-in, sign-out, failed sign-in


def test_signing_in_and_out_through_the_login_page_is_logged_with_address_and_browser(client, member):
    user = member(Role.COORDINATOR, email="pat@example.org")

    response = client.post(reverse("account_login"), {"login": "pat@example.org", "password": PASSWORD}, **BROWSER)
    assert response.status_code == 302
    client.post(reverse("account_logout"), **BROWSER)

    login, logout = only("auth.login"), only("auth.logout")
    assert (login.actor, login.actor_email, login.program) == (user, "pat@example.org", None)
    assert (login.ip_address, login.user_agent, login.path) == ("198.51.100.7", "Firefox/140 test", "/accounts/login/")
    assert (logout.actor, logout.program) == (user, None) and logout.occurred_at >= login.occurred_at
    assert login.request_id and login.request_id != logout.request_id  # the id each request's log lines carry


def test_a_failed_sign_in_keeps_the_email_tried_and_never_the_password(client, member):
    user = member(Role.RESIDENT, email="sam@example.org")

    client.post(reverse("account_login"), {"login": "SAM@example.org", "password": "wrong-password-77"}, **BROWSER)

    event = only("auth.login_failed")
    assert event.actor is None and event.ip_address == "198.51.100.7"
    assert (event.target_type, event.target_id) == ("tenants.user", str(user.pk))
    assert "sam@example.org" in event.detail.lower()
    assert "wrong-password-77" not in _whole_row(event)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_a_failed_sign_in_for_an_unknown_email_names_no_account(client, db):
    client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "whatever-123456"})

    event = only("auth.login_failed")
    assert event.target_id == "" and event.after == {"email": "nobody@example.org"}


def test_a_second_factor_passed_or_failed_at_sign_in_is_logged(member):
    user = member(Role.COORDINATOR, email="pat@example.org")
    totp_enrol(user=user, secret=TEST_TOTP_SECRET)
    client = Client()

    client.post(reverse("account_login"), {"login": "pat@example.org", "password": PASSWORD}, **BROWSER)
    client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"}, **BROWSER)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()}, **BROWSER)

    failed, verified = only("mfa.failed"), only("mfa.verified")
    assert (failed.actor, failed.target_id, failed.ip_address) == (None, str(user.pk), "198.51.100.7")
    assert (verified.actor, verified.after) == (user, {"type": "totp"})
    assert only("auth.login").occurred_at >= verified.occurred_at  # signed in only after the second factor


def test_a_password_change_is_logged_without_the_passwords(member):
    user = member(Role.RESIDENT, email="res@example.org")
    client = Client()
    client.force_login(user)

    new = "a-brand-new-passphrase-2027"
    response = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )

    assert response.status_code == 302
    event = only("auth.password_changed")
    assert (event.actor, event.target_id) == (user, str(user.pk))
    assert PASSWORD not in _whole_row(event) and new not in _whole_row(event)


# Memberships and roles


def test_membership_create_change_and_delete_are_logged_with_before_and_after(program, program_admin):
    newcomer = UserFactory(email="new@example.org")

    membership = membership_create(user=program_admin, organization=program, member=newcomer, role=Role.RESIDENT)
    membership_change(user=program_admin, membership=membership, role=Role.COORDINATOR)
    membership_delete(user=program_admin, membership=membership)

    created, changed, deleted = only("membership.created"), only("role.changed"), only("membership.deleted")
    for event in (created, changed, deleted):
        assert (event.actor, event.program) == (program_admin, program)
        assert (event.target_type, event.target_id) == ("tenants.membership", str(membership.pk))
    assert created.after == {"user": "new@example.org", "organization": "Family Medicine", "role": "resident"}
    assert (changed.before["role"], changed.after["role"]) == ("resident", "coordinator")
    assert deleted.before["role"] == "coordinator" and deleted.after is None


def test_a_refused_role_change_leaves_no_event(program, program_admin):
    with pytest.raises(Exception, match="only admin"):
        membership_change(user=program_admin, membership=program_admin.memberships.get(), role=Role.RESIDENT)

    assert not AuditEvent.objects.exists()


def test_a_role_changed_in_the_admin_is_logged_with_the_admins_address(client, program, program_admin, member):
    program_admin.is_staff = True
    program_admin.save()
    resident = member(Role.RESIDENT, email="res@example.org")
    membership = resident.memberships.get()
    client.force_login(program_admin)

    url = reverse("admin:tenants_membership_change", args=[membership.pk])
    response = client.post(url, {"user": resident.pk, "organization": program.pk, "role": "coordinator"}, **BROWSER)

    assert response.status_code == 302, response.content.decode()[:2000]
    event = only("role.changed")
    assert (event.actor, event.ip_address, event.path) == (program_admin, "198.51.100.7", url)
    assert (event.before["role"], event.after["role"]) == ("resident", "coordinator")


# Exports and publications


@pytest.fixture
def cast(program, resident_user):
    return export_data.build(program, ann_user=resident_user)


@pytest.mark.parametrize("name", ["export-assignments-csv", "export-grid-xlsx", "on-call-csv"])
def test_a_downloaded_export_is_logged_with_its_file_and_query(client, cast, coordinator, program, name):
    client.force_login(coordinator)

    response = client.get(reverse(name), {"pgy": "2"} if name != "on-call-csv" else {}, **BROWSER)

    assert response.status_code == 200
    event = only("export.downloaded")
    assert (event.actor, event.program, event.ip_address) == (coordinator, program, "198.51.100.7")
    assert event.after["file"] in response["Content-Disposition"]
    assert event.after["query"] == ({"pgy": "2"} if name != "on-call-csv" else {})


def test_the_credentials_admin_export_is_logged_in_the_program_of_its_rows(client, program, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    PersonCertificationFactory(type=CertificationTypeFactory(program=program, code="ACLS"))
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:credentials_personcertification_export"),
        {"format": "0", "personcertificationresource_number": "on"},
    )

    assert response["Content-Type"] == "text/csv"
    event = only("export.downloaded")
    assert (event.actor, event.program) == (coordinator, program)
    assert event.after["file"] in response["Content-Disposition"]


def test_publishing_a_schedule_is_logged_with_the_version_it_replaced(cast, coordinator, program):
    draft = ScheduleVersion.objects.create(academic_year=cast.year, number=2, program=program)

    schedule_version_publish(version=draft, user=coordinator, reason="")

    event = only("schedule.published")
    assert (event.actor, event.program) == (coordinator, program)
    assert (event.target_type, event.target_id) == ("scheduling.scheduleversion", str(draft.pk))
    assert event.before == {"status": "draft", "published_version": 1}
    assert event.after["status"] == "published" and event.after["version"] == 2


# Nobody changes the log in the admin


def test_the_admin_shows_events_to_superusers_and_refuses_add_change_and_delete(client, superuser, program_admin):
    event = AuditEvent.objects.create(action="auth.login", actor=program_admin, actor_email=program_admin.email)
    client.force_login(superuser)
    change = reverse("admin:tenants_auditevent_change", args=[event.pk])

    assert client.get(reverse("admin:tenants_auditevent_changelist")).status_code == 200
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:tenants_auditevent_add")).status_code == 403
    assert client.post(change, {"action": "auth.logout", "detail": "x"}).status_code == 403
    delete = client.post(reverse("admin:tenants_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    event.refresh_from_db()
    assert (event.action, event.detail) == ("auth.login", "")


def test_program_admins_do_not_reach_the_log_in_the_admin(client, program_admin):
    program_admin.is_staff = True
    program_admin.save()
    client.force_login(program_admin)

    assert client.get(reverse("admin:tenants_auditevent_changelist")).status_code == 403


def test_a_superuser_made_and_removed_in_the_user_admin_is_logged(client, superuser, member):
    user = member(Role.RESIDENT, email="res@example.org", first_name="Res", last_name="Ident")
    client.force_login(superuser)
    url = reverse("admin:tenants_user_change", args=[user.pk])
    form = {"email": "res@example.org", "first_name": "Res", "last_name": "Ident", "is_active": "on"}

    assert client.post(url, {**form, "is_staff": "on", "is_superuser": "on"}, **BROWSER).status_code == 302
    client.post(reverse("admin:tenants_user_delete", args=[user.pk]), {"post": "yes"}, **BROWSER)

    changed, deleted = only("user.changed"), only("user.deleted")
    assert (changed.actor, changed.program, changed.ip_address) == (superuser, None, "198.51.100.7")
    assert changed.before == {"is_staff": False, "is_superuser": False}
    assert changed.after == {"is_staff": True, "is_superuser": True}
    assert (deleted.target_id, deleted.before["email"], deleted.before["is_superuser"]) == (
        str(user.pk),
        user.email,
        True,
    )
