"""The unread-inbox count for the header, counted only when a template shows it."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import notification_unread_count


def unread_notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: the user's unread inbox items in the active program, counted only if a template asks."""
    user = getattr(request, "user", None)
    program = getattr(request, "program", None)
    return {
        "unread_notifications": SimpleLazyObject(lambda: notification_unread_count(user=user, program=program)),
    }
