"""Email log admin: managers see their programs' emails; the add page sends a real test email."""

import pytest
from django.urls import reverse

from notifications.events import TEST_EVENT
from notifications.models import EmailLog, PushLog, PushSubscription
from tenants.models import Role
from tests.notifications.conftest import parts
from tests.notifications.factories import EmailLogFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_emaillog_changelist")
ADD = reverse("admin:notifications_emaillog_add")


def test_coordinator_sees_only_own_programs_email_log(client, coordinator, program, other_program):
    mine = EmailLogFactory(program=program, subject="Ours", status=EmailLog.Status.FAILED, error="451 later")
    theirs = EmailLogFactory(program=other_program, subject="Theirs")
    client.force_login(coordinator)

    response = client.get(CHANGELIST)

    assert list(response.context["cl"].queryset) == [mine]
    assert client.get(reverse("admin:notifications_emaillog_change", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("admin:notifications_emaillog_change", args=[mine.pk]))
    assert page.status_code == 200 and "451 later" in page.content.decode()
    assert page.context["has_change_permission"] is False


def test_email_log_filters_and_search(client, superuser, program):
    EmailLogFactory(program=program, subject="Failed one", status=EmailLog.Status.FAILED, to_email="a@example.org")
    EmailLogFactory(program=program, subject="Sent one", to_email="b@example.org")
    client.force_login(superuser)

    failed = client.get(CHANGELIST, {"status__exact": "failed"})
    searched = client.get(CHANGELIST, {"q": "b@example.org"})
    by_event = client.get(CHANGELIST, {"event": "schedule_published"})

    assert [log.subject for log in failed.context["cl"].queryset] == ["Failed one"]
    assert [log.subject for log in searched.context["cl"].queryset] == ["Sent one"]
    assert by_event.status_code == 200
    filters = {spec.title for spec in failed.context["cl"].filter_specs}
    assert {"status", "event", "created at"} <= filters


def test_admin_sends_a_test_email_through_the_task_and_sees_the_result(
    client, smtp_server, program_admin, program, django_capture_on_commit_callbacks
):
    client.force_login(program_admin)

    with django_capture_on_commit_callbacks(execute=True):  # the page's transaction commits, the task runs
        posted = client.post(ADD, {"to_email": "it@example.org", "program": program.pk})
    response = client.get(posted.url)

    log = EmailLog.objects.get(event=TEST_EVENT)
    assert posted.url == reverse("admin:notifications_emaillog_change", args=[log.pk])
    assert (log.status, log.to_email, log.program) == (EmailLog.Status.SENT, "it@example.org", program)
    body = response.content.decode()
    assert "Test email to it@example.org" in body and "Sent" in body
    (message,) = smtp_server.messages
    assert message["To"] == "it@example.org"
    assert "the SMTP settings work" in parts(message)["text/plain"]


def test_a_failing_test_email_shows_the_error(client, smtp_server, superuser, django_capture_on_commit_callbacks):
    smtp_server.data_reply = "554 5.7.1 Relay denied"
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(ADD, {"to_email": "it@example.org"})
    response = client.get(posted.url)

    log = EmailLog.objects.get(event=TEST_EVENT)
    assert log.status == EmailLog.Status.FAILED and log.program is None
    assert "Relay denied" in response.content.decode()


def test_test_email_to_a_bad_address_is_a_form_error(client, superuser):
    client.force_login(superuser)
    response = client.post(ADD, {"to_email": "not-an-address"})
    assert response.status_code == 200
    assert "to_email" in response.context["adminform"].form.errors
    assert not EmailLog.objects.exists()


def test_a_coordinator_may_log_test_emails_only_under_own_programs(client, coordinator, other_program):
    client.force_login(coordinator)
    response = client.post(ADD, {"to_email": "it@example.org", "program": other_program.pk})
    assert response.status_code == 200
    assert "program" in response.context["adminform"].form.errors


def test_residents_cannot_open_the_email_log(client, member):
    client.force_login(member(Role.RESIDENT))
    assert client.get(CHANGELIST).status_code == 302


def push_log(program, user, title: str, **fields) -> PushLog:
    device = PushSubscription.objects.create(
        user=user, endpoint=f"https://push.example.net/send/{title}", p256dh="k", auth="a", device="Chrome on Android"
    )
    return PushLog.objects.create(
        program=program,
        recipient=user,
        subscription=device,
        event="schedule_published",
        payload={"title": title, "body": "…", "url": "/notifications/1/open/"},
        idempotency_key=f"push:{title}",
        **fields,
    )


def test_coordinator_sees_only_own_programs_push_log_read_only(client, coordinator, member, program, other_program):
    mine = push_log(program, member(Role.RESIDENT), "Ours", status=PushLog.Status.FAILED, error="413 too large")
    theirs = push_log(other_program, member(Role.RESIDENT, in_program=other_program), "Theirs")
    client.force_login(coordinator)

    response = client.get(reverse("admin:notifications_pushlog_changelist"))

    assert list(response.context["cl"].queryset) == [mine]
    assert "Ours" in response.content.decode() and "Theirs" not in response.content.decode()
    assert client.get(reverse("admin:notifications_pushlog_change", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("admin:notifications_pushlog_change", args=[mine.pk]))
    assert page.status_code == 200 and "413 too large" in page.content.decode()
    assert page.context["has_change_permission"] is False and page.context["has_delete_permission"] is False
    assert "push.example.net" not in page.content.decode()  # the device's endpoint is not shown
    assert client.get(reverse("admin:notifications_pushlog_add")).status_code == 403


def test_push_devices_are_listed_to_superusers_only_without_their_endpoint(
    client, coordinator, superuser, member, program
):
    log = push_log(program, member(Role.RESIDENT, first_name="Ria", last_name="Resident"), "Ours")
    changelist = reverse("admin:notifications_pushsubscription_changelist")
    client.force_login(coordinator)
    assert client.get(changelist).status_code == 403

    client.force_login(superuser)
    page = client.get(reverse("admin:notifications_pushsubscription_change", args=[log.subscription_id]))

    assert page.status_code == 200 and page.context["has_change_permission"] is False
    content = page.content.decode()
    assert "Ria Resident" in content and "push.example.net" in content and "/send/Ours" not in content
