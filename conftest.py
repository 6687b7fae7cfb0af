"""Shared fixtures: two programs (tenancy), a user per role, API clients."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from tenants.models import Organization, Role, User
from tests.tenants.factories import MembershipFactory, ProgramFactory, UserFactory
from tests.tenants.second_factor import SecondFactorClient

ALL_ROLES = [choice.value for choice in Role]


def _clear_cache() -> None:
    """Empty this run's cache. On Redis only its own keys go: clear() empties the whole Redis database, which
    other test runs and the Celery broker (the same REDIS_URL) may be using at the same time."""
    from django.core.cache import cache

    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is None or not cache.key_prefix:
        cache.clear()
        return
    redis = client(write=True)
    for key in redis.scan_iter(match=f"{cache.key_prefix}:*"):
        redis.delete(key)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate limits, cached reads), also on Redis."""
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def client() -> SecondFactorClient:
    """pytest-django's client, whose force_login also passes the second factor for managers (they must have one:
    tenants.mfa), as a manager's real sign-in does."""
    return SecondFactorClient()


@pytest.fixture
def program(db) -> Organization:
    return ProgramFactory(name="Family Medicine", slug="fm")


@pytest.fixture
def other_program(db) -> Organization:
    return ProgramFactory(name="Internal Medicine", slug="im")


@pytest.fixture
def member(program) -> Callable[..., User]:
    """member(role, program=...) makes a user with that role in the program."""

    def make(role: str, in_program: Organization | None = None, **user_fields) -> User:
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, organization=in_program or program, role=role)
        return user

    return make


@pytest.fixture
def coordinator(member) -> User:
    return member(Role.COORDINATOR, email="coordinator@example.org")


@pytest.fixture
def program_admin(member) -> User:
    return member(Role.ADMIN, email="admin@example.org")


@pytest.fixture
def resident_user(member) -> User:
    return member(Role.RESIDENT, email="resident@example.org")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root@example.org", "correct-horse-battery")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as(program) -> Callable[..., APIClient]:
    """api_as(user, program=...) is an APIClient authenticated as the user, acting in the program."""

    def make(user: User, in_program: Organization | None = None) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        client.credentials(HTTP_X_ORGANIZATION_ID=str((in_program or program).pk))
        return client

    return make
