"""The nightly snapshot of a program's figures (analytics.periodic): fairness of the published year and the
resilience level, one row per program and day, so a rise of the level is told once and trends can be read back."""

from django.db import models

from tenants.models import ProgramOwnedModel


class ProgramSnapshot(ProgramOwnedModel):
    """A program's figures on one of its days: the lowest cohort fairness per measure of the published year and the
    program's resilience level (`analytics.utilisation.Level` as a number: 0 GREEN to 4 BLACK)."""

    day = models.DateField()
    version_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The published version the fairness was read from (none published: empty)."
    )
    fairness = models.JSONField(
        default=dict, blank=True, help_text="Cohort -> measure -> fairness (1 - Gini) of the published year."
    )
    fairness_min = models.FloatField(null=True, blank=True, help_text="The lowest fairness of any cohort and measure.")
    level = models.PositiveSmallIntegerField(help_text="0 GREEN, 1 YELLOW, 2 ORANGE, 3 RED, 4 BLACK.")
    level_name = models.CharField(max_length=8)
    utilisation = models.FloatField(null=True, blank=True, help_text="Peak utilisation over the level's horizon.")
    coverage = models.FloatField(null=True, blank=True, help_text="Covered / required places over the horizon.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    permission_resource = "analytics"

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["program", "day"], name="programsnapshot_one_per_day"),
            models.CheckConstraint(condition=models.Q(level__lte=4), name="programsnapshot_level_known"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.day}: {self.level_name}"
