"""Celery beat tasks of the analytics (config/settings.py CELERY_BEAT_SCHEDULE): thin wrappers of analytics.periodic,
idempotent for their day (see there)."""

from celery import shared_task

from analytics.periodic import contingency_weekly_all, snapshots_take_all


@shared_task
def analytics_snapshots_nightly_task() -> int:
    """Every program's fairness and resilience snapshot for its today; returns how many programs were done."""
    return len(snapshots_take_all())


@shared_task
def analytics_contingency_weekly_task() -> int:
    """Start each program's N-1 analysis of its coming block; returns how many were started."""
    return len(contingency_weekly_all())
