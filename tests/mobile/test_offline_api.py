"""/api/v1/me/offline/: the user's own next 28 days, calls, absences and swaps, and today's on-call list, for the
installed app to keep; nothing of another person's schedule, absences or swaps; another program sees none."""

import datetime as dt

import pytest
from django.urls import reverse

from absences.models import Absence
from scheduling.models import SessionAssignment
from swaps.models import Swap, SwapLeg
from tenants.models import Role
from tests.scheduling.factories import (
    CallAssignmentFactory,
    ResidentFactory,
    RotationTemplateFactory,
    SessionAssignmentFactory,
)
from tests.scheduling.reading_data import published, year_holding
from tests.tenants.test_access_tokens import bearer, make_token

pytestmark = pytest.mark.django_db

OFFLINE = reverse("api:me-offline-list")
ADA_PHONE = "(802) 555-0101"


@pytest.fixture
def mine(program, member):
    """A resident (Ada) with a clinic half-day today, a call tonight, a requested absence with a private note and
    a swap; a colleague (Bob) with his own half-day, absence and note, on call tonight too."""
    today = program.today()
    version = published(year_holding(program, today))
    user = member(Role.RESIDENT, email="ada@example.org")
    ada = ResidentFactory(program=program, user=user, first_name="Ada", last_name="Lovelace", phone=ADA_PHONE, pgy=1)
    bob = ResidentFactory(program=program, first_name="Bob", last_name="Moses", pgy=2)
    clinic = RotationTemplateFactory(program=program, name="Family Medicine Clinic", abbreviation="FMC")
    SessionAssignmentFactory(version=version, person=ada, date=today, session="AM", rotation=clinic)
    SessionAssignmentFactory(
        version=version, person=bob, date=today, session="AM", activity=SessionAssignment.Activity.INPATIENT
    )
    tonight = dt.datetime.combine(today, dt.time(17), tzinfo=program.zone)
    for person in (ada, bob):
        CallAssignmentFactory(version=version, person=person, start=tonight, end=tonight + dt.timedelta(hours=15))
    later = today + dt.timedelta(days=10)
    for person, note in ((ada, "ADA-PRIVATE"), (bob, "BOB-PRIVATE")):
        Absence.objects.create(
            program=program, person=person, kind="vacation", start_date=later, end_date=later, note=note
        )
    year = version.academic_year
    for person in (ada, bob):
        swap = Swap.objects.create(
            program=program, academic_year=year, kind=Swap.Kind.POSTING, status=Swap.Status.PENDING, requester=person
        )
        SwapLeg.objects.create(program=program, swap=swap, giver=person, shift="session", date=today, session="AM")
    return user


def test_url_is_the_documented_one():
    assert OFFLINE == "/api/v1/me/offline/"


def test_a_resident_gets_their_own_28_days_calls_absences_and_swaps(client, program, mine):
    client.force_login(mine)  # the service worker fetches with the session

    response = client.get(OFFLINE)

    assert response.status_code == 200, response.content
    data = response.json()
    today = program.today()
    assert (data["user"], data["person"]["name"], data["today"]) == (mine.pk, "Ada Lovelace", str(today))
    assert len(data["days"]) == 28 and data["days"][-1]["date"] == str(today + dt.timedelta(days=27))
    first = data["days"][0]
    assert first["published"] and first["am"]["code"] == "C" and first["am"]["detail"] == "Family Medicine Clinic"
    assert [call["label"] for call in data["calls"]] == ["In-house call"]
    assert [(a["kind"], a["status"]) for a in data["absences"]] == [("vacation", "requested")]
    assert [s["legs"][0]["giver_name"] for s in data["swaps"]] == ["Ada Lovelace"]
    assert data["generated_at"] and response["ETag"]


def test_nothing_private_of_anyone_is_in_it(client, mine):
    client.force_login(mine)

    body = client.get(OFFLINE).content.decode()

    assert "PRIVATE" not in body  # not even the user's own note: the app does not need it
    assert "Inpatient" not in body  # Bob's half-day
    assert '"Bob Moses"' not in body.replace('"name": "Bob Moses"', "").replace('"name":"Bob Moses"', "")


def test_today_s_on_call_list_is_the_on_call_page_s_with_contacts(client, mine):
    client.force_login(mine)

    on_call = client.get(OFFLINE).json()["on_call_today"]

    assert {(c["name"], c["duty"]) for c in on_call["residents"]} == {
        ("Ada Lovelace", "In-house call"),
        ("Bob Moses", "In-house call"),
    }
    assert ADA_PHONE in {c["phone"] for c in on_call["residents"]}


def test_a_coordinator_gets_their_own_document_not_the_program_s(api_as, coordinator, mine):
    data = api_as(coordinator).get(OFFLINE).json()

    assert data["person"] is None and data["days"] == [] and data["absences"] == [] and data["swaps"] == []
    assert data["user"] == coordinator.pk and data["on_call_today"] is not None


def test_another_program_sees_nothing_of_it(api_as, member, other_program, mine, program):
    stranger = member(Role.RESIDENT, in_program=other_program)

    assert api_as(stranger, in_program=program).get(OFFLINE).status_code == 403
    data = api_as(stranger, in_program=other_program).get(OFFLINE).json()
    assert data["person"] is None and data["program"]["id"] == other_program.pk


def test_clinic_staff_who_have_no_my_schedule_are_refused(api_as, member, mine):
    assert api_as(member(Role.RN)).get(OFFLINE).status_code == 403


def test_anonymous_is_refused_401(api_client, mine):
    response = api_client.get(OFFLINE)

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_an_unchanged_document_is_a_304_and_a_change_renews_the_etag(client, program, mine):
    client.force_login(mine)
    etag = client.get(OFFLINE)["ETag"]

    assert client.get(OFFLINE, headers={"If-None-Match": etag}).status_code == 304
    Absence.objects.filter(person__user=mine).update(status="approved")  # bulk: no signal ...
    Absence.objects.get(person__user=mine).save()  # ... a save renews the generation
    changed = client.get(OFFLINE, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["days"][10]["am"]["label"] == "Vacation (leave)"


def test_a_personal_access_token_with_read_schedule_reads_it(program, mine):
    response = bearer(make_token(mine, program, ["read:schedule"]).secret).get(OFFLINE)

    assert response.status_code == 200 and response.json()["user"] == mine.pk


def test_the_query_count_does_not_grow_with_the_days(client, mine, django_assert_max_num_queries):
    client.force_login(mine)

    with django_assert_max_num_queries(30):
        client.get(OFFLINE)
