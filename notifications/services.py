"""Notifying people: notify() and notify_once() for other apps, inbox changes, preferences, email delivery.

Routing of one notification, by the recipient's channel for the event (DeliverySettings and
Preference, else the event's default):
- off: nothing at all; in_app: an inbox item only;
- email_digest: an inbox item that waits for the daily digest;
- email_now: an inbox item and its own email, queued after commit on the `notifications` queue,
  unless the user already had NOTIFICATIONS_DAILY_EMAIL_CAP (100) emails today (then it waits for
  the digest) or is in quiet hours (then the email is held until they end; the hourly
  release task sends it).
Without EMAIL_HOST no email is attempted: inbox items still appear, and an immediate email
leaves an EmailLog with status `skipped` and the error "skipped: email not configured".
Beside the channel, a user chooses per event whether an inbox item is also pushed to their devices
(Preference.push, else `events.default_push`): one push per device, held in quiet hours like email
(notifications.services_push; nothing without VAPID keys).
"""

import datetime as dt
import smtplib
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from notifications import emails, services_push, webpush
from notifications.events import DIGEST_EVENT, EVENTS, EXPORT_EVENT, TEST_EVENT, Channel, Event, default_push
from notifications.models import (
    DEFAULT_DIGEST_HOUR,
    DeliverySettings,
    EmailLog,
    Notification,
    Preference,
    PushSubscription,
)
from notifications.selectors import unread_cache_key
from tenants.errors import DomainError
from tenants.models import Organization, User

EMAIL_NOT_CONFIGURED = "skipped: email not configured"
DEFAULT_DAILY_EMAIL_CAP = 100
DIGEST_MAX_ITEMS = 100
STALE_QUEUED_AFTER = services_push.STALE_QUEUED_AFTER
MAX_EMAIL_ATTEMPTS = 6  # the first try and five retries
RETRYABLE_SMTP_ERRORS = (smtplib.SMTPException, OSError)

Status = EmailLog.Status
EmailState = Notification.EmailState


def email_enabled() -> bool:
    """Email goes out only when an SMTP host is configured (EMAIL_HOST)."""
    return bool(getattr(settings, "EMAIL_HOST", ""))


def daily_email_cap() -> int:
    """Most immediate emails one user gets in a day (their program's day); the rest go to the digest."""
    return int(getattr(settings, "NOTIFICATIONS_DAILY_EMAIL_CAP", DEFAULT_DAILY_EMAIL_CAP))


def _zone(program: Organization) -> ZoneInfo:
    return ZoneInfo(program.time_zone or settings.DEFAULT_PROGRAM_TIME_ZONE)


def quiet_hours_end(delivery: DeliverySettings, zone: ZoneInfo, now: dt.datetime) -> dt.datetime | None:
    """When the user's quiet hours around `now` end (aware), or None when `now` is not in them.

    Hours are whole local hours; start 22 and end 7 means 22:00 to 07:00 the next morning.
    """
    start, end = delivery.quiet_start, delivery.quiet_end
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    hour = local.hour
    inside = start <= hour < end if start < end else (hour >= start or hour < end)
    if not inside:
        return None
    end_date = local.date() if hour < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(end_date, dt.time(end), tzinfo=zone).astimezone(dt.UTC)


def _day_start(zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.astimezone(zone).date(), dt.time(0), tzinfo=zone)


def _over_daily_cap(user: User, zone: ZoneInfo, now: dt.datetime) -> bool:
    sent_today = (
        EmailLog.objects.filter(recipient=user, is_digest=False, created_at__gte=_day_start(zone, now))
        .exclude(status=Status.SKIPPED)
        .count()
    )
    return sent_today >= daily_email_cap()


def _queue_send(email_log_id: int) -> None:
    """Send the email after commit through the delivery task; errors are logged, never raised to the caller."""
    from notifications.tasks import email_send_task  # tasks import this module

    transaction.on_commit(lambda: email_send_task.delay(email_log_id), robust=True)


