"""Shared fixtures of the swaps tests: a small published schedule (`world`, see factories.swap_world), the
coordinator of its program, and a second program with its own schedule and users for tenancy tests."""

import pytest

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
