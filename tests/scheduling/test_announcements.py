"""The schedule tells people what concerns them: publication, changes to their published assignments, runs."""

import datetime as dt

import pytest

from notifications.models import Notification
from scheduling.models import ScheduleRun, ScheduleVersion
from scheduling.services import call_assignment_change, schedule_run_execute, schedule_version_publish
from tenants.models import Role
from tests.scheduling.manager_pages import JULY_1, small_schedule
from tests.scheduling.test_generation import start, tiny_program

pytestmark = pytest.mark.django_db


def inbox(user, event):
    return list(Notification.objects.filter(recipient=user, event=event))


def test_publishing_tells_everyone_in_the_program_and_no_one_else(program, coordinator, member, other_program):
    resident = member(Role.RESIDENT)
    nurse = member(Role.RN)
    outsider = member(Role.RESIDENT, in_program=other_program)
    s = small_schedule(program, coordinator)

    schedule_version_publish(version=s.version, user=coordinator)

    for user, link in ((resident, "/me/"), (coordinator, "/me/"), (nurse, "/today/")):
        [item] = inbox(user, "schedule_published")
        assert s.year.name in item.title and item.link == link
    assert inbox(outsider, "schedule_published") == []


def test_clinic_staff_follow_the_publication_notice_to_a_page_they_can_open(client, program, coordinator, member):
    """The notice used to send RNs, LPNs, MSAs and clinical staff to My schedule, which answers them 403."""
    staff = [member(role) for role in (Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA)]
    s = small_schedule(program, coordinator)
    schedule_version_publish(version=s.version, user=coordinator)

    for user in staff:
        [item] = inbox(user, "schedule_published")
        client.force_login(user)
        assert client.get(item.link).status_code == 200


def test_a_change_to_a_published_call_tells_the_resident_but_a_draft_edit_does_not(program, coordinator, member):
    user = member(Role.RESIDENT)
    s = small_schedule(program, coordinator, user=user)
    night = JULY_1 + dt.timedelta(days=2)
    call_assignment_change(version=s.version, person=s.resident, date=night, action="add", user=coordinator, reason="x")
    assert inbox(user, "assignment_changed") == []  # drafts are not the resident's schedule yet

    published = schedule_version_publish(version=s.version, user=coordinator, reason="Extra call agreed")
    call_assignment_change(version=published, person=s.resident, date=night, action="remove", user=coordinator)

    [item] = inbox(user, "assignment_changed")
    assert "In-house call" in item.title and night.strftime("%d %b") in item.body


def test_the_coordinator_who_started_a_run_hears_how_it_ended(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    run = start(year, coordinator, first_block=1, last_block=1, queue=False)
    schedule_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.SUCCEEDED
    [item] = inbox(coordinator, "run_finished")
    assert "succeeded" in item.title and item.link == f"/runs/{run.pk}/"
    assert ScheduleVersion.objects.filter(run=run).exists()
