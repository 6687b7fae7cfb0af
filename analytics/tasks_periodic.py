"""Celery beat tasks of the analytics (config/settings.py CELERY_BEAT_SCHEDULE): thin wrappers of analytics.periodic,
idempotent for their day (see there)."""

from celery import shared_task

from analytics.periodic import contingency_weekly_all, fmit_balance_all, snapshots_take_all


@shared_task
def analytics_snapshots_nightly_task() -> int:
    """Every program's fairness and resilience snapshot for its today; returns how many programs were done."""
    return len(snapshots_take_all())


@shared_task
def analytics_contingency_weekly_task() -> int:
    """Start each program's N-1 analysis of its coming block; returns how many were started."""
    return len(contingency_weekly_all())


@shared_task
def analytics_fmit_balance_daily_task() -> int:
    """Check each program's coming quarter's FMIT weeks (4 weeks ahead); returns how many quarters were unbalanced."""
    return sum(1 for result in fmit_balance_all() if not result.period.balanced)
