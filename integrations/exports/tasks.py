"""Background work of exports: the hourly beat task that emails scheduled export templates that are due."""

from celery import shared_task

from integrations.exports import services


@shared_task
def export_deliveries_send_due_task() -> int:
    """Hourly: email every scheduled export template whose period began and was not sent; returns the emails queued."""
    return services.export_deliveries_send_due()
