"""The contingency API: managers start (Idempotency-Key replays), list, read with findings and cancel analyses of
their own program; residents are refused and another program sees nothing; bad input is a problem+json 400."""

import pytest
from django.urls import reverse

from analytics.contingency import contingency_run_in_process
from analytics.models import ContingencyAnalysis
from tenants.models import Role
from tests.analytics.test_contingency import start, with_sole_provider
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

LIST = reverse("api:contingency-analysis-list")
PROBLEM = "application/problem+json"


def detail(pk: int) -> str:
    return reverse("api:contingency-analysis-detail", args=[pk])


def test_a_coordinator_starts_an_analysis_once_per_idempotency_key(api_as, coordinator, program):
    year, _ = tiny_program(program, coordinator)
    client = api_as(coordinator)
    client.credentials(**{**client._credentials, "HTTP_IDEMPOTENCY_KEY": "contingency-1"})
    body = {"academic_year": year.pk, "first_block": 1, "last_block": 1, "depth": 2}

    first = client.post(LIST, body, format="json")
    retry = client.post(LIST, body, format="json")

    assert first.status_code == retry.status_code == 201, first.content
    assert retry["Idempotent-Replayed"] == "true" and retry["Location"] == first["Location"]
    assert first.json()["status"] == "queued" and first.json()["total"] == 8 and first.json()["depth"] == 2
    assert ContingencyAnalysis.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"depth": 3}, "depth"),
        ({"first_block": 0}, "first_block"),
        ({"last_block": "x"}, "last_block"),
    ],
)
def test_bad_input_is_a_problem_and_starts_nothing(api_as, coordinator, program, body, field):
    year, _ = tiny_program(program, coordinator)
    sent = {"academic_year": year.pk, "first_block": 1, "last_block": 1, "depth": 1, **body}

    response = api_as(coordinator).post(LIST, sent, format="json")

    assert response.status_code == 400 and response["Content-Type"].startswith(PROBLEM)
    assert field in response.json()["errors"]
    assert not ContingencyAnalysis.objects.exists()


def test_a_block_the_year_does_not_have_is_refused_by_the_service(api_as, coordinator, program):
    year, _ = tiny_program(program, coordinator)
    sent = {"academic_year": year.pk, "first_block": 2, "last_block": 14}

    response = api_as(coordinator).post(LIST, sent, format="json")

    assert response.status_code == 400 and response["Content-Type"].startswith(PROBLEM)
    assert "Block 14 does not exist" in response.json()["detail"]
    assert not ContingencyAnalysis.objects.exists()


def test_the_detail_has_the_summary_and_every_finding(api_as, coordinator, program):
    year, provider = with_sole_provider(program, coordinator)
    analysis = start(year, coordinator)
    contingency_run_in_process(analysis.pk)

    body = api_as(coordinator).get(detail(analysis.pk)).json()

    assert body["status"] == "succeeded" and body["done"] == body["total"] == 8
    assert len(body["findings"]) == 8
    lost = next(f for f in body["findings"] if f["person"] == provider.pk)
    assert lost["result"] == "infeasible" and lost["person_name"] == provider.full_name
    assert [item["name"] for item in body["summary"]["critical"]] == [provider.full_name]
    listed = api_as(coordinator).get(LIST).json()
    assert [row["id"] for row in listed["results"]] == [analysis.pk] and "findings" not in listed["results"][0]


def test_cancel_through_the_api(api_as, coordinator, program):
    year, _ = tiny_program(program, coordinator)
    analysis = start(year, coordinator)

    response = api_as(coordinator).post(detail(analysis.pk) + "cancel/")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = api_as(coordinator).post(detail(analysis.pk) + "cancel/")
    assert again.status_code == 409 and again["Content-Type"].startswith(PROBLEM)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_clinicians_are_refused(api_as, coordinator, program, member, role):
    year, _ = tiny_program(program, coordinator)
    analysis = start(year, coordinator)
    client = api_as(member(role))

    assert client.get(LIST).status_code == 403
    assert client.get(detail(analysis.pk)).status_code == 403
    started = client.post(LIST, {"academic_year": year.pk, "first_block": 1, "last_block": 1}, format="json")
    assert started.status_code == 403
    assert ContingencyAnalysis.objects.count() == 1


def test_a_manager_of_another_program_sees_and_changes_nothing_here(
    api_as, coordinator, program, member, other_program
):
    year, _ = tiny_program(program, coordinator)
    analysis = start(year, coordinator)
    stranger = api_as(member(Role.COORDINATOR, in_program=other_program), in_program=other_program)

    assert stranger.get(LIST).json()["results"] == []
    assert stranger.get(detail(analysis.pk)).status_code == 404
    assert stranger.post(detail(analysis.pk) + "cancel/").status_code == 404
    started = stranger.post(LIST, {"academic_year": year.pk, "first_block": 1, "last_block": 1}, format="json")
    assert started.status_code == 400 and "academic_year" in started.json()["errors"]
    analysis.refresh_from_db()
    assert analysis.status == "queued" and ContingencyAnalysis.objects.count() == 1
