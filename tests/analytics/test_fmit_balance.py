"""FMIT balance is fair to whole weeks (analytics.fmit): prorated targets are fractional and weeks whole, so a
quarter is unbalanced only when its spread is past the tolerance and some whole-week split of the same weeks would
have a smaller spread. Hand-computed cases, then a quarter as the page, the API and the daily warning read it."""

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.fmit import fairest_spread, fmit_report
from analytics.periodic import fmit_balance_check
from notifications.events import Event
from notifications.models import Notification
from scheduling.models import ScheduleVersion, SessionAssignment
from scheduling.services import academic_year_create
from tenants.models import Role
from tests.scheduling.factories import FacultyFactory, ScheduleVersionFactory, SessionAssignmentFactory

THIRTEEN_THIRDS = 13 / 3


@pytest.mark.parametrize(
    ("targets", "weeks", "fairest"),
    [
        ([THIRTEEN_THIRDS] * 3, 13, 1.0),  # 5/4/4: +0.67, -0.33, -0.33
        ([4, 4, 4], 12, 0.0),  # 4/4/4
        ([4.31, 4.31, 4.31], 13, 1.0),  # a quarter of 4 blocks of 13 of a 14-week target each: 5/4/4
        ([6, 4, 0], 6, 2.0),  # 4/2/0: -2, -2, 0 (nobody holds fewer than no weeks)
        ([1.38, 0.92, 0], 2, 0.46),  # 1/1/0: -0.38, +0.08, 0
        ([1.38, 0.92, 0], 0, 1.38),  # no week to move: the targets' own spread
        ([1.38, 1.38, 1.38, 0.92], 6, 1.0),  # 2/2/1/1: +0.62, +0.62, -0.38, +0.08
        ([], 0, 0.0),
    ],
)
def test_the_fairest_whole_week_split_by_hand(targets, weeks, fairest):
    assert fairest_spread(targets, weeks) == fairest


def test_the_fairest_split_is_the_least_spread_of_every_split():
    """Against every split of up to 7 weeks among 3 people, for targets of 13-block prorations and none."""
    shares = (0, 3 / 13, 4 / 13)
    for yearly in itertools.product((0, 4, 6), repeat=3):
        for share in shares[1:]:
            targets = [round(t * share, 2) for t in yearly]
            for weeks in range(8):
                spreads = []
                for a in range(weeks + 1):
                    for b in range(weeks + 1 - a):
                        split = (a, b, weeks - a - b)
                        against = [w - t for w, t in zip(split, targets, strict=True)]
                        spreads.append(max(against) - min(against))
                assert fairest_spread(targets, weeks) == round(min(spreads), 2), (targets, weeks)


# --- A quarter of 13 FMIT weeks among three faculty on equal targets, tolerance 0 ---------------------------------

Q4_FRIDAY = dt.date(2027, 3, 12)  # blocks 10-13 of the year from 1 Jul 2026: Q4 runs Wed 10 Mar - 29 Jun 2027


@pytest.fixture
def quarter(program):
    """Ann, Ben and Cy, yearly target 14 each (4.31 in Q4, 4 of 13 blocks); the year's tolerance is 0 weeks."""
    year = academic_year_create(
        program=program, start_date=dt.date(2026, 7, 1), make_current=True, fmit={"imbalance_tolerance_weeks": 0}
    )
    version = ScheduleVersionFactory(
        academic_year=year, number=1, status=ScheduleVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    people = [
        FacultyFactory(program=program, first_name=name, last_name="Attending", fmit_target_weeks=14)
        for name in ("Ann", "Ben", "Cy")
    ]
    return version, people


def give_weeks(version, people, counts) -> None:
    """Counts[i] FMIT weeks (a Friday half-day each, one week after another) to people[i] in Q4."""
    fridays = iter(Q4_FRIDAY + dt.timedelta(weeks=n) for n in range(16))
    for person, count in zip(people, counts, strict=True):
        for friday in itertools.islice(fridays, count):
            SessionAssignmentFactory(
                version=version, person=person, date=friday, session="AM", activity=SessionAssignment.Activity.FMIT
            )


@pytest.mark.django_db
def test_five_four_four_is_balanced_even_with_no_tolerance(quarter, client, coordinator, api_as):
    version, people = quarter
    give_weeks(version, people, (5, 4, 4))

    q4 = fmit_report(version=version).period(4)
    assert [(row.weeks, row.target, row.against_target) for row in q4.rows] == [
        (5, 4.31, 0.69),
        (4, 4.31, -0.31),
        (4, 4.31, -0.31),
    ]
    assert (q4.spread, q4.fairest, q4.balanced) == (1.0, 1.0, True)

    client.force_login(coordinator)
    html = client.get(reverse("analytics-fmit"), {"quarter": "4"}).content.decode()
    tile = html.split('id="fmit-spread"')[1].split("</section>")[0]
    assert ">balanced<" in tile and "fairest whole-week split 1" in tile
    assert "no fairer split into whole weeks exists" in tile
    body = api_as(coordinator).get("/api/v1/analytics/fmit/", {"quarter": "4"}).json()
    assert (body["period"]["spread"], body["period"]["fairest"], body["period"]["balanced"]) == (1.0, 1.0, True)

    check = fmit_balance_check(program=version.program, today=dt.date(2027, 2, 20))  # Q4 is 18 days away
    assert check.quarter.number == 4 and check.period.balanced and check.told == 0
    assert not Notification.objects.filter(event=Event.FMIT_UNBALANCED).exists()


@pytest.mark.django_db
def test_six_four_three_is_unbalanced_and_the_managers_are_warned(quarter, client, coordinator, api_as, member):
    version, people = quarter
    admin = member(Role.ADMIN)
    give_weeks(version, people, (6, 4, 3))

    q4 = fmit_report(version=version).period(4)
    assert (q4.spread, q4.fairest, q4.balanced) == (3.0, 1.0, False)  # +1.69, -0.31, -1.31

    client.force_login(coordinator)
    tile = client.get(reverse("analytics-fmit"), {"quarter": "4"}).content.decode().split('id="fmit-spread"')[1]
    assert ">unbalanced<" in tile.split("</section>")[0]
    body = api_as(coordinator).get("/api/v1/analytics/fmit/", {"quarter": "4"}).json()
    assert (body["period"]["spread"], body["period"]["balanced"]) == (3.0, False)

    check = fmit_balance_check(program=version.program, today=dt.date(2027, 2, 20))
    assert check.told == 2
    note = Notification.objects.get(recipient=admin, event=Event.FMIT_UNBALANCED)
    assert "3.0 weeks apart, tolerance 0; a split in whole weeks 1.0 apart exists" in note.body
    assert "Most over target: Ann Attending" in note.body
