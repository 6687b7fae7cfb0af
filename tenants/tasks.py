"""Background work of tenants: audit events past two years and Idempotency-Keys past their 24 hours are purged
daily (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from tenants.audit import audit_purge
from tenants.idempotency import idempotency_keys_purge


@shared_task
def audit_purge_task() -> int:
    """Delete the audit events older than the retention period; returns how many went."""
    return audit_purge()


@shared_task
def idempotency_keys_purge_task() -> int:
    """Delete the Idempotency-Keys past IDEMPOTENCY_KEY_HOURS; returns how many went."""
    return idempotency_keys_purge()
