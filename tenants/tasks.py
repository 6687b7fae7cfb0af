"""Background work of tenants: audit events past two years are purged daily (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from tenants.audit import audit_purge


@shared_task
def audit_purge_task() -> int:
    """Delete the audit events older than the retention period; returns how many went."""
    return audit_purge()
