"""Background work of swaps: open swaps expire at their time (CELERY_BEAT_SCHEDULE, every 15 minutes)."""

import datetime as dt

from celery import shared_task

from swaps import services


@shared_task
def swaps_expire_task(now: str | None = None) -> int:
    """Mark the open swaps past their `expires_at` expired; returns how many. `now` (ISO time) for testing."""
    return services.swaps_expire(now=dt.datetime.fromisoformat(now) if now else None)
