"""Rotation templates, with what the engine needs to know of them, and required rotations per PGY."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from scheduling.models.base import same_program
from tenants.models import ProgramOwnedModel

HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def default_work_days() -> list[int]:
    """Monday to Friday."""
    return [0, 1, 2, 3, 4]


def validate_work_days(value: object) -> None:
    """A list of distinct weekdays, 0 (Monday) to 6 (Sunday)."""
    if not isinstance(value, list) or any(isinstance(day, bool) or not isinstance(day, int) for day in value):
        raise ValidationError(
            "Work days must be a list of weekdays from 0 (Monday) to 6 (Sunday), e.g. [0, 1, 2, 3, 4]."
        )
    if any(not 0 <= day <= 6 for day in value):
        raise ValidationError("Work days are weekdays from 0 (Monday) to 6 (Sunday).")
    if len(set(value)) != len(value):
        raise ValidationError("A weekday appears twice in the work days.")


class RotationTemplate(ProgramOwnedModel):
    """A rotation residents are assigned to for a block (or half-block): its kind and limits."""

    class Kind(models.TextChoices):
        INPATIENT = "inpatient", "Inpatient"
        OUTPATIENT_CLINIC = "outpatient_clinic", "Outpatient clinic"
        PROCEDURE = "procedure", "Procedure"
        NIGHT_FLOAT = "night_float", "Night float"
        ELECTIVE = "elective", "Elective"
        CONFERENCE = "conference", "Conference"
        FMIT = "fmit", "FMIT (inpatient teaching)"
        OFF = "off", "Off"

    name = models.CharField(max_length=120)
    abbreviation = models.CharField(max_length=8)
    colour = models.CharField(
        max_length=7,
        default="#9e9e9e",
        validators=[RegexValidator(HEX_COLOUR, "Use a hex colour such as #1f77b4.")],
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    min_pgy = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(8)])
    max_pgy = models.PositiveSmallIntegerField(default=8, validators=[MinValueValidator(1), MaxValueValidator(8)])
    min_residents = models.PositiveSmallIntegerField(default=0, help_text="Per block.")
    max_residents = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Per block; blank = no limit.")
    leave_allowed = models.BooleanField(default=True)
    requires_supervision = models.BooleanField(default=True)
    allows_half_block = models.BooleanField(default=False, help_text="May be assigned for 14-day halves.")
    clinic_sessions_per_week = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(10)], help_text="Continuity clinic half-days kept on this rotation."
    )
    work_days = models.JSONField(
        default=default_work_days,
        blank=True,
        validators=[validate_work_days],
        help_text="Weekdays worked, 0 = Monday … 6 = Sunday (default Monday to Friday).",
    )
    is_night = models.BooleanField(
        "night rotation", default=False, help_text="Works nights (19:00-07:00 by default) instead of days."
    )
    continuity_clinic = models.BooleanField(
        default=True, help_text="Its residents leave for their weekly continuity clinic half-days."
    )
    call_eligible = models.BooleanField(default=False, help_text="Its residents take in-house call.")
    required_credentials = models.CharField(
        max_length=200,
        blank=True,
        help_text="Comma-separated certification codes (ACLS) or procedure codes (proc:COLPO) every resident "
        "on it must hold, valid to the end of the block.",
    )
    supervisor_credentials = models.CharField(
        max_length=200,
        blank=True,
        help_text="Comma-separated codes (proc:COLPO) a supervising faculty member must hold: on each of its work "
        "days one who holds them, is not absent and is not on FMIT must be there, or nobody is scheduled on it.",
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    @property
    def required_credential_codes(self) -> frozenset[str]:
        """The codes of `required_credentials`, trimmed and without blanks."""
        return frozenset(code.strip() for code in self.required_credentials.split(",") if code.strip())

    @property
    def supervisor_credential_codes(self) -> frozenset[str]:
        """The codes of `supervisor_credentials`, trimmed and without blanks."""
        return frozenset(code.strip() for code in self.supervisor_credentials.split(",") if code.strip())

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="rotation_unique_name"),
            models.UniqueConstraint(
                fields=["program", "abbreviation"],
                name="rotation_unique_abbreviation",
                violation_error_message="Another rotation of this program uses this abbreviation.",
            ),
            models.CheckConstraint(
                condition=Q(min_pgy__gte=1, max_pgy__lte=8, min_pgy__lte=F("max_pgy")),
                name="rotation_pgy_range",
                violation_error_message="PGY range must satisfy 1 ≤ minimum ≤ maximum ≤ 8.",
            ),
            models.CheckConstraint(
                condition=Q(max_residents__isnull=True) | Q(min_residents__lte=F("max_residents")),
                name="rotation_min_residents_not_above_max",
                violation_error_message="Minimum residents cannot exceed the maximum.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})"

    @property
    def work_days_display(self) -> str:
        return ", ".join(WEEKDAY_NAMES[day] for day in sorted(self.work_days or [])) or "none"

    permission_resource = "rotation"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.min_pgy and self.max_pgy and self.min_pgy > self.max_pgy:
            errors["max_pgy"] = "The maximum PGY cannot be below the minimum."
        if self.max_residents is not None and self.min_residents > self.max_residents:
            errors["max_residents"] = "The maximum residents cannot be below the minimum."
        abbreviation = (self.abbreviation or "").strip().upper()
        if abbreviation == "LV" or abbreviation.startswith("LV-"):
            # The schedule prints leave as LV and LV-<kind> (scheduling.day_view); a rotation must not look like it.
            errors["abbreviation"] = "“LV” and codes starting with “LV-” mark leave in the schedule; choose another."
        if errors:
            raise ValidationError(errors)


class RotationRequirement(ProgramOwnedModel):
    """Every resident of a PGY level spends `min_blocks`..`max_blocks` blocks of the year on a rotation."""

    pgy = models.PositiveSmallIntegerField("PGY", validators=[MinValueValidator(1), MaxValueValidator(8)])
    rotation = models.ForeignKey(RotationTemplate, on_delete=models.CASCADE, related_name="requirements")
    min_blocks = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(26)])
    max_blocks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(26)], help_text="Blank: no maximum."
    )

    permission_resource = "rotation"
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "pgy", "rotation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "pgy", "rotation"],
                name="rotationrequirement_unique_per_pgy",
                violation_error_message="This PGY level already has a requirement for this rotation.",
            ),
            models.CheckConstraint(condition=Q(pgy__gte=1, pgy__lte=8), name="rotationrequirement_pgy_range"),
            models.CheckConstraint(
                condition=Q(max_blocks__isnull=True) | Q(min_blocks__lte=F("max_blocks")),
                name="rotationrequirement_min_not_above_max",
                violation_error_message="The minimum blocks cannot exceed the maximum.",
            ),
        ]

    def __str__(self) -> str:
        most = "" if self.max_blocks is None else f"-{self.max_blocks}"
        return f"PGY-{self.pgy}: {self.min_blocks}{most} blocks of {self.rotation.abbreviation}"

    def clean(self) -> None:
        super().clean()
        same_program(self, ("rotation",))
        if self.max_blocks is not None and self.min_blocks is not None and self.min_blocks > self.max_blocks:
            raise ValidationError({"max_blocks": "The maximum blocks cannot be below the minimum."})
        if self.rotation_id and self.pgy and self.min_blocks:
            rotation = self.rotation
            if not rotation.min_pgy <= self.pgy <= rotation.max_pgy:
                raise ValidationError(
                    {"pgy": f"{rotation.name} takes PGY {rotation.min_pgy}-{rotation.max_pgy}, not PGY-{self.pgy}."}
                )
