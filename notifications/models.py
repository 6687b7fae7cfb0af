"""Inbox items, each user's delivery preferences, their devices for web push and the logs of every email and push."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from notifications.events import Channel, Event
from tenants.models import ProgramOwnedModel

HOUR_VALIDATORS = [MaxValueValidator(23)]
DEFAULT_DIGEST_HOUR = 7


class Notification(ProgramOwnedModel):
    """One inbox item for one user in one program; `email_state` says how email carries it."""

    class EmailState(models.TextChoices):
        NONE = "none", "No email"
        EMAIL = "email", "Own email"
        DIGEST = "digest", "Waiting for the digest"
        DIGESTED = "digested", "Sent in a digest"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=40, choices=Event.choices)
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path on this site, e.g. /runs/12/.")
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    digest = models.ForeignKey(
        "notifications.EmailLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="digest_items"
    )
    once_key = models.CharField(max_length=200, blank=True, help_text="Set by notify_once: sent once per user.")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "once_key"],
                condition=~Q(once_key=""),
                name="notification_once_key_unique_per_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "program", "read_at"]),
            models.Index(fields=["email_state", "recipient"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_user_id(self) -> int:
        return self.recipient_id

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class DeliverySettings(models.Model):
    """A user's digest hour and quiet hours, read in the time zone of the notification's program."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_settings")
    digest_hour = models.PositiveSmallIntegerField(default=DEFAULT_DIGEST_HOUR, validators=HOUR_VALIDATORS)
    quiet_start = models.PositiveSmallIntegerField(null=True, blank=True, validators=HOUR_VALIDATORS)
    quiet_end = models.PositiveSmallIntegerField(null=True, blank=True, validators=HOUR_VALIDATORS)

    class Meta:
        verbose_name_plural = "delivery settings"
        constraints = [
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="delivery_digest_hour_0_23"),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | (
                    Q(quiet_start__isnull=False, quiet_end__isnull=False, quiet_start__lte=23, quiet_end__lte=23)
                    & ~Q(quiet_start=models.F("quiet_end"))
                ),
                name="delivery_quiet_hours_both_or_neither",
                violation_error_message="Quiet hours need a start and a different end, or neither.",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery settings of {self.user}"


class Preference(models.Model):
    """The channel a user chose for one event; without a row the event's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    push = models.BooleanField(
        null=True, blank=True, help_text="Also push it to the user's devices; empty: the event's default."
    )

    class Meta:
        ordering = ["user", "event"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="preference_one_per_user_event"),
            models.CheckConstraint(
                condition=Q(channel__in=[choice.value for choice in Channel]), name="preference_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.event} → {self.channel}"


class EmailLog(models.Model):
    """One email the app sent or tried to send: its content, status, attempts and errors.

    `idempotency_key` is unique, so one notification or one day's digest never makes two emails;
    the delivery task locks the row and leaves a sent email alone.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Skipped"

    permission_resource = "schedule"  # program managers read the log (see admin)

    program = models.ForeignKey(
        "tenants.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="email_logs"
    )
    to_email = models.EmailField()
    event = models.CharField(max_length=40)
    subject = models.CharField(max_length=250)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message_id = models.CharField(max_length=250, blank=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    is_digest = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=200, unique=True)
    send_after = models.DateTimeField(null=True, blank=True, help_text="Held until then (quiet hours).")
    # One file sent with the email (a scheduled export), kept so a retry sends exactly the same file.
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=120, blank=True)
    attachment = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "email log"
        indexes = [
            models.Index(fields=["recipient", "created_at"]),
            models.Index(fields=["status", "send_after"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"


class PushSubscription(models.Model):
    """One browser or phone of one user that receives web push: the push service's endpoint and the keys the
    message is encrypted to. Personal, not a program's: the owner alone lists and removes it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.CharField(max_length=1000, unique=True, help_text="The push service's URL for this device.")
    p256dh = models.CharField(max_length=200, help_text="The device's P-256 public key, base64url.")
    auth = models.CharField(max_length=50, help_text="The device's 16-byte auth secret, base64url.")
    device = models.CharField(max_length=120, blank=True, help_text="A label, e.g. “Chrome on Android”.")
    user_agent = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.device or 'Device'} of {self.user}"

    @property
    def owner_user_id(self) -> int:
        return self.user_id


class PushLog(models.Model):
    """One push message to one device: its content, status, attempts and error.

    `idempotency_key` ("push:<notification>:<subscription>") is unique, so a notification reaches a device at most
    once; the delivery task locks the row and leaves a sent message alone.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        GONE = "gone", "Device gone (subscription removed)"

    program = models.ForeignKey(
        "tenants.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="push_logs"
    )
    subscription = models.ForeignKey(
        PushSubscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="pushes"
    )
    event = models.CharField(max_length=40)
    payload = models.JSONField(default=dict, help_text="What the service worker shows: title, body, url, tag.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    idempotency_key = models.CharField(max_length=200, unique=True)
    send_after = models.DateTimeField(null=True, blank=True, help_text="Held until then (quiet hours).")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.payload.get('title', '')} → {self.subscription_id}"