def _clear_unread_counts(pairs: Iterable[tuple[int, int]]) -> None:
    """Forget cached unread counts now and again after commit (a reader in between may cache the old count)."""
    keys = [unread_cache_key(user_id, program_id) for user_id, program_id in set(pairs)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def is_site_path(link: str) -> bool:
    """Whether a link is a path on this site (no scheme, no host, not protocol-relative)."""
    return link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=set())


def _check_link(link: str) -> None:
    if link and not is_site_path(link):
        raise DomainError(f"A notification link must be a path on this site starting with “/”, not “{link}”.")


def _recipients_in_program(recipients: Iterable[User], program: Organization) -> list[User]:
    """Active users with a role in the program (or its institution), or superusers; each once, in order."""
    wanted = list(dict.fromkeys(user.pk for user in recipients if user is not None))
    members = (
        User.objects.filter(pk__in=wanted, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(memberships__organization_id=program.pk)
            | Q(memberships__organization_id=program.parent_id)
        )
        .distinct()
    )
    by_id = {user.pk: user for user in members}
    return [by_id[pk] for pk in wanted if pk in by_id]


def _email_now(notification: Notification, context: Mapping[str, Any], delivery: DeliverySettings, now) -> None:
    """Queue (or hold for quiet hours, or fold into the digest past the daily cap) one notification's email."""
    user, program = notification.recipient, notification.program
    zone = _zone(program)
    if _over_daily_cap(user, zone, now):
        notification.email_state = EmailState.DIGEST
        notification.save(update_fields=["email_state"])
        return
    rendered = emails.render_notification_email(notification, context)
    send_after = quiet_hours_end(delivery, zone, now)
    log = EmailLog.objects.create(
        program=program,
        recipient=user,
        to_email=user.email,
        event=notification.event,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        notification=notification,
        idempotency_key=f"notification:{notification.pk}",
        message_id=emails.new_message_id(),
        send_after=send_after,
        created_at=now,
    )
    notification.email_state = EmailState.EMAIL
    notification.save(update_fields=["email_state"])
    if send_after is None:
        _queue_send(log.pk)


def _route_email(notification: Notification, channel: str, context, delivery: DeliverySettings, now) -> None:
    if channel == Channel.IN_APP:
        return
    if not email_enabled():
        if channel == Channel.EMAIL_NOW:
            EmailLog.objects.create(
                program=notification.program,
                recipient=notification.recipient,
                to_email=notification.recipient.email,
                event=notification.event,
                subject=notification.title,
                status=Status.SKIPPED,
                error=EMAIL_NOT_CONFIGURED,
                notification=notification,
                idempotency_key=f"notification:{notification.pk}",
                created_at=now,
            )
        return
    if channel == Channel.EMAIL_DIGEST:
        notification.email_state = EmailState.DIGEST
        notification.save(update_fields=["email_state"])
        return
    _email_now(notification, context, delivery, now)


def _devices_wanting_push(
    users: list[User], event: str, pushed: Mapping[int, bool]
) -> dict[int, list[PushSubscription]]:
    """User id -> their devices, for the users who want `event` pushed (none when push is not configured)."""
    wanting = [user.pk for user in users if pushed.get(user.pk, default_push(event))]
    if not wanting or not webpush.push_enabled():
        return {}
    devices: dict[int, list[PushSubscription]] = {}
    for subscription in PushSubscription.objects.filter(user_id__in=wanting).order_by("pk"):
        devices.setdefault(subscription.user_id, []).append(subscription)
    return devices


