"""GET /api/v1/analytics/fairness/ and the fairness settings section: the page's figures for managers only."""

import pytest

from tenants.models import Role
from tests.analytics.fairness_world import build

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/fairness/"
SETTINGS = "/api/v1/program/settings/fairness/"


@pytest.fixture
def world(program):
    return build(program)


def cohort(body, label, measure):
    found = next(c for c in body["cohorts"] if c["label"] == label)
    return next((m for m in found["measures"] if m["measure"] == measure), None)


def test_figures_of_the_known_schedule(api_as, coordinator, world):
    response = api_as(coordinator).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["span"], body["version_status"]) == (world.version.pk, "year", "published")
    calls = cohort(body, "PGY-1", "call_nights")
    assert {p["name"]: p["value"] for p in calls["people"]} == {"Ann Resident": 3, "Ben Resident": 1, "Dan Resident": 0}
    assert (calls["gini"], calls["fairness"], calls["rating"], calls["spread"]) == (0.5, 0.5, "poor", 3)
    assert [p["name"] for p in calls["people"] if p["flagged"]] == ["Ann Resident"]
    fmit = cohort(body, "Faculty", "fmit_weeks")
    assert {p["name"]: p["value"] for p in fmit["people"]} == {"Fay Faculty": 2, "Gus Faculty": 0}
    assert cohort(body, "PGY-2", "night_float_weeks")["fairness"] == 1.0
    assert {p["name"]: p["value"] for p in cohort(body, "PGY-1", "wishes_granted")["people"]} == {
        "Ben Resident": 50,
        "Dan Resident": 100,
    }


def test_year_to_date_and_a_version_by_id(api_as, program_admin, world):
    body = api_as(program_admin).get(URL, {"span": "ytd", "version": world.version.pk, "year": world.last_year.pk})
    assert body.status_code == 200
    assert body.json()["span"] == "ytd" and body.json()["version"] == world.version.pk  # the version names its year


def test_carry_over_set_through_the_api_adds_last_year(api_as, coordinator, world):
    client = api_as(coordinator)
    assert client.get(SETTINGS).json() == {"carry_over_equity": False}
    assert client.patch(SETTINGS, {"carry_over_equity": True}, format="json").status_code == 200
    body = client.get(URL).json()
    assert body["carry_over"] is True and body["carried_from"] == world.last_year.pk
    ben = next(p for p in cohort(body, "PGY-1", "call_nights")["people"] if p["name"] == "Ben Resident")
    assert (ben["value"], ben["this_span"], ben["carried_over"]) == (3, 1, 2)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"span": "decade"}, "span"),
        ({"version": "final"}, "version"),
        ({"version": "999999"}, "version"),
        ({"year": "x"}, "year"),
        ({"year": "999999"}, "year"),
        ({"year": "1" * 23}, "year"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api_as, coordinator, world, query, field):
    response = api_as(coordinator).get(URL, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]


def test_a_bad_setting_is_refused_and_stores_nothing(api_as, coordinator, world):
    response = api_as(coordinator).patch(SETTINGS, {"carry_over_equity": "often"}, format="json")
    assert response.status_code == 400
    assert "carry_over_equity" in response.json()["errors"]
    world.program.refresh_from_db()
    assert "fairness" not in (world.program.settings or {})


def test_a_year_without_a_published_schedule_is_a_404(api_as, coordinator, world):
    world.version.delete()
    response = api_as(coordinator).get(URL)
    assert response.status_code == 404
    assert "has no published schedule" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_clinicians_are_refused(api_as, member, world, role):
    client = api_as(member(role))
    assert client.get(URL).status_code == 403
    assert client.get(SETTINGS).status_code == 403
    assert client.patch(SETTINGS, {"carry_over_equity": True}, format="json").status_code == 403


def test_a_manager_of_another_program_sees_nothing_of_this_one(api_as, member, world, other_program):
    outsider = member(Role.ADMIN, in_program=other_program)
    assert api_as(outsider, in_program=world.program).get(URL).status_code == 403
    own = api_as(outsider, in_program=other_program)
    response = own.get(URL, {"version": world.version.pk})
    assert response.status_code == 400 and "version" in response.json()["errors"]
    assert own.get(URL).status_code == 404  # their program has no year: nothing of this program's shows
    own.patch(SETTINGS, {"carry_over_equity": True}, format="json")
    world.program.refresh_from_db()
    assert "fairness" not in (world.program.settings or {})
