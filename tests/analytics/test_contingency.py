"""Contingency analyses (N-1/N-2): starting (rules, roles, bad input), running every scenario with the real engine,
sole providers, fatal pairs, progress, cancelling, and the embedded background thread."""

import re
import threading

import pytest
from django.core.exceptions import PermissionDenied

from analytics.contingency import (
    MAX_PAIRS,
    contingency_cancel,
    contingency_run_in_process,
    contingency_start,
)
from analytics.models import ContingencyAnalysis, ContingencyFinding
from config.celery import app as celery_app
from credentials.models import CertificationType, PersonCertification
from scheduling.models import Person
from tenants.errors import ConflictError, DomainError
from tenants.models import Role
from tests.scheduling.factories import RotationTemplateFactory
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

Status = ContingencyAnalysis.Status
Result = ContingencyFinding.Result
WAIT = 240  # a generous wall-clock bound for background work


def with_sole_provider(program, user):
    """The tiny program (six residents, two faculty, wards with call) plus colposcopy, which needs one resident a
    block holding the COLPO certificate: only the first PGY-2 holds it. Returns the year and that resident."""
    year, _ = tiny_program(program, user)
    RotationTemplateFactory(
        program=program, name="Colposcopy", abbreviation="COL", min_residents=1, max_residents=1,
        required_credentials="COLPO",
    )  # fmt: skip
    colpo = CertificationType.objects.create(program=program, code="COLPO", name="Colposcopy", renewal_months=24)
    provider = Person.objects.filter(program=program, pgy=2).order_by("pk").first()
    PersonCertification.objects.create(
        program=program, type=colpo, person=provider, number="C-1", issued_on=year.start_date,
        expires_on=year.end_date,
    )  # fmt: skip
    return year, provider


def start(year, user, *, depth=1, first_block=1, last_block=1):
    return contingency_start(academic_year=year, first_block=first_block, last_block=last_block, depth=depth, user=user)


def test_contingency_start_queues_every_person_after_commit(program, coordinator, django_capture_on_commit_callbacks):
    year, _ = tiny_program(program, coordinator)

    with django_capture_on_commit_callbacks() as callbacks:
        analysis = start(year, coordinator)

    assert len(callbacks) == 1  # the dispatch, once the analysis is committed
    assert (analysis.status, analysis.done, analysis.total) == (Status.QUEUED, 0, 8)  # six residents, two faculty
    assert analysis.created_by == coordinator and analysis.problem["residents"]