@transaction.atomic
def _notify(
    *, recipients: Iterable[User], event: str, context: Mapping[str, Any], program: Organization, link: str, key: str
) -> list[Notification]:
    if event not in EVENTS:
        raise DomainError(f"Unknown notification event “{event}”; known events: {', '.join(Event.values)}.")
    _check_link(link)
    users = _recipients_in_program(recipients, program)
    if not users:
        return []
    title, summary = emails.event_texts(event, context)
    rows = Preference.objects.filter(user__in=users, event=event).values_list("user_id", "channel", "push")
    chosen = {user_id: channel for user_id, channel, _push in rows}
    pushed = {user_id: push for user_id, _channel, push in rows if push is not None}
    devices = _devices_wanting_push(users, event, pushed)
    deliveries = {row.user_id: row for row in DeliverySettings.objects.filter(user__in=users)}
    already = set()
    if key:
        already = set(
            Notification.objects.filter(recipient__in=users, once_key=key).values_list("recipient_id", flat=True)
        )
    now = timezone.now()
    created = []
    for user in users:
        channel = chosen.get(user.pk, EVENTS[event].default_channel)
        if channel == Channel.OFF or user.pk in already:
            continue
        notification = Notification(
            program=program, recipient=user, event=event, title=title, body=summary, link=link, once_key=key
        )
        notification.created_at = now
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:  # a concurrent notify_once with the same key won
            continue
        delivery = deliveries.get(user.pk) or DeliverySettings(user=user)
        _route_email(notification, channel, context, delivery, now)
        if devices.get(user.pk):
            send_after = quiet_hours_end(delivery, _zone(program), now)
            services_push.push_logs_queue(
                notification=notification, subscriptions=devices[user.pk], send_after=send_after
            )
        created.append(notification)
    _clear_unread_counts((item.recipient_id, program.pk) for item in created)
    return created


def notify(
    *, recipients: Iterable[User], event: str, context: Mapping[str, Any], program: Organization, link: str = ""
) -> list[Notification]:
    """Tell users of `program` that `event` happened; returns the inbox items made.

    Recipients outside the program, inactive ones and those who turned the event off get nothing.
    `context` fills the event's subject, summary and email templates; `link` is a site path.
    Emails are queued after the surrounding transaction commits.
    """
    return _notify(recipients=recipients, event=event, context=context, program=program, link=link, key="")


