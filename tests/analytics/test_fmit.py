"""The FMIT report (analytics.fmit) on a schedule counted by hand (tests/analytics/fmit_world.py): quarters, weeks,
weekend calls, clinic lost, targets and Gini; and the daily warning 4 weeks before an unbalanced quarter."""

import datetime as dt

import pytest

from analytics.fmit import fmit_report, year_quarters
from analytics.periodic import fmit_balance_check
from notifications.events import Event
from notifications.models import Notification
from scheduling.engine.equity import gini
from scheduling.models import Block
from tenants.models import Role
from tests.analytics.fmit_world import build, fmit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program):
    return build(program)


def figures(period):
    return {row.name: (row.weeks, row.weekend_calls, row.clinic_lost, row.target) for row in period.rows}


def test_quarters_split_thirteen_blocks_three_three_three_four(world):
    quarters = year_quarters(list(Block.objects.filter(academic_year=world.year)))
    assert [(q.number, q.first_block, q.last_block) for q in quarters] == [(1, 1, 3), (2, 4, 6), (3, 7, 9), (4, 10, 13)]
    assert (quarters[0].start, quarters[0].end, quarters[1].start) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 22),
        dt.date(2026, 9, 23),
    )
    assert [round(q.share, 4) for q in quarters] == [0.2308, 0.2308, 0.2308, 0.3077]


def test_hand_counted_figures_per_quarter_and_year(world):
    report = fmit_report(version=world.version)
    q1 = report.period(1)
    assert figures(q1) == {
        "Fay Faculty": (2, 3, 7, 1.38),
        "Gus Faculty": (2, 1, 3, 0.92),
        "Ida Faculty": (1, 0, 0, 0.0),
    }  # Hal, with no target and no week, is not counted
    assert [row.week_starts for row in q1.rows][1] == (dt.date(2026, 6, 26), dt.date(2026, 7, 10))
    assert (q1.gini, q1.spread, q1.balanced) == (0.1333, 0.46, True)  # against target: 0.62, 1.08, 1
    q2 = report.period(2)
    assert figures(q2)["Fay Faculty"] == (1, 0, 1, 1.38)
    assert (q2.gini, q2.spread, q2.balanced) == (0.6667, 0.92, True)  # -0.38, -0.92, 0
    year = report.period(None)
    assert figures(year) == {
        "Fay Faculty": (3, 3, 8, 6.0),
        "Gus Faculty": (2, 1, 3, 4.0),
        "Ida Faculty": (1, 0, 0, 0.0),
    }
    assert year.gini == round(gini([3, 2, 1]), 4) == 0.2222
    # against target: -3, -2, +1
    assert (year.spread, year.balanced, report.tolerance, report.week_start_name) == (4, False, 1, "Friday")
    assert report.period(4).rows[0].target == round(6 * 4 / 13, 2)


def test_faculty_on_their_different_targets_are_balanced(world):
    """A program director's target is lower than core faculty's: weeks that meet each target are balanced, though
    the weeks themselves differ (Gini still reads them)."""
    from scheduling.models import Person

    for name, target in (("Fay", 3), ("Gus", 2), ("Ida", 1)):
        Person.objects.filter(pk=world.people[name].pk).update(fmit_target_weeks=target)

    year = fmit_report(version=world.version).period(None)

    assert [row.against_target for row in year.rows] == [0.0, 0.0, 0.0]
    assert (year.spread, year.balanced, year.gini) == (0.0, True, 0.2222)


def test_a_monday_week_start_regroups_the_weeks(world, coordinator):
    from scheduling.services import fmit_year_config_update

    fmit_year_config_update(academic_year=world.year, user=coordinator, values={"week_start_day": 0})
    report = fmit_report(version=world.version)  # the config row's save renews the cached report
    assert report.week_start_day == 0
    # Fay from Monday: 29 Jun (3-4 Jul), 6 Jul, 13 Jul (17 Jul), 20 Jul, and 28 Sep
    assert report.period(None).rows[0].weeks == 5


def test_the_warning_fires_once_four_weeks_before_an_unbalanced_quarter(world, member):
    coordinators = [member(Role.COORDINATOR), member(Role.ADMIN)]
    resident = member(Role.RESIDENT)
    program = world.program

    def told(user):
        return Notification.objects.filter(recipient=user, event=Event.FMIT_UNBALANCED).count()

    early = fmit_balance_check(program=program, today=dt.date(2026, 8, 25))  # Q2 is 29 days away
    assert early is None
    balanced = fmit_balance_check(program=program, today=dt.date(2026, 8, 26))
    assert balanced.quarter.number == 2 and balanced.period.balanced and balanced.told == 0
    assert told(coordinators[0]) == 0

    fmit(world.version, world.people["Fay"], dt.date(2026, 10, 12), "AM")  # Fay 2, Gus 0, Ida 0 in Q2
    fired = fmit_balance_check(program=program, today=dt.date(2026, 8, 27))
    assert (fired.period.spread, fired.period.balanced, fired.told) == (1.54, False, 2)  # +0.62, -0.92, 0
    assert [told(user) for user in coordinators] == [1, 1] and told(resident) == 0
    note = Notification.objects.get(recipient=coordinators[0], event=Event.FMIT_UNBALANCED)
    assert "Q2 of 2026-2027" in note.body and "range from -0.92 to +0.62" in note.body and "Fay Faculty" in note.body
    again = fmit_balance_check(program=program, today=dt.date(2026, 8, 28))
    assert again.told == 0 and told(coordinators[0]) == 1
    assert fmit_balance_check(program=program, today=dt.date(2026, 9, 23)) is None  # the quarter has started


def test_the_warning_reads_the_draft_when_nothing_is_published(program, member):
    world = build(program)
    world.version.status = "draft"
    world.version.published_at = None
    world.version.save()
    member(Role.COORDINATOR)
    fmit(world.version, world.people["Fay"], dt.date(2026, 10, 12), "AM")
    found = fmit_balance_check(program=program, today=dt.date(2026, 9, 1))
    assert found.version.pk == world.version.pk and found.told == 1
