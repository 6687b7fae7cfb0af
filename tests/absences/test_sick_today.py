"""'I'm sick today' (issue 17, My schedule's quick actions): a sick-day request for today that tells the program's
coordinators at once (its own event, email right away by default), and its refusals."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from absences.models import Absence, AbsenceKind
from absences.services import absence_sick_today
from notifications.events import EVENTS, Channel
from notifications.models import EmailLog, Notification
from tenants.errors import ConflictError
from tenants.models import Role
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(program, resident_user):
    return ResidentFactory(program=program, user=resident_user, first_name="Rita", last_name="Resident")


def test_sick_today_requests_today_and_tells_the_coordinators_at_once(program, me, resident_user, coordinator):
    absence = absence_sick_today(user=resident_user, program=program, person=me)

    today = program.today()
    assert (absence.kind, absence.start_date, absence.end_date, absence.status) == (
        AbsenceKind.SICK,
        today,
        today,
        Absence.Status.REQUESTED,
    )
    told = Notification.objects.get(recipient=coordinator)
    assert told.event == "sick_today" and told.title == "Sick today: Rita Resident"
    assert told.link == reverse("absence-detail", args=[absence.pk])
    assert EVENTS["sick_today"].default_channel == Channel.EMAIL_NOW  # not the digest
    assert EmailLog.objects.filter(recipient=coordinator, event="sick_today").exists()
    assert not Notification.objects.filter(event="absence_requested").exists()


def test_sick_today_is_refused_when_already_absent_today(program, me, resident_user, coordinator):
    today = program.today()
    AbsenceFactory(program=program, person=me, kind=AbsenceKind.VACATION, start_date=today, end_date=today)

    with pytest.raises(ConflictError, match="already marked absent today: vacation"):
        absence_sick_today(user=resident_user, program=program, person=me)
    assert Absence.objects.count() == 1
    assert not Notification.objects.filter(event="sick_today").exists()


def test_sick_today_is_refused_twice(program, me, resident_user):
    absence_sick_today(user=resident_user, program=program, person=me)
    with pytest.raises(ConflictError, match="already marked absent today: sick"):
        absence_sick_today(user=resident_user, program=program, person=me)
    assert Absence.objects.count() == 1


def test_sick_today_is_only_for_ones_own_person(program, me, member, coordinator):
    someone = member(Role.RESIDENT)
    with pytest.raises(PermissionDenied, match="your own schedule"):
        absence_sick_today(user=someone, program=program, person=me)
    with pytest.raises(PermissionDenied, match="your own schedule"):
        absence_sick_today(user=coordinator, program=program, person=me)
    assert not Absence.objects.exists()


def test_sick_today_page_confirms_then_creates(client, program, me, resident_user, coordinator):
    client.force_login(resident_user)
    page = client.get(reverse("absence-sick-today"))
    assert page.status_code == 200 and b"Yes, I'm sick today" in page.content

    response = client.post(reverse("absence-sick-today"))
    absence = Absence.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("absence-detail", args=[absence.pk])
    assert Notification.objects.filter(recipient=coordinator, event="sick_today").exists()

    again = client.get(reverse("absence-sick-today"))
    assert b"already marked absent today" in again.content and b"Yes, I'm sick today" not in again.content
    refused = client.post(reverse("absence-sick-today"))
    assert refused.status_code == 409 and Absence.objects.count() == 1


def test_sick_today_page_without_a_linked_person_says_so(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("absence-sick-today"))
    assert response.status_code == 409 and b"not linked to a person" in response.content
    assert not Absence.objects.exists()
