"""API: a user's own notifications and preferences only, in the active program; problem+json errors."""

import json

import pytest
from django.test import Client

from notifications.events import Channel, Event
from notifications.models import Notification, Preference
from tenants.models import Role
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
PREFS = "/api/v1/notification-preferences/me/"


@pytest.fixture
def resident(member):
    return member(Role.RESIDENT, email="ria@example.org")


def test_list_shows_only_my_notifications_in_the_program(
    api_as, program, other_program, member, resident, django_assert_max_num_queries
):
    mine = NotificationFactory.create_batch(3, program=program, recipient=resident)
    NotificationFactory(program=program, recipient=member(Role.RESIDENT))
    NotificationFactory(program=program, recipient=member(Role.COORDINATOR))
    NotificationFactory(program=other_program, recipient=resident)

    with django_assert_max_num_queries(5):
        response = api_as(resident).get(LIST)

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {item.pk for item in mine}
    assert response.json()["results"][0].keys() == {
        "id",
        "event",
        "title",
        "body",
        "link",
        "unread",
        "read_at",
        "created_at",
    }


def test_a_manager_never_sees_a_residents_notifications(api_as, program, coordinator, resident):
    theirs = NotificationFactory(program=program, recipient=resident)
    client = api_as(coordinator)

    assert client.get(LIST).json()["results"] == []
    response = client.get(f"{LIST}{theirs.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert client.post(f"{LIST}{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_filter_unread_and_event(api_as, program, resident):
    NotificationFactory(program=program, recipient=resident, event=Event.SWAP_REQUESTED)
    NotificationFactory(program=program, recipient=resident, read_at="2026-01-01T00:00Z")
    client = api_as(resident)

    assert [row["unread"] for row in client.get(LIST, {"unread": "true"}).json()["results"]] == [True]
    assert [row["unread"] for row in client.get(LIST, {"unread": "false"}).json()["results"]] == [False]
    assert [row["event"] for row in client.get(LIST, {"event": "swap_requested"}).json()["results"]] == [
        "swap_requested"
    ]
    bad = client.get(LIST, {"event": "party"})
    assert bad.status_code == 400 and "event" in bad.json()["errors"]


def test_mark_one_and_all_read(api_as, program, other_program, resident):
    first, _second, _third = NotificationFactory.create_batch(3, program=program, recipient=resident)
    elsewhere = NotificationFactory(program=other_program, recipient=resident)
    client = api_as(resident)

    response = client.post(f"{LIST}{first.pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert client.post(f"{LIST}read-all/").json() == {"marked_read": 2}
    assert not Notification.objects.filter(program=program, read_at__isnull=True).exists()
    elsewhere.refresh_from_db()
    assert elsewhere.read_at is None


def test_unauthenticated_requests_get_problem_json(api_client):
    response = api_client.get(LIST)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_program_i_do_not_belong_to_is_refused(api_as, resident, other_program):
    response = api_as(resident, in_program=other_program).get(LIST)
    assert response.status_code == 403
    assert "X-Organization-ID" in response.json()["detail"]


def test_preferences_get_put_patch(api_as, resident):
    client = api_as(resident)

    current = client.get(PREFS).json()
    assert current["channels"]["schedule_published"] == Channel.EMAIL_NOW
    assert current["channels"]["run_finished"] == Channel.IN_APP
    assert (current["digest_hour"], current["quiet_start"], current["time_zone"]) == (7, None, "America/New_York")

    put = client.put(
        PREFS,
        {"channels": {"swap_requested": "off"}, "digest_hour": 18, "quiet_start": 22, "quiet_end": 6},
        format="json",
    )
    assert put.status_code == 200
    assert put.json()["channels"]["swap_requested"] == "off" and put.json()["quiet_start"] == 22

    patch = client.patch(PREFS, {"digest_hour": 6}, format="json")
    assert patch.json()["digest_hour"] == 6 and patch.json()["quiet_end"] == 6
    assert patch.json()["channels"]["swap_requested"] == "off"
    assert Preference.objects.get(user=resident).channel == "off"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"channels": {"party": "off"}}, "channels"),
        ({"channels": {"swap_requested": "pigeon"}}, "channels"),
        ({"digest_hour": 24}, "digest_hour"),
        ({"quiet_start": 22}, "quiet_end"),
    ],
)
def test_bad_preferences_are_problem_json_naming_the_field(api_as, resident, payload, field):
    response = api_as(resident).patch(PREFS, payload, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_equal_quiet_hours_are_refused_with_a_clear_message(api_as, resident):
    response = api_as(resident).patch(PREFS, {"quiet_start": 5, "quiet_end": 5}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Quiet hours must end at another hour than they start."


def test_preferences_are_my_own(api_as, member, resident):
    api_as(resident).patch(PREFS, {"channels": {"swap_requested": "off"}}, format="json")
    other = member(Role.RESIDENT)
    assert api_as(other).get(PREFS).json()["channels"]["swap_requested"] == Channel.EMAIL_NOW


def test_schema_documents_the_notification_endpoints(db):
    schema = json.loads(Client().get("/api/schema/", {"format": "json"}).content)
    paths = schema["paths"]
    assert set(paths["/api/v1/notifications/"]) == {"get"}
    assert set(paths["/api/v1/notifications/{id}/read/"]) == {"post"}
    assert set(paths["/api/v1/notifications/read-all/"]) == {"post"}
    assert set(paths["/api/v1/notification-preferences/me/"]) == {"get", "put", "patch"}
    parameters = {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
    assert {"unread", "event", "X-Organization-ID"} <= parameters
