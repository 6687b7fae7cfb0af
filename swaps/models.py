"""Swaps (DESIGN.md section 8): a person hands a shift to someone else, alone (give-away), in exchange for one of
theirs (trade), to whoever takes it from the marketplace (posting), or in a cycle the matcher finds (chain).

A `Swap` is the unit that is accepted, approved, executed and rolled back as a whole; its `SwapLeg`s say who
hands what to whom (a trade has two legs, a give-away or a posting one, a chain one per party). A leg moves a
shift from its giver to its taker: a half-day session, a resident call night, a faculty call night, an FMIT week
(its weekend calls with it) or, for coordinators only, a block rotation. Execution writes the moved assignments
with source "swap" and the swap's id (`swap_id` on the assignment), and keeps each row's values before and after
as a `SwapMove`, so that a rollback restores exactly what was there.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from scheduling.models import AcademicYear, Block, Person, ScheduleVersion
from tenants.models import ProgramOwnedModel


class Swap(ProgramOwnedModel):
    """A swap request and its life cycle: draft, pending, accepted (matched), approved, executed, rolled back;
    or rejected, cancelled, expired."""

    class Kind(models.TextChoices):
        TRADE = "trade", "One-to-one trade"
        GIVEAWAY = "giveaway", "Give-away"
        POSTING = "posting", "Open posting"
        CHAIN = "chain", "Chain"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Matched / accepted"
        APPROVED = "approved", "Approved"
        EXECUTED = "executed", "Executed"
        ROLLED_BACK = "rolled_back", "Rolled back"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    OPEN_STATUSES = ("draft", "pending", "accepted", "approved")
    FINAL_STATUSES = ("executed", "rolled_back", "rejected", "cancelled", "expired")

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="swaps")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    requester = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="swaps_requested")
    reason = models.TextField(
        blank=True, help_text="Why the swap is asked for; required inside the program's lock window."
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="An open swap expires then (the program's days, or when the shift starts)."
    )
    needs_approval = models.BooleanField(default=True, help_text="A coordinator approves it before it executes.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.ForeignKey(
        ScheduleVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The published version the swap was executed in.",
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rollback_reason = models.TextField(blank=True)
    proof = models.JSONField(
        default=dict,
        blank=True,
        help_text="The compliance check of the post-swap schedule of every party: when, what, and its findings.",
    )

    history = HistoricalRecords()

    permission_resource = "swap"

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["program", "status"]), models.Index(fields=["academic_year", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["executed", "rolled_back"]) | Q(executed_at__isnull=True),
                name="swap_executed_at_only_when_executed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["executed", "rolled_back"]) | Q(executed_at__isnull=False),
                name="swap_executed_has_time",
                violation_error_message="An executed swap needs the time it was executed.",
            ),
            models.CheckConstraint(
                condition=Q(status="rolled_back") | Q(rolled_back_at__isnull=True),
                name="swap_rolled_back_at_only_when_rolled_back",
            ),
        ]

    def __str__(self) -> str:
        return f"Swap #{self.pk} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def owner_user_id(self) -> int | None:
        return self.requester.user_id

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def clean(self) -> None:
        super().clean()
        for name in ("academic_year", "requester"):
            related = getattr(self, f"{name}_id") and getattr(self, name)
            if related and self.program_id and related.program_id != self.program_id:
                raise ValidationError({name: "This belongs to another program."})


class SwapLeg(ProgramOwnedModel):
    """One shift handed from its giver to its taker (no taker yet on an open posting)."""

    class Shift(models.TextChoices):
        SESSION = "session", "Half-day session"
        CALL = "call", "Resident call night"
        FACULTY_CALL = "faculty_call", "Faculty call night"
        FMIT_WEEK = "fmit_week", "FMIT week"
        BLOCK = "block", "Block rotation"

    swap = models.ForeignKey(Swap, on_delete=models.CASCADE, related_name="legs")
    position = models.PositiveSmallIntegerField(default=0, help_text="The leg's place in the swap (a chain's order).")
    giver = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="swap_legs_given")
    taker = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="swap_legs_taken")
    shift = models.CharField(max_length=12, choices=Shift.choices)
    date = models.DateField(help_text="The session's date, the call's night, the FMIT week's first day.")
    session = models.CharField(max_length=2, blank=True, help_text="AM or PM for a half-day session.")
    block = models.ForeignKey(Block, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True, help_text="When the taker accepted.")

    history = HistoricalRecords()

    permission_resource = "swap"

    class Meta:
        ordering = ["swap", "position"]
        constraints = [
            models.UniqueConstraint(fields=["swap", "position"], name="swapleg_unique_position"),
            models.CheckConstraint(
                condition=Q(taker__isnull=True) | ~Q(taker=F("giver")),
                name="swapleg_taker_not_giver",
                violation_error_message="A person cannot hand a shift to themselves.",
            ),
            models.CheckConstraint(
                condition=(Q(shift="session") & Q(session__in=["AM", "PM"])) | (~Q(shift="session") & Q(session="")),
                name="swapleg_session_only_for_sessions",
                violation_error_message="A half-day session needs AM or PM; other shifts have none.",
            ),
            models.CheckConstraint(
                condition=(Q(shift="block") & Q(block__isnull=False)) | (~Q(shift="block") & Q(block__isnull=True)),
                name="swapleg_block_only_for_blocks",
                violation_error_message="A block rotation needs its block; other shifts have none.",
            ),
        ]
        indexes = [models.Index(fields=["giver", "date"]), models.Index(fields=["taker", "date"])]

    def __str__(self) -> str:
        taker = self.taker.full_name if self.taker_id else "anyone"
        return f"{self.giver.full_name} → {taker}: {self.get_shift_display()} {self.date:%d %b %Y} {self.session}"

    def clean(self) -> None:
        super().clean()
        for name in ("swap", "giver", "taker", "block"):
            related = getattr(self, f"{name}_id") and getattr(self, name)
            if related and self.program_id and related.program_id != self.program_id:
                raise ValidationError({name: "This belongs to another program."})


class SwapMove(ProgramOwnedModel):
    """An assignment row an executed swap wrote: its values before (None when the swap created it) and after
    (None when the swap deleted it), so that a rollback restores exactly the previous assignments."""

    class Model(models.TextChoices):
        BLOCK = "blockassignment", "Block rotation"
        SESSION = "sessionassignment", "Half-day"
        CALL = "callassignment", "Call"

    swap = models.ForeignKey(Swap, on_delete=models.CASCADE, related_name="moves")
    model = models.CharField(max_length=20, choices=Model.choices)
    row_id = models.BigIntegerField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["swap", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["swap", "model", "row_id"], name="swapmove_one_per_row"),
            models.CheckConstraint(
                condition=Q(before__isnull=False) | Q(after__isnull=False), name="swapmove_before_or_after"
            ),
        ]

    def __str__(self) -> str:
        return f"Swap #{self.swap_id}: {self.get_model_display()} {self.row_id}"
