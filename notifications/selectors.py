"""Reads of a user's inbox and preferences; every read is limited to one user in one program."""

from django.core.cache import cache
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from notifications.events import EVENTS, MANAGER_EVENTS, Event, default_push
from notifications.models import DeliverySettings, Notification, Preference, PushSubscription
from tenants.models import Organization
from tenants.selectors import managed_program_ids

UNREAD_CACHE_SECONDS = 300


def notification_list(*, user, program: Organization, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's inbox in the program: unread first, then newest first."""
    queryset = Notification.objects.filter(recipient=user, program=program)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return queryset.annotate(unread=unread).order_by("-unread", "-created_at", "-id")


def notification_get(*, user, program: Organization, pk: int) -> Notification | None:
    """One of the user's own notifications in the program, or None (another user's is never found)."""
    return Notification.objects.filter(recipient=user, program=program, pk=pk).first()


def unread_cache_key(user_id: int, program_id: int) -> str:
    return f"notifications:unread:{user_id}:{program_id}"


def notification_unread_count(*, user, program: Organization | None) -> int:
    """How many unread items the user has in the program; cached, and cleared by every change."""
    if program is None or not getattr(user, "is_authenticated", False):
        return 0
    key = unread_cache_key(user.pk, program.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, program=program, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def delivery_settings_for(user) -> DeliverySettings:
    """The user's digest and quiet hours; an unsaved default row when they never chose."""
    found = DeliverySettings.objects.filter(user=user).first()
    return found or DeliverySettings(user=user)


def channels_for(user) -> dict[str, str]:
    """Event -> channel for every event: the user's choice, else the event's default."""
    chosen = dict(Preference.objects.filter(user=user).values_list("event", "channel"))
    return {event.value: chosen.get(event.value, EVENTS[event].default_channel) for event in Event}


def push_for(user) -> dict[str, bool]:
    """Event -> whether it is pushed to the user's devices: the user's choice, else the event's default."""
    chosen = dict(Preference.objects.filter(user=user, push__isnull=False).values_list("event", "push"))
    return {event.value: chosen.get(event.value, default_push(event)) for event in Event}


def push_subscription_list(*, user) -> QuerySet[PushSubscription]:
    """The user's own devices that receive push, newest first."""
    return PushSubscription.objects.filter(user=user).order_by("-created_at", "-id")


def push_subscription_get(*, user, pk: int) -> PushSubscription | None:
    """One of the user's own devices, or None (another user's is never found)."""
    return PushSubscription.objects.filter(user=user, pk=pk).first()


def events_for(user) -> list[Event]:
    """The events `user` may hear of: all for the managers of a program (and superusers), else all but the managers'
    own (MANAGER_EVENTS)."""
    if managed_program_ids(user):
        return list(Event)
    return [event for event in Event if event not in MANAGER_EVENTS]
