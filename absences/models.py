"""Absences (leave and military duty) and the program's yearly leave limits (DESIGN.md section 4).

The person is `scheduling.Person` by string: absences sit below scheduling and never import it.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from tenants.models import ProgramOwnedModel


class AbsenceKind(models.TextChoices):
    """The kinds of absence; the values are the engine's absence kinds."""

    VACATION = "vacation", "Vacation"
    SICK = "sick", "Sick"
    MEDICAL = "medical", "Medical"
    CONFERENCE = "conference", "Conference"
    PARENTAL = "parental", "Parental"
    BEREAVEMENT = "bereavement", "Bereavement"
    FAMILY_EMERGENCY = "family_emergency", "Family emergency"
    EMERGENCY_LEAVE = "emergency_leave", "Emergency leave"
    CONVALESCENT = "convalescent", "Convalescent"
    DEPLOYMENT = "deployment", "Deployment"
    TDY = "tdy", "TDY"
    MILITARY_TRAINING = "military_training", "Military training / drill"


MILITARY_KINDS = frozenset({AbsenceKind.DEPLOYMENT, AbsenceKind.TDY, AbsenceKind.MILITARY_TRAINING})
ORDERS_REQUIRED_KINDS = frozenset({AbsenceKind.DEPLOYMENT, AbsenceKind.TDY})


class AbsenceQuerySet(models.QuerySet):
    """Reusable filters of absences."""

    def for_program(self, program) -> "AbsenceQuerySet":
        return self.filter(program=program)

    def active(self) -> "AbsenceQuerySet":
        """Requested or approved: the absences that hold their dates."""
        return self.filter(status__in=(Absence.Status.REQUESTED, Absence.Status.APPROVED))

    def approved(self) -> "AbsenceQuerySet":
        return self.filter(status=Absence.Status.APPROVED)

    def overlapping(self, start: dt.date, end: dt.date) -> "AbsenceQuerySet":
        """Absences with at least one day in start..end (inclusive)."""
        return self.filter(start_date__lte=end, end_date__gte=start)


class Absence(ProgramOwnedModel):
    """A person's absence over whole days (or half of one day): requested, then approved or rejected.

    An approved absence makes the person unavailable to the engine and is leave in the ACGME averages.
    The note is private: only the person and the program's managers see it (never in exports or feeds).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    class HalfDay(models.TextChoices):
        NONE = "", "Whole day(s)"
        AM = "am", "Morning (AM) only"
        PM = "pm", "Afternoon (PM) only"

    person = models.ForeignKey("scheduling.Person", on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(max_length=20, choices=AbsenceKind.choices)
    start_date = models.DateField()
    end_date = models.DateField(help_text="The last day of the absence (inclusive).")
    half_day = models.CharField(max_length=2, choices=HalfDay.choices, default=HalfDay.NONE, blank=True)
    orders_reference = models.CharField(
        max_length=80, blank=True, help_text="Military orders number (required for deployment and TDY)."
    )
    location = models.CharField(max_length=120, blank=True)
    report_date = models.DateField(null=True, blank=True, help_text="When the orders say to report.")
    tentative_return_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Private: seen by the person and the program's managers only.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AbsenceQuerySet.as_manager()
    history = HistoricalRecords()

    permission_resource = "absence"

    class Meta:
        ordering = ["-start_date", "person"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="absence_end_not_before_start",
                violation_error_message="An absence cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(half_day="") | Q(end_date=F("start_date")),
                name="absence_half_day_single_day",
                violation_error_message="Only a single-day absence can be for half a day.",
            ),
            models.CheckConstraint(
                condition=Q(half_day__in=["", "am", "pm"]),
                name="absence_half_day_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(ORDERS_REQUIRED_KINDS)) | ~Q(orders_reference=""),
                name="absence_orders_for_deployment_tdy",
                violation_error_message="A deployment or TDY needs its orders reference.",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status", "start_date"]),
            models.Index(fields=["person", "end_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date:%d %b %Y}–{self.end_date:%d %b %Y}"

    @property
    def owner_user_id(self) -> int | None:
        return self.person.user_id

    @property
    def days(self) -> float:
        """Length in days: a half-day absence counts 0.5."""
        if self.half_day:
            return 0.5
        return float((self.end_date - self.start_date).days + 1)

    @property
    def is_military(self) -> bool:
        return self.kind in MILITARY_KINDS

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "An absence cannot end before it starts."
        if self.half_day and self.start_date and self.end_date and self.start_date != self.end_date:
            errors["half_day"] = "Only a single-day absence can be for half a day."
        if self.kind in ORDERS_REQUIRED_KINDS and not self.orders_reference.strip():
            errors["orders_reference"] = "A deployment or TDY needs its orders reference."
        if self.person_id and self.program_id and self.person.program_id != self.program_id:
            errors["person"] = "This person belongs to another program."
        if errors:
            raise ValidationError(errors)


class AbsenceLimit(ProgramOwnedModel):
    """How many days of one kind of absence a person may take per academic year in a program (e.g. vacation 20)."""

    kind = models.CharField(max_length=20, choices=AbsenceKind.choices)
    days_per_year = models.PositiveSmallIntegerField(validators=[MaxValueValidator(366)])

    history = HistoricalRecords()

    permission_resource = "schedule"  # a program rule: managers set it, clinicians only read their balances

    class Meta:
        ordering = ["program", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind"],
                name="absencelimit_one_per_kind",
                violation_error_message="This program already has a limit for this kind of absence.",
            ),
            models.CheckConstraint(condition=Q(days_per_year__lte=366), name="absencelimit_days_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.days_per_year} days a year"
