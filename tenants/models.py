"""Users, the organization tree (institution > program) and role memberships."""

import datetime as dt
import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tenants.audit_models import AuditEvent  # noqa: F401  (registered here; it lives beside its writer)
from tenants.querysets import MembershipQuerySet, OrganizationQuerySet, ProgramScopedQuerySet
from tenants.settings_sections import settings_validate


class UserManager(BaseUserManager["User"]):
    """Users are identified by their email address, stored lower-cased."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in, by email. Program roles come from memberships."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=~Q(email=""), name="user_email_not_blank"),
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="A user with this email address already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (use an IANA name like America/New_York).")


class Organization(models.Model):
    """A node of the tenant tree: an institution, or a program under an institution."""

    class Kind(models.TextChoices):
        INSTITUTION = "institution", "Institution"
        PROGRAM = "program", "Program"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PROGRAM)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    settings = models.JSONField(default=dict, blank=True, help_text="Program rules and limits (JSON object).")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="institution", parent__isnull=True) | Q(kind="program", parent__isnull=False)),
                name="organization_program_has_institution_parent",
                violation_error_message="A program belongs to an institution; an institution has no parent.",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="organization_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_program(self) -> bool:
        return self.kind == self.Kind.PROGRAM

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The organization's time zone: its dates and clock times are read in it."""
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> dt.date:
        """Today's date in the organization's time zone."""
        return timezone.localdate(timezone=self.zone)

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.PROGRAM and not self.parent_id:
            raise ValidationError({"parent": "A program belongs to an institution: choose its parent."})
        if self.kind == self.Kind.INSTITUTION and self.parent_id:
            raise ValidationError({"parent": "An institution has no parent."})
        if self.parent_id and self.parent.kind != self.Kind.INSTITUTION:
            raise ValidationError({"parent": "A program's parent must be an institution."})
        settings_validate(self.settings)


class Role(models.TextChoices):
    """The eight program roles (DESIGN.md section 12)."""

    ADMIN = "admin", "Admin"
    COORDINATOR = "coordinator", "Coordinator"
    FACULTY = "faculty", "Faculty"
    RESIDENT = "resident", "Resident"
    CLINICAL_STAFF = "clinical_staff", "Clinical staff"
    RN = "rn", "RN"
    LPN = "lpn", "LPN"
    MSA = "msa", "MSA"


class Membership(models.Model):
    """A user's role in an organization; a role in an institution applies to its programs."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    permission_resource = "membership"  # what tenants.permissions.can checks a membership as

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                name="membership_one_role_per_organization",
                violation_error_message="This user already has a role in this organization.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[choice.value for choice in Role]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.organization}"


class ProgramOwnedModel(models.Model):
    """Base of every program-owned row: it carries its program, read via `.for_program()`."""

    program = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": Organization.Kind.PROGRAM},
    )

    objects = ProgramScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.program_id and self.program.kind != Organization.Kind.PROGRAM:
            raise ValidationError({"program": "Choose a program, not an institution."})


class PersonalAccessToken(models.Model):
    """A user's API token acting in one program with named scopes until it expires or is revoked.

    Only a SHA-256 digest of the secret is stored (the secret is random, so no slow hash is needed); the
    secret itself is shown once, when the token is made. `prefix` identifies it in lists.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    program = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": Organization.Kind.PROGRAM},
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The token's first characters, shown in lists.")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list, help_text='Scopes such as "read:schedule" or "write:absences".')
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="access_token_name_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def owner_user_id(self) -> int:
        return self.user_id

    def is_active(self, now: dt.datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class IdempotentRequest(models.Model):
    """A POST sent with an Idempotency-Key: its fingerprint and, once answered, the response to replay.

    One row per (user, key) for 24 hours; a row without `status_code` is still being handled.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_one_per_user_key")]

    def __str__(self) -> str:
        return f"{self.key} of user {self.user_id}"
