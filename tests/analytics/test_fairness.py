"""Fairness figures: the Gini coefficient on known inputs, and a small schedule whose counts are known by hand."""

import datetime as dt

import pytest

from absences.models import Absence
from analytics.fairness import fairness_report, span_dates
from analytics.fairness_settings import fairness_settings_update
from scheduling.engine.equity import fairness, fairness_rating, gini
from scheduling.models import Preference
from tenants.errors import DomainError
from tests.absences.factories import AbsenceFactory
from tests.analytics.fairness_world import build, call
from tests.scheduling.factories import BlockAssignmentFactory, BlockFactory, RotationTemplateFactory

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("values", "expected", "rating"),
    [([5, 5, 5, 5], 1.0, "good"), ([1, 3], 0.75, "warning"), ([1, 9], 0.6, "poor"), ([], 1.0, "good")],
)
def test_fairness_is_one_minus_gini_with_its_rating(values, expected, rating):
    assert fairness(values) == expected
    assert fairness_rating(fairness(values)) == rating


def test_gini_of_one_person_carrying_everything():
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)


@pytest.fixture
def world(program):
    return build(program)


def figures(report, cohort, measure):
    found = next(c for c in report.cohorts if c.label == cohort).get(measure)
    return found, {p.name: p.value for p in found.people} if found else {}


@pytest.mark.django_db
def test_counts_of_a_known_schedule(world):
    report = fairness_report(version=world.version, today=TODAY)
    assert [c.label for c in report.cohorts] == ["PGY-1", "PGY-2", "Faculty"]
    calls, by_name = figures(report, "PGY-1", "call_nights")
    assert by_name == {"Ann Resident": 3, "Ben Resident": 1, "Dan Resident": 0}
    assert (calls.gini, calls.fairness, calls.rating) == (0.5, 0.5, "poor")
    assert (calls.min, calls.max, calls.spread, calls.mean) == (0, 3, 3, 1.33)
    assert [p.name for p in calls.flagged] == ["Ann Resident"]
    assert figures(report, "PGY-1", "weekend_duties")[1] == {"Ann Resident": 1, "Ben Resident": 1, "Dan Resident": 0}
    assert figures(report, "PGY-1", "holiday_duties")[1] == {"Ann Resident": 2, "Ben Resident": 0, "Dan Resident": 0}
    assert figures(report, "Faculty", "holiday_duties")[1] == {"Fay Faculty": 1, "Gus Faculty": 0}
    fmit, by_name = figures(report, "Faculty", "fmit_weeks")
    assert by_name == {"Fay Faculty": 2, "Gus Faculty": 0} and fmit.fairness == 0.5
    night_float, by_name = figures(report, "PGY-2", "night_float_weeks")
    assert by_name == {"Cat Resident": 2} and night_float.fairness == 1.0 and night_float.rating == "good"
    assert figures(report, "PGY-1", "fmit_weeks")[0] is None  # faculty only
    assert figures(report, "Faculty", "call_nights")[0] is None  # no faculty call roster, no attending calls
    wishes, by_name = figures(report, "PGY-1", "wishes_granted")
    assert by_name == {"Ben Resident": 50, "Dan Resident": 100}
    assert wishes.fairness == 0.8333 and [p.name for p in wishes.flagged] == ["Ben Resident"]
    assert figures(report, "PGY-1", "swaps_taken")[1]["Ann Resident"] == 1
    assert figures(report, "PGY-1", "swaps_given")[1]["Ben Resident"] == 1


@pytest.mark.django_db
def test_year_to_date_counts_only_what_has_happened(world):
    report = fairness_report(version=world.version, span="ytd", today=dt.date(2026, 7, 7))
    assert (report.start, report.end) == (dt.date(2026, 7, 1), dt.date(2026, 7, 7))
    assert figures(report, "PGY-1", "call_nights")[1] == {"Ann Resident": 2, "Ben Resident": 0, "Dan Resident": 0}
    assert figures(report, "Faculty", "fmit_weeks")[1]["Fay Faculty"] == 1


@pytest.mark.django_db
def test_equity_carries_over_from_last_year_when_the_program_asks(world, program_admin):
    assert figures(fairness_report(version=world.version, today=TODAY), "PGY-1", "call_nights")[1]["Ben Resident"] == 1
    fairness_settings_update(program=world.program, user=program_admin, settings={"carry_over_equity": True})
    report = fairness_report(version=world.version, today=TODAY)
    calls, by_name = figures(report, "PGY-1", "call_nights")
    assert by_name["Ben Resident"] == 3
    ben = next(p for p in calls.people if p.name == "Ben Resident")
    assert (ben.current, ben.carried) == (1, 2)
    assert report.carried_from == world.last_year


@pytest.mark.django_db
def test_a_bad_span_or_setting_is_refused_with_a_message(world, program_admin):
    with pytest.raises(DomainError, match='"year" or "ytd"'):
        span_dates(year=world.version.academic_year, span="decade", today=TODAY)
    with pytest.raises(DomainError, match="carry_over_equity: must be true or false"):
        fairness_settings_update(program=world.program, user=program_admin, settings={"carry_over_equity": "yes"})
    world.program.refresh_from_db()
    assert "fairness" not in world.program.settings


@pytest.mark.django_db
def test_a_change_to_the_schedule_shows_at_once_though_the_report_is_cached(world, django_assert_max_num_queries):
    first = fairness_report(version=world.version, today=TODAY)
    with django_assert_max_num_queries(2):  # the cache's stamp only
        assert fairness_report(version=world.version, today=TODAY).cohorts == first.cohorts
    call(world.version, world.people["Dan"], dt.date(2026, 7, 20))
    calls, by_name = figures(fairness_report(version=world.version, today=TODAY), "PGY-1", "call_nights")
    assert by_name["Dan Resident"] == 1


@pytest.mark.django_db
def test_rotation_wishes_are_granted_as_the_engine_counts_them(world):
    ann, year = world.people["Ann"], world.version.academic_year
    wished, avoided = (RotationTemplateFactory(program=world.program) for _ in range(2))
    first, second = (BlockFactory(academic_year=year, number=n) for n in (1, 2))
    BlockAssignmentFactory(version=world.version, block=first, person=ann, rotation=wished)  # the whole block
    BlockAssignmentFactory(version=world.version, block=second, person=ann, rotation=avoided)
    for kind, rotation, block in (
        (Preference.Kind.ROTATION_WISH, wished, first),  # granted
        (Preference.Kind.ROTATION_AVOID, avoided, None),  # refused: held in block 2
    ):
        Preference.objects.create(
            program=world.program, person=ann, academic_year=year, kind=kind, rotation=rotation, block=block
        )
    shares = figures(fairness_report(version=world.version, today=TODAY), "PGY-1", "wishes_granted")[1]
    assert shares == {"Ann Resident": 50, "Ben Resident": 50, "Dan Resident": 100}


@pytest.mark.django_db
def test_leave_counts_as_every_view_reads_it(world):
    """A call on a whole day of approved leave is not taken; a holiday half-day on leave is not worked."""
    ann = world.people["Ann"]
    for day in (dt.date(2026, 7, 3), dt.date(2026, 7, 15)):
        AbsenceFactory(program=world.program, person=ann, start_date=day, end_date=day, status=Absence.Status.APPROVED)
    report = fairness_report(version=world.version, today=TODAY)
    assert figures(report, "PGY-1", "call_nights")[1]["Ann Resident"] == 2
    assert figures(report, "PGY-1", "holiday_duties")[1]["Ann Resident"] == 0
