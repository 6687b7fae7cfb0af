"""Idempotency-Key on POSTs that start work: a retry replays the first answer and makes no second row."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from absences.models import Absence
from scheduling.models import ScheduleRun
from tenants.models import IdempotentRequest, Role
from tests.scheduling.factories import ResidentFactory
from tests.scheduling.test_api_runs import start_body, tiny  # noqa: F401 (a fixture)

ABSENCES = "/api/v1/absences/"
RUNS = reverse("api:schedule-run-list")
PROBLEM = "application/problem+json"
TRIP = {"kind": "vacation", "start_date": "2026-08-03", "end_date": "2026-08-07", "note": "trip"}


@pytest.fixture
def me(program, resident_user):
    return ResidentFactory(program=program, user=resident_user)


def keyed(client: APIClient, key: str) -> APIClient:
    client.credentials(**{**client._credentials, "HTTP_IDEMPOTENCY_KEY": key})
    return client


@pytest.mark.django_db
def test_retried_absence_request_creates_one_row_and_replays_the_answer(api_as, resident_user, me):
    client = keyed(api_as(resident_user), "3f1c9d1e-retry")

    first = client.post(ABSENCES, TRIP, format="json")
    retry = client.post(ABSENCES, TRIP, format="json")

    assert first.status_code == retry.status_code == 201, retry.content
    assert retry.json() == first.json()
    assert (first["Idempotent-Replayed"], retry["Idempotent-Replayed"]) == ("false", "true")
    assert Absence.objects.count() == 1


@pytest.mark.django_db
def test_retried_schedule_run_start_starts_one_run(api_as, coordinator, tiny):  # noqa: F811
    client = keyed(api_as(coordinator), "run-2026-1")

    first = client.post(RUNS, start_body(tiny), format="json")
    retry = client.post(RUNS, start_body(tiny), format="json")

    assert first.status_code == retry.status_code == 201, retry.content
    assert retry["Location"] == first["Location"] and retry.json()["id"] == first.json()["id"]
    assert ScheduleRun.objects.count() == 1


@pytest.mark.django_db
def test_retried_person_add_adds_one_person(api_as, coordinator, program):
    from scheduling.models import Person

    body = {"kind": "resident", "first_name": "Ada", "last_name": "Okafor", "pgy": 1}
    client = keyed(api_as(coordinator), "add-ada")

    first = client.post("/api/v1/people/", body, format="json")
    retry = client.post("/api/v1/people/", body, format="json")

    assert first.status_code == retry.status_code == 201, retry.content
    assert retry["Idempotent-Replayed"] == "true" and retry["Location"] == first["Location"]
    assert Person.objects.filter(program=program, last_name="Okafor").count() == 1


@pytest.mark.django_db
def test_without_a_key_a_retry_is_a_new_request(api_as, resident_user, me):
    client = api_as(resident_user)

    client.post(ABSENCES, TRIP, format="json")
    retry = client.post(ABSENCES, TRIP, format="json")

    assert retry.status_code == 409 and "overlaps" in retry.json()["detail"]
    assert not retry.has_header("Idempotent-Replayed")


@pytest.mark.django_db
def test_same_key_with_another_body_is_422_and_stores_nothing(api_as, resident_user, me):
    client = keyed(api_as(resident_user), "k-1")
    client.post(ABSENCES, TRIP, format="json")

    other = client.post(ABSENCES, {**TRIP, "start_date": "2026-09-01", "end_date": "2026-09-02"}, format="json")

    assert other.status_code == 422 and other["Content-Type"] == PROBLEM
    body = other.json()
    assert body["code"] == "idempotency_key_reused" and "different request" in body["detail"]
    assert Absence.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_while_the_first_is_still_handled_gets_409_with_retry_after(api_as, resident_user, me):
    client = keyed(api_as(resident_user), "busy")
    # A claim without an answer stands for the first request, still in flight.
    IdempotentRequest.objects.create(
        user=resident_user, key="busy", fingerprint="x" * 64, expires_at=timezone.now() + dt.timedelta(hours=1)
    )

    response = client.post(ABSENCES, TRIP, format="json")

    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    assert response["Retry-After"] == "1" and "still being handled" in response.json()["detail"]
    assert not Absence.objects.exists()


@pytest.mark.django_db
def test_a_claim_abandoned_by_a_crashed_worker_frees_its_key(api_as, resident_user, me):
    IdempotentRequest.objects.create(
        user=resident_user,
        key="crashed",
        fingerprint="x" * 64,
        created_at=timezone.now() - dt.timedelta(minutes=10),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )

    response = keyed(api_as(resident_user), "crashed").post(ABSENCES, TRIP, format="json")

    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_keys_belong_to_their_user(api_as, program, member, resident_user, me):
    peer_user = member(Role.RESIDENT)
    ResidentFactory(program=program, user=peer_user)

    mine = keyed(api_as(resident_user), "shared").post(ABSENCES, TRIP, format="json")
    theirs = keyed(api_as(peer_user), "shared").post(ABSENCES, TRIP, format="json")

    assert mine.status_code == theirs.status_code == 201
    assert theirs["Idempotent-Replayed"] == "false" and theirs.json()["id"] != mine.json()["id"]
    assert Absence.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_is_not_kept_so_the_corrected_one_may_reuse_the_key(api_as, resident_user, me):
    client = keyed(api_as(resident_user), "fix-me")

    refused = client.post(ABSENCES, {**TRIP, "end_date": "2026-08-01"}, format="json")
    corrected = client.post(ABSENCES, TRIP, format="json")

    assert refused.status_code == 400
    assert corrected.status_code == 201 and corrected["Idempotent-Replayed"] == "false"


@pytest.mark.django_db
def test_an_expired_key_is_forgotten(api_as, resident_user, me):
    client = keyed(api_as(resident_user), "old")
    client.post(ABSENCES, TRIP, format="json")
    IdempotentRequest.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    retry = client.post(ABSENCES, TRIP, format="json")

    assert retry.status_code == 409 and "overlaps" in retry.json()["detail"]  # handled anew, not replayed


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there"])
def test_a_malformed_key_is_a_400_naming_the_header(api_as, resident_user, me, key):
    response = keyed(api_as(resident_user), key).post(ABSENCES, TRIP, format="json")

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Absence.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_on_postgresql_make_one_row(program, resident_user, me):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections to PostgreSQL")
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def send() -> None:
        client = APIClient()
        client.force_authenticate(resident_user)
        client.credentials(HTTP_X_ORGANIZATION_ID=str(program.pk), HTTP_IDEMPOTENCY_KEY="race")
        barrier.wait()
        try:
            statuses.append(client.post(ABSENCES, TRIP, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Absence.objects.count() == 1
    assert 201 in statuses and set(statuses) <= {201, 409}


@pytest.mark.django_db
def test_the_schema_documents_the_header_on_each_post_that_starts_work(api_as, coordinator):
    schema = api_as(coordinator).get("/api/schema/?format=json").json()

    documented = sorted(
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        and any(parameter.get("name") == "Idempotency-Key" for parameter in operation.get("parameters", []))
    )

    assert documented == [
        "absence_limits_create",
        "absences_create",
        "analytics_contingency_create",
        "block_assignments_create",
        "call_assignments_create",
        "certifications_import_create",
        "export_templates_create",
        "fallbacks_create",
        "jobs_create",
        "people_create",
        "rotations_create",
        "schedule_runs_create",
        "schedule_versions_publish_create",
        "schedule_versions_restore_create",
        "schedule_versions_undo_create",
        "session_assignments_create",
        "swaps_accept_create",
        "swaps_approve_create",
        "swaps_create",
        "wish_windows_create",
    ]
