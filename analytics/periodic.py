"""The analytics' periodic work (celery beat, analytics.tasks_periodic): each night every program's fairness and
resilience level are recomputed into a ProgramSnapshot, and its managers are told when the level rose to ORANGE or
worse since the last snapshot (once per rise); each week the contingency analysis (N-1) of the coming block starts;
each day, 4 weeks before a quarter starts, its FMIT weeks are checked against the year's tolerance (once per quarter).

Each job is idempotent for its program and day: a second run the same night updates the day's snapshot and tells
no one again (notify_once), and the weekly analysis is not started twice for the same blocks of the same version.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.urls import NoReverseMatch, reverse

from analytics.fairness import fairness_report, fairness_version_pick
from analytics.fmit import PeriodFmit, Quarter, fmit_report, year_quarters
from analytics.models import ContingencyAnalysis, ProgramSnapshot
from analytics.utilisation import Level, LevelReport, program_level
from notifications.events import Event
from notifications.services import notify_once
from scheduling.models import AcademicYear, Block, ScheduleVersion
from tenants.models import Organization
from tenants.selectors import MANAGER_ROLES, program_members, role_in

logger = logging.getLogger(__name__)
T = TypeVar("T")

ALERT_LEVEL = Level.ORANGE  # a rise to this level or worse is told to the managers


def programs() -> list[Organization]:
    """Every program (not institutions), by id."""
    return list(Organization.objects.filter(kind=Organization.Kind.PROGRAM).order_by("pk"))


def published_version(*, program: Organization, day: dt.date) -> ScheduleVersion | None:
    """The published version of the academic year holding `day` (else of the program's current year)."""
    years = AcademicYear.objects.filter(program=program)
    year = years.filter(start_date__lte=day, end_date__gte=day).first() or years.filter(is_current=True).first()
    if year is None:
        return None
    return (
        ScheduleVersion.objects.filter(academic_year=year, status=ScheduleVersion.Status.PUBLISHED)
        .select_related("program", "academic_year")
        .first()
    )


def _fairness_figures(version: ScheduleVersion | None) -> tuple[dict[str, dict[str, float]], float | None]:
    """Cohort -> measure -> fairness of the version's year, and the lowest of them (nothing without a version)."""
    if version is None:
        return {}, None
    report = fairness_report(version=version, span="year")
    figures = {
        cohort.label: {f.measure.key: round(f.fairness, 4) for f in cohort.measures} for cohort in report.cohorts
    }
    values = [value for measures in figures.values() for value in measures.values()]
    return figures, (min(values) if values else None)


@dataclass(frozen=True)
class SnapshotResult:
    """What the nightly job did for one program."""

    snapshot: ProgramSnapshot
    previous: ProgramSnapshot | None
    told: int  # managers notified of a rise


def _level_link() -> str:
    for name in ("analytics-resilience", "analytics-home"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def _tell_rise(program: Organization, report: LevelReport, previous: Level, day: dt.date) -> int:
    """The program's admins and coordinators hear (by their preferences) that its level rose; once per rise."""
    managers = [member for member in program_members(program) if role_in(member, program) in MANAGER_ROLES]
    worst = "; ".join(f"{w.label} on {w.date:%a %d %b}" for w in report.worst[:3])
    made = notify_once(
        key=f"resilience:{program.pk}:{day.isoformat()}:{report.level.name}",
        recipients=managers,
        event=Event.RESILIENCE_LEVEL,
        context={
            "program": program.name,
            "level": report.level.name,
            "previous": previous.name,
            "day": f"{day:%a %d %b %Y}",
            "words": report.level.words,
            "worst": worst,
        },
        program=program,
        link=_level_link(),
    )
    return len(made)


@transaction.atomic
def program_snapshot_take(*, program: Organization, day: dt.date | None = None) -> SnapshotResult:
    """Recompute the program's fairness (published year) and resilience level on `day` (its today by default) into
    the day's snapshot; tell its managers when the level rose to ORANGE or worse since the last earlier snapshot
    (none earlier counts as GREEN)."""
    day = day or program.today()
    version = published_version(program=program, day=day)
    figures, lowest = _fairness_figures(version)
    report = program_level(program=program, day=day)
    previous = ProgramSnapshot.objects.filter(program=program, day__lt=day).order_by("-day").first()
    snapshot, _ = ProgramSnapshot.objects.update_or_create(
        program=program,
        day=day,
        defaults={
            "version_number": version.number if version else None,
            "fairness": figures,
            "fairness_min": lowest,
            "level": int(report.level),
            "level_name": report.level.name,
            "utilisation": report.utilisation,
            "coverage": report.coverage,
        },
    )
    before = Level(previous.level) if previous is not None else Level.GREEN
    told = 0
    if report.level >= ALERT_LEVEL and report.level > before:
        told = _tell_rise(program, report, before, day)
    return SnapshotResult(snapshot=snapshot, previous=previous, told=told)


def snapshots_take_all() -> list[SnapshotResult]:
    """The nightly job: every program's snapshot on its own today; one program's failure does not stop the rest."""
    results = []
    for program in programs():
        try:
            results.append(program_snapshot_take(program=program))
        except Exception:
            logger.exception("Nightly analytics snapshot failed for program %s", program.pk)
    return results


def coming_block(*, program: Organization, today: dt.date) -> Block | None:
    """The first block starting after `today` in a year with a published schedule."""
    return (
        Block.objects.filter(
            program=program,
            start_date__gt=today,
            academic_year__versions__status=ScheduleVersion.Status.PUBLISHED,
        )
        .select_related("academic_year")
        .order_by("start_date")
        .first()
    )


def contingency_week_start(*, program: Organization, today: dt.date | None = None) -> ContingencyAnalysis | None:
    """The weekly job for one program: start the N-1 analysis of the coming block against the published schedule,
    unless one of the same block and published version is queued, running or done (None then, or without a block)."""
    from analytics.contingency import contingency_start  # the analysis service (engineer `contingency`)

    block = coming_block(program=program, today=today or program.today())
    if block is None:
        return None
    version = ScheduleVersion.objects.filter(
        academic_year=block.academic_year, status=ScheduleVersion.Status.PUBLISHED
    ).first()
    already = ContingencyAnalysis.objects.filter(
        program=program,
        academic_year=block.academic_year,
        version=version,
        first_block=block.number,
        last_block=block.number,
    ).exclude(status__in=[ContingencyAnalysis.Status.FAILED, ContingencyAnalysis.Status.CANCELLED])
    if already.exists():
        return None
    return contingency_start(
        academic_year=block.academic_year, first_block=block.number, last_block=block.number, depth=1, user=None
    )


def _each_program(job: Callable[[Organization], T | None], failure: str) -> list[T]:
    """`job` for every program, the results that are not None; one program's failure (logged with `failure`, which
    takes the program id) does not stop the rest."""
    results = []
    for program in programs():
        try:
            result = job(program)
        except Exception:
            logger.exception(failure, program.pk)
            continue
        if result is not None:
            results.append(result)
    return results


def contingency_weekly_all() -> list[ContingencyAnalysis]:
    """The weekly job: every program's coming-block analysis; one program's failure does not stop the rest."""
    return _each_program(
        lambda program: contingency_week_start(program=program),
        "Weekly contingency analysis failed to start for program %s",
    )


FMIT_LEAD_DAYS = 28  # coordinators hear of an unbalanced quarter up to 4 weeks before it starts


@dataclass(frozen=True)
class FmitBalance:
    """What the daily FMIT check found for one program's coming quarter."""

    year: AcademicYear
    quarter: Quarter
    version: ScheduleVersion
    period: PeriodFmit
    told: int  # managers notified (0 when balanced, or told before)


def _coming_quarter(program: Organization, today: dt.date) -> tuple[AcademicYear, Quarter] | None:
    """The first quarter starting after `today` and at most FMIT_LEAD_DAYS later, with its year."""
    horizon = today + dt.timedelta(days=FMIT_LEAD_DAYS)
    years = AcademicYear.objects.filter(program=program, start_date__lte=horizon, end_date__gt=today)
    for year in years.order_by("start_date"):
        for quarter in year_quarters(list(Block.objects.filter(academic_year=year))):
            if today < quarter.start <= horizon:
                return year, quarter
    return None


def _fmit_version(program: Organization, year: AcademicYear) -> ScheduleVersion | None:
    """The year's published version, else its newest draft (what the quarter will most likely be)."""
    for which in ("published", "draft"):
        version = fairness_version_pick(program=program, year_id=year.pk, which=which).version
        if version is not None:
            return version
    return None


def fmit_balance_check(*, program: Organization, today: dt.date | None = None) -> FmitBalance | None:
    """The daily job for one program: when a quarter starts within 4 weeks, read its FMIT weeks per faculty member
    in the year's published schedule (else the newest draft); if the quarter is unbalanced (analytics.fmit: their
    spread against the prorated targets past the year's tolerance, and a fairer whole-week split exists), its
    admins and coordinators are told, once per quarter (notify_once). None without a coming quarter or schedule."""
    today = today or program.today()
    coming = _coming_quarter(program, today)
    if coming is None:
        return None
    year, quarter = coming
    version = _fmit_version(program, year)
    if version is None:
        return None
    report = fmit_report(version=version)
    period = report.period(quarter.number)
    told = 0
    if not period.balanced:
        managers = [member for member in program_members(program) if role_in(member, program) in MANAGER_ROLES]
        against = [row.against_target for row in period.rows]
        heaviest = [row.name for row in period.rows if row.against_target == max(against)]
        made = notify_once(
            key=f"fmit-unbalanced:{program.pk}:{year.pk}:q{quarter.number}",
            recipients=managers,
            event=Event.FMIT_UNBALANCED,
            context={
                "program": program.name,
                "quarter": f"Q{quarter.number}",
                "year": year.name,
                "starts": f"{quarter.start:%a %d %b %Y}",
                "least": f"{min(against):+g}",
                "most": f"{max(against):+g}",
                "spread": period.spread,
                "tolerance": report.tolerance,
                "fairest": period.fairest,
                "version": version.get_status_display().lower(),
                "heaviest": ", ".join(heaviest),
            },
            program=program,
            link=f"{reverse('analytics-fmit')}?year={year.pk}&quarter={quarter.number}",
        )
        told = len(made)
    return FmitBalance(year=year, quarter=quarter, version=version, period=period, told=told)


def fmit_balance_all() -> list[FmitBalance]:
    """The daily job: every program's coming-quarter FMIT check; one program's failure does not stop the rest."""
    return _each_program(
        lambda program: fmit_balance_check(program=program), "Daily FMIT balance check failed for program %s"
    )
