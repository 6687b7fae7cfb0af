"""Fallback pages and API: managers read and change, residents are refused, another program sees nothing of this one."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.fallbacks import fallback_create, load_shedding_order, load_shedding_order_set
from analytics.models_fallbacks import Fallback, LoadSheddingStep
from analytics.views.fallbacks import panel_context
from scheduling.models import Person, ScheduleRun, ScheduleVersion
from tenants.models import Role
from tests.scheduling.factories import (
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleRunFactory,
    ScheduleVersionFactory,
)
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

LIST = reverse("analytics-fallbacks")
NEW = reverse("analytics-fallback-new")
SHEDDING = reverse("analytics-load-shedding")
API = "/api/v1/fallbacks/"
ORDER_API = "/api/v1/fallbacks/load-shedding-order/"


@pytest.fixture
def year(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    return year


@pytest.fixture
def published(year):
    """A published version (empty: enough to start a fallback, which is not computed here)."""
    return ScheduleVersionFactory(
        academic_year=year, status=ScheduleVersion.Status.PUBLISHED, published_at="2026-06-01T00:00Z"
    )


def _pgy2(program):
    return list(Person.objects.filter(program=program, pgy=2).order_by("pk"))


def test_a_coordinator_names_a_scenario_on_the_page_and_sees_it_listed(
    client, coordinator, program, year, published, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    page = client.get(LIST)
    assert page.status_code == 200 and "Name a scenario" in page.content.decode()

    lost = _pgy2(program)
    data = {"name": "Lose 2 PGY-2s for block 6", "academic_year": year.pk, "first_block": 6, "last_block": 6}
    with django_capture_on_commit_callbacks(execute=False):  # queued, not solved here
        answer = client.post(NEW, {**data, "people": [p.pk for p in lost]})
    assert answer.status_code == 302
    fallback = Fallback.objects.get()
    assert set(fallback.lost.all()) == set(lost)
    assert fallback.run.status == ScheduleRun.Status.QUEUED
    assert fallback.run.parameters["scenario"]["label"] == "Lose 2 PGY-2s for block 6"
    listed = client.get(LIST).content.decode()
    assert "Lose 2 PGY-2s for block 6" in listed and "Queued" in listed
    assert panel_context(_request(coordinator, program))["fallbacks"]["active"] == 1


def test_a_cohort_scenario_picks_the_most_critical_of_the_pgy(
    client, coordinator, program, year, published, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    data = {"name": "Lose a PGY-3", "academic_year": year.pk, "first_block": 2, "last_block": 2, "pgy": 3, "count": 1}
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(NEW, data).status_code == 302
    fallback = Fallback.objects.get()
    assert [p.pgy for p in fallback.lost.all()] == [3]
    assert fallback.picked == "the 1 most critical PGY-3 resident"


def test_a_bad_scenario_on_the_page_is_shown_with_its_reason_and_nothing_is_written(
    client, coordinator, program, year, published, other_program
):
    client.force_login(coordinator)
    stranger = ResidentFactory(program=other_program)
    base = {"name": "X", "academic_year": year.pk, "first_block": 2, "last_block": 2}
    for data, reason in (
        (base, "Tick the people the scenario loses"),
        ({**base, "people": [stranger.pk]}, "Select a valid choice"),
        ({**base, "first_block": 20, "last_block": 20, "pgy": 2, "count": 1}, "Block 20 does not exist"),
        ({**base, "pgy": 2, "count": 5}, "the scenario loses 5"),
    ):
        answer = client.post(NEW, data)
        assert answer.status_code == 400
        assert reason in answer.content.decode()
    assert not Fallback.objects.exists() and not ScheduleRun.objects.exists()


def test_the_order_page_moves_services_with_buttons(client, coordinator, program):
    icu = RotationTemplateFactory(program=program, name="ICU")
    client.force_login(coordinator)
    client.post(SHEDDING, {"service": str(icu.pk), "move": "add"})
    client.post(SHEDDING, {"service": "clinic", "move": "add"})
    client.post(SHEDDING, {"service": "clinic", "move": "up"})
    page = client.get(SHEDDING).content.decode()
    assert "Move Continuity clinic down" in page and "Move ICU up" in page
    assert [s.name for s in load_shedding_order(program=program)] == ["Continuity clinic", "ICU"]
    answer = client.post(SHEDDING, {"service": "clinic", "move": "add"}, follow=True)
    assert "already in the load-shedding order" in answer.content.decode()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_clinicians_are_refused_the_pages(client, member, role, program):
    client.force_login(member(role))
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, {}).status_code == 403
    assert client.get(SHEDDING).status_code == 403
    assert client.post(SHEDDING, {"service": "clinic", "move": "add"}).status_code == 403
    assert not LoadSheddingStep.objects.exists()


def test_a_manager_of_another_program_sees_and_changes_nothing_of_this_one(
    client, member, program, other_program, year, published, coordinator, django_capture_on_commit_callbacks
):
    icu = RotationTemplateFactory(program=program, name="Intensive care")
    load_shedding_order_set(program=program, user=coordinator, services=[icu.pk])
    with django_capture_on_commit_callbacks(execute=False):
        fallback_create(
            academic_year=year, lost_person_ids=[_pgy2(program)[0].pk], first_block=2, last_block=2,
            name="Ours: lose one", user=coordinator,
        )  # fmt: skip
    outsider = member(Role.ADMIN, in_program=other_program)
    client.force_login(outsider)
    assert "Ours: lose one" not in client.get(LIST).content.decode()
    assert "Intensive care" not in client.get(SHEDDING).content.decode()
    data = {"name": "Theirs", "academic_year": year.pk, "first_block": 2, "last_block": 2}
    assert client.post(NEW, {**data, "people": [_pgy2(program)[0].pk]}).status_code == 400
    client.post(SHEDDING, {"service": str(icu.pk), "move": "add"})
    assert load_shedding_order(program=other_program) == []
    assert Fallback.objects.count() == 1

    api = _api(outsider, other_program)
    listed = api.get(API).json()
    assert "Ours: lose one" not in str(listed)
    assert api.get(f"{API}{Fallback.objects.get().pk}/").status_code == 404
    refused = api.put(ORDER_API, {"services": [str(icu.pk)]}, format="json")
    assert refused.status_code == 400 and "has no active rotation" in refused.json()["detail"]


def _api(user, program):
    api = APIClient()
    api.force_authenticate(user)
    api.credentials(HTTP_X_ORGANIZATION_ID=str(program.pk))
    return api


def _request(user, program):
    request = RequestFactory().get(LIST)
    request.user, request.program = user, program
    return request


# API


def test_api_creates_lists_and_shows_a_fallback(
    api_as, coordinator, program, year, published, django_capture_on_commit_callbacks
):
    api = api_as(coordinator)
    lost = _pgy2(program)
    body = {
        "name": "Lose 2 PGY-2s",
        "academic_year": year.pk,
        "first_block": 2,
        "last_block": 2,
        "lost": [p.pk for p in lost],
    }
    with django_capture_on_commit_callbacks(execute=False):
        made = api.post(API, body, format="json")
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["status"] == "queued" and {p["id"] for p in data["lost"]} == {p.pk for p in lost}
    assert data["version"] is None and data["shed"] == []
    listed = api.get(API).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["name"] for r in rows] == ["Lose 2 PGY-2s"]
    assert api.get(f"{API}{data['id']}/").json()["first_block"] == 2


def test_api_refuses_a_bad_scenario_as_a_problem_and_writes_nothing(api_as, coordinator, program, year, published):
    api = api_as(coordinator)
    base = {"name": "X", "academic_year": year.pk, "first_block": 2, "last_block": 2}
    for body, field in (
        (base, "lost"),
        ({**base, "lost": [999999]}, None),
        ({**base, "lost": [1], "pgy": 2, "count": 1}, "lost"),
        ({**base, "first_block": 0, "lost": [1]}, "first_block"),
    ):
        answer = api.post(API, body, format="json")
        assert answer.status_code == 400
        assert answer["Content-Type"].startswith("application/problem+json")
        if field:
            assert field in answer.json()["errors"]
        else:
            assert "No active person of Family Medicine has id 999999" in answer.json()["detail"]
    assert not Fallback.objects.exists() and not ScheduleRun.objects.exists()


def test_api_reads_and_replaces_the_load_shedding_order(api_as, coordinator, program):
    icu = RotationTemplateFactory(program=program, name="ICU")
    api = api_as(coordinator)
    assert api.get(ORDER_API).json() == []
    put = api.put(ORDER_API, {"services": [str(icu.pk), "clinic"]}, format="json")
    assert put.status_code == 200
    assert put.json() == [{"key": str(icu.pk), "name": "ICU"}, {"key": "clinic", "name": "Continuity clinic"}]
    bad = api.put(ORDER_API, {"services": ["clinic", "clinic"]}, format="json")
    assert bad.status_code == 400 and "appears once" in bad.json()["detail"]
    assert api.put(ORDER_API, {"services": ["wards!"]}, format="json").status_code == 400
    assert [s.name for s in load_shedding_order(program=program)] == ["ICU", "Continuity clinic"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_api_refuses_clinicians(api_as, member, role, program, year):
    api = api_as(member(role))
    assert api.get(API).status_code == 403
    assert api.get(ORDER_API).status_code == 403
    assert api.put(ORDER_API, {"services": ["clinic"]}, format="json").status_code == 403
    body = {"name": "X", "academic_year": year.pk, "first_block": 2, "last_block": 2, "lost": [1]}
    assert api.post(API, body, format="json").status_code == 403
    assert not Fallback.objects.exists() and not LoadSheddingStep.objects.exists()


def _finished_fallbacks(program, year, how_many):
    """Fallbacks whose runs finished with a draft each (rows as a run writes them; no solve here)."""
    for n in range(how_many):
        draft = ScheduleVersionFactory(academic_year=year, note=f"Fallback: scenario {n}")
        run = ScheduleRunFactory(
            academic_year=year,
            status=ScheduleRun.Status.SUCCEEDED,
            statistics={
                "version_id": draft.pk,
                "acgme": {"compliant": True, "violations": 0},
                "scenario": {"shed": [None], "uncovered": []},
            },
        )
        fallback = Fallback.objects.create(
            program=program, name=f"Scenario {n}", academic_year=year, first_block=2, last_block=2, run=run
        )
        fallback.lost.set(_pgy2(program))


def test_the_list_page_and_api_read_a_fixed_number_of_queries(client, api_as, coordinator, program, year):
    client.force_login(coordinator)
    api = api_as(coordinator)
    client.get(LIST), api.get(API)  # the session's first request writes its own rows
    counts = []
    for how_many in (2, 4):
        _finished_fallbacks(program, year, how_many)
        with CaptureQueriesContext(connection) as page:
            answer = client.get(LIST)
        with CaptureQueriesContext(connection) as listed:
            api.get(API)
        counts.append((len(page), len(listed)))
    assert counts[0] == counts[1]
    text = answer.content.decode()
    assert "Continuity clinic" in text and "Compare and publish" in text and "ACGME compliant" in text
