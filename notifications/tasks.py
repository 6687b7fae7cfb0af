"""Background work of notifications, on the `notifications` queue (CELERY_TASK_ROUTES): email and push delivery, and
hourly jobs.

Tasks take ids only and are idempotent; the rules are in notifications.services.
"""

import logging

from celery import shared_task

from notifications import services, services_push

logger = logging.getLogger(__name__)

EMAIL_MAX_RETRIES = services.MAX_EMAIL_ATTEMPTS - 1
PUSH_MAX_RETRIES = services_push.MAX_PUSH_ATTEMPTS - 1


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
        return _deliver_eagerly(
            services.email_log_deliver, "email_log_id", email_log_id, services.RETRYABLE_SMTP_ERRORS
        )
    log = services.email_log_deliver(email_log_id=email_log_id, final_attempt=self.request.retries >= self.max_retries)
    return log.status if log is not None else None


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=services_push.RETRYABLE_PUSH_ERRORS,
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=PUSH_MAX_RETRIES,
)
def push_send_task(self, push_log_id: int) -> str | None:
    """Push the PushLog `push_log_id` once; a temporary failure retries with exponential backoff, as email does."""
    if self.request.is_eager:
        return _deliver_eagerly(
            services_push.push_log_deliver, "push_log_id", push_log_id, services_push.RETRYABLE_PUSH_ERRORS
        )
    log = services_push.push_log_deliver(
        push_log_id=push_log_id, final_attempt=self.request.retries >= self.max_retries
    )
    return log.status if log is not None else None


def _deliver_eagerly(deliver, id_name: str, log_id: int, retryable: tuple[type[BaseException], ...]) -> str | None:
    # Celery's eager retries re-raise under task_eager_propagates; the attempts count in the row ends the loop
    # (both logs allow six attempts and their deliver functions mark the sixth final).
    for _attempt in range(services.MAX_EMAIL_ATTEMPTS):
        try:
            log = deliver(**{id_name: log_id}, final_attempt=False)
        except retryable as exc:
            logger.info("%s %s: attempt failed (%s); trying again", id_name, log_id, exc)
            continue
        return log.status if log is not None else None
    return "failed"


@shared_task
def digests_send_due_task() -> int:
    """Hourly: send the daily digest of every user whose digest hour it is; returns how many were made."""
    return len(services.digests_send_due())


@shared_task
def email_logs_release_due_task() -> int:
    """Hourly: send emails held for quiet hours that are now over (and re-queue lost ones)."""
    return len(services.email_logs_release_due())


@shared_task
def push_logs_release_due_task() -> int:
    """Hourly: send pushes held for quiet hours that are now over (and re-queue lost ones)."""
    return len(services_push.push_logs_release_due())
