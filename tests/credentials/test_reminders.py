"""Certification expiry reminders: 180/90/30/14/7 days, each once, the smallest threshold reached only."""

import datetime as dt

import pytest

from credentials.services import reminder_threshold
from credentials.tasks import certification_reminders_send
from notifications.models import Notification
from tenants.models import Role
from tests.credentials.factories import CertificationTypeFactory, PersonCertificationFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

EXPIRY = dt.date(2026, 12, 31)


def days_before(days: int) -> str:
    return (EXPIRY - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def certification(program, member):
    user = member(Role.RESIDENT, email="holder@example.org")
    person = ResidentFactory(program=program, user=user)
    acls = CertificationTypeFactory(program=program, code="ACLS", name="Advanced Cardiac Life Support")
    return PersonCertificationFactory(type=acls, person=person, issued_on=dt.date(2024, 12, 31), expires_on=EXPIRY)


def reminders(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("once_key", flat=True))


@pytest.mark.parametrize(
    ("days_left", "threshold"), [(200, None), (180, 180), (100, 180), (90, 90), (20, 30), (14, 14), (0, 7), (-1, None)]
)
def test_reminder_threshold_is_the_smallest_reached(days_left, threshold):
    assert reminder_threshold(days_left) == threshold


def test_reminders_go_once_per_threshold(certification):
    user = certification.person.user
    key = f"cert:{certification.pk}"

    assert certification_reminders_send(days_before(181)) == 0
    assert certification_reminders_send(days_before(180)) == 1
    assert certification_reminders_send(days_before(180)) == 0  # the same day again: nothing new
    assert certification_reminders_send(days_before(120)) == 0  # still the 180-day window
    assert certification_reminders_send(days_before(20)) == 1  # found late: the 30-day one, not 90 as well
    assert certification_reminders_send(days_before(15)) == 0
    assert certification_reminders_send(days_before(14)) == 1
    assert certification_reminders_send(days_before(3)) == 1
    assert certification_reminders_send(days_before(0)) == 0
    assert certification_reminders_send(days_before(-1)) == 0  # expired: no more reminders

    assert reminders(user) == [f"{key}:180", f"{key}:30", f"{key}:14", f"{key}:7"]
    notification = Notification.objects.filter(recipient=user).order_by("pk").last()
    assert notification.event == "certification_expiring"
    assert "Advanced Cardiac Life Support" in notification.title and "3 days" in notification.title
    assert notification.link == f"/credentials/people/{certification.person_id}/"


def test_a_renewed_card_is_not_reminded(certification):
    PersonCertificationFactory(type=certification.type, person=certification.person, issued_on=dt.date(2026, 11, 1))
    assert certification_reminders_send(days_before(10)) == 0
    assert reminders(certification.person.user) == []


def test_people_without_a_login_or_inactive_get_nothing(certification, program):
    nobody = PersonCertificationFactory(type=certification.type, expires_on=EXPIRY, issued_on=dt.date(2025, 1, 1))
    assert nobody.person.user_id is None
    certification.person.is_active = False
    certification.person.save()
    assert certification_reminders_send(days_before(10)) == 0
