"""Web push: a user's devices (subscriptions) and the delivery of one notification to each of them.

notify() calls `push_logs_queue` for a recipient who wants push for the event; each device gets one PushLog whose
unique key is "push:<notification>:<subscription>", sent after commit by `notifications.tasks.push_send_task` on
the `notifications` queue with email's retries. Sending locks the row and leaves a sent one alone, so a retry or
a re-queue never pushes twice. A push service answering 404 or 410 ends the subscription: it is deleted.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from notifications import webpush
from notifications.models import Notification, PushLog, PushSubscription
from tenants.audit import PLATFORM, record
from tenants.audit_models import AuditAction
from tenants.errors import DomainError
from tenants.models import User
from tenants.ownership import owns

MAX_PUSH_ATTEMPTS = 6  # the first try and five retries, as for email
STALE_QUEUED_AFTER = dt.timedelta(hours=1)
MAX_DEVICES = 20  # per user: an old phone's subscription goes when a 21st device subscribes
RETRYABLE_PUSH_ERRORS = (webpush.PushRetry,)
PUSH_NOT_CONFIGURED = "Push is not configured on this server (no VAPID keys)."

Status = PushLog.Status

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"))
_SYSTEMS += (("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_label(user_agent: str) -> str:
    """A short name for a device from its browser's User-Agent, e.g. "Chrome on Android"."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "Browser")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    return f"{browser} on {system}" if system else browser


def _clean_label(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip()[:120]


def _described(subscription: PushSubscription) -> dict[str, str]:
    """What the audit log keeps of a device: its label and push service, never the endpoint (a capability)."""
    return {"device": subscription.device, "push_service": urlsplit(subscription.endpoint).hostname or ""}


def _audited(action: AuditAction, subscription: PushSubscription, *, before=None, after=None) -> None:
    """A device is personal, of no program: a platform event of its owner (address and agent from the request)."""
    record(action, actor=subscription.user, program=PLATFORM, target=subscription, before=before, after=after)


def _checked(endpoint: str, p256dh: str, auth: str) -> tuple[str, str, str]:
    """The subscription's parts, stripped, once push is configured and they are a push service's and valid keys."""
    endpoint, p256dh, auth = (endpoint or "").strip(), (p256dh or "").strip(), (auth or "").strip()
    if not webpush.push_enabled():
        raise DomainError(PUSH_NOT_CONFIGURED)
    if not endpoint:
        raise DomainError("The subscription has no endpoint.")
    problem = webpush.endpoint_problem(endpoint) or webpush.keys_problem(p256dh, auth)
    if problem:
        raise DomainError(problem)
    return endpoint, p256dh, auth


def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = "", device: str = ""
) -> PushSubscription:
    """Store (or refresh) the subscription of one of the user's devices; returns it.

    The endpoint must be https on a browser's push service and the keys a P-256 point and a 16-byte secret. The
    same endpoint subscribed again updates its keys; subscribed by another login (a shared browser), it moves to
    this one as a new row. Past MAX_DEVICES the user's oldest device is dropped.
    """
    endpoint, p256dh, auth = _checked(endpoint, p256dh, auth)
    user_agent = (user_agent or "")[:400]
    label = _clean_label(device) or device_label(user_agent)
    with transaction.atomic():
        current = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        if current is not None and current.user_id == user.pk:
            current.p256dh, current.auth, current.user_agent, current.device = p256dh, auth, user_agent, label
            current.save(update_fields=["p256dh", "auth", "user_agent", "device"])
            return current
        if current is not None:
            _audited(
                AuditAction.PUSH_REMOVED,
                current,
                before=_described(current),
                after={"reason": "subscribed by another login"},
            )
            current.delete()
        try:
            with transaction.atomic():
                subscription = PushSubscription.objects.create(
                    user=user, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent, device=label
                )
        except IntegrityError as exc:  # the same device subscribing twice at once
            raise DomainError("This device is being subscribed already; reload the page.") from exc
        _audited(AuditAction.PUSH_SUBSCRIBED, subscription, after=_described(subscription))
        extra = PushSubscription.objects.filter(user=user).order_by("-created_at", "-id")[MAX_DEVICES:]
        for old in extra:
            _audited(AuditAction.PUSH_REMOVED, old, before=_described(old), after={"reason": "too many devices"})
        PushSubscription.objects.filter(pk__in=[row.pk for row in extra]).delete()
    return subscription


