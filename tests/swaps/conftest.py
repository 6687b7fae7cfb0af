"""Shared fixtures of the swaps tests: a small published schedule (`world`, see factories.swap_world), the
coordinator of its program, and a second program with its own schedule and users for tenancy tests."""

import pytest

from config.celery import app as celery_app
from tenants.models import Role
from tests.swaps.factories import SwapWorld, login, swap_world


@pytest.fixture
def world(program, coordinator) -> SwapWorld:
    """Ann (PGY-1), Ben, Cleo (PGY-2), Dan (PGY-3), faculty Fay and Gus, in the published version of the year
    holding the day three weeks ahead; the `coordinator` fixture is its coordinator."""
    return swap_world(program, coordinator=coordinator)


@pytest.fixture
def other_world(other_program) -> SwapWorld:
    """The same cast in another program (its own coordinator), for tenancy tests."""
    return swap_world(other_program)


@pytest.fixture
def outsider(other_program):
    """A resident of the other program only (no schedule needed)."""
    return login(other_program, Role.RESIDENT, first_name="Otto", last_name="Outsider")


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks (the emails of notifications) run in-process even when REDIS_URL makes them go to a broker; a test
    about background work turns this off and starts a real worker."""
    eager, propagates = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = True, True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = eager, propagates
