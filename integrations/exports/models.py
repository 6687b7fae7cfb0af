"""Saved export templates and their scheduled email deliveries."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from integrations.exports import catalogue
from tenants.models import ProgramOwnedModel


class ExportTemplate(ProgramOwnedModel):
    """A named export a coordinator saved: what (dataset, columns, filters), over which days relative to the day it
    runs, in which format and grouping. Shared with the program's managers, or private to its creator.

    `filters`: {"people": [person ids], "pgy": [1..8], "rotations": [rotation ids], "kinds": ["resident"...]},
    each optional; the service checks every id belongs to the program.
    """

    name = models.CharField(max_length=120)
    dataset = models.CharField(max_length=12, choices=catalogue.DATASETS, default=catalogue.SCHEDULE)
    file_format = models.CharField(max_length=4, choices=catalogue.FORMATS, default=catalogue.XLSX)
    columns = models.JSONField(default=list, blank=True, help_text="Column keys in order (empty: all of them).")
    filters = models.JSONField(default=dict, blank=True)
    range_preset = models.CharField(max_length=20, choices=catalogue.RANGES, default=catalogue.NEXT_4_WEEKS)
    start_offset_days = models.SmallIntegerField(
        default=0, validators=[MinValueValidator(-366), MaxValueValidator(366)], help_text="Custom range: from today+N."
    )
    length_days = models.PositiveSmallIntegerField(
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(catalogue.MAX_LENGTH_DAYS)],
        help_text="Custom range: how many days.",
    )
    grouping = models.CharField(max_length=10, choices=catalogue.GROUPINGS, default=catalogue.BY_PERSON)
    shared = models.BooleanField(default=True, help_text="Shared with the program's managers (else only yours).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    permission_resource = "export"

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"],
                name="exporttemplate_unique_name_in_program",
                violation_error_message="This program already has an export template with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExportDelivery(ProgramOwnedModel):
    """A template's scheduled email: weekly on a weekday or monthly on a day, at an hour of the program's time
    zone, to chosen members of the program. `last_sent_period` is the first day of the last period sent, so a
    period is sent once however often the hourly task runs."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    template = models.OneToOneField(ExportTemplate, on_delete=models.CASCADE, related_name="delivery")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(6)], help_text="Weekly: 0 = Monday ... 6 = Sunday."
    )
    day_of_month = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(28)], help_text="Monthly: day 1-28."
    )
    hour = models.PositiveSmallIntegerField(default=7, validators=[MaxValueValidator(23)])
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    is_active = models.BooleanField(default=True)
    last_sent_period = models.DateField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    permission_resource = "export"

    class Meta:
        verbose_name_plural = "export deliveries"

    def __str__(self) -> str:
        return f"{self.template} ({self.get_frequency_display()})"
