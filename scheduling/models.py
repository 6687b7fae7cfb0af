"""The program's calendar, people, rotations and the schedule (DESIGN.md sections 3 and 4)."""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from tenants.models import ProgramOwnedModel

HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class Session(models.TextChoices):
    AM = "AM", "AM"
    PM = "PM", "PM"


class Source(models.TextChoices):
    """Where an assignment came from."""

    SOLVER = "solver", "Solver"
    MANUAL = "manual", "Manual"
    SWAP = "swap", "Swap"
    IMPORT = "import", "Import"


class AcademicYear(ProgramOwnedModel):
    """A program's academic year (1 July to 30 June by default), cut into numbered blocks."""

    name = models.CharField(max_length=40, help_text="For example 2026-2027.")
    start_date = models.DateField()
    end_date = models.DateField()
    block_count = models.PositiveSmallIntegerField(default=13, validators=[MinValueValidator(1), MaxValueValidator(26)])
    block_length_days = models.PositiveSmallIntegerField(
        default=28, validators=[MinValueValidator(7), MaxValueValidator(56)]
    )
    block_start_weekday = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text="0 = Monday … 6 = Sunday. Blank: block 1 starts on the year's first day.",
    )
    orientation_days = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(28)], help_text="Days of orientation block 0 before block 1."
    )
    is_current = models.BooleanField(default=False)

    permission_resource = "calendar"
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="academicyear_unique_name"),
            models.UniqueConstraint(fields=["program", "start_date"], name="academicyear_unique_start"),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(is_current=True),
                name="academicyear_one_current_per_program",
                violation_error_message="This program already has a current academic year.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="academicyear_end_after_start",
                violation_error_message="The academic year must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(block_count__gte=1, block_count__lte=26), name="academicyear_block_count_range"
            ),
            models.CheckConstraint(
                condition=Q(block_start_weekday__isnull=True) | Q(block_start_weekday__lte=6),
                name="academicyear_weekday_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "The academic year must end after it starts."})
        if self.start_date and self.end_date and (self.end_date - self.start_date).days > 366:
            raise ValidationError({"end_date": "An academic year lasts at most 366 days."})


class Block(ProgramOwnedModel):
    """A rotation block of an academic year: block 0 is orientation, then 1..N of 28 days."""

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="blocks")
    number = models.PositiveSmallIntegerField(validators=[MaxValueValidator(26)])
    start_date = models.DateField()
    end_date = models.DateField()

    permission_resource = "calendar"
    history = HistoricalRecords()

    class Meta:
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "number"],
                name="block_unique_number_in_year",
                violation_error_message="This academic year already has a block with this number.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="block_end_not_before_start",
                violation_error_message="A block cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} block {self.number}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A block cannot end before it starts."})
        _same_program(self, ("academic_year",))
        if self.academic_year_id and self.start_date and self.end_date:
            year = self.academic_year
            if self.start_date < year.start_date or self.end_date > year.end_date:
                raise ValidationError(f"Block dates must lie within {year} ({year.start_date} – {year.end_date}).")
            overlapping = year.blocks.filter(start_date__lte=self.end_date, end_date__gte=self.start_date)
            if self.pk:
                overlapping = overlapping.exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError("This block overlaps another block of the same year.")


