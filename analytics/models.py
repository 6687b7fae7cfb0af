"""Analytics rows: contingency (N-1/N-2) analyses and their findings.

A ContingencyAnalysis asks, for the blocks chosen, whether the engine can still cover every required session within
the rules when a person (N-1), or a pair among the most critical (N-2), is lost; each scenario's answer is a
ContingencyFinding. Progress (`done` of `total` scenarios) is written with queryset.update() by the workers.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from tenants.models import ProgramOwnedModel


class ContingencyAnalysis(ProgramOwnedModel):
    """One N-1 (depth 1) or N-1 then N-2 (depth 2) analysis of a block range against the published schedule."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    academic_year = models.ForeignKey("scheduling.AcademicYear", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "scheduling.ScheduleVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The published schedule the scenarios start from (hints and the context around the blocks).",
    )
    first_block = models.PositiveSmallIntegerField()
    last_block = models.PositiveSmallIntegerField()
    depth = models.PositiveSmallIntegerField(default=1, help_text="1: every person lost; 2: also critical pairs.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    cancel_requested = models.BooleanField(default=False)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    time_limit = models.FloatField(default=10.0, help_text="Seconds one scenario's feasibility search may take.")
    problem = models.JSONField(
        default=dict, blank=True, help_text="The engine's PROBLEM.json every scenario starts from."
    )
    summary = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    permission_resource = "analytics"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "contingency analyses"
        constraints = [
            models.CheckConstraint(
                condition=Q(first_block__lte=F("last_block")),
                name="contingency_block_range",
                violation_error_message="The first block cannot come after the last block.",
            ),
            models.CheckConstraint(condition=Q(depth__in=(1, 2)), name="contingency_depth_1_or_2"),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="contingency_done_within_total"),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"Contingency analysis #{self.pk} (N-{self.depth}, blocks {self.first_block}-{self.last_block})"

    def clean(self) -> None:
        super().clean()
        if self.first_block is not None and self.last_block is not None and self.first_block > self.last_block:
            raise ValidationError({"last_block": "The first block cannot come after the last block."})

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.finished else 0)


class ContingencyFinding(models.Model):
    """One scenario of an analysis: the person (and partner, for N-2) lost, and whether every required session can
    still be covered within the rules (feasible), cannot (infeasible, with the requirements left uncovered), or was
    not decided within the time limit (unknown)."""

    class Result(models.TextChoices):
        FEASIBLE = "feasible", "Covered"
        INFEASIBLE = "infeasible", "Not covered"
        UNKNOWN = "unknown", "Undecided"

    analysis = models.ForeignKey(ContingencyAnalysis, on_delete=models.CASCADE, related_name="findings")
    person = models.ForeignKey("scheduling.Person", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("scheduling.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    result = models.CharField(max_length=12, choices=Result.choices)
    uncoverable = models.JSONField(default=list, blank=True, help_text="[{requirement, message}] left uncovered.")
    seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["analysis", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "person"], condition=Q(partner__isnull=True), name="contingency_one_n1_finding"
            ),
            models.UniqueConstraint(
                fields=["analysis", "person", "partner"],
                condition=Q(partner__isnull=False),
                name="contingency_one_n2_finding",
            ),
            models.CheckConstraint(
                condition=Q(partner__isnull=True) | ~Q(partner=F("person")), name="contingency_pair_of_two"
            ),
        ]

    def __str__(self) -> str:
        lost = f"{self.person_id}+{self.partner_id}" if self.partner_id else f"{self.person_id}"
        return f"Finding {lost}: {self.result}"


from analytics.models_fallbacks import Fallback, LoadSheddingStep  # noqa: E402,F401  (resilience tier 3)
from analytics.models_snapshots import ProgramSnapshot  # noqa: E402, F401  (the nightly figures)
