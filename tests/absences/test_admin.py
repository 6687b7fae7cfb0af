"""The admin of absences and limits: listed for superusers, scoped to managed programs for others."""

import pytest
from django.urls import reverse

from absences.models import Absence
from notifications.events import Event
from notifications.models import Notification
from tenants.models import Role
from tests.absences.factories import AbsenceFactory, AbsenceLimitFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_superuser_lists_absences_and_limits(client, superuser, program):
    AbsenceFactory(program=program, note="private")
    AbsenceLimitFactory(program=program)
    client.force_login(superuser)

    absences = client.get(reverse("admin:absences_absence_changelist"))
    limits = client.get(reverse("admin:absences_absencelimit_changelist"))

    assert absences.status_code == 200 and "Vacation" in absences.content.decode()
    assert limits.status_code == 200 and "20" in limits.content.decode()


def test_staff_coordinator_sees_only_their_programs_absences(client, member, program, other_program):
    mine = AbsenceFactory(program=program)
    theirs = AbsenceFactory(program=other_program)
    coordinator = member(Role.COORDINATOR, is_staff=True)
    client.force_login(coordinator)

    assert client.get(reverse("admin:absences_absence_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:absences_absence_change", args=[theirs.pk])).status_code == 404


@pytest.fixture
def coordinator_person(coordinator, program):
    from tests.scheduling.factories import FacultyFactory

    return FacultyFactory(program=program, user=coordinator, first_name="Cora", last_name="Ordinator")


def absence_add_payload(program, person, **changes) -> dict:
    return {
        "program": program.pk,
        "person": person.pk,
        "kind": "vacation",
        "start_date": "2026-08-10",
        "end_date": "2026-08-14",
        "half_day": "",
        **changes,
    }


def test_coordinator_cannot_approve_their_own_absence_in_the_admin(client, coordinator, coordinator_person, program):
    own = AbsenceFactory(program=program, person=coordinator_person)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:absences_absence_changelist"),
        {"action": "approve", "_selected_action": [own.pk]},
        follow=True,
    )

    assert "You cannot approve your own absence" in response.content.decode()
    own.refresh_from_db()
    assert (own.status, own.decided_by) == (Absence.Status.REQUESTED, None)


def test_admin_approve_action_decides_through_the_service(client, coordinator, program):
    request = AbsenceFactory(program=program)
    client.force_login(coordinator)

    client.post(reverse("admin:absences_absence_changelist"), {"action": "approve", "_selected_action": [request.pk]})

    request.refresh_from_db()
    assert (request.status, request.decided_by) == (Absence.Status.APPROVED, coordinator)
    assert request.decided_at is not None


def test_admin_absence_is_requested_through_the_service_and_managers_hear_of_it(client, coordinator, member, program):
    other_manager = member(Role.ADMIN, email="pd@example.org")
    person = ResidentFactory(program=program)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:absences_absence_add"), absence_add_payload(program, person, status="approved")
    )

    assert response.status_code == 302
    absence = Absence.objects.get(person=person)
    assert (absence.status, absence.requested_by, absence.decided_by) == (Absence.Status.REQUESTED, coordinator, None)
    assert Notification.objects.filter(recipient=other_manager, event=Event.ABSENCE_REQUESTED).exists()


def test_admin_absence_overlapping_another_is_a_form_error_and_nothing_is_added(client, coordinator, program):
    approved = AbsenceFactory(program=program, status=Absence.Status.APPROVED)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:absences_absence_add"),
        absence_add_payload(program, approved.person, start_date="2026-08-05", end_date="2026-08-12"),
    )

    assert response.status_code == 200
    assert "which overlaps these dates" in str(response.context["adminform"].form.non_field_errors())
    assert Absence.objects.filter(person=approved.person).count() == 1


def test_admin_absence_beyond_the_yearly_limit_is_a_form_error(client, coordinator, program):
    AbsenceLimitFactory(program=program, days_per_year=3)
    person = ResidentFactory(program=program)
    client.force_login(coordinator)

    response = client.post(reverse("admin:absences_absence_add"), absence_add_payload(program, person))

    assert response.status_code == 200
    assert "limited to 3 days per academic year" in str(response.context["adminform"].form.non_field_errors())
    assert not Absence.objects.filter(person=person).exists()


def test_absences_are_not_edited_or_deleted_in_the_admin(client, coordinator, program):
    absence = AbsenceFactory(program=program)
    client.force_login(coordinator)

    changed = client.post(
        reverse("admin:absences_absence_change", args=[absence.pk]),
        {**absence_add_payload(program, absence.person), "status": "approved"},
    )
    deleted = client.post(reverse("admin:absences_absence_delete", args=[absence.pk]), {"post": "yes"})

    assert (changed.status_code, deleted.status_code) == (403, 403)
    absence.refresh_from_db()
    assert absence.status == Absence.Status.REQUESTED
