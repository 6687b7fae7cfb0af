"""GET /api/v1/analytics/workload/: the workload page's figures for the program's managers only."""

import pytest

from scheduling.compliance import version_report
from tenants.models import Role
from tests.analytics.workload_data import WEEK, known_year
from tests.scheduling.factories import ScheduleVersionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/workload/"


@pytest.fixture
def setup(program):
    return known_year(program)


def test_hours_continuity_and_blocks_of_the_known_schedule(api_as, coordinator, setup):
    response = api_as(coordinator).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["version_status"], body["limit"]) == (setup.version.pk, "published", 80.0)
    rita = next(r for r in body["residents"] if r["person"] == setup.rita.pk)
    week = body["weeks"].index(WEEK.isoformat())
    assert (rita["hours"][week], rita["over"][week], rita["flag"], rita["weeks_over"]) == (88.0, True, "over", 1)
    assert len(rita["hours"]) == len(rita["averages"]) == len(body["weeks"]) == 53
    continuity = next(c for c in body["continuity"] if c["person"] == setup.rita.pk)
    assert (continuity["share"], continuity["usual_weekday_name"]) == (0.75, "Tuesday")
    checker = version_report(version=setup.version)
    assert sum(b["violations"] for b in body["blocks"]) == body["violations"]
    assert body["violations"] == sum(1 for v in checker.violations if v.severity == "violation")
    assert body["blocks"][0]["clean"] is False and body["blocks"][-1]["clean"] is True
    assert body["faculty"][0]["name"] == "Fay Faculty" and body["faculty"][0]["max_week"] == 10.0


def test_one_person_and_a_draft_by_id(api_as, program_admin, setup, program):
    draft = ScheduleVersionFactory(academic_year=setup.year, program=program, number=2)
    client = api_as(program_admin)

    one = client.get(URL, {"person": setup.rita.pk}).json()
    other = client.get(URL, {"version": draft.pk, "year": setup.year.pk}).json()

    assert [r["name"] for r in one["residents"]] == ["Rita Resident"] and one["faculty"] == []
    assert [c["name"] for c in one["continuity"]] == ["Rita Resident"]
    assert other["version"] == draft.pk and other["compliant"] is True and other["people_over"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"version": "final"}, "version"),
        ({"version": "999999"}, "version"),
        ({"year": "x"}, "year"),
        ({"year": "999999"}, "year"),
        ({"person": "²"}, "person"),
        ({"person": "1" * 23}, "person"),
        ({"person": "999999"}, "person"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api_as, coordinator, setup, query, field):
    response = api_as(coordinator).get(URL, query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]


def test_a_year_without_a_published_schedule_is_a_404(api_as, coordinator, setup):
    setup.version.delete()

    response = api_as(coordinator).get(URL)

    assert response.status_code == 404 and "has no published schedule" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_clinicians_are_refused(api_as, member, setup, role):
    assert api_as(member(role)).get(URL).status_code == 403


def test_a_manager_of_another_program_sees_nothing_of_this_one(api_as, member, setup, other_program):
    outsider = member(Role.ADMIN, in_program=other_program)
    assert api_as(outsider, in_program=setup.year.program).get(URL).status_code == 403
    own = api_as(outsider, in_program=other_program)

    by_version = own.get(URL, {"version": setup.version.pk})
    by_person = own.get(URL, {"person": setup.rita.pk})

    assert by_version.status_code == 400 and "version" in by_version.json()["errors"]
    assert by_person.status_code == 404  # their program has no year: nothing of this program's shows
    assert "Rita" not in by_person.content.decode()


def test_the_schema_documents_the_endpoint(api_as, coordinator):
    schema = api_as(coordinator).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"year", "version", "person"}
    assert "WorkloadSerializer" in str(operation["responses"]["200"]) or "Workload" in str(operation["responses"])
