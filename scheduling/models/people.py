"""Residents, faculty and other staff of a program (DESIGN.md section 4)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from tenants.models import ProgramOwnedModel

CONTACT_NUMBER = re.compile(r"\+?[\d\s().\-/]+(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?", re.IGNORECASE)
CONTACT_NUMBER_HELP = "Digits with spaces, dots, dashes or brackets, a leading + and an extension (x123) allowed."


def validate_contact_number(value: str) -> None:
    """A phone or pager number, read loosely: digits with spaces, dots, dashes, slashes, brackets, a leading +
    and an optional extension (x123, ext. 123, #123), at least three digits; a name or a note is refused."""
    if not CONTACT_NUMBER.fullmatch(value.strip()) or sum(c.isdigit() for c in value) < 3:
        raise ValidationError(
            "“%(value)s” is not a phone or pager number. " + CONTACT_NUMBER_HELP, params={"value": value}
        )


class Person(ProgramOwnedModel):
    """Someone who is scheduled: a resident (PGY), a faculty member (role) or other staff."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", "Resident"
        FACULTY = "faculty", "Faculty"
        STAFF = "staff", "Other staff"

    class FacultyRole(models.TextChoices):
        PD = "pd", "Program director"
        APD = "apd", "Associate program director"
        CORE = "core", "Core faculty"
        CHIEF = "chief", "Chief"
        ADJUNCT = "adjunct", "Adjunct"
        SPORTS_MED = "sports_med", "Sports medicine"
        OIC = "oic", "Officer in charge"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    pgy = models.PositiveSmallIntegerField(
        "PGY", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    faculty_role = models.CharField(max_length=12, choices=FacultyRole.choices, blank=True)
    specialties = models.CharField(max_length=200, blank=True, help_text="Comma-separated, e.g. OB, sports.")
    clinic_min_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)], help_text="Half-day clinic sessions."
    )
    clinic_max_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)], help_text="Half-day clinic sessions."
    )
    fmit_target_weeks = models.PositiveSmallIntegerField(
        "FMIT target weeks", null=True, blank=True, validators=[MaxValueValidator(52)]
    )
    # Contact numbers: shown to the program's members on Today, the on-call pages and person pages; never in
    # public feeds, and in exports only when a manager asks for them.
    phone = models.CharField(
        max_length=32, blank=True, validators=[validate_contact_number], help_text=CONTACT_NUMBER_HELP
    )
    pager = models.CharField(
        max_length=32, blank=True, validators=[validate_contact_number], help_text=CONTACT_NUMBER_HELP
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "kind", "pgy", "last_name", "first_name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="resident", pgy__isnull=False, pgy__gte=1, pgy__lte=8, faculty_role="")
                    | Q(kind="faculty", pgy__isnull=True)
                    | Q(kind="staff", pgy__isnull=True, faculty_role="")
                ),
                name="person_pgy_only_for_residents",
                violation_error_message="A resident needs a PGY of 1-8 and no faculty role; others have no PGY.",
            ),
            models.CheckConstraint(
                condition=Q(clinic_min_per_week__isnull=True)
                | Q(clinic_max_per_week__isnull=True)
                | Q(clinic_min_per_week__lte=F("clinic_max_per_week")),
                name="person_clinic_min_not_above_max",
                violation_error_message="Weekly clinic minimum cannot exceed the maximum.",
            ),
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=Q(user__isnull=False),
                name="person_one_per_user_per_program",
                violation_error_message="This user is already linked to a person in this program.",
            ),
        ]
        indexes = [models.Index(fields=["program", "kind", "is_active"])]

    def __str__(self) -> str:
        suffix = f" (PGY-{self.pgy})" if self.pgy else ""
        return f"{self.first_name} {self.last_name}{suffix}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def owner_user_id(self) -> int | None:
        return self.user_id

    permission_resource = "person"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.kind == self.Kind.RESIDENT:
            if self.pgy is None:
                errors["pgy"] = "A resident needs a PGY level (1-8)."
            if self.faculty_role:
                errors["faculty_role"] = "Only faculty have a faculty role."
        elif self.pgy is not None:
            errors["pgy"] = "Only residents have a PGY level."
        if self.kind == self.Kind.STAFF and self.faculty_role:
            errors["faculty_role"] = "Only faculty have a faculty role."
        if (
            self.clinic_min_per_week is not None
            and self.clinic_max_per_week is not None
            and self.clinic_min_per_week > self.clinic_max_per_week
        ):
            errors["clinic_min_per_week"] = "Weekly clinic minimum cannot exceed the maximum."
        if errors:
            raise ValidationError(errors)
