"""The absences API: create for self, list and filter, approve/reject/cancel, balances, notes, tenancy."""

import datetime as dt

import pytest

from absences.models import Absence, AbsenceKind
from tenants.models import Role
from tests.absences.factories import AbsenceFactory, AbsenceLimitFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/absences/"
D = dt.date


@pytest.fixture
def me(program, resident_user):
    return ResidentFactory(program=program, user=resident_user)


@pytest.fixture
def peer(program, member):
    return ResidentFactory(program=program, user=member(Role.RESIDENT), last_name="Peer")


def test_resident_creates_for_themselves(api_as, resident_user, me):
    response = api_as(resident_user).post(
        URL, {"kind": "vacation", "start_date": "2026-08-03", "end_date": "2026-08-07", "note": "trip"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["person"], body["status"], body["days"], body["note"]) == (me.pk, "requested", 5.0, "trip")


def test_resident_cannot_create_for_another_person(api_as, resident_user, me, peer):
    response = api_as(resident_user).post(
        URL, {"person": peer.pk, "kind": "sick", "start_date": "2026-08-03", "end_date": "2026-08-03"}, format="json"
    )

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")


def test_refusals_are_problems_with_a_clear_detail(api_as, resident_user, me, program):
    AbsenceLimitFactory(program=program, kind=AbsenceKind.VACATION, days_per_year=3)
    client = api_as(resident_user)

    backwards = client.post(URL, {"kind": "sick", "start_date": "2026-08-03", "end_date": "2026-08-01"}, format="json")
    over = client.post(URL, {"kind": "vacation", "start_date": "2026-08-03", "end_date": "2026-08-07"}, format="json")
    client.post(URL, {"kind": "sick", "start_date": "2026-08-03", "end_date": "2026-08-04"}, format="json")
    overlap = client.post(URL, {"kind": "sick", "start_date": "2026-08-04", "end_date": "2026-08-05"}, format="json")

    assert backwards.status_code == 400 and "before it starts" in backwards.json()["detail"]
    assert over.status_code == 400 and "3 days remaining" in over.json()["detail"]
    assert overlap.status_code == 409 and "overlaps" in overlap.json()["detail"]


def test_resident_lists_only_their_own_and_never_anothers_note(api_as, resident_user, me, peer, program):
    AbsenceFactory(program=program, person=me, note="mine")
    theirs = AbsenceFactory(
        program=program, person=peer, note="peer secret", start_date=D(2026, 9, 1), end_date=D(2026, 9, 1)
    )
    client = api_as(resident_user)

    listed = client.get(URL).json()["results"]

    assert [row["person"] for row in listed] == [me.pk] and listed[0]["note"] == "mine"
    assert "peer secret" not in client.get(URL).content.decode()
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404


def test_manager_sees_notes_and_filters(api_as, coordinator, me, peer, program, django_assert_max_num_queries):
    AbsenceFactory(program=program, person=me, kind=AbsenceKind.SICK, note="flu")
    AbsenceFactory(program=program, person=peer, start_date=D(2026, 9, 1), end_date=D(2026, 9, 3), status="approved")
    client = api_as(coordinator)

    with django_assert_max_num_queries(12):
        everything = client.get(URL).json()["results"]
    sick = client.get(URL, {"kind": "sick"}).json()["results"]
    september = client.get(URL, {"date_from": "2026-09-02", "date_to": "2026-09-30"}).json()["results"]
    approved_peer = client.get(URL, {"person": peer.pk, "status": "approved"}).json()["results"]

    assert len(everything) == 2 and {row["note"] for row in everything} == {"flu", ""}
    assert [row["person"] for row in sick] == [me.pk]
    assert [row["person"] for row in september] == [peer.pk] == [row["person"] for row in approved_peer]


def test_resident_cannot_approve_their_own_absence(api_as, resident_user, me, program):
    absence = AbsenceFactory(program=program, person=me)

    response = api_as(resident_user).post(f"{URL}{absence.pk}/approve/")

    assert response.status_code == 403
    absence.refresh_from_db()
    assert absence.status == "requested"


def test_coordinator_approves_rejects_and_cancels(api_as, coordinator, me, program):
    first = AbsenceFactory(program=program, person=me)
    second = AbsenceFactory(program=program, person=me, start_date=D(2026, 10, 1), end_date=D(2026, 10, 2))
    client = api_as(coordinator)

    approved = client.post(f"{URL}{first.pk}/approve/", {"reason": "fine"}, format="json")
    no_reason = client.post(f"{URL}{second.pk}/reject/", {}, format="json")
    rejected = client.post(f"{URL}{second.pk}/reject/", {"reason": "clinic short"}, format="json")
    again = client.post(f"{URL}{second.pk}/approve/")
    cancelled = client.post(f"{URL}{first.pk}/cancel/")

    assert (approved.status_code, approved.json()["status"], approved.json()["decision_reason"]) == (
        200,
        "approved",
        "fine",
    )
    assert no_reason.status_code == 400 and "Say why" in no_reason.json()["detail"]
    assert rejected.json()["status"] == "rejected"
    assert again.status_code == 409
    assert cancelled.json()["status"] == "cancelled"


def test_owner_cancels_own_request(api_as, resident_user, me, program):
    absence = AbsenceFactory(program=program, person=me)

    response = api_as(resident_user).post(f"{URL}{absence.pk}/cancel/")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_balances(api_as, resident_user, coordinator, me, peer, program):
    AbsenceLimitFactory(program=program, kind=AbsenceKind.VACATION, days_per_year=20)
    AbsenceFactory(program=program, person=me, start_date=D(2026, 8, 3), end_date=D(2026, 8, 7), status="approved")
    AbsenceFactory(program=program, person=me, start_date=D(2026, 9, 1), end_date=D(2026, 9, 2))

    mine = api_as(resident_user).get(f"{URL}balances/", {"date": "2026-12-01"})
    theirs = api_as(resident_user).get(f"{URL}balances/", {"person": peer.pk})
    managed = api_as(coordinator).get(f"{URL}balances/", {"person": me.pk, "date": "2026-12-01"})

    vacation = next(row for row in mine.json() if row["kind"] == "vacation")
    assert vacation == {
        "kind": "vacation",
        "label": "Vacation",
        "limit": 20,
        "used": 5.0,
        "pending": 2.0,
        "remaining": 13.0,
    }
    assert next(row for row in mine.json() if row["kind"] == "sick")["remaining"] is None
    assert theirs.status_code == 403
    assert managed.json() == mine.json()


def test_balances_without_a_date_count_the_year_of_the_programs_today(api_as, resident_user, me, program, monkeypatch):
    AbsenceLimitFactory(program=program, kind=AbsenceKind.VACATION, days_per_year=20)
    AbsenceFactory(program=program, person=me, start_date=D(2027, 8, 2), end_date=D(2027, 8, 6), status="approved")
    # 02:00 UTC on 1 July 2028 is still 30 June, 22:00, in the program's New York: the 2027-2028 year
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2028, 7, 1, 2, tzinfo=dt.UTC))

    rows = api_as(resident_user).get(f"{URL}balances/").json()

    assert next(row for row in rows if row["kind"] == "vacation")["used"] == 5.0


def test_another_program_sees_nothing(api_as, member, other_program, me, program):
    absence = AbsenceFactory(program=program, person=me)
    stranger = member(Role.COORDINATOR, in_program=other_program)
    client = api_as(stranger, in_program=other_program)

    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{absence.pk}/").status_code == 404
    assert client.post(f"{URL}{absence.pk}/approve/").status_code == 404
    body = {"person": me.pk, "kind": "sick", "start_date": "2026-08-03", "end_date": "2026-08-03"}
    refused = client.post(URL, body, format="json")
    assert refused.status_code == 400 and "person" in refused.json()["errors"]  # unknown in their program
    assert Absence.objects.get().status == "requested" and Absence.objects.count() == 1


def test_schema_documents_the_absence_endpoints(api_as, coordinator):
    schema = api_as(coordinator).get("/api/schema/", {"format": "json"}).json()

    assert {"/api/v1/absences/", "/api/v1/absences/{id}/approve/", "/api/v1/absences/balances/"} <= set(schema["paths"])
