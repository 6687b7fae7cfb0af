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
from scheduling.services import schedule_run_execute, schedule_run_start, schedule_version_publish
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
    print(row.shed, row.uncovered)
