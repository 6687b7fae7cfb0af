"""Absence pages: list and filters, calendar, request form, decision page; who sees what."""

import datetime as dt

import pytest
from django.urls import reverse

from absences.models import Absence, AbsenceKind
from notifications.models import Notification
from tenants.models import Role
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def me(program, resident_user):
    return ResidentFactory(program=program, user=resident_user, first_name="Rita", last_name="Mine")


@pytest.fixture
def peer(program, member):
    user = member(Role.RESIDENT)
    return ResidentFactory(program=program, user=user, first_name="Paul", last_name="Peer")


def login(client, user):
    client.force_login(user)
    return client


def test_resident_sees_only_their_own_absences(client, me, peer, resident_user, program):
    mine = AbsenceFactory(program=program, person=me, note="my dentist")
    theirs = AbsenceFactory(
        program=program, person=peer, note="peer secret", start_date=D(2026, 9, 1), end_date=D(2026, 9, 2)
    )
    login(client, resident_user)

    page = client.get(reverse("absence-list")).content.decode()
    assert reverse("absence-detail", args=[mine.pk]) in page
    assert "Peer" not in page and "peer secret" not in page

    assert "my dentist" in client.get(reverse("absence-detail", args=[mine.pk])).content.decode()
    assert client.get(reverse("absence-detail", args=[theirs.pk])).status_code == 404


def test_resident_cannot_approve_their_own_absence_on_the_page(client, me, resident_user, program):
    absence = AbsenceFactory(program=program, person=me)
    login(client, resident_user)

    response = client.post(reverse("absence-decide", args=[absence.pk]), {"decision": "approve"})

    assert response.status_code == 403
    absence.refresh_from_db()
    assert absence.status == "requested"
    page = client.get(reverse("absence-detail", args=[absence.pk])).content.decode()
    assert "Approve" not in page


def test_resident_cannot_open_the_conflict_view(client, me, resident_user, program):
    absence = AbsenceFactory(program=program, person=me)
    login(client, resident_user)

    assert client.get(reverse("absence-impact", args=[absence.pk])).status_code == 403


def test_resident_requests_from_the_form(client, me, resident_user, coordinator, program):
    login(client, resident_user)
    form = client.get(reverse("absence-new")).content.decode()
    assert 'name="person"' not in form  # always for oneself

    response = client.post(
        reverse("absence-new"),
        {"kind": "vacation", "start_date": "2026-08-03", "end_date": "2026-08-07", "note": "beach"},
    )

    absence = Absence.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("absence-detail", args=[absence.pk])
    assert (absence.person, absence.note, absence.status) == (me, "beach", "requested")
    assert Notification.objects.filter(recipient=coordinator, event="absence_requested").exists()


def test_request_form_explains_bad_dates_and_overlaps(client, me, resident_user, program):
    AbsenceFactory(program=program, person=me, start_date=D(2026, 8, 3), end_date=D(2026, 8, 7))
    login(client, resident_user)

    backwards = client.post(
        reverse("absence-new"), {"kind": "sick", "start_date": "2026-08-10", "end_date": "2026-08-09"}
    )
    overlap = client.post(
        reverse("absence-new"), {"kind": "sick", "start_date": "2026-08-05", "end_date": "2026-08-09"}
    )

    assert "ends before it starts" in backwards.content.decode()
    assert "overlaps these dates" in overlap.content.decode()
    assert Absence.objects.count() == 1


def test_coordinator_enters_a_deployment_for_a_resident(client, coordinator, peer):
    login(client, coordinator)

    response = client.post(
        reverse("absence-new"),
        {
            "person": peer.pk,
            "kind": "deployment",
            "start_date": "2026-09-01",
            "end_date": "2026-10-26",
            "orders_reference": "ORD-77",
            "location": "Kuwait",
            "tentative_return_date": "2026-10-27",
        },
    )

    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.person, absence.kind, absence.orders_reference) == (peer, "deployment", "ORD-77")


