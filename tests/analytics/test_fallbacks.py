"""Fallback schedules (resilience tier 3): a named scenario's draft, the load-shedding order, refusals, publishing."""

import pytest
from django.core.exceptions import PermissionDenied

from analytics.fallbacks import (
    fallback_create,
    fallback_create_for_cohort,
    fallback_rows,
    load_shedding_order,
    load_shedding_order_move,
    load_shedding_order_set,
)
from analytics.models_fallbacks import Fallback, LoadSheddingStep
from scheduling.models import (
    Block,
    CallAssignment,
    Person,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.services import RunScenario, schedule_run_execute, schedule_run_start, schedule_version_publish
from scheduling.services.versions import schedule_version_breaches
from tenants.errors import DomainError
from tenants.models import Role
from tests.scheduling.factories import ResidentFactory, RotationTemplateFactory
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

Activity = SessionAssignment.Activity
WORK_LIMIT = 1.0  # deterministic solver work: the same draft however busy the machine
SAFETY_TIME_LIMIT = 600
SOLVE = {"time_limit": SAFETY_TIME_LIMIT, "work_limit": WORK_LIMIT, "workers": 1, "seed": 0}


def published_year(program, user):
    """The tiny program (six residents, wards with call, clinic) with blocks 1-3 solved and published."""
    year, wards = tiny_program(program, user)
    run = schedule_run_start(academic_year=year, user=user, first_block=1, last_block=3, **SOLVE)
    schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    published = schedule_version_publish(version=ScheduleVersion.objects.get(run=run), user=user)
    return year, wards, published


def computed(fallback):
    """Run the fallback's solve in-process, as the solver queue's worker would."""
    schedule_run_execute(run_id=fallback.run_id)
    return fallback_rows(program=fallback.program, fallbacks=[Fallback.objects.get(pk=fallback.pk)])[0]


def worked_in(version, person, block):
    window = (block.start_date, block.end_date)
    sessions = SessionAssignment.objects.filter(version=version, person=person, date__range=window).exclude(
        activity__in=(Activity.LEAVE, Activity.OFF)
    )
    calls = CallAssignment.objects.filter(version=version, person=person, start__date__range=window)
    return sessions.count() + calls.count()


def test_fallback_for_a_named_scenario_is_a_compliant_draft_without_the_lost_people(program, coordinator):
    year, wards, published = published_year(program, coordinator)
    lost = list(Person.objects.filter(program=program, pgy=2).order_by("pk"))
    block2 = Block.objects.get(academic_year=year, number=2)

    fallback = fallback_create(
        academic_year=year,
        lost_person_ids=[p.pk for p in lost],
        first_block=2,
        last_block=2,
        name="Lose 2 PGY-2s for block 2",
        user=coordinator,
        **SOLVE,
    )
    row = computed(fallback)

    assert row.status == "succeeded", row.message
    draft = row.version
    assert draft.status == "draft" and draft.note == "Fallback: Lose 2 PGY-2s for block 2"
    for person in lost:
        assert worked_in(draft, person, block2) == 0
    assert row.compliant is True, Fallback.objects.get(pk=fallback.pk).run.statistics["acgme"]
    assert schedule_version_breaches(version=draft) == []
    assert (row.shed, row.uncovered) == ((), ())  # four residents still cover wards and every call night
    run = fallback.run
    assert (run.first_block, run.last_block) == (1, 3)  # block 2 and the blocks sharing its ACGME windows

    # published through the existing service: the fallback becomes the schedule, the old one archived
    live = schedule_version_publish(version=draft, user=coordinator)
    assert live.status == "published"
    published.refresh_from_db()
    assert published.status == "archived"
    assert fallback_rows(program=program)[0].ready is False  # no longer a draft waiting


def test_a_scenario_that_cannot_cover_everything_sheds_services_in_the_programs_order(program, coordinator):
    year, wards, published = published_year(program, coordinator)
    wards.min_residents = 4  # a fourth resident on wards in every block
    wards.save(update_fields=["min_residents"])
    load_shedding_order_set(program=program, user=coordinator, services=[wards.pk, None])
    lost = list(Person.objects.filter(program=program, pgy__in=(2, 3)).order_by("pgy", "pk"))[:3]

    fallback = fallback_create(
        academic_year=year,
        lost_person_ids=[p.pk for p in lost],
        first_block=2,
        last_block=2,
        name="Lose three seniors for block 2",
        user=coordinator,
        **SOLVE,
    )
    row = computed(fallback)

    assert row.status == "succeeded", row.message
    assert row.shed[0] == "Wards"  # three residents left cannot staff wards with four: wards is cut first
    assert not [u for u in row.uncovered if "Wards" in u]  # and, cut, it is not reported short
    block2 = Block.objects.get(academic_year=year, number=2)
    for person in lost:
        assert worked_in(row.version, person, block2) == 0
    assert row.version.note == "Fallback: Lose three seniors for block 2"
    assert row.compliant is True


# Refusals: nothing written


@pytest.fixture
def year(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    return year


def _nothing_written():
    assert not Fallback.objects.exists()
    assert not ScheduleRun.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lost_person_ids": []}, "at least one person"),
        ({"lost_person_ids": [999999]}, "No active person of Family Medicine has id 999999"),
        ({"first_block": 14, "last_block": 14}, "Block 14 does not exist"),
        ({"first_block": 3, "last_block": 2}, "the first block comes after the last"),
        ({"name": "  "}, "Name the scenario"),
    ],
)
def test_a_bad_scenario_is_refused_with_a_message_and_nothing_written(year, program, coordinator, change, message):
    person = Person.objects.filter(program=program, kind="resident").first()
    options = {
        "academic_year": year,
        "lost_person_ids": [person.pk],
        "first_block": 2,
        "last_block": 2,
        "name": "Lose one",
        "user": coordinator,
    } | change
    with pytest.raises(DomainError, match=message):
        fallback_create(**options)
    _nothing_written()


