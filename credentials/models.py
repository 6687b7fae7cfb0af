"""Certifications (BLS, ACLS...) and procedure credentials that make people eligible for sessions (DESIGN.md 4).

People are `scheduling.Person`, named by string: credentials sit below scheduling in the import layers.
"""

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from tenants.models import ProgramOwnedModel

PERSON_MODEL = "scheduling.Person"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved `months` calendar months on, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def split_list(value: str) -> set[str]:
    """A comma-separated list as a set of lower-cased, trimmed items ("OB, Sports" -> {"ob", "sports"})."""
    return {item.strip().lower() for item in (value or "").split(",") if item.strip()}


def _same_program(instance: models.Model, fields: tuple[str, ...]) -> dict[str, str]:
    """Readable version of the EnforceSameProgram trigger, for full_clean()."""
    errors = {}
    for name in fields:
        if getattr(instance, f"{name}_id") is None or not instance.program_id:
            continue
        if getattr(instance, name).program_id != instance.program_id:
            errors[name] = f"This {instance._meta.get_field(name).verbose_name} belongs to another program."
    return errors


class CertificationType(ProgramOwnedModel):
    """A kind of certification (BLS, ACLS, PALS, NRP, ALSO...), its renewal period and who must hold it."""

    code = models.CharField(max_length=20, help_text="Short code used in uploads and rules, e.g. ACLS.")
    name = models.CharField(max_length=120)
    renewal_months = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long a certification stays valid; fills in a missing expiry date.",
    )
    required_for_residents = models.BooleanField(default=False)
    required_for_faculty = models.BooleanField(default=False)
    required_for_specialties = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated specialties whose members must hold it, e.g. OB."
    )

    permission_resource = "credential"
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"],
                name="certificationtype_unique_code",
                violation_error_message="This program already has a certification type with this code.",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="certificationtype_code_not_blank"),
            models.CheckConstraint(
                condition=Q(renewal_months__gte=1, renewal_months__lte=120),
                name="certificationtype_renewal_range",
                violation_error_message="The renewal period is 1 to 120 months.",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        super().clean()
        self.code = (self.code or "").strip().upper()
        if not self.code:
            raise ValidationError({"code": "Give the certification a short code, such as ACLS."})

    def expiry_for(self, issued_on: dt.date) -> dt.date:
        """The expiry of a certification of this type issued on `issued_on` (the renewal period later)."""
        return add_months(issued_on, self.renewal_months)

    def required_for(self, *, kind: str, specialties: str) -> bool:
        """Whether a person of this kind ("resident", "faculty"...) and these specialties must hold it."""
        if (kind == "resident" and self.required_for_residents) or (kind == "faculty" and self.required_for_faculty):
            return True
        return bool(split_list(self.required_for_specialties) & split_list(specialties))


class PersonCertification(ProgramOwnedModel):
    """A person's certification card: number, issue and expiry dates, and who verified it.

    A renewal is a new row (a later issue date); the row with the latest expiry is the one that counts.
    """

    person = models.ForeignKey(PERSON_MODEL, on_delete=models.CASCADE, related_name="certifications")
    type = models.ForeignKey(CertificationType, on_delete=models.PROTECT, related_name="certifications")
    number = models.CharField(max_length=60, blank=True, help_text="Card or certificate number.")
    issued_on = models.DateField()
    expires_on = models.DateField(help_text="Last day the certification is valid.")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    permission_resource = "credential"
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "person", "type", "-issued_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "type", "issued_on"],
                name="personcertification_unique_issue",
                violation_error_message="This person already has this certification issued on this date.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("issued_on")),
                name="personcertification_expires_after_issue",
                violation_error_message="A certification cannot expire before it is issued.",
            ),
        ]
        indexes = [models.Index(fields=["program", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.type} of {self.person} (expires {self.expires_on:%Y-%m-%d})"

    @property
    def owner_user_id(self) -> int | None:
        return self.person.user_id

    def clean(self) -> None:
        super().clean()
        errors = _same_program(self, ("person", "type"))
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            errors["expires_on"] = "A certification cannot expire before it is issued."
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: dt.date) -> bool:
        """Issued on or before `day` and not yet expired on it (the expiry date itself still counts)."""
        return self.issued_on <= day <= self.expires_on


class Procedure(ProgramOwnedModel):
    """A procedure that needs a credential to perform or supervise (e.g. colposcopy, vasectomy)."""

    name = models.CharField(max_length=120)
    code = models.CharField(max_length=30, help_text="Short code used in rules, e.g. COLPO.")
    category = models.CharField(max_length=60, blank=True, help_text="For example: women's health, skin, MSK.")
    complexity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 (simple) to 5 (complex)."
    )
    min_pgy = models.PositiveSmallIntegerField(
        "minimum PGY",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text="Lowest PGY level that may perform it; blank: any.",
    )
    supervision_ratio = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Residents one credentialed supervisor may oversee at once.",
    )

    permission_resource = "credential"
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "category", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"],
                name="procedure_unique_code",
                violation_error_message="This program already has a procedure with this code.",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="procedure_code_not_blank"),
            models.CheckConstraint(
                condition=Q(complexity__gte=1, complexity__lte=5),
                name="procedure_complexity_range",
                violation_error_message="Complexity is 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(min_pgy__isnull=True) | Q(min_pgy__gte=1, min_pgy__lte=8),
                name="procedure_min_pgy_range",
                violation_error_message="The minimum PGY is 1 to 8.",
            ),
            models.CheckConstraint(
                condition=Q(supervision_ratio__gte=1),
                name="procedure_supervision_ratio_positive",
                violation_error_message="A supervisor oversees at least one resident.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.code = (self.code or "").strip().upper()
        if not self.code:
            raise ValidationError({"code": "Give the procedure a short code, such as COLPO."})


class ProcedureCredential(ProgramOwnedModel):
    """A person's privilege for a procedure: level, status and how many residents they may supervise at once."""

    class Level(models.TextChoices):
        TRAINEE = "trainee", "Trainee"
        QUALIFIED = "qualified", "Qualified"
        EXPERT = "expert", "Expert"
        MASTER = "master", "Master"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        EXPIRED = "expired", "Expired"

    # Levels that may perform the procedure on their own (and so count as holding it).
    PERFORMING_LEVELS = (Level.QUALIFIED, Level.EXPERT, Level.MASTER)

    person = models.ForeignKey(PERSON_MODEL, on_delete=models.CASCADE, related_name="procedure_credentials")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="credentials")
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.QUALIFIED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_note = models.CharField(max_length=200, blank=True, help_text="Why it was suspended or reinstated.")
    max_residents_supervised = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text="Residents this person may supervise at once; blank: the procedure's ratio (0 for trainees).",
    )
    granted_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Blank: does not expire.")

    permission_resource = "credential"
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "person", "procedure"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "procedure"],
                name="procedurecredential_one_per_procedure",
                violation_error_message="This person already has a credential for this procedure.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("granted_on")),
                name="procedurecredential_expires_after_grant",
                violation_error_message="A credential cannot expire before it is granted.",
            ),
            models.CheckConstraint(
                condition=Q(level__in=["trainee", "qualified", "expert", "master"]),
                name="procedurecredential_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "suspended", "expired"]),
                name="procedurecredential_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(level="trainee")
                | Q(max_residents_supervised__isnull=True)
                | Q(max_residents_supervised=0),
                name="procedurecredential_trainee_supervises_none",
                violation_error_message="A trainee cannot supervise residents.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} — {self.get_level_display()} ({self.get_status_display().lower()}) for {self.person}"

    @property
    def owner_user_id(self) -> int | None:
        return self.person.user_id

    @property
    def supervises(self) -> int:
        """Residents this person may supervise at once: their own limit, else the procedure's ratio; trainees none."""
        if self.level == self.Level.TRAINEE:
            return 0
        if self.max_residents_supervised is not None:
            return self.max_residents_supervised
        return self.procedure.supervision_ratio

    def is_valid_on(self, day: dt.date) -> bool:
        """Active, at a performing level, granted on or before `day` and not expired on it."""
        return (
            self.status == self.Status.ACTIVE
            and self.level in self.PERFORMING_LEVELS
            and self.granted_on <= day
            and (self.expires_on is None or day <= self.expires_on)
        )

    def clean(self) -> None:
        super().clean()
        errors = _same_program(self, ("person", "procedure"))
        if self.granted_on and self.expires_on and self.expires_on < self.granted_on:
            errors["expires_on"] = "A credential cannot expire before it is granted."
        if self.level == self.Level.TRAINEE and self.max_residents_supervised:
            errors["max_residents_supervised"] = "A trainee cannot supervise residents."
        if errors:
            raise ValidationError(errors)
