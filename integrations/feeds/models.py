"""Secret calendar-feed tokens, per person and per program.

The model moved here from scheduling and keeps its tables (`scheduling_feedtoken` and its history), so existing
addresses answer as before (scheduling/migrations/0016 and feeds/migrations/0001 move only Django's state).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from scheduling.models import Person
from scheduling.models.base import same_program
from tenants.models import ProgramOwnedModel


def new_feed_token() -> str:
    """A fresh secret for a calendar-feed URL (256 bits, URL-safe)."""
    import secrets

    return secrets.token_urlsafe(32)


class FeedToken(ProgramOwnedModel):
    """The secret of a calendar-feed URL: a person's own feed, or the program's feed when `person` is empty.

    One live token per person and one per program; resetting replaces the secret, so the old URL stops at once.
    A feed answers only while the user who holds it still may (see integrations.feeds.tokens.feed_token_holder).
    """

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who made the current address (set again by a reset). The program's feed, and the feed of a "
        "person without a login, stop when this user is no longer one of the program's managers.",
    )
    regenerated_at = models.DateTimeField(null=True, blank=True)

    # Who made or reset which feed, and when; the secret itself never enters the history.
    history = HistoricalRecords(excluded_fields=["token"], table_name="scheduling_historicalfeedtoken")

    permission_resource = "schedule"

    class Meta:
        db_table = "scheduling_feedtoken"
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
        same_program(self, ("person",))