def push_subscription_renew(
    *, old_endpoint: str, old_auth: str, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """The browser replaced a device's subscription (the service worker's `pushsubscriptionchange`): the device's
    row takes the new endpoint and keys, so the old endpoint is gone and the owner, label and queued pushes stay.

    No session is needed: the old endpoint with its auth secret (known only to that browser and this server) proves
    which device it is. Another row already holding the new endpoint is replaced by this one.
    """
    endpoint, p256dh, auth = _checked(endpoint, p256dh, auth)
    unknown = DomainError("No such device: turn push on again on the notification preferences page.")
    with transaction.atomic():
        device = PushSubscription.objects.select_for_update().filter(endpoint=(old_endpoint or "").strip()).first()
        if device is None or not hmac.compare_digest(device.auth.encode(), (old_auth or "").strip().encode()):
            raise unknown
        before = _described(device)
        PushSubscription.objects.filter(endpoint=endpoint).exclude(pk=device.pk).delete()
        device.endpoint, device.p256dh, device.auth = endpoint, p256dh, auth
        device.save(update_fields=["endpoint", "p256dh", "auth"])
        _audited(AuditAction.PUSH_RENEWED, device, before=before, after=_described(device))
    return device


def push_subscription_delete(*, user: User, subscription: PushSubscription) -> None:
    """Remove one of the user's own devices: it gets no more push. Another user's is refused."""
    if not owns(user, "delete", subscription):
        raise DomainError("You can remove only your own devices.")
    with transaction.atomic():
        _audited(AuditAction.PUSH_REMOVED, subscription, before=_described(subscription))
        PushSubscription.objects.filter(pk=subscription.pk).delete()


def push_subscription_delete_by_endpoint(*, user: User, endpoint: str) -> int:
    """Remove the user's subscription with this endpoint (the browser unsubscribed); returns how many went."""
    with transaction.atomic():
        device = PushSubscription.objects.filter(user=user, endpoint=(endpoint or "").strip()).first()
        if device is None:
            return 0
        _audited(AuditAction.PUSH_REMOVED, device, before=_described(device))
        device.delete()
    return 1


def push_payload(notification: Notification) -> dict:
    """What the service worker shows: the inbox item's title and text, and its page (opening marks it read)."""
    from django.urls import reverse

    return {
        "title": notification.title,
        "body": notification.body[:500],
        "url": reverse("notification-open", kwargs={"pk": notification.pk}),
        "tag": f"notification-{notification.pk}",
    }


def _queue_send(push_log_id: int) -> None:
    from notifications.tasks import push_send_task  # tasks import this module

    transaction.on_commit(lambda: push_send_task.delay(push_log_id), robust=True)


def push_logs_queue(
    *, notification: Notification, subscriptions: Iterable[PushSubscription], send_after: dt.datetime | None
) -> list[PushLog]:
    """One PushLog per device for a new notification, sent after commit (or held until `send_after`)."""
    payload = push_payload(notification)
    made = []
    for subscription in subscriptions:
        log, created = PushLog.objects.get_or_create(
            idempotency_key=f"push:{notification.pk}:{subscription.pk}",
            defaults={
                "program": notification.program,
                "recipient_id": notification.recipient_id,
                "subscription": subscription,
                "notification": notification,
                "event": notification.event,
                "payload": payload,
                "send_after": send_after,
                "created_at": notification.created_at,
            },
        )
        if created:
            made.append(log)
            if send_after is None:
                _queue_send(log.pk)
    return made


def push_log_deliver(*, push_log_id: int, final_attempt: bool) -> PushLog | None:
    """Push a queued message once: the row is locked while sending, and a message no longer queued is left alone.

    A temporary failure is recorded and raised (PushRetry), so the task retries; the final attempt marks it
    failed. 404/410 marks it gone and deletes the subscription; another refusal marks it failed at once.
    """
    failure: BaseException | None = None
    with transaction.atomic():
        log = (
            PushLog.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=push_log_id)
            .first()
        )
        if log is None or log.status != Status.QUEUED:
            return log
        subscription = log.subscription
        if subscription is None:
            log.status, log.error = Status.GONE, "The device was removed before the message went."
            log.save(update_fields=["status", "error"])
            return log
        log.attempts += 1
        final_attempt = final_attempt or log.attempts >= MAX_PUSH_ATTEMPTS
        try:
            webpush.send(
                endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth, payload=log.payload
            )
        except webpush.PushGone as exc:
            log.status, log.error, log.subscription = Status.GONE, str(exc), None
            gone = {"reason": "the push service no longer knows the device"}
            _audited(AuditAction.PUSH_REMOVED, subscription, before=_described(subscription), after=gone)
            subscription.delete()
        except webpush.PushRefused as exc:
            log.status, log.error = Status.FAILED, str(exc)
        except webpush.PushRetry as exc:
            log.error = str(exc)
            if final_attempt:
                log.status = Status.FAILED
            else:
                failure = exc
        else:
            now = timezone.now()
            log.status, log.sent_at, log.error = Status.SENT, now, ""
            PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=now)
        log.save(update_fields=["status", "error", "attempts", "sent_at", "subscription"])
    if failure is not None:
        raise failure
    return log


def queued_due_ids(queryset: QuerySet, now: dt.datetime) -> list[int]:
    """Ids of the queued log rows (emails or pushes) due now: held ones whose time came, and ones still queued an
    hour after they were made (a lost task)."""
    return list(
        queryset.filter(status="queued")
        .filter(Q(send_after__lte=now) | Q(send_after__isnull=True, created_at__lte=now - STALE_QUEUED_AFTER))
        .values_list("pk", flat=True)
    )


@transaction.atomic
def push_logs_release_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue held pushes whose quiet hours are over, and re-queue pushes queued over an hour ago."""
    due = queued_due_ids(PushLog.objects.all(), now or timezone.now())
    for pk in due:
        _queue_send(pk)
    return due
