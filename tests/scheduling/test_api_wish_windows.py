"""Wish windows through the API (/api/v1/wish-windows/): managers open, move and limit them through the wishes
service (a year has one, its history names who), residents read them, bad input is named with nothing stored,
other programs see none, tokens need the scope."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import WishWindow
from tenants.models import Role
from tests.scheduling.factories import AcademicYearFactory
from tests.scheduling.test_api import assert_problem
from tests.tenants.test_access_tokens import bearer as token_client
from tests.tenants.test_access_tokens import make_token

pytestmark = pytest.mark.django_db

WINDOWS = reverse("api:wish-window-list")
MAY = {"opens_on": "2026-05-01", "closes_on": "2026-05-31"}


def detail(window: WishWindow) -> str:
    return reverse("api:wish-window-detail", args=[window.pk])


@pytest.fixture
def year(program):
    return AcademicYearFactory(program=program, name="2026-2027")


def test_coordinator_opens_then_moves_the_window_of_a_year(api_as, coordinator, year):
    client = api_as(coordinator)

    opened = client.post(WINDOWS, {"academic_year": year.pk, **MAY, "blocked_week_limit": 4}, format="json")

    assert opened.status_code == 201, opened.content
    window = WishWindow.objects.get(academic_year=year)
    assert (window.opens_on, window.blocked_week_limit, window.rotation_wish_limit) == (dt.date(2026, 5, 1), 4, None)
    assert window.history.latest().history_user == coordinator

    moved = client.patch(detail(window), {"closes_on": "2026-06-07", "rotation_wish_limit": 2}, format="json")

    assert moved.status_code == 200, moved.content
    window.refresh_from_db()
    assert (window.opens_on, window.closes_on, window.blocked_week_limit, window.rotation_wish_limit) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 6, 7),
        4,
        2,
    )
    again = client.post(WINDOWS, {"academic_year": year.pk, **MAY}, format="json")
    assert again.status_code == 200 and again.json()["id"] == window.pk
    assert WishWindow.objects.filter(academic_year=year).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"closes_on": "2026-04-01"}, "closes_on"),
        ({"blocked_week_limit": 54}, "blocked_week_limit"),
        ({"rotation_avoid_limit": -1}, "rotation_avoid_limit"),
        ({"opens_on": "9999-01-01"}, "opens_on"),
        ({"opens_on": "soon"}, "opens_on"),
    ],
)
def test_bad_window_input_is_named_and_nothing_changes(api_as, coordinator, year, change, field):
    client = api_as(coordinator)
    client.post(WINDOWS, {"academic_year": year.pk, **MAY}, format="json")
    window = WishWindow.objects.get(academic_year=year)

    body = assert_problem(client.patch(detail(window), change, format="json"), 400)

    assert list(body["errors"]) == [field]
    window.refresh_from_db()
    assert (str(window.opens_on), str(window.closes_on), window.blocked_week_limit) == (
        MAY["opens_on"],
        MAY["closes_on"],
        None,
    )


def test_residents_read_the_window_but_cannot_open_or_move_it(api_as, coordinator, resident_user, year):
    api_as(coordinator).post(WINDOWS, {"academic_year": year.pk, **MAY}, format="json")
    window = WishWindow.objects.get(academic_year=year)
    client = api_as(resident_user)

    assert [row["opens_on"] for row in client.get(WINDOWS).json()["results"]] == ["2026-05-01"]
    assert_problem(client.post(WINDOWS, {"academic_year": year.pk, **MAY}, format="json"), 403)
    assert_problem(client.patch(detail(window), {"closes_on": "2026-07-01"}, format="json"), 403)
    window.refresh_from_db()
    assert str(window.closes_on) == MAY["closes_on"]


def test_another_program_neither_sees_nor_opens_our_windows(api_as, member, coordinator, year, other_program):
    api_as(coordinator).post(WINDOWS, {"academic_year": year.pk, **MAY}, format="json")
    window = WishWindow.objects.get(academic_year=year)
    client = api_as(member(Role.COORDINATOR, other_program), other_program)

    assert client.get(WINDOWS).json()["results"] == []
    assert_problem(client.get(detail(window)), 404)
    assert_problem(client.patch(detail(window), {"closes_on": "2026-07-01"}, format="json"), 404)
    body = assert_problem(client.post(WINDOWS, {"academic_year": year.pk, **MAY}, format="json"), 400)
    assert list(body["errors"]) == ["academic_year"]
    window.refresh_from_db()
    assert str(window.closes_on) == MAY["closes_on"]


def test_a_token_needs_write_schedule_to_open_a_window(coordinator, program, year):
    def bearer(scopes):
        return token_client(make_token(coordinator, program, scopes).secret)

    reader = bearer(["read:schedule"])
    assert reader.get(WINDOWS).status_code == 200
    body = assert_problem(reader.post(WINDOWS, {"academic_year": year.pk, **MAY}, format="json"), 403)
    assert "write:schedule" in body["detail"]
    assert not WishWindow.objects.exists()
    assert bearer(["write:schedule"]).post(WINDOWS, {"academic_year": year.pk, **MAY}, format="json").status_code == 201
