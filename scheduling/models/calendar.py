"""The program's calendar: academic years, their blocks, session clock times and day types (DESIGN.md section 3)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from scheduling.models.base import Session, same_program
from tenants.models import ProgramOwnedModel


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
        same_program(self, ("academic_year",))
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