def notify_once(
    *,
    key: str,
    recipients: Iterable[User],
    event: str,
    context: Mapping[str, Any],
    program: Organization,
    link: str = "",
) -> list[Notification]:
    """notify(), but each recipient gets the notification for `key` (e.g. "cert:12:30") at most once, ever."""
    key = key.strip()
    if not key:
        raise DomainError("notify_once needs a key, such as “cert:<id>:30”.")
    if len(key) > 200:
        raise DomainError("A notify_once key has at most 200 characters.")
    return _notify(recipients=recipients, event=event, context=context, program=program, link=link, key=key)


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one inbox item read (reading it again changes nothing)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _clear_unread_counts([(notification.recipient_id, notification.program_id)])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User, program: Organization) -> int:
    """Mark all of the user's unread items in the program read; returns how many changed."""
    changed = Notification.objects.filter(recipient=user, program=program, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    _clear_unread_counts([(user.pk, program.pk)])
    return changed


def _check_hour(value: int | None, label: str, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 23:
        raise DomainError(f"The {label} must be a whole hour from 0 to 23.")


@transaction.atomic
def preferences_update(
    *,
    user: User,
    channels: Mapping[str, str],
    digest_hour: int,
    quiet_start: int | None,
    quiet_end: int | None,
    push: Mapping[str, bool] | None = None,
) -> DeliverySettings:
    """Save the user's channel and push choice per event (events not named keep theirs), digest hour and quiet hours.

    A choice equal to the event's default is stored as none (a channel without a row, push as null), so the
    default applies.
    """
    push = push or {}
    for event in [*channels, *push]:
        if event not in EVENTS:
            raise DomainError(f"Unknown event “{event}”; known events: {', '.join(Event.values)}.")
    for event, channel in channels.items():
        if channel not in Channel.values:
            raise DomainError(f"Unknown channel “{channel}” for {event}; choose one of {', '.join(Channel.values)}.")
    for event, wanted in push.items():
        if not isinstance(wanted, bool):
            raise DomainError(f"Push for {event} is true or false, not “{wanted}”.")
    _check_hour(digest_hour, "digest hour", optional=False)
    _check_hour(quiet_start, "quiet hours start", optional=True)
    _check_hour(quiet_end, "quiet hours end", optional=True)
    if (quiet_start is None) != (quiet_end is None):
        raise DomainError("Quiet hours need both a start and an end (or neither).")
    if quiet_start is not None and quiet_start == quiet_end:
        raise DomainError("Quiet hours must end at another hour than they start.")
    _choices_save(user, channels, push)
    delivery, _ = DeliverySettings.objects.update_or_create(
        user=user, defaults={"digest_hour": digest_hour, "quiet_start": quiet_start, "quiet_end": quiet_end}
    )
    return delivery


def _choices_save(user: User, channels: Mapping[str, str], push: Mapping[str, bool]) -> None:
    """Store each named event's channel and push choice; a row only while one of them differs from the default."""
    current = {row.event: row for row in Preference.objects.select_for_update().filter(user=user)}
    for event in dict.fromkeys([*channels, *push]):
        row = current.get(event)
        channel = channels.get(event, row.channel if row else EVENTS[event].default_channel)
        wanted = push.get(event, row.push if row else None)
        stored_push = None if wanted is None or wanted == default_push(event) else wanted
        if channel == EVENTS[event].default_channel and stored_push is None:
            Preference.objects.filter(user=user, event=event).delete()
        else:
            Preference.objects.update_or_create(
                user=user, event=event, defaults={"channel": channel, "push": stored_push}
            )


def _smtp_codes(exc: smtplib.SMTPException) -> list[int]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return [code for code, _message in exc.recipients.values()]
    if isinstance(exc, smtplib.SMTPResponseException):
        return [exc.smtp_code]
    return []


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def email_log_deliver(*, email_log_id: int, final_attempt: bool) -> EmailLog | None:
    """Send a queued email once: the row is locked while sending, and an email no longer queued is left alone.

    A temporary failure (4xx, connection error) is recorded and raised, so the task retries; the final
    attempt (the task's last retry, or the MAX_EMAIL_ATTEMPTS-th in all) marks the email failed. A refused
    recipient (5xx) marks it bounced at once, another permanent (5xx) error failed at once.
    """
    failure: BaseException | None = None
    with transaction.atomic():
        log = EmailLog.objects.select_for_update().filter(pk=email_log_id).first()
        if log is None or log.status != Status.QUEUED:
            return log
        if not email_enabled():
            log.status, log.error = Status.SKIPPED, EMAIL_NOT_CONFIGURED
            log.save(update_fields=["status", "error"])
            return log
        log.attempts += 1
        final_attempt = final_attempt or log.attempts >= MAX_EMAIL_ATTEMPTS
        try:
            get_connection(fail_silently=False).send_messages([emails.build_message(log)])
        except RETRYABLE_SMTP_ERRORS as exc:
            log.error = _describe(exc)
            codes = _smtp_codes(exc) if isinstance(exc, smtplib.SMTPException) else []
            if codes and all(code >= 500 for code in codes):
                permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
                log.status = Status.BOUNCED if permanent else Status.FAILED
            elif final_attempt:
                log.status = Status.FAILED
            else:
                failure = exc
        else:
            log.status, log.sent_at, log.error = Status.SENT, timezone.now(), ""
        log.save(update_fields=["status", "error", "attempts", "sent_at"])
    if failure is not None:
        raise failure
    return log


def _digest_create(user: User, program: Organization, local_date: dt.date, now: dt.datetime) -> EmailLog | None:
    key = f"digest:{user.pk}:{program.pk}:{local_date.isoformat()}"
    if EmailLog.objects.filter(idempotency_key=key).exists():
        return None  # one digest a day; later items wait for tomorrow's
    items = list(
        Notification.objects.select_for_update()
        .filter(recipient=user, program=program, email_state=EmailState.DIGEST)
        .order_by("created_at", "id")
    )
    if not items:
        return None
    rendered = emails.render_digest_email(recipient=user, program=program, items=items[:DIGEST_MAX_ITEMS])
    log = EmailLog.objects.create(
        program=program,
        recipient=user,
        to_email=user.email,
        event=DIGEST_EVENT,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        is_digest=True,
        idempotency_key=key,
        message_id=emails.new_message_id(),
        created_at=now,
    )
    Notification.objects.filter(pk__in=[item.pk for item in items]).update(email_state=EmailState.DIGESTED, digest=log)
    _queue_send(log.pk)
    return log


@transaction.atomic
def digests_send_due(*, now: dt.datetime | None = None) -> list[EmailLog]:
    """Make and queue the digest of every user whose digest hour it now is in the item's program time zone.

    Each digest gathers all the user's waiting items of that program and marks them digested, so
    none goes twice; at most one digest per user, program and local day.
    """
    now = now or timezone.now()
    if not email_enabled():
        return []
    pairs = set(Notification.objects.filter(email_state=EmailState.DIGEST).values_list("recipient_id", "program_id"))
    if not pairs:
        return []
    users = User.objects.in_bulk({user_id for user_id, _ in pairs})
    programs = Organization.objects.in_bulk({program_id for _, program_id in pairs})
    hours = dict(DeliverySettings.objects.filter(user_id__in=users).values_list("user_id", "digest_hour"))
    made = []
    for user_id, program_id in sorted(pairs):
        user, program = users[user_id], programs[program_id]
        local = now.astimezone(_zone(program))
        if local.hour != hours.get(user_id, DEFAULT_DIGEST_HOUR):
            continue
        log = _digest_create(user, program, local.date(), now)
        if log is not None:
            made.append(log)
    return made


@transaction.atomic
def email_logs_release_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue held emails whose quiet hours are over, and re-queue emails queued over an hour ago.

    Sending is idempotent, so a re-queued email that was in fact on its way still goes once.
    """
    due = services_push.queued_due_ids(EmailLog.objects.all(), now or timezone.now())
    for pk in due:
        _queue_send(pk)
    return due


@transaction.atomic
def email_file_send_once(
    *,
    program: Organization,
    recipient: User,
    subject: str,
    context: Mapping[str, Any],
    idempotency_key: str,
    file_name: str,
    file_type: str,
    content: bytes,
) -> EmailLog | None:
    """Queue an email carrying one file to a member of the program, once per `idempotency_key` (None when that
    key was used already, even by a run racing this one); sent after commit by the delivery task, with retries."""
    if EmailLog.objects.filter(idempotency_key=idempotency_key).exists():
        return None
    rendered = emails.render_export_email(recipient=recipient, program=program, subject=subject, context=context)
    try:
        with transaction.atomic():
            log = EmailLog.objects.create(
                program=program,
                recipient=recipient,
                to_email=recipient.email,
                event=EXPORT_EVENT,
                subject=rendered.subject,
                text_body=rendered.text,
                html_body=rendered.html,
                idempotency_key=idempotency_key,
                message_id=emails.new_message_id(),
                attachment_name=file_name,
                attachment_type=file_type,
                attachment=content,
            )
    except IntegrityError:
        return None
    _queue_send(log.pk)
    return log


@transaction.atomic
def email_test_send(*, to_email: str, program: Organization | None = None) -> EmailLog:
    """Queue a test email to an address through the normal delivery task; returns its log row."""
    to_email = (to_email or "").strip()
    try:
        validate_email(to_email)
    except ValidationError as exc:
        raise DomainError(f"“{to_email}” is not an email address.") from exc
    rendered = emails.render_test_email(to_email=to_email)
    enabled = email_enabled()
    log = EmailLog.objects.create(
        program=program,
        to_email=to_email,
        event=TEST_EVENT,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        idempotency_key=f"test:{uuid.uuid4().hex}",
        message_id=emails.new_message_id(),
        status=Status.QUEUED if enabled else Status.SKIPPED,
        error="" if enabled else EMAIL_NOT_CONFIGURED,
    )
    if enabled:
        _queue_send(log.pk)
    return log