def test_coordinator_approves_from_the_decision_page(client, coordinator, peer, program):
    absence = AbsenceFactory(program=program, person=peer, note="peer secret")
    login(client, coordinator)
    page = client.get(reverse("absence-detail", args=[absence.pk])).content.decode()
    assert "peer secret" in page and reverse("absence-impact", args=[absence.pk]) in page

    client.post(reverse("absence-decide", args=[absence.pk]), {"decision": "approve", "reason": "ok"})

    absence.refresh_from_db()
    assert (absence.status, absence.decided_by) == ("approved", coordinator)


def test_list_filters_for_managers(client, coordinator, me, peer, program, django_assert_max_num_queries):
    AbsenceFactory(program=program, person=me, kind=AbsenceKind.SICK)
    for month in range(8, 12):
        AbsenceFactory(program=program, person=peer, start_date=D(2026, month, 1), end_date=D(2026, month, 2))
    login(client, coordinator)

    with django_assert_max_num_queries(15):
        everyone = client.get(reverse("absence-list")).content.decode()
    only_sick = client.get(reverse("absence-list"), {"kind": "sick"}).content.decode()
    peer_in_sept = client.get(
        reverse("absence-list"), {"person": peer.pk, "start": "2026-09-01", "end": "2026-09-30"}
    ).content.decode()

    assert "<td>Rita Mine</td>" in everyone and everyone.count("<td>Paul Peer</td>") == 4
    assert "<td>Rita Mine</td>" in only_sick and "<td>Paul Peer</td>" not in only_sick
    assert peer_in_sept.count("<td>Paul Peer</td>") == 1 and "<td>Rita Mine</td>" not in peer_in_sept
    assert "1 Sep 2026" in peer_in_sept and "1 Oct 2026" not in peer_in_sept


def test_month_calendar_shows_people_by_day(client, coordinator, me, peer, program, django_assert_max_num_queries):
    AbsenceFactory(program=program, person=me, start_date=D(2026, 8, 3), end_date=D(2026, 8, 4), status="approved")
    AbsenceFactory(
        program=program,
        person=peer,
        kind=AbsenceKind.TDY,
        orders_reference="T",
        start_date=D(2026, 7, 30),
        end_date=D(2026, 8, 1),
    )
    AbsenceFactory(program=program, person=peer, status="rejected", start_date=D(2026, 8, 20), end_date=D(2026, 8, 21))
    login(client, coordinator)

    with django_assert_max_num_queries(15):
        page = client.get(reverse("absence-calendar"), {"month": "2026-08"}).content.decode()

    assert "August 2026" in page
    assert "Rita Mine" in page and "Paul Peer" in page
    assert page.count('class="absence-cell kind-vacation"') == 2  # approved: 3 and 4 August
    assert page.count('class="absence-cell kind-tdy pending"') == 1  # requested: 1 August only in this month
    assert "?month=2026-09" in page and "?month=2026-07" in page


def test_month_calendar_opens_on_the_programs_month_not_the_servers(client, coordinator, monkeypatch):
    # 03:00 UTC on 1 December is still 30 November, 22:00, in the program's New York
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC))
    login(client, coordinator)

    page = client.get(reverse("absence-calendar")).content.decode()

    assert "November 2026" in page and "December 2026" not in page


def test_clinical_staff_have_no_absence_pages(client, member):
    login(client, member(Role.CLINICAL_STAFF))

    assert client.get(reverse("absence-list")).status_code == 403


def test_another_programs_coordinator_gets_404(client, other_program, member, peer, program):
    absence = AbsenceFactory(program=program, person=peer)
    stranger = member(Role.COORDINATOR, in_program=other_program)
    login(client, stranger)

    assert client.get(reverse("absence-detail", args=[absence.pk])).status_code == 404
    assert client.get(reverse("absence-impact", args=[absence.pk])).status_code == 404
    assert client.post(reverse("absence-decide", args=[absence.pk]), {"decision": "approve"}).status_code == 404
    assert "Paul Peer" not in client.get(reverse("absence-list")).content.decode()
