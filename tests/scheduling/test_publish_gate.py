"""The publish gate: a draft that breaks ACGME rules (the whole year checked) is published only with a written
reason, kept on the version and in its history and told to the program's admins; the service, the pages, the
API, the admin action and the command all keep to it."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse

from notifications.models import Notification
from scheduling.models import ScheduleVersion
from scheduling.services import ComplianceBreachError, call_assignment_change, schedule_version_publish
from tenants.models import Role
from tests.scheduling.factories import ScheduleVersionFactory
from tests.scheduling.manager_pages import JULY_1, small_schedule

pytestmark = pytest.mark.django_db

Status = ScheduleVersion.Status
REASON = "Rita asked to cover the night; the program director agreed"


def breaking(program, coordinator):
    """A year with a published version 2 and a draft version 1 in which Rita works 34 hours in a row."""
    s = small_schedule(program, coordinator)
    call_assignment_change(
        version=s.version,
        person=s.resident,
        date=JULY_1 + dt.timedelta(days=1),  # the night after her call of 1 July
        action="add",
        user=coordinator,
        reason="Sick colleague",
    )
    published = ScheduleVersionFactory(
        academic_year=s.year, number=2, status=Status.PUBLISHED, published_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    return s, published


def statuses(year):
    return dict(ScheduleVersion.objects.filter(academic_year=year).values_list("number", "status"))


def test_publish_refuses_a_draft_that_breaks_acgme_rules_without_a_reason(program, coordinator, program_admin):
    s, published = breaking(program, coordinator)

    with pytest.raises(
        ComplianceBreachError,
        match=r"Version 1 breaks ACGME rules: \d+ violations? of .*Continuous duty over 24\+4 h \(ACGME 6\.22\)",
    ) as e:
        schedule_version_publish(version=s.version, user=coordinator, reason="   ")

    breach = next(b for b in e.value.breaches if b.rule == "continuous_duty")
    assert (breach.person_id, breach.person, breach.clause) == (s.resident.pk, "Rita Resident", "6.22")
    assert (breach.value, breach.limit) == (49.0, 28.0)  # 07:00 on 1 July to 08:00 on 3 July
    assert (breach.start.date(), breach.end.date()) == (JULY_1, JULY_1 + dt.timedelta(days=2))
    assert statuses(s.year) == {1: Status.DRAFT, 2: Status.PUBLISHED}  # the published version stays published
    assert not Notification.objects.exists()


def test_publish_with_a_reason_keeps_it_and_tells_the_admins(program, coordinator, program_admin, member):
    s, published = breaking(program, coordinator)
    other_coordinator = member(Role.COORDINATOR)

    version = schedule_version_publish(version=s.version, user=coordinator, reason=f"  {REASON} ")

    assert statuses(s.year) == {1: Status.PUBLISHED, 2: Status.ARCHIVED}
    version.refresh_from_db()
    assert version.publish_reason == REASON
    entry = version.history.first()
    assert (entry.status, entry.publish_reason, entry.history_user) == (Status.PUBLISHED, REASON, coordinator)
    assert entry.history_change_reason == "Published with ACGME violations"
    [notice] = Notification.objects.filter(event="published_with_breaches")
    assert notice.recipient == program_admin
    assert "Continuous duty over 24+4 h (ACGME 6.22)" in notice.body and REASON in notice.body
    assert notice.link == f"/compliance/?version={version.pk}"
    assert not Notification.objects.filter(recipient=other_coordinator, event="published_with_breaches").exists()


def test_a_compliant_draft_publishes_without_a_reason_and_keeps_none(program, coordinator, program_admin):
    s = small_schedule(program, coordinator)

    version = schedule_version_publish(version=s.version, user=coordinator, reason="Not needed")

    assert (version.status, version.publish_reason) == (Status.PUBLISHED, "")
    assert version.history.first().history_change_reason == "Published"
    assert not Notification.objects.filter(event="published_with_breaches").exists()


# Pages


def test_compare_page_lists_the_breaches_and_asks_for_a_reason(client, program, coordinator):
    s, _ = breaking(program, coordinator)
    client.force_login(coordinator)

    body = client.get(reverse("version-compare", args=[s.version.pk])).content.decode()

    assert "Not ACGME compliant" in body and "Continuous duty over 24+4 h (ACGME 6.22)" in body
    assert "Rita Resident" in body and "continuous_duty" not in body
    assert 'name="reason"' in body and "required" in body


def test_publish_page_refuses_without_a_reason_then_publishes_with_one(client, program, coordinator):
    s, published = breaking(program, coordinator)
    client.force_login(coordinator)
    url = reverse("version-publish", args=[s.version.pk])

    refused = client.post(url, {"reason": "", "confirmed": "yes"})

    assert refused.status_code == 200
    assert "Give a reason to publish it anyway" in refused.content.decode()
    assert statuses(s.year) == {1: Status.DRAFT, 2: Status.PUBLISHED}

    done = client.post(url, {"reason": REASON, "confirmed": "yes"})

    assert done.status_code == 302
    assert statuses(s.year) == {1: Status.PUBLISHED, 2: Status.ARCHIVED}
    compare = client.get(reverse("version-compare", args=[s.version.pk])).content.decode()
    compliance = client.get(f"{reverse('compliance')}?version={s.version.pk}").content.decode()
    assert REASON in compare and REASON in compliance


def test_publish_without_confirmation_shows_the_confirmation_page(client, program, coordinator):
    s = small_schedule(program, coordinator)
    client.force_login(coordinator)
    url = reverse("version-publish", args=[s.version.pk])

    asked = client.post(url, {"reason": ""})  # a browser without JavaScript posts the form as is

    body = asked.content.decode()
    assert asked.status_code == 200
    assert "Publish version 1 of 2026-2027?" in body and 'name="confirmed" value="yes"' in body
    assert ScheduleVersion.objects.get(pk=s.version.pk).status == Status.DRAFT

    done = client.post(url, {"reason": "", "confirmed": "yes"})

    assert done.status_code == 302
    assert ScheduleVersion.objects.get(pk=s.version.pk).status == Status.PUBLISHED


def test_publish_page_is_refused_to_residents(client, program, coordinator, resident_user):
    s, _ = breaking(program, coordinator)
    client.force_login(resident_user)

    response = client.post(reverse("version-publish", args=[s.version.pk]), {"reason": REASON, "confirmed": "yes"})

    assert response.status_code == 403
    assert ScheduleVersion.objects.get(pk=s.version.pk).status == Status.DRAFT


# API


def publish_url(version):
    return reverse("api:schedule-version-publish", args=[version.pk])


def test_api_refuses_a_breaking_draft_with_409_listing_the_breaches(api_as, program, coordinator):
    s, published = breaking(program, coordinator)

    response = api_as(coordinator).post(publish_url(s.version), {}, format="json")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "acgme_breach" and "Give a reason" in body["detail"]
    breach = next(b for b in body["breaches"] if b["rule"] == "continuous_duty")
    assert breach["person"] == {"id": s.resident.pk, "name": "Rita Resident"}
    assert (breach["clause"], breach["value"], breach["limit"]) == ("6.22", 49.0, 28.0)
    assert (breach["start"], breach["end"]) == ("2026-07-01T07:00:00-04:00", "2026-07-03T08:00:00-04:00")
    assert statuses(s.year) == {1: Status.DRAFT, 2: Status.PUBLISHED}


def test_api_publishes_a_breaking_draft_with_a_reason(api_as, program, coordinator):
    s, published = breaking(program, coordinator)

    response = api_as(coordinator).post(publish_url(s.version), {"reason": REASON}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["publish_reason"]) == (Status.PUBLISHED, REASON)
    assert statuses(s.year) == {1: Status.PUBLISHED, 2: Status.ARCHIVED}


def test_api_publish_of_another_programs_version_is_404(api_as, program, other_program, coordinator, member):
    s, _ = breaking(program, coordinator)
    outsider = member(Role.COORDINATOR, in_program=other_program)

    response = api_as(outsider, in_program=other_program).post(publish_url(s.version), {"reason": REASON})

    assert response.status_code == 404
    assert ScheduleVersion.objects.get(pk=s.version.pk).status == Status.DRAFT


def test_api_publish_is_refused_to_residents(api_as, program, coordinator, resident_user):
    s, _ = breaking(program, coordinator)

    response = api_as(resident_user).post(publish_url(s.version), {"reason": REASON})

    assert response.status_code == 403
    assert ScheduleVersion.objects.get(pk=s.version.pk).status == Status.DRAFT


def test_api_rejects_a_reason_that_is_not_text(api_as, program, coordinator):
    s, _ = breaking(program, coordinator)

    response = api_as(coordinator).post(publish_url(s.version), {"reason": ["a", "b"]}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


# Admin and command


def test_admin_publish_action_refuses_a_breaking_draft_and_points_to_the_compare_page(client, program, coordinator):
    s, published = breaking(program, coordinator)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:scheduling_scheduleversion_changelist"),
        {"action": "publish", "_selected_action": [s.version.pk]},
    )

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "breaks ACGME rules" in message and reverse("version-compare", args=[s.version.pk]) in message
    assert statuses(s.year) == {1: Status.DRAFT, 2: Status.PUBLISHED}


def command(*args):
    out = StringIO()
    call_command("publish_schedule", "--program", "fm", "--version", "1", *args, stdout=out)
    return out.getvalue()


def test_publish_schedule_command_needs_a_reason_for_a_breaking_draft(program, coordinator):
    s, _ = breaking(program, coordinator)

    with pytest.raises(CommandError, match=r"breaks ACGME rules.*6\.22.*--reason"):
        command()
    assert statuses(s.year) == {1: Status.DRAFT, 2: Status.PUBLISHED}

    assert "Published version 1" in command("--reason", REASON)
    assert ScheduleVersion.objects.get(pk=s.version.pk).publish_reason == REASON


def test_generate_schedule_with_publish_keeps_a_breaching_draft(program, coordinator, monkeypatch):
    from scheduling.services import versions
    from tests.scheduling.test_generation import tiny_program

    tiny_program(program, coordinator)
    at = dt.datetime(2026, 7, 1, 7, tzinfo=dt.UTC)
    breach = versions.Breach("continuous_duty", "6.22", "Continuous duty period (hours)", 1, "A", at, at, 30.0, 28.0)
    monkeypatch.setattr(versions, "schedule_version_breaches", lambda version: [breach])

    with pytest.raises(
        CommandError, match=r"breaks ACGME rules.*Draft kept: publish it with publish_schedule --reason"
    ):
        call_command(
            "generate_schedule",
            "--program",
            "fm",
            "--blocks",
            "1",
            "--time-limit",
            "20",
            stdout=StringIO(),
            publish=True,
        )

    assert ScheduleVersion.objects.get().status == Status.DRAFT
