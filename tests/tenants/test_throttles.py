"""API rate limits per role and per token: past its rate a caller gets 429 problem+json with Retry-After."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tenants.models import Role
from tenants.throttles import RoleRateThrottle
from tenants.tokens import token_create

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"
PROBLEM = "application/problem+json"
RATES = {"anonymous": "1/min", "resident": "2/min", "coordinator": "3/min", "admin": "4/min", "token": "2/min"}


@pytest.fixture(autouse=True)
def small_rates(monkeypatch):
    monkeypatch.setattr(RoleRateThrottle, "THROTTLE_RATES", RATES)


def allowed_in_a_row(client: APIClient, limit: int = 10, url: str = PEOPLE) -> int:
    """How many requests pass before the first 429 (which must be a problem with Retry-After)."""
    for count in range(limit):
        response = client.get(url)
        if response.status_code == 429:
            assert response["Content-Type"] == PROBLEM
            assert 0 < int(response["Retry-After"]) <= 60
            assert response.json()["code"] == "throttled"
            return count
    return limit


@pytest.mark.parametrize(
    ("role", "rate"), [(Role.RESIDENT, 2), (Role.FACULTY, 2), (Role.COORDINATOR, 3), (Role.ADMIN, 4)]
)
def test_each_role_has_its_rate(api_as, member, role, rate):
    assert allowed_in_a_row(api_as(member(role))) == rate


def test_anonymous_callers_have_the_anonymous_rate_per_address(db):
    assert allowed_in_a_row(APIClient(), limit=3, url="/api/schema/?format=json") == 1  # the schema needs no login


def test_users_have_separate_buckets(api_as, member):
    first, second = member(Role.RESIDENT), member(Role.RESIDENT)

    assert allowed_in_a_row(api_as(first)) == 2
    assert allowed_in_a_row(api_as(second)) == 2


def test_each_token_has_its_own_bucket(program, coordinator):
    expires = program.today() + dt.timedelta(days=7)
    secrets = [
        token_create(user=coordinator, program=program, name=name, scopes=["read:people"], expires_on=expires).secret
        for name in ("one", "two")
    ]
    clients = []
    for secret in secrets:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        clients.append(client)

    assert allowed_in_a_row(clients[0]) == 2
    assert allowed_in_a_row(clients[1]) == 2
