"""Absence services: who may request and decide, overlaps, dates, yearly limits, notifications, the engine."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from absences.models import Absence, AbsenceKind
from absences.selectors import absence_balances
from absences.services import (
    absence_extend,
    absence_request_approve,
    absence_request_cancel,
    absence_request_create,
    absence_request_reject,
)
from notifications.models import Notification
from scheduling.engine_io import person_key, problem_for
from scheduling.services import academic_year_create
from tenants.errors import ConflictError, DomainError
from tenants.models import Role
from tests.absences.factories import AbsenceFactory, AbsenceLimitFactory
from tests.scheduling.factories import FacultyFactory, ResidentFactory, RotationTemplateFactory

pytestmark = pytest.mark.django_db

D = dt.date
AUG_3, AUG_7 = D(2026, 8, 3), D(2026, 8, 7)


@pytest.fixture
def me(program, resident_user):
    return ResidentFactory(program=program, user=resident_user, first_name="Rita", last_name="Resident")


def request(user, program, person, start=AUG_3, end=AUG_7, kind=AbsenceKind.VACATION, **extra):
    return absence_request_create(
        user=user, program=program, person=person, kind=kind, start_date=start, end_date=end, **extra
    )


def test_resident_requests_for_themselves_and_managers_are_told(program, me, resident_user, coordinator, member):
    admin = member(Role.ADMIN)
    faculty = member(Role.FACULTY)

    absence = request(resident_user, program, me, note="Family wedding")

    assert (absence.status, absence.requested_by, absence.note) == ("requested", resident_user, "Family wedding")
    told = set(Notification.objects.filter(event="absence_requested").values_list("recipient", flat=True))
    assert told == {coordinator.pk, admin.pk}
    assert faculty.pk not in told


def test_resident_cannot_request_for_another_person(program, me, resident_user):
    other = ResidentFactory(program=program)

    with pytest.raises(PermissionDenied, match="for yourself only"):
        request(resident_user, program, other)
    assert not Absence.objects.exists()


def test_coordinator_requests_for_anyone(program, coordinator):
    someone = FacultyFactory(program=program)

    absence = request(coordinator, program, someone)

    assert absence.person == someone and absence.requested_by == coordinator


def test_absence_ending_before_it_starts_is_refused(program, me, resident_user):
    with pytest.raises(DomainError, match=r"ends \(01 Aug 2026\) before it starts \(03 Aug 2026\)"):
        request(resident_user, program, me, start=D(2026, 8, 3), end=D(2026, 8, 1))


def test_database_refuses_an_absence_ending_before_it_starts(program, me):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        AbsenceFactory(program=program, person=me, start_date=D(2026, 8, 3), end_date=D(2026, 8, 1))


def test_overlapping_absences_of_the_same_person_are_refused(program, me, resident_user):
    request(resident_user, program, me, start=D(2026, 8, 3), end=D(2026, 8, 7))

    with pytest.raises(ConflictError, match=r"already has vacation \(requested\) from 03 Aug 2026 to 07 Aug 2026"):
        request(resident_user, program, me, start=D(2026, 8, 7), end=D(2026, 8, 10), kind=AbsenceKind.CONFERENCE)
    assert Absence.objects.count() == 1


def test_rejected_or_cancelled_absences_do_not_block_the_dates(program, me, resident_user):
    AbsenceFactory(program=program, person=me, status=Absence.Status.REJECTED)
    AbsenceFactory(program=program, person=me, status=Absence.Status.CANCELLED)

    assert request(resident_user, program, me).status == "requested"


def test_morning_and_afternoon_of_the_same_day_do_not_overlap(program, me, resident_user):
    day = D(2026, 9, 1)
    request(resident_user, program, me, start=day, end=day, half_day="am")

    assert request(resident_user, program, me, start=day, end=day, half_day="pm").days == 0.5
    with pytest.raises(ConflictError):
        request(resident_user, program, me, start=day, end=day)


def test_half_day_only_for_a_single_day(program, me, resident_user):
    with pytest.raises(DomainError, match="single-day"):
        request(resident_user, program, me, half_day="am")


def test_over_the_yearly_limit_is_refused_with_the_remaining_days(program, me, resident_user):
    AbsenceLimitFactory(program=program, kind=AbsenceKind.VACATION, days_per_year=10)
    AbsenceFactory(
        program=program, person=me, start_date=D(2026, 7, 6), end_date=D(2026, 7, 12), status=Absence.Status.APPROVED
    )

    with pytest.raises(DomainError, match=r"limited to 10 days .* has 3 days remaining in 2026-2027 .* needs 5 days"):
        request(resident_user, program, me, start=D(2026, 8, 3), end=D(2026, 8, 7))
    assert request(resident_user, program, me, start=D(2026, 8, 3), end=D(2026, 8, 5)).days == 3


def test_limits_count_per_academic_year(program, me, resident_user):
    AbsenceLimitFactory(program=program, kind=AbsenceKind.VACATION, days_per_year=10)
    AbsenceFactory(
        program=program, person=me, start_date=D(2026, 6, 1), end_date=D(2026, 6, 10), status=Absence.Status.APPROVED
    )

    absence = request(resident_user, program, me, start=D(2026, 7, 1), end=D(2026, 7, 10))  # next year

    balance = absence_balances(program=program, person=me, day=D(2026, 7, 1))[AbsenceKind.VACATION]
    assert (balance.used, balance.pending, balance.remaining) == (0, 10, 0)
    assert absence.pk


def test_deployment_needs_its_orders(program, coordinator):
    person = ResidentFactory(program=program)

    with pytest.raises(DomainError, match="orders reference"):
        request(coordinator, program, person, kind=AbsenceKind.DEPLOYMENT)
    absence = request(
        coordinator, program, person, kind=AbsenceKind.DEPLOYMENT, orders_reference="ORD-1", location="Kuwait"
    )
    assert absence.is_military


def test_resident_cannot_approve_their_own_absence(program, me, resident_user):
    absence = request(resident_user, program, me)

    with pytest.raises(PermissionDenied):
        absence_request_approve(absence=absence, user=resident_user)
    absence.refresh_from_db()
    assert absence.status == "requested"


def test_coordinator_cannot_approve_their_own_absence(program, coordinator):
    own = ResidentFactory(program=program, user=coordinator)
    absence = request(coordinator, program, own)

    with pytest.raises(PermissionDenied, match="your own absence"):
        absence_request_approve(absence=absence, user=coordinator)


def test_approving_notifies_the_person(program, me, resident_user, coordinator):
    absence = request(resident_user, program, me)

    approved = absence_request_approve(absence=absence, user=coordinator, reason="Enjoy")

    assert (approved.status, approved.decided_by, approved.decision_reason) == ("approved", coordinator, "Enjoy")
    assert approved.decided_at is not None
    item = Notification.objects.get(event="absence_decided", recipient=resident_user)
    assert "approved" in item.title and "Enjoy" in item.body
    with pytest.raises(ConflictError, match="already approved"):
        absence_request_approve(absence=absence, user=coordinator)


def test_reject_needs_a_reason_and_tells_the_person(program, me, resident_user, coordinator):
    absence = request(resident_user, program, me)

    with pytest.raises(DomainError, match="Say why"):
        absence_request_reject(absence=absence, user=coordinator, reason=" ")
    rejected = absence_request_reject(absence=absence, user=coordinator, reason="Short-staffed that week")

    assert (rejected.status, rejected.decision_reason) == ("rejected", "Short-staffed that week")
    assert Notification.objects.filter(event="absence_decided", recipient=resident_user).exists()


def test_owner_cancels_a_request_but_not_an_approved_absence(program, me, resident_user, coordinator):
    first = request(resident_user, program, me)
    assert absence_request_cancel(absence=first, user=resident_user).status == "cancelled"

    second = request(resident_user, program, me)
    absence_request_approve(absence=second, user=coordinator)
    with pytest.raises(PermissionDenied, match="coordinator"):
        absence_request_cancel(absence=second, user=resident_user)
    assert absence_request_cancel(absence=second, user=coordinator).status == "cancelled"


def test_another_resident_cannot_cancel_my_absence(program, me, resident_user, member):
    absence = request(resident_user, program, me)
    stranger = member(Role.RESIDENT)

    with pytest.raises(PermissionDenied):
        absence_request_cancel(absence=absence, user=stranger)


def test_extending_a_deployment_checks_overlaps_again(program, coordinator):
    person = ResidentFactory(program=program)
    deployment = request(
        coordinator, program, person, kind=AbsenceKind.DEPLOYMENT, orders_reference="ORD-9", end=D(2026, 8, 31)
    )
    absence_request_approve(absence=deployment, user=_second(program))
    AbsenceFactory(program=program, person=person, start_date=D(2026, 9, 20), end_date=D(2026, 9, 25))

    extended = absence_extend(absence=deployment, user=coordinator, end_date=D(2026, 9, 15))
    assert extended.end_date == D(2026, 9, 15)
    with pytest.raises(ConflictError, match="overlaps"):
        absence_extend(absence=deployment, user=coordinator, end_date=D(2026, 9, 30))
    with pytest.raises(DomainError, match="before it starts"):
        absence_extend(absence=deployment, user=coordinator, end_date=D(2026, 7, 1))


def _second(program):
    from tests.tenants.factories import MembershipFactory, UserFactory

    user = UserFactory()
    MembershipFactory(user=user, organization=program, role=Role.COORDINATOR)
    return user


def test_an_approved_absence_makes_the_person_unavailable_to_the_engine(program, coordinator):
    year = academic_year_create(program=program, start_date=D(2026, 7, 1), make_current=True)
    RotationTemplateFactory(program=program)
    person = ResidentFactory(program=program)
    half = ResidentFactory(program=program)
    absence = AbsenceFactory(
        program=program,
        person=person,
        kind=AbsenceKind.TDY,
        orders_reference="T-1",
        start_date=D(2026, 6, 20),
        end_date=D(2026, 7, 10),
    )
    AbsenceFactory(
        program=program,
        person=half,
        start_date=D(2026, 7, 8),
        end_date=D(2026, 7, 8),
        half_day="am",
        status=Absence.Status.APPROVED,
    )
    morning = (person_key(half.pk), D(2026, 7, 8), D(2026, 7, 8), "vacation", "AM")  # the half-day: its session
    rows = lambda: [(a.person, a.start, a.end, a.kind, a.session) for a in problem_for(  # noqa: E731
        academic_year=year, blocks=range(1, 2)).absences]  # fmt: skip
    assert rows() == [morning]  # the TDY is requested: not yet

    absence_request_approve(absence=absence, user=coordinator)

    assert rows() == [(person_key(person.pk), D(2026, 7, 1), D(2026, 7, 10), "tdy", None), morning]  # clipped
    absence_request_cancel(absence=absence, user=coordinator)
    assert rows() == [morning]


def test_another_programs_coordinator_cannot_decide(program, other_program, me, resident_user, member):
    absence = request(resident_user, program, me)
    stranger = member(Role.COORDINATOR, in_program=other_program)

    with pytest.raises(PermissionDenied):
        absence_request_approve(absence=absence, user=stranger)
    with pytest.raises(PermissionDenied):
        request(stranger, program, me)
