"""Background work of notifications, on the `notifications` queue (CELERY_TASK_ROUTES): email delivery and hourly jobs.

Tasks take ids only and are idempotent; the rules are in notifications.services.
"""

import logging

from celery import shared_task

from notifications import services

logger = logging.getLogger(__name__)

EMAIL_MAX_RETRIES = services.MAX_EMAIL_ATTEMPTS - 1


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=services.RETRYABLE_SMTP_ERRORS,
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=EMAIL_MAX_RETRIES,
)
def email_send_task(self, email_log_id: int) -> str | None:
    """Send the EmailLog `email_log_id` once; SMTP errors retry with exponential backoff, the last marks it failed.

    Run eagerly (embedded mode, no broker) it makes its attempts at once, without the backoff.
    """
    if self.request.is_eager:
        return _deliver_eagerly(email_log_id)
    log = services.email_log_deliver(email_log_id=email_log_id, final_attempt=self.request.retries >= self.max_retries)
    return log.status if log is not None else None


def _deliver_eagerly(email_log_id: int) -> str | None:
    # Celery's eager retries re-raise under task_eager_propagates; the attempts count in the row ends the loop.
    for _attempt in range(services.MAX_EMAIL_ATTEMPTS):
        try:
            log = services.email_log_deliver(email_log_id=email_log_id, final_attempt=False)
        except services.RETRYABLE_SMTP_ERRORS as exc:
            logger.info("Email %s: attempt failed (%s); trying again", email_log_id, exc)
            continue
        return log.status if log is not None else None
    return services.EmailLog.Status.FAILED


@shared_task
def digests_send_due_task() -> int:
    """Hourly: send the daily digest of every user whose digest hour it is; returns how many were made."""
    return len(services.digests_send_due())


@shared_task
def email_logs_release_due_task() -> int:
    """Hourly: send emails held for quiet hours that are now over (and re-queue lost ones)."""
    return len(services.email_logs_release_due())