def test_a_person_of_another_program_cannot_be_lost(year, coordinator, other_program):
    stranger = ResidentFactory(program=other_program, pgy=2)
    with pytest.raises(DomainError, match="a scenario loses people of this program only"):
        fallback_create(
            academic_year=year, lost_person_ids=[stranger.pk], first_block=2, last_block=2, name="X", user=coordinator
        )
    _nothing_written()


def test_a_fallback_needs_a_published_schedule(year, program, coordinator):
    person = Person.objects.filter(program=program, kind="resident").first()
    with pytest.raises(DomainError, match="no published schedule"):
        fallback_create(
            academic_year=year, lost_person_ids=[person.pk], first_block=2, last_block=2, name="X", user=coordinator
        )
    _nothing_written()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_only_managers_make_fallbacks_or_change_the_order(year, program, member, role):
    user = member(role)
    person = Person.objects.filter(program=program, kind="resident").first()
    with pytest.raises(PermissionDenied):
        fallback_create(
            academic_year=year, lost_person_ids=[person.pk], first_block=2, last_block=2, name="X", user=user
        )
    with pytest.raises(PermissionDenied):
        load_shedding_order_set(program=program, user=user, services=[None])
    _nothing_written()
    assert not LoadSheddingStep.objects.exists()


def test_a_cohort_larger_than_the_program_has_is_refused(year, coordinator):
    with pytest.raises(DomainError, match="has 2 active PGY-2 resident"):
        fallback_create_for_cohort(
            academic_year=year, pgy=2, count=3, first_block=2, last_block=2, name="Lose 3 PGY-2s", user=coordinator
        )
    _nothing_written()


# The load-shedding order


def test_load_shedding_order_moves_up_and_down_and_refuses_duplicates_and_strangers(
    program, other_program, coordinator
):
    icu = RotationTemplateFactory(program=program, name="ICU")
    electives = RotationTemplateFactory(program=program, name="Electives")
    theirs = RotationTemplateFactory(program=other_program, name="Their wards")

    load_shedding_order_set(program=program, user=coordinator, services=[electives.pk, None])
    load_shedding_order_move(program=program, user=coordinator, key=str(icu.pk), move="add")
    load_shedding_order_move(program=program, user=coordinator, key="clinic", move="up")
    assert [s.name for s in load_shedding_order(program=program)] == ["Continuity clinic", "Electives", "ICU"]

    with pytest.raises(DomainError, match="appears once"):
        load_shedding_order_set(program=program, user=coordinator, services=[icu.pk, icu.pk])
    with pytest.raises(DomainError, match=f"has no active rotation with id {theirs.pk}"):
        load_shedding_order_set(program=program, user=coordinator, services=[theirs.pk])
    assert [s.name for s in load_shedding_order(program=program)] == ["Continuity clinic", "Electives", "ICU"]
    assert load_shedding_order(program=other_program) == []


def test_a_schedule_run_refuses_a_scenario_it_cannot_keep(year, program, coordinator, other_program):
    """The run machinery checks a scenario itself too (a caller other than analytics.fallbacks)."""
    block2 = Block.objects.get(academic_year=year, number=2)
    stranger = ResidentFactory(program=other_program)
    ours = Person.objects.filter(program=program, kind="resident").first()
    window = {"start": block2.start_date, "end": block2.end_date}
    for scenario, message in (
        (RunScenario(label="X", lost=(stranger.pk,), **window), "not active in Family Medicine"),
        (RunScenario(label="X", lost=(), **window), "at least one person"),
        (RunScenario(label="X", lost=(ours.pk,), start=year.start_date, end=block2.end_date), "keep it within"),
    ):
        with pytest.raises(DomainError, match=message):
            schedule_run_start(academic_year=year, user=coordinator, first_block=2, last_block=2, scenario=scenario)
    _nothing_written()