def test_a_program_with_slack_has_no_infeasible_n1(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    analysis = start(year, coordinator)

    finished = contingency_run_in_process(analysis.pk)

    assert finished.status == Status.SUCCEEDED, finished.message
    assert (finished.done, finished.total) == (8, 8)
    assert set(ContingencyFinding.objects.filter(analysis=analysis).values_list("result", flat=True)) == {
        Result.FEASIBLE
    }
    assert finished.summary["critical"] == [] and finished.summary["sole_providers"] == []
    assert finished.message == "0 people the program cannot lose."


def test_the_only_credentialed_resident_is_flagged_n1_critical_and_pairs_are_checked(program, coordinator):
    year, provider = with_sole_provider(program, coordinator)
    analysis = start(year, coordinator, depth=2)

    finished = contingency_run_in_process(analysis.pk)

    assert finished.status == Status.SUCCEEDED, finished.message
    lost = ContingencyFinding.objects.get(analysis=analysis, person=provider, partner__isnull=True)
    assert lost.result == Result.INFEASIBLE
    assert lost.uncoverable == [
        {
            "requirement": lost.uncoverable[0]["requirement"],
            "message": "Block 1: Colposcopy needs 1 residents; 0 are eligible and available",
        }
    ]
    summary = finished.summary
    assert [item["name"] for item in summary["critical"]] == [provider.full_name]
    assert [(s["message"], s["people"]) for s in summary["sole_providers"]] == [
        ("Block 1: Colposcopy needs 1 residents; 0 are eligible and available", [provider.full_name])
    ]
    # N-2: pairs among the seven who survived N-1 (the provider makes every pair fatal and is left out)
    pairs = ContingencyFinding.objects.filter(analysis=analysis, partner__isnull=False)
    assert pairs.count() == summary["pairs_checked"] == min(21, MAX_PAIRS)
    assert not pairs.filter(person=provider).exists() and not pairs.filter(partner=provider).exists()
    assert (finished.done, finished.total) == (8 + 21, 8 + 21)
    levels = {item["label"]: item for item in summary["redundancy"]}
    assert levels["Colposcopy (block 1)"]["level"] == "N+0"
    assert levels["Colposcopy (block 1)"]["providers"] == [provider.full_name]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"depth": 3}, "The depth must be 1 (each person lost) or 2"),
        ({"depth": True}, "The depth must be 1 (each person lost) or 2"),
        ({"first_block": 0}, "Block 0 does not exist"),
        ({"last_block": 14}, "Block 14 does not exist"),
        ({"first_block": 3, "last_block": 2}, "Blocks 3-2: the first block comes after the last."),
    ],
)
def test_bad_depths_and_block_ranges_are_refused_and_nothing_is_stored(program, coordinator, options, message):
    year, _ = tiny_program(program, coordinator)

    with pytest.raises(DomainError, match=re.escape(message)):
        start(year, coordinator, **options)

    assert not ContingencyAnalysis.objects.exists()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_only_managers_may_start_an_analysis(program, coordinator, member, role):
    year, _ = tiny_program(program, coordinator)

    with pytest.raises(PermissionDenied, match="Only the admins and coordinators"):
        start(year, member(role))

    assert not ContingencyAnalysis.objects.exists()


def test_a_manager_of_another_program_may_not_start_one_here(program, coordinator, member, other_program):
    year, _ = tiny_program(program, coordinator)

    with pytest.raises(PermissionDenied):
        start(year, member(Role.COORDINATOR, in_program=other_program))


def test_the_weekly_job_starts_one_without_a_user(program, coordinator):
    year, _ = tiny_program(program, coordinator)

    analysis = start(year, None)

    assert analysis.created_by is None and analysis.status == Status.QUEUED


def test_a_second_active_analysis_of_the_year_is_refused(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    first = start(year, coordinator)

    with pytest.raises(ConflictError, match="already has a contingency analysis in progress"):
        start(year, coordinator)

    contingency_cancel(analysis=first, user=coordinator)
    assert start(year, coordinator).pk != first.pk


def test_cancelling_a_queued_analysis_ends_it_and_runs_nothing(program, coordinator, member):
    year, _ = tiny_program(program, coordinator)
    analysis = start(year, coordinator)
    with pytest.raises(PermissionDenied):
        contingency_cancel(analysis=analysis, user=member(Role.RESIDENT))

    cancelled = contingency_cancel(analysis=analysis, user=coordinator)

    assert cancelled.status == Status.CANCELLED and cancelled.message == "Cancelled before it began."
    assert contingency_run_in_process(analysis.pk) is None
    assert not ContingencyFinding.objects.exists()
    with pytest.raises(ConflictError, match="already finished"):
        contingency_cancel(analysis=analysis, user=coordinator)


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_runs_the_scenarios_in_a_background_thread_after_commit(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the embedded default: no broker
    try:
        analysis = start(year, coordinator)  # committed at once here, so the dispatch has run
    finally:
        celery_app.conf.task_always_eager = eager

    for thread in [t for t in threading.enumerate() if t.name == f"contingency-{analysis.pk}"]:
        assert thread is not threading.current_thread() and thread.daemon
        thread.join(WAIT)
        assert not thread.is_alive(), "the background analysis did not finish in time"
    analysis.refresh_from_db()
    assert analysis.status == Status.SUCCEEDED, analysis.message
    assert analysis.done == analysis.total == 8
