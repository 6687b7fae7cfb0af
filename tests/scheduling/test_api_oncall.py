"""Who is on call and today's roster through the API (/api/v1/on-call/, /api/v1/today/): every role that reads the
pages reads the same published cover, with phone and pager; dates are bounded; other programs see none of it."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tenants.models import Role
from tests.scheduling.test_api import assert_problem
from tests.scheduling.test_on_call import ADA_PAGER, ADA_PHONE, MONDAY, week  # noqa: F401 - the published week
from tests.scheduling.test_one_truth import crew, truth  # noqa: F401 - a resident deployed from a short rotation
from tests.tenants.factories import UserFactory
from tests.tenants.test_access_tokens import bearer as token_client
from tests.tenants.test_access_tokens import make_token

pytestmark = pytest.mark.django_db

ON_CALL = reverse("api:on-call-list")
TODAY = reverse("api:today-list")
SPAN = {"date_from": "2026-07-06", "date_to": "2026-07-12"}


def bearer(user, program, scopes) -> APIClient:
    return token_client(make_token(user, program, scopes).secret)


def test_urls_are_the_documented_ones():
    assert (ON_CALL, TODAY) == ("/api/v1/on-call/", "/api/v1/today/")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_week_on_call_with_phone_and_pager(api_as, member, week, role):  # noqa: F811
    response = api_as(member(role)).get(ON_CALL, SPAN)

    assert response.status_code == 200, response.content
    days = response.json()
    assert [day["date"] for day in days] == [str(MONDAY + dt.timedelta(days=i)) for i in range(7)]
    monday, tuesday, saturday = days[0], days[1], days[5]
    assert [(c["name"], c["duty"], c["phone"], c["pager"], c["pgy"]) for c in monday["residents"]] == [
        ("Ada Lovelace", "In-house call", ADA_PHONE, ADA_PAGER, 1)
    ]
    assert dt.datetime.fromisoformat(monday["residents"][0]["start"]) == dt.datetime(
        2026, 7, 6, 17, tzinfo=week.academic_year.program.zone
    )
    assert [c["name"] for c in tuesday["faculty"]] == ["Grace Hopper"]
    assert tuesday["faculty"][0]["start"] is None  # the FMIT attending covers the whole day
    assert saturday["weekend"] and saturday["residents"][0]["duty"].startswith("Weekend")
    assert all(day["published"] for day in days)


@pytest.mark.parametrize("role", [Role.RN, Role.RESIDENT, Role.COORDINATOR])
def test_today_lists_who_is_where_and_who_covers_the_night(api_as, member, week, role):  # noqa: F811
    response = api_as(member(role)).get(TODAY, {"date": "2026-07-06"})

    assert response.status_code == 200, response.content
    roster = response.json()
    assert (roster["date"], roster["version"], roster["is_today"]) == ("2026-07-06", week.pk, False)
    am = {(p["name"], group["label"], p["detail"]) for group in roster["am"] for p in group["people"]}
    assert ("Ada Lovelace", "Family Medicine Clinic") in {(name, detail) for name, _label, detail in am}
    assert "Grace Hopper" in {name for name, _label, _detail in am}
    assert [c["name"] for c in roster["cover"]["residents"]] == ["Ada Lovelace"]
    assert roster["cover"]["residents"][0]["phone"] == ADA_PHONE


def test_a_day_no_published_schedule_holds_says_so(api_as, coordinator, week):  # noqa: F811
    client = api_as(coordinator)
    far = client.get(ON_CALL, {"date_from": "2031-01-01"}).json()
    assert [(day["date"], day["published"], day["residents"]) for day in far] == [("2031-01-01", False, [])]
    today = client.get(TODAY, {"date": "2031-01-01"}).json()
    assert (today["version"], today["am"], today["cover"]) == (None, [], None)


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (ON_CALL, {"date_from": "2026-13-01"}, "date_from"),
        (ON_CALL, {"date_from": "9999-01-01"}, "date_from"),
        (ON_CALL, {"date_from": "2026-07-06", "date_to": "2026-07-05"}, "date_to"),
        (ON_CALL, {"date_from": "2026-07-01", "date_to": "2026-08-01"}, "date_to"),
        (ON_CALL, {"date_to": "0001-01-01"}, "date_to"),
        (TODAY, {"date": "6 July"}, "date"),
        (TODAY, {"date": "2026-07-06\x00"}, "date"),
    ],
)
def test_a_bad_date_is_refused_naming_it(api_as, coordinator, url, query, field):
    body = assert_problem(api_as(coordinator).get(url, query), 400)
    assert list(body["errors"]) == [field]


def test_another_program_sees_none_of_the_cover(api_as, member, week, program, other_program):  # noqa: F811
    theirs = member(Role.RN, other_program)

    own = api_as(theirs, other_program)
    assert [day["residents"] for day in own.get(ON_CALL, SPAN).json()] == [[]] * 7
    assert "Ada" not in own.get(TODAY, {"date": "2026-07-06"}).content.decode()
    assert_problem(api_as(theirs, program).get(ON_CALL, SPAN), 403)
    assert_problem(api_as(theirs, program).get(TODAY, {"date": "2026-07-06"}), 403)
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert_problem(stranger.get(TODAY, {"date": "2026-07-06"}), 403)


def test_a_token_reads_them_with_read_schedule_and_nothing_is_writable(member, week, program):  # noqa: F811
    nurse = member(Role.RN)
    reader = bearer(nurse, program, ["read:schedule"])
    assert reader.get(ON_CALL, SPAN).json()[0]["residents"][0]["name"] == "Ada Lovelace"
    assert reader.get(TODAY, {"date": "2026-07-06"}).status_code == 200
    assert "write:schedule" in assert_problem(reader.post(ON_CALL, {}, format="json"), 403)["detail"]

    coordinator = member(Role.COORDINATOR)
    other_scope = bearer(coordinator, program, ["read:people"])
    assert "read:schedule" in assert_problem(other_scope.get(TODAY), 403)["detail"]
    writer = bearer(coordinator, program, ["write:schedule"])
    assert writer.post(ON_CALL, {}, format="json").status_code == 405
    assert writer.patch(TODAY, {}, format="json").status_code == 405


def test_today_lists_the_deployed_resident_as_away_and_the_shortfall_it_leaves(api_as, member, truth, crew):  # noqa: F811
    day = truth.deployed.start_date

    roster = api_as(member(Role.RN)).get(TODAY, {"date": day.isoformat()}).json()

    away = [group for group in roster["am"] if group["away"]]
    assert ("Rae Truth", "Deployment (leave)") in {(p["name"], p["detail"]) for p in away[0]["people"]}
    at_work = {p["name"] for group in roster["am"] if not group["away"] for p in group["people"]}
    assert "Rae Truth" not in at_work
    assert [(g["rotation_name"], g["present"], g["minimum"], g["away"][0]["name"]) for g in roster["shortfalls"]] == [
        ("Family Medicine Inpatient Service", 1, 2, "Rae Truth")
    ]