class SessionTime(ProgramOwnedModel):
    """The clock times of a program's AM or PM half-day session, so duty hours are real hours."""

    session = models.CharField(max_length=2, choices=Session.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    permission_resource = "calendar"
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "session"]
        constraints = [
            models.UniqueConstraint(fields=["program", "session"], name="sessiontime_unique_per_program"),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="sessiontime_end_after_start",
                violation_error_message="A session must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "A session must end after it starts."})

    @property
    def hours(self) -> float:
        start = dt.datetime.combine(dt.date.min, self.start_time)
        return (dt.datetime.combine(dt.date.min, self.end_time) - start).total_seconds() / 3600


class CalendarDay(ProgramOwnedModel):
    """A date's day type (holiday, minimal manning, closure) that scales clinic capacity."""

    class DayType(models.TextChoices):
        NORMAL = "normal", "Normal"
        FEDERAL_HOLIDAY = "federal_holiday", "Federal holiday"
        TRAINING_HOLIDAY = "training_holiday", "Training holiday"
        MINIMAL_MANNING = "minimal_manning", "Minimal manning"
        CLOSURE = "closure", "Closure"

    date = models.DateField()
    day_type = models.CharField(max_length=20, choices=DayType.choices, default=DayType.NORMAL)
    name = models.CharField(max_length=120, blank=True)
    capacity_factor = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Share of normal clinic capacity needed on this day (0 = closed, 1 = full).",
    )

    permission_resource = "calendar"
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "date"],
                name="calendarday_unique_date",
                violation_error_message="This date already has a day type in this program.",
            ),
            models.CheckConstraint(
                condition=Q(capacity_factor__gte=0, capacity_factor__lte=1),
                name="calendarday_capacity_factor_range",
                violation_error_message="The capacity factor must be between 0 and 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name or self.get_day_type_display()}"


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
        _same_program(self, ("rotation",))
        if self.max_blocks is not None and self.min_blocks is not None and self.min_blocks > self.max_blocks:
            raise ValidationError({"max_blocks": "The maximum blocks cannot be below the minimum."})
        if self.rotation_id and self.pgy and self.min_blocks:
            rotation = self.rotation
            if not rotation.min_pgy <= self.pgy <= rotation.max_pgy:
                raise ValidationError(
                    {"pgy": f"{rotation.name} takes PGY {rotation.min_pgy}-{rotation.max_pgy}, not PGY-{self.pgy}."}
                )


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
        _same_program(self, ("person", "block", "rotation", "version"))
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
        indexes = [models.Index(fields=["version", "date"]), models.Index(fields=["person", "date"])]

    def __str__(self) -> str:
        return f"{self.person} {self.date} {self.session}: {self.get_activity_display()}"

    def clean(self) -> None:
        super().clean()
        _same_program(self, ("person", "rotation", "version"))


class CallAssignment(AssignmentBase):
    """A call duty period with its own start and end (in-house, home, backup, weekend)."""

    class Kind(models.TextChoices):
        IN_HOUSE = "in_house", "In-house"
        HOME = "home", "Home"
        BACKUP = "backup", "Backup"
        WEEKEND = "weekend", "Weekend"

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
        _same_program(self, ("person", "version"))
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "A call must end after it starts."})
        if self.start and self.end and (self.end - self.start) > dt.timedelta(hours=28):
            raise ValidationError({"end": "A call lasts at most 28 hours (24 + 4 h transition)."})


def _same_program(instance: models.Model, fields: tuple[str, ...]) -> None:
    """Readable version of the EnforceSameProgram trigger for full_clean()."""
    for name in fields:
        related_id = getattr(instance, f"{name}_id")
        if related_id is None or not instance.program_id:
            continue
        related = getattr(instance, name)
        if related.program_id != instance.program_id:
            label = instance._meta.get_field(name).verbose_name
            raise ValidationError({name: f"This {label} belongs to another program."})


def new_feed_token() -> str:
    """A fresh secret for a calendar-feed URL (256 bits, URL-safe)."""
    import secrets

    return secrets.token_urlsafe(32)


class FeedToken(ProgramOwnedModel):
    """The secret of a calendar-feed URL: a person's own feed, or the program's feed when `person` is empty.

    One live token per person and one per program; resetting replaces the secret, so the old URL stops at once.
    """

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    regenerated_at = models.DateTimeField(null=True, blank=True)

    permission_resource = "schedule"

    class Meta:
        ordering = ["program", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=Q(person__isnull=False),
                name="feedtoken_one_per_person",
                violation_error_message="This person already has a calendar feed.",
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(person__isnull=True),
                name="feedtoken_one_per_program",
                violation_error_message="This program already has a calendar feed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.person.full_name if self.person_id else 'the program'}"

    def clean(self) -> None:
        super().clean()
        _same_program(self, ("person",))
