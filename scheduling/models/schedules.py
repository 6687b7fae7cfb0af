"""Schedule runs, versions (draft, published, archived) and the assignments of a version."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from scheduling.models.base import Session, Source, same_program
from scheduling.models.calendar import AcademicYear, Block
from scheduling.models.people import Person
from scheduling.models.rotations import RotationTemplate
from tenants.models import ProgramOwnedModel


class ScheduleRun(ProgramOwnedModel):
    """One generation of a schedule by the engine: parameters, live progress and result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        INFEASIBLE = "infeasible", "Infeasible"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="runs")
    first_block = models.PositiveSmallIntegerField(default=1)
    last_block = models.PositiveSmallIntegerField(default=13)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    parameters = models.JSONField(default=dict, blank=True, help_text="Time limit, workers, seed, weights.")
    cancel_requested = models.BooleanField(default=False)
    solutions_found = models.PositiveIntegerField(default=0)
    objective = models.FloatField(null=True, blank=True)
    best_bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    elapsed_seconds = models.FloatField(default=0)
    statistics = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Error or infeasibility explanation.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Progress is written with queryset.update() and left out of the history; status changes are kept.
    history = HistoricalRecords(
        excluded_fields=["solutions_found", "objective", "best_bound", "gap", "elapsed_seconds", "statistics"]
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_block__lte=F("last_block")),
                name="schedulerun_block_range",
                violation_error_message="The first block cannot come after the last block.",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=F("started_at")),
                name="schedulerun_finished_after_started",
            ),
            models.CheckConstraint(condition=Q(gap__isnull=True) | Q(gap__gte=0), name="schedulerun_gap_not_negative"),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"Run #{self.pk} ({self.get_status_display()})"

    permission_resource = "schedule"

    def clean(self) -> None:
        super().clean()
        if self.first_block is not None and self.last_block is not None and self.first_block > self.last_block:
            raise ValidationError({"last_block": "The first block cannot come after the last block."})


