"""The audit log: one append-only row per security-relevant event (sign-ins, role changes, tokens, exports...).

Rows are written only through `tenants.audit.record`. Nothing changes or deletes them: not `save()`, not the
queryset, not the admin or the API, and on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002),
except `manage.py purge_audit`, which removes rows past the retention period. The one change allowed is the
one Django makes when the user or program a row names is deleted: the link is cleared, the copied email and
everything else stay.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from tenants.errors import DomainError


class AuditAction(models.TextChoices):
    """Stable dotted names of audited actions. Add new ones here; the column holds any name (no migration)."""

    LOGIN = "auth.login", "Signed in"
    LOGOUT = "auth.logout", "Signed out"
    LOGIN_FAILED = "auth.login_failed", "Sign-in failed"
    LOCKED_OUT = "auth.locked_out", "Locked out"
    UNLOCKED = "auth.unlocked", "Unlocked"
    PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    PASSWORD_RESET = "auth.password_reset", "Password reset"
    EMAIL_VERIFIED = "auth.email_verified", "Email verified"
    MFA_ENABLED = "mfa.enabled", "Second factor enabled"
    MFA_DISABLED = "mfa.disabled", "Second factor removed"
    MFA_VERIFIED = "mfa.verified", "Second factor passed"
    MFA_FAILED = "mfa.failed", "Second factor failed"
    MFA_RECOVERY_CODES = "mfa.recovery_codes_generated", "Recovery codes generated"
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used", "Recovery code used"
    PASSKEY_ADDED = "mfa.passkey_added", "Passkey added"
    PASSKEY_REMOVED = "mfa.passkey_removed", "Passkey removed"
    PASSKEY_USED = "mfa.passkey_used", "Passkey used"
    PUSH_SUBSCRIBED = "push.subscribed", "Push device added"
    PUSH_RENEWED = "push.renewed", "Push device renewed"
    PUSH_REMOVED = "push.removed", "Push device removed"
    SSO_LOGIN = "sso.login", "Signed in with SSO"
    SSO_LOGIN_FAILED = "sso.login_failed", "SSO sign-in refused"
    SSO_USER_CREATED = "sso.user_created", "User created by SSO"
    SSO_SETTINGS_CHANGED = "sso.settings_changed", "SSO settings changed"
    MEMBERSHIP_CREATED = "membership.created", "Membership created"
    MEMBERSHIP_CHANGED = "membership.changed", "Membership changed"
    MEMBERSHIP_DELETED = "membership.deleted", "Membership deleted"
    ROLE_CHANGED = "role.changed", "Role changed"
    USER_CREATED = "user.created", "User created"
    USER_CHANGED = "user.changed", "User changed"
    USER_DELETED = "user.deleted", "User deleted"
    PROGRAM_SETTINGS_CHANGED = "program.settings_changed", "Program settings changed"
    TOKEN_CREATED = "token.created", "API token created"
    TOKEN_USED = "token.used", "API token used"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    EXPORT_DOWNLOADED = "export.downloaded", "Export downloaded"
    SCHEDULE_PUBLISHED = "schedule.published", "Schedule published"
    AUDIT_EXPORTED = "audit.exported", "Audit log downloaded"
    AUDIT_PURGED = "audit.purged", "Old audit events purged"


class AuditLogAppendOnly(DomainError):
    """Raised by every attempt to change or delete an audit event."""

    code = "audit_append_only"
    status_code = 405

    def __init__(self, message: str = "The audit log is append-only: events cannot be changed or deleted.") -> None:
        super().__init__(message)


# Fields Django clears when the user or program an event names is deleted (on_delete=SET_NULL).
_UNLINKABLE = frozenset({"actor", "actor_id", "program", "program_id"})


class AuditEventQuerySet(models.QuerySet):
    """Filters for the audit page; updates and deletes are refused (see `AuditEvent`)."""

    def for_program(self, program) -> "AuditEventQuerySet":
        return self.filter(program=program)

    def platform(self) -> "AuditEventQuerySet":
        """Events that belong to no program (sign-ins, platform administration)."""
        return self.filter(program__isnull=True)

    def older_than(self, cutoff) -> "AuditEventQuerySet":
        return self.filter(occurred_at__lt=cutoff)

    def update(self, **kwargs):
        if kwargs and set(kwargs) <= _UNLINKABLE and all(value is None for value in kwargs.values()):
            return super().update(**kwargs)  # a deleted user or program is unlinked
        raise AuditLogAppendOnly()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogAppendOnly()

    def delete(self):
        raise AuditLogAppendOnly()

    delete.queryset_only = True

    def purge(self) -> int:
        """Delete these rows; only `manage.py purge_audit` calls this, inside a transaction that set audit.purge."""
        return self._raw_delete(self.db)

    purge.queryset_only = True


class AuditEvent(models.Model):
    """Who did what, when, from where, to which row, with the values before and after. Append-only."""

    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        "tenants.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    actor_email = models.CharField(max_length=254, blank=True, help_text="Copied: it stays if the user goes.")
    program = models.ForeignKey(
        "tenants.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for platform events (sign-ins, platform administration).",
    )
    action = models.CharField(max_length=64, help_text="A dotted name from AuditAction, e.g. auth.login.")
    target_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of the row acted on.")
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["program", "-occurred_at"], name="audit_program_when"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_when"),
            models.Index(fields=["action", "-occurred_at"], name="audit_action_when"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["occurred_at"], name="audit_when"),
        ]

    def __str__(self) -> str:
        who = self.actor_email or "anonymous"
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {who} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditLogAppendOnly()
        kwargs["force_insert"] = True  # a row given an existing id is never an update
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogAppendOnly()

    @property
    def action_label(self) -> str:
        """The action's readable name, or its dotted name if it is not (yet) listed."""
        try:
            return AuditAction(self.action).label
        except ValueError:
            return self.action
