"""ACGME alerts: a change to the published schedule that leaves a breach, or brings a resident within 5 hours of the
weekly limit averaged over 4 weeks, tells the program's managers once per person, rule and window."""

import datetime as dt

import pytest
from django.db import transaction

from absences.services import absence_request_approve, absence_request_create
from notifications.events import Event
from notifications.models import Notification
from scheduling.models import ScheduleVersion, SessionAssignment
from scheduling.services import scheduling_settings_update, session_assignment_change
from scheduling.services.edits import RuleBreachError
from tenants.models import Role
from tests.scheduling.factories import ResidentFactory, ScheduleVersionFactory, SessionAssignmentFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 7, 6)
SATURDAY = MONDAY + dt.timedelta(days=5)
WARD = SessionAssignment.Activity.INPATIENT  # ward work without a rotation: no supervision ratio to meet


@pytest.fixture
def month(program):
    """A published schedule: one resident on the ward all day (07:00-17:00, 10 h) Monday to Friday for 4 weeks, 50 h a
    week; the weekends free."""
    version = ScheduleVersionFactory(
        program=program,
        academic_year__program=program,
        academic_year__name="2026-2027",
        status=ScheduleVersion.Status.PUBLISHED,
        published_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    resident = ResidentFactory(program=program, pgy=2, first_name="Ada", last_name="Quill")
    for week in range(4):
        for offset in range(5):
            day = MONDAY + dt.timedelta(days=7 * week + offset)
            for session in ("AM", "PM"):
                SessionAssignmentFactory(version=version, person=resident, date=day, session=session, activity=WARD)
    return version, resident


def _limit(program, user, hours: int) -> None:
    scheduling_settings_update(program=program, user=user, settings={"acgme": {"weekly_hours": hours}})


def _warnings(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event=Event.ACGME_WARNING).order_by("pk"))


def _edit(version, resident, user, day, session="AM", reason=""):
    return session_assignment_change(
        version=version, person=resident, date=day, session=session, activity=WARD, user=user, reason=reason
    )


def test_an_edit_with_a_reason_over_the_limit_warns_the_coordinator_once_per_window(
    month, program, coordinator, django_capture_on_commit_callbacks
):
    version, resident = month
    _limit(program, coordinator, 50)  # 50 h a week is right at the limit: a Saturday morning passes it

    with django_capture_on_commit_callbacks(execute=True):
        _edit(version, resident, coordinator, SATURDAY, reason="Clinic cover")

    (warning,) = _warnings(coordinator)
    assert "Ada Quill" in warning.body
    assert "Duty hours over the weekly limit" in warning.title
    assert "51.2 h a week against a limit of 50 h a week" in warning.body
    assert "04 Jul to 31 Jul 2026" in warning.body  # the first of the worst windows, as the compliance page shows
    assert (
        warning.link.startswith("/") and f"person={resident.pk}" in warning.link and "start=2026-07-04" in warning.link
    )

    with django_capture_on_commit_callbacks(execute=True):  # the same 4-week window: nothing new
        _edit(version, resident, coordinator, SATURDAY + dt.timedelta(days=7), reason="Clinic cover again")
    assert len(_warnings(coordinator)) == 1


def test_an_edit_bringing_a_resident_within_5_hours_of_the_limit_warns(
    month, program, coordinator, django_capture_on_commit_callbacks
):
    version, resident = month
    _limit(program, coordinator, 55)

    with django_capture_on_commit_callbacks(execute=True):
        _edit(version, resident, coordinator, SATURDAY)  # 51.25 h: no rule broken, no reason needed

    (warning,) = _warnings(coordinator)
    assert "near the limit" in warning.title
    assert "51.2 h a week averaged over the 4 weeks 04 Jul to 31 Jul 2026, within 5 h of the 55-hour limit" in (
        warning.body
    )


def test_an_edit_that_stays_clear_of_the_limit_sends_nothing(
    month, program, coordinator, django_capture_on_commit_callbacks
):
    version, resident = month
    _limit(program, coordinator, 60)

    with django_capture_on_commit_callbacks(execute=True):
        _edit(version, resident, coordinator, SATURDAY)

    assert _warnings(coordinator) == []


def test_a_change_that_fails_sends_nothing(month, program, coordinator, django_capture_on_commit_callbacks):
    version, resident = month
    _limit(program, coordinator, 50)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuleBreachError):  # no reason: refused, nothing saved
            _edit(version, resident, coordinator, SATURDAY)
        with pytest.raises(RuntimeError), transaction.atomic():  # saved, then rolled back by a later failure
            _edit(version, resident, coordinator, SATURDAY, reason="Clinic cover")
            raise RuntimeError("the request failed after the edit")

    assert _warnings(coordinator) == []
    assert not SessionAssignment.objects.filter(version=version, date=SATURDAY).exists()


def test_a_draft_edit_sends_nothing(month, program, coordinator, django_capture_on_commit_callbacks):
    version, resident = month
    ScheduleVersion.objects.filter(pk=version.pk).update(status=ScheduleVersion.Status.DRAFT, published_at=None)
    version.refresh_from_db()
    _limit(program, coordinator, 50)

    with django_capture_on_commit_callbacks(execute=True):
        _edit(version, resident, coordinator, SATURDAY, reason="Draft only")

    assert _warnings(coordinator) == []


def test_admins_hear_by_their_preferences_and_other_programs_hear_nothing(
    month, program, other_program, coordinator, member, django_capture_on_commit_callbacks
):
    version, resident = month
    admin = member(Role.ADMIN)
    resident_user = member(Role.RESIDENT)
    stranger = member(Role.COORDINATOR, in_program=other_program)
    _limit(program, coordinator, 50)

    with django_capture_on_commit_callbacks(execute=True):
        _edit(version, resident, coordinator, SATURDAY, reason="Clinic cover")

    assert len(_warnings(coordinator)) == 1
    assert len(_warnings(admin)) == 1
    assert _warnings(resident_user) == []
    assert _warnings(stranger) == []
    assert not Notification.objects.filter(program=other_program).exists()


def test_an_approved_absence_leaving_the_average_near_the_limit_warns(
    month, program, coordinator, django_capture_on_commit_callbacks
):
    """Leave days drop out of the 4-week average: 200 h over 26 working days is about 54 h a week."""
    version, resident = month
    _limit(program, coordinator, 55)
    absence = absence_request_create(
        user=coordinator,
        program=program,
        person=resident,
        kind="vacation",
        start_date=SATURDAY,
        end_date=SATURDAY + dt.timedelta(days=1),
    )
    assert _warnings(coordinator) == []

    with django_capture_on_commit_callbacks(execute=True):
        absence_request_approve(absence=absence, user=coordinator)

    (warning,) = _warnings(coordinator)
    assert "Ada Quill" in warning.body and "within 5 h of the 55-hour limit" in warning.body
    assert "53.9 h a week" in warning.body and "With the approved absence counted as leave." in warning.body
