"""The admin of absences and limits: listed for superusers, scoped to managed programs for others."""

import pytest
from django.urls import reverse

from tenants.models import Role
from tests.absences.factories import AbsenceFactory, AbsenceLimitFactory

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
