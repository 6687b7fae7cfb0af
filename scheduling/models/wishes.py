"""Wishes (DESIGN.md section 4, issue 12): a person's blocked or preferred-off weeks and the rotations they wish
for or want to avoid, with a priority; and the window of an academic year in which people enter them.

The engine reads the active wishes as `Preference`s (scheduling/engine_io.py) with the weights the program gives
each priority (scheduling/wishes.py, the "wishes" settings section).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from scheduling.models.base import same_program
from scheduling.models.calendar import AcademicYear, Block
from scheduling.models.people import Person
from scheduling.models.rotations import RotationTemplate
from tenants.models import ProgramOwnedModel

WEEK_KINDS = ("blocked_week", "preferred_week")
ROTATION_KINDS = ("rotation_wish", "rotation_avoid")


class PreferenceQuerySet(models.QuerySet):
    """Reusable filters of wishes."""

    def for_program(self, program) -> "PreferenceQuerySet":
        return self.filter(program=program)

    def active(self) -> "PreferenceQuerySet":
        return self.filter(status=Preference.Status.ACTIVE)


class Preference(ProgramOwnedModel):
    """One wish of a person for an academic year: a week blocked or preferred off (its first day, on the
    program's week start), or a rotation wished for or to avoid (in one block, or in any block when none is
    given). The priority the person picks becomes the engine's weight through the program's settings. The
    reason is seen by the person and the program's managers only. Withdrawn wishes stay, with their history."""

    class Kind(models.TextChoices):
        BLOCKED_WEEK = "blocked_week", "Blocked week"
        PREFERRED_WEEK = "preferred_week", "Preferred week off"
        ROTATION_WISH = "rotation_wish", "Rotation wish"
        ROTATION_AVOID = "rotation_avoid", "Rotation to avoid"

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="preferences")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="preferences")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    week_start = models.DateField(null=True, blank=True, help_text="The first day of the week (week kinds).")
    block = models.ForeignKey(
        Block, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="Blank: any block."
    )
    rotation = models.ForeignKey(RotationTemplate, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.MEDIUM)
    reason = models.TextField(blank=True, help_text="Seen by the person and the program's managers only.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PreferenceQuerySet.as_manager()
    history = HistoricalRecords()

    permission_resource = "preference"

    class Meta:
        ordering = ["person", "kind", "week_start", "block__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["blocked_week", "preferred_week", "rotation_wish", "rotation_avoid"]),
                name="preference_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=["high", "medium", "low"]), name="preference_priority_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=WEEK_KINDS)
                | Q(week_start__isnull=False, block__isnull=True, rotation__isnull=True),
                name="preference_week_kinds_have_a_week",
                violation_error_message="A blocked or preferred week needs its week, and no block or rotation.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=ROTATION_KINDS) | Q(rotation__isnull=False, week_start__isnull=True),
                name="preference_rotation_kinds_have_a_rotation",
                violation_error_message="A rotation wish or avoid needs its rotation, and no week.",
            ),
            models.UniqueConstraint(
                fields=["person", "week_start"],
                condition=Q(status="active", week_start__isnull=False),
                name="preference_one_active_wish_per_week",
                violation_error_message="This person already has a wish for this week.",
            ),
            models.UniqueConstraint(
                fields=["person", "rotation", "block"],
                condition=Q(status="active", rotation__isnull=False, block__isnull=False),
                name="preference_one_active_wish_per_rotation_block",
                violation_error_message="This person already has a wish for this rotation in this block.",
            ),
            models.UniqueConstraint(
                fields=["person", "rotation"],
                condition=Q(status="active", rotation__isnull=False, block__isnull=True),
                name="preference_one_active_wish_per_rotation_any_block",
                violation_error_message="This person already has a wish for this rotation in any block.",
            ),
        ]
        indexes = [models.Index(fields=["program", "academic_year", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.what}"

    @property
    def owner_user_id(self) -> int | None:
        return self.person.user_id

    @property
    def what(self) -> str:
        """The week or the rotation and block, in words: "week of 7 Dec 2026", "Cardiology in block 5"."""
        if self.kind in WEEK_KINDS:
            return f"week of {self.week_start:%-d %b %Y}" if self.week_start else "a week"
        rotation = self.rotation.name if self.rotation_id else "a rotation"
        return f"{rotation} in block {self.block.number}" if self.block_id else f"{rotation} in any block"

    def clean(self) -> None:
        super().clean()
        if self.kind in WEEK_KINDS and (self.week_start is None or self.block_id or self.rotation_id):
            raise ValidationError(
                {"week_start": "A blocked or preferred week needs its week, and no block or rotation."}
            )
        if self.kind in ROTATION_KINDS and (self.rotation_id is None or self.week_start is not None):
            raise ValidationError({"rotation": "A rotation wish or avoid needs its rotation, and no week."})
        same_program(self, ("person", "academic_year", "block", "rotation"))


class WishWindow(ProgramOwnedModel):
    """When the people of a program enter their wishes for an academic year (both days inclusive, the program's
    dates), and how many wishes of each kind one person may make (blank: no limit). Outside it only the
    program's managers add, change or withdraw wishes."""

    academic_year = models.OneToOneField(AcademicYear, on_delete=models.CASCADE, related_name="wish_window")
    opens_on = models.DateField()
    closes_on = models.DateField()
    blocked_week_limit = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(53)])
    preferred_week_limit = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(53)])
    rotation_wish_limit = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(26)])
    rotation_avoid_limit = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(26)])

    history = HistoricalRecords()

    permission_resource = "schedule"  # a program rule: managers set it

    class Meta:
        ordering = ["program", "-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="wishwindow_closes_not_before_opens",
                violation_error_message="The wish window cannot close before it opens.",
            ),
        ]

    def __str__(self) -> str:
        return f"Wishes for {self.academic_year}: {self.opens_on:%-d %b %Y} to {self.closes_on:%-d %b %Y}"

    def limit(self, kind: str) -> int | None:
        """How many active wishes of `kind` one person may hold (None: no limit)."""
        return getattr(self, f"{kind}_limit")

    def clean(self) -> None:
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "The wish window cannot close before it opens."})
        same_program(self, ("academic_year",))
