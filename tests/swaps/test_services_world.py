"""The shared swaps fixture builds a published schedule that holds what the swaps tests look for."""

import pytest

from scheduling.models import CallAssignment, SessionAssignment
from tests.swaps.factories import call_nights, session_day

pytestmark = pytest.mark.django_db


def test_the_world_has_swappable_half_days_and_calls_ahead_of_today(world):
    today = world.program.today()
    assert world.block.start_date > today
    assert call_nights(world, world.ann)[0] > today
    assert call_nights(world, world.fay, CallAssignment.Kind.ATTENDING)
    day = session_day(world, world.dan, free_for=world.cleo)
    assert day.weekday() in (3, 4)
    rows = SessionAssignment.objects.filter(version=world.version, person=world.cleo, date=day)
    assert {r.activity for r in rows} <= {"off"}
    assert world.user("ann").people.get() == world.ann
