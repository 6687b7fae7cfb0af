"""Background work of credentials: the daily certification expiry reminders (CELERY_BEAT_SCHEDULE)."""

import datetime as dt

from celery import shared_task

from credentials import services


@shared_task
def certification_reminders_send(today: str | None = None) -> int:
    """Send the due certification expiry reminders (180/90/30/14/7 days), each at most once; returns how many.

    `today` (YYYY-MM-DD) replaces each program's own date, for catching up or testing.
    """
    day = dt.date.fromisoformat(today) if today else None
    return services.certification_reminders_send(today=day)
