"""The FMIT (inpatient teaching service) rules of an academic year (DESIGN.md section 7)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from scheduling.models.base import same_program
from scheduling.models.calendar import AcademicYear
from tenants.models import ProgramOwnedModel

WEEKDAY_HELP = "0 = Monday … 6 = Sunday."


class FmitYearConfig(ProgramOwnedModel):
    """One academic year's FMIT rules: the weekday its weeks start, attendings per week, the most weeks in a row,
    the least free weeks between stints, the recovery day, and how unbalanced a quarter may be before
    coordinators are warned. The one place these live (a year without a row reads the defaults)."""

    academic_year = models.OneToOneField(AcademicYear, on_delete=models.CASCADE, related_name="fmit_config")
    week_start_day = models.PositiveSmallIntegerField(
        "week start day", default=4, validators=[MaxValueValidator(6)], help_text="FMIT weeks start on. " + WEEKDAY_HELP
    )
    min_attendings = models.PositiveSmallIntegerField(
        "attendings per week (least)", default=1, validators=[MaxValueValidator(10)]
    )
    max_attendings = models.PositiveSmallIntegerField(
        "attendings per week (most)", default=2, validators=[MaxValueValidator(10)]
    )
    max_consecutive_weeks = models.PositiveSmallIntegerField(
        "most consecutive weeks",
        default=1,
        validators=[MaxValueValidator(52)],
        help_text="FMIT weeks a faculty member attends in a row at most.",
    )
    min_gap_weeks = models.PositiveSmallIntegerField(
        "minimum gap (weeks)",
        default=2,
        validators=[MaxValueValidator(52)],
        help_text="Free weeks between two stints of the same faculty member at least.",
    )
    recovery_day = models.BooleanField(default=True, help_text="No clinic or call on the day after an FMIT week.")
    imbalance_tolerance_weeks = models.PositiveSmallIntegerField(
        "imbalance tolerance (weeks)",
        default=1,
        validators=[MaxValueValidator(52)],
        help_text="Coordinators are warned 4 weeks ahead when a quarter's FMIT weeks against target differ by more "
        "than this (most minus least) and a fairer split into whole weeks exists.",
    )

    permission_resource = "schedule"  # changed with the scheduling settings, by managers
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "-academic_year__start_date"]
        verbose_name = "FMIT configuration"
        verbose_name_plural = "FMIT configurations"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_attendings__gte=F("min_attendings")),
                name="fmityearconfig_attendings_range",
                violation_error_message="The most attendings per week cannot be below the least.",
            ),
            models.CheckConstraint(condition=Q(week_start_day__lte=6), name="fmityearconfig_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"FMIT {self.academic_year}"

    def clean(self) -> None:
        super().clean()
        low, high = self.min_attendings, self.max_attendings
        if low is not None and high is not None and high < low:
            raise ValidationError({"max_attendings": "The most attendings per week cannot be below the least."})
        same_program(self, ("academic_year",))
