"""The weekly contingency job: each program's N-1 analysis of its coming block, started without a user and not twice;
the combined report then prints what the analysis found."""

import datetime as dt

import pytest
from django.utils import timezone

from analytics.contingency import contingency_run_in_process
from analytics.models import ContingencyAnalysis
from analytics.periodic import contingency_week_start
from analytics.report import report_context, report_html
from analytics.tasks_periodic import analytics_contingency_weekly_task
from scheduling.models import Block, ScheduleVersion
from tests.scheduling.factories import ScheduleVersionFactory
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(program, coordinator):
    """The tiny program (six residents, two faculty, wards with call) with its 2026-2027 year published."""
    year, _ = tiny_program(program, coordinator)
    ScheduleVersionFactory(
        program=program, academic_year=year, status=ScheduleVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    return year


def test_the_weekly_job_starts_the_coming_blocks_analysis_once(program, year):
    block = Block.objects.get(academic_year=year, number=3)
    today = block.start_date - dt.timedelta(days=3)

    analysis = contingency_week_start(program=program, today=today)

    assert (analysis.first_block, analysis.last_block, analysis.depth) == (3, 3, 1)
    assert analysis.created_by is None and analysis.status == ContingencyAnalysis.Status.QUEUED
    assert analysis.version.status == ScheduleVersion.Status.PUBLISHED
    assert contingency_week_start(program=program, today=today) is None  # queued already: not twice
    assert ContingencyAnalysis.objects.filter(program=program).count() == 1


def test_the_weekly_task_goes_through_every_program_and_skips_those_without_a_schedule(program, other_program):
    assert analytics_contingency_weekly_task() == 0
    assert not ContingencyAnalysis.objects.exists()


def test_the_report_prints_the_latest_finished_analysis(program, year):
    block = Block.objects.get(academic_year=year, number=1)
    analysis = contingency_week_start(program=program, today=block.start_date - dt.timedelta(days=1))
    finished = contingency_run_in_process(analysis.pk)
    assert finished.status == ContingencyAnalysis.Status.SUCCEEDED, finished.message

    html = report_html(report_context(program=program, year=year, day=block.start_date))

    contingency = html.split("Contingency (N-1 / N-2)")[1]
    assert "blocks 1–1, depth 1, 8 of 8 scenarios" in contingency
    assert "0 people the program cannot lose." in contingency
    assert "None: every person can be lost alone." in contingency
    assert "Requirements by redundancy" in contingency
