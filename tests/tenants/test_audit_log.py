"""The audit log: record() fills who/when/where/what, keeps secrets out, and nothing changes or deletes a row."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory
from django.utils import timezone

from tenants.audit import record
from tenants.audit_models import AuditEvent, AuditLogAppendOnly
from tenants.models import Role

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")


def _request(user, program, **meta):
    request = RequestFactory().post(
        "/people/7/role/",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 500,
        HTTP_X_REQUEST_ID="req-42",
        **meta,
    )
    request.user = user
    request.program = program
    return request


def test_record_takes_who_where_and_what_from_the_request(program, program_admin, member):
    resident = member(Role.RESIDENT, email="res@example.org")
    membership = resident.memberships.get()

    event = record(
        "role.changed",
        request=_request(program_admin, program),
        target=membership,
        before={"role": "resident"},
        after={"role": "coordinator"},
        detail="Promoted for the year",
    )

    event.refresh_from_db()
    assert event.actor == program_admin and event.actor_email == "admin@example.org"
    assert event.program == program
    assert event.action == "role.changed" and event.action_label == "Role changed"
    assert (event.target_type, event.target_id) == ("tenants.membership", str(membership.pk))
    assert event.target_repr == str(membership) and "Resident in Family Medicine" in event.target_repr
    assert (event.before, event.after) == ({"role": "resident"}, {"role": "coordinator"})
    assert event.ip_address == "203.0.113.9"
    assert event.user_agent.startswith("Mozilla/5.0") and len(event.user_agent) == 300
    assert (event.request_id, event.path) == ("req-42", "/people/7/role/")
    assert event.detail == "Promoted for the year"
    assert abs(event.occurred_at - timezone.now()) < dt.timedelta(minutes=1)


def test_record_never_stores_passwords_secrets_or_private_notes(program, program_admin):
    event = record(
        "membership.changed",
        actor=program_admin,
        program=program,
        before={"password": "hunter2-hunter2", "note_private": "surgery", "kept": 1},
        after={
            "nested": [{"private_note": "x", "api_secret": "s", "token": "t", "feed_token": "f", "name": "ok"}],
            "new_password1": "p",
            "when": dt.date(2027, 7, 1),
        },
    )

    event.refresh_from_db()
    assert event.before == {"kept": 1}
    assert event.after == {"nested": [{"name": "ok"}], "when": "2027-07-01"}


def test_record_refuses_an_unknown_action(program_admin):
    with pytest.raises(ValueError):
        record("made.up", actor=program_admin)
    assert not AuditEvent.objects.exists()


def test_record_without_request_or_user_is_a_platform_event_without_actor():
    event = record("auth.login_failed", detail="Attempted email: x@example.org")

    assert event.actor is None and event.program is None and event.actor_email == ""
    assert event.ip_address is None


def test_an_event_cannot_be_changed_or_deleted_through_the_orm(program, program_admin):
    event = record("export.downloaded", actor=program_admin, program=program, detail="year.xlsx")

    event.detail = "nothing happened"
    with pytest.raises(AuditLogAppendOnly):
        event.save()
    with pytest.raises(AuditLogAppendOnly):
        event.delete()
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(detail="nothing happened")
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.bulk_update([event], ["detail"])
    copy = AuditEvent(pk=event.pk, action="auth.login")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()  # an insert with a taken id, never an overwrite

    event.refresh_from_db()
    assert (event.action, event.detail) == ("export.downloaded", "year.xlsx")


def test_deleting_the_actor_keeps_the_event_and_its_copied_email(program, member):
    user = member(Role.COORDINATOR, email="gone@example.org")
    event = record("schedule.published", actor=user, program=program)

    user.delete()

    event.refresh_from_db()
    assert event.actor is None and event.actor_email == "gone@example.org" and event.program == program


@postgres_only
def test_postgresql_refuses_sql_updates_and_deletes(program, program_admin):
    event = record("token.created", actor=program_admin, program=program)

    for sql in (
        "UPDATE tenants_auditevent SET detail = 'x' WHERE id = %s",
        "UPDATE tenants_auditevent SET actor_id = NULL, detail = 'x' WHERE id = %s",
        "DELETE FROM tenants_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk, detail="").exists()


@postgres_only
def test_postgresql_lets_only_the_purge_setting_delete(program_admin):
    event = record("auth.login", actor=program_admin)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL audit.purge = 'on'")
        deleted = AuditEvent.objects.filter(pk=event.pk).purge()

    assert deleted == 1 and not AuditEvent.objects.exists()