class ScheduleVersion(ProgramOwnedModel):
    """A whole schedule of an academic year: a draft, the published one, or an archived one.

    Assignments belong to a version, so a draft can be generated and compared while the
    published version stays readable; publishing archives the previous version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    run = models.ForeignKey(ScheduleRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="versions")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publish_reason = models.TextField(
        blank=True, help_text="Why it was published although it breaks ACGME rules (empty when it was compliant)."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["academic_year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="scheduleversion_unique_number"),
            models.UniqueConstraint(
                fields=["academic_year"],
                condition=Q(status="published"),
                name="scheduleversion_one_published_per_year",
                violation_error_message="An academic year has only one published schedule.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="scheduleversion_published_has_date",
                violation_error_message="A published or archived schedule needs its publication time.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} v{self.number} ({self.get_status_display()})"

    permission_resource = "schedule"


class AssignmentBase(ProgramOwnedModel):
    """Fields every assignment shares: its version, person, source and any acknowledged override."""

    version = models.ForeignKey(ScheduleVersion, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    override_reason = models.TextField(blank=True, help_text="Why a rule was knowingly broken.")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The swap (swaps.Swap) that wrote the row, for source "swap"; a plain id because swaps sit above scheduling.
    swap_id = models.PositiveIntegerField(null=True, blank=True, help_text="The swap that moved it here.")

    permission_resource = "schedule"

    class Meta:
        abstract = True

    @property
    def owner_user_id(self) -> int | None:
        return self.person.user_id


class BlockAssignment(AssignmentBase):
    """A resident's rotation for a block, or for one 14-day half of it."""

    class Half(models.IntegerChoices):
        WHOLE = 0, "Whole block"
        FIRST = 1, "First half"
        SECOND = 2, "Second half"

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="assignments")
    half = models.PositiveSmallIntegerField(choices=Half.choices, default=Half.WHOLE)
    rotation = models.ForeignKey(RotationTemplate, on_delete=models.PROTECT, related_name="block_assignments")

    history = HistoricalRecords()

    class Meta:
        ordering = ["block", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "person", "block", "half"],
                name="blockassignment_one_rotation_per_person_block",
                violation_error_message="This person already has a rotation for this block.",
            ),
            models.CheckConstraint(condition=Q(half__in=[0, 1, 2]), name="blockassignment_half_valid"),
        ]
        indexes = [models.Index(fields=["version", "block"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.rotation.abbreviation} in {self.block}"

    def clean(self) -> None:
        super().clean()
        same_program(self, ("person", "block", "rotation", "version"))
        if self.person_id and self.person.kind != Person.Kind.RESIDENT:
            raise ValidationError({"person": "Block rotations are for residents."})
        if self.rotation_id and self.person_id and self.person.pgy:
            rotation = self.rotation
            if not rotation.min_pgy <= self.person.pgy <= rotation.max_pgy:
                raise ValidationError(
                    {
                        "rotation": f"{rotation.name} takes PGY {rotation.min_pgy}-{rotation.max_pgy}; "
                        f"{self.person.full_name} is PGY-{self.person.pgy}."
                    }
                )
        if self.half and self.rotation_id and not self.rotation.allows_half_block:
            raise ValidationError({"half": f"{self.rotation.name} cannot be assigned for half a block."})
        if self.version_id and self.person_id and self.block_id:
            others = BlockAssignment.objects.filter(version=self.version_id, person=self.person_id, block=self.block_id)
            if self.pk:
                others = others.exclude(pk=self.pk)
            if others.filter(Q(half=0) | Q(half=self.half)).exists() or (self.half == 0 and others.exists()):
                raise ValidationError("This person already has a rotation for (part of) this block.")


class SessionAssignment(AssignmentBase):
    """What a person does in one half-day session (AM or PM) of a date."""

    class Activity(models.TextChoices):
        CLINIC = "clinic", "Clinic"
        INPATIENT = "inpatient", "Inpatient"
        PROCEDURE = "procedure", "Procedure"
        CONFERENCE = "conference", "Conference / didactics"
        SUPERVISING = "supervising", "Supervising"
        FMIT = "fmit", "FMIT attending"
        NIGHT_FLOAT = "night_float", "Night float"
        POST_CALL = "post_call", "Post-call"
        ADMIN = "admin", "Administrative"
        ELECTIVE = "elective", "Elective"
        OFF = "off", "Off"
        LEAVE = "leave", "Leave"

    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    activity = models.CharField(max_length=12, choices=Activity.choices)
    rotation = models.ForeignKey(
        RotationTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="session_assignments"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "session", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "person", "date", "session"],
                name="sessionassignment_one_activity_per_session",
                violation_error_message="This person already has an activity in this session.",
            ),
        ]
        indexes = [
            models.Index(fields=["version", "date"]),
            models.Index(fields=["person", "date"]),
            # The API's list order: a page of a year's 26 000 half-days is read in order, not sorted each time.
            models.Index(fields=["date", "session", "person", "id"], name="sessionassignment_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.date} {self.session}: {self.get_activity_display()}"

    def clean(self) -> None:
        super().clean()
        same_program(self, ("person", "rotation", "version"))


class CallAssignment(AssignmentBase):
    """A call duty period with its own start and end (in-house, home, backup, weekend; attending for faculty)."""

    class Kind(models.TextChoices):
        IN_HOUSE = "in_house", "In-house"
        HOME = "home", "Home"
        BACKUP = "backup", "Backup"
        WEEKEND = "weekend", "Weekend"
        ATTENDING = "attending", "Attending"  # faculty overnight call: no resident duty, outside the ACGME rules

    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    worked_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Hours worked on home call.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "person"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="callassignment_end_after_start",
                violation_error_message="A call must end after it starts.",
            ),
            models.UniqueConstraint(
                fields=["version", "person", "start"],
                name="callassignment_one_call_per_start",
                violation_error_message="This person already has a call starting at this time.",
            ),
            models.CheckConstraint(
                condition=Q(worked_hours__isnull=True) | Q(worked_hours__gte=0),
                name="callassignment_worked_hours_not_negative",
                violation_error_message="Worked hours cannot be negative.",
            ),
        ]
        indexes = [models.Index(fields=["version", "start"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} call {self.start:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        super().clean()
        same_program(self, ("person", "version"))
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "A call must end after it starts."})
        if self.start and self.end and (self.end - self.start) > dt.timedelta(hours=28):
            raise ValidationError({"end": "A call lasts at most 28 hours (24 + 4 h transition)."})
