"""Resilience through the API (/api/v1/analytics/resilience/, /api/v1/analytics/forecast/): managers only, this
program only, typed figures, bad parameters refused as problems."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from absences.models import Absence
from tenants.models import Role
from tests.analytics.utilisation_data import MONDAY, Ward
from tests.scheduling.test_api import assert_problem
from tests.tenants.factories import UserFactory

pytestmark = pytest.mark.django_db

LEVEL = reverse("api:analytics-resilience-list")
FORECAST = reverse("api:analytics-forecast-list")


@pytest.fixture
def ward(program):
    ward = Ward(program, residents=10, need=6)
    ward.staff(MONDAY, 14, count=6)
    return ward


def test_the_urls_are_under_analytics():
    assert (LEVEL, FORECAST) == ("/api/v1/analytics/resilience/", "/api/v1/analytics/forecast/")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_a_manager_reads_the_level_per_service_with_coverage_and_redundancy(api_as, member, ward, role):
    response = api_as(member(role)).get(LEVEL, {"date": MONDAY.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["level"], body["utilisation"], body["coverage"], body["horizon_days"]) == ("YELLOW", 0.75, 1.0, 14)
    assert "Watch" in body["words"]
    (service,) = body["services"]
    assert (service["label"], service["kind"], service["required_per_day"]) == ("Inpatient ward (WARD)", "rotation", 6)
    monday = service["days"][0]
    assert monday == {
        "date": "2026-08-03",
        "required": 6,
        "eligible": 10,
        "available": 10.0,
        "safe_capacity": 8.0,
        "utilisation": 0.75,
        "level": "YELLOW",
        "available_if_requested": 10.0,
        "utilisation_if_requested": 0.75,
        "level_if_requested": "YELLOW",
        "covered": 6,
        "coverage": 1.0,
        "defense_level": "GREEN",
        "redundancy": "N+2",
        "spare": 4,
    }
    assert len(service["days"]) == 10  # the ward's weekdays in 14 days


def test_the_forecast_shows_approved_and_requested_absences_apart(api_as, coordinator, ward):
    ward.away(ward.people[8], MONDAY + dt.timedelta(days=1))
    ward.away(ward.people[9], MONDAY + dt.timedelta(days=2), status=Absence.Status.REQUESTED)
    response = api_as(coordinator).get(FORECAST, {"start": MONDAY.isoformat(), "days": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["start"], body["end"]) == ("2026-08-03", "2026-08-05")
    days = body["services"][0]["days"]
    assert [d["available"] for d in days] == [10.0, 9.0, 10.0]
    assert [d["available_if_requested"] for d in days] == [10.0, 9.0, 9.0]
    assert [d["level_if_requested"] for d in body["days"]] == ["YELLOW", "ORANGE", "ORANGE"]


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (FORECAST, {"days": "0"}, "days"),
        (FORECAST, {"days": "181"}, "days"),
        (FORECAST, {"days": "９0"}, "days"),
        (FORECAST, {"days": "1e2"}, "days"),
        (FORECAST, {"start": "2026-02-30"}, "start"),
        (FORECAST, {"start": "9999-01-01"}, "start"),
        (LEVEL, {"date": "yesterday"}, "date"),
    ],
)
def test_bad_parameters_are_refused_with_a_problem_naming_them(api_as, coordinator, url, query, field):
    body = assert_problem(api_as(coordinator).get(url, query), 400)
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_residents_and_clinicians_are_refused(api_as, member, ward, role):
    for url in (LEVEL, FORECAST):
        assert_problem(api_as(member(role)).get(url), 403)


def test_another_program_sees_none_of_this_programs_services(api_as, member, ward, program, other_program):
    theirs = member(Role.ADMIN, other_program)
    own = api_as(theirs, other_program)
    assert own.get(LEVEL, {"date": MONDAY.isoformat()}).json()["services"] == []
    assert "Inpatient ward" not in own.get(FORECAST, {"start": MONDAY.isoformat()}).content.decode()
    assert_problem(api_as(theirs, program).get(LEVEL), 403)
    assert_problem(api_as(theirs, program).get(FORECAST), 403)
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert_problem(stranger.get(LEVEL), 403)


def test_nothing_is_writable(api_as, coordinator):
    client = api_as(coordinator)
    assert client.post(LEVEL, {}, format="json").status_code in (403, 405)
    assert client.post(FORECAST, {}, format="json").status_code in (403, 405)


def test_a_forecast_of_180_days_reads_in_a_fixed_number_of_queries(
    api_as, coordinator, ward, django_assert_max_num_queries
):
    for person in ward.people[6:]:
        ward.away(person, MONDAY + dt.timedelta(days=3), MONDAY + dt.timedelta(days=40))
    client = api_as(coordinator)
    with django_assert_max_num_queries(25):
        response = client.get(FORECAST, {"start": MONDAY.isoformat(), "days": 180})
    assert response.status_code == 200
    assert len(response.json()["days"]) == 180
