"""Static stability (resilience tier 3): fallback schedules and the program's load-shedding order.

A Fallback names a failure scenario (people lost for some blocks) and the schedule run that re-solves the published
schedule around it; the run writes the fallback's draft version, checked like every draft, and records what it shed.
A LoadSheddingStep is one service in the order the program cuts services when a scenario cannot cover them all.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from tenants.models import ProgramOwnedModel


class LoadSheddingStep(ProgramOwnedModel):
    """A service (a rotation, or the continuity clinic when `rotation` is empty) at `position` in the program's
    load-shedding order: a fallback relaxes the staffing of lower positions first."""

    position = models.PositiveSmallIntegerField()
    rotation = models.ForeignKey(
        "scheduling.RotationTemplate", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["program", "position"]
        constraints = [
            models.UniqueConstraint(fields=["program", "position"], name="loadshedding_unique_position"),
            models.UniqueConstraint(
                fields=["program", "rotation"],
                condition=Q(rotation__isnull=False),
                name="loadshedding_rotation_once",
                violation_error_message="A service appears once in the load-shedding order.",
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(rotation__isnull=True),
                name="loadshedding_clinic_once",
                violation_error_message="The continuity clinic appears once in the load-shedding order.",
            ),
        ]

    permission_resource = "analytics"

    def __str__(self) -> str:
        return f"{self.position}. {self.service_name}"

    @property
    def service_name(self) -> str:
        return "Continuity clinic" if self.rotation_id is None else self.rotation.name


class Fallback(ProgramOwnedModel):
    """A named scenario ("lose 2 PGY-2s for block 6"): the people lost, the blocks, and the run that computes its
    fallback schedule (a draft of the year, labelled with the name, ready to compare and publish)."""

    name = models.CharField(max_length=120)
    academic_year = models.ForeignKey("scheduling.AcademicYear", on_delete=models.CASCADE, related_name="+")
    first_block = models.PositiveSmallIntegerField()
    last_block = models.PositiveSmallIntegerField()
    lost = models.ManyToManyField("scheduling.Person", related_name="+", help_text="The people the scenario loses.")
    picked = models.CharField(
        max_length=200, blank=True, help_text="How the people were chosen, e.g. '2 most critical PGY-2s'."
    )
    run = models.ForeignKey(
        "scheduling.ScheduleRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_block__lte=F("last_block")),
                name="fallback_block_range",
                violation_error_message="The first block cannot come after the last block.",
            ),
        ]

    permission_resource = "analytics"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.first_block is not None and self.last_block is not None and self.first_block > self.last_block:
            raise ValidationError({"last_block": "The first block cannot come after the last block."})

    @property
    def blocks_label(self) -> str:
        if self.first_block == self.last_block:
            return f"block {self.first_block}"
        return f"blocks {self.first_block}-{self.last_block}"
