"""Admin of calendar-feed tokens, under the scheduling admin's program rules (the secret is never shown)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from integrations.feeds.models import FeedToken
from integrations.feeds.tokens import feed_token_is_live, feed_token_reset
from scheduling.admin import PROGRAM_FILTER, TrackedSchedulingAdmin
from tenants.errors import DomainError
from tenants.permissions import Action


@admin.register(FeedToken)
class FeedTokenAdmin(TrackedSchedulingAdmin):
    """Calendar-feed tokens: the secret is never shown; adding one makes a person's (or the program's) feed,
    and the reset action replaces the secret (the old address stops at once). Rows are otherwise read only;
    their history says who made, reset or took over each address.
    """

    list_display = ("__str__", "person", "live", "created_at", "regenerated_at", "created_by", "program")
    list_filter = (PROGRAM_FILTER,)
    list_select_related = ("person__user", "created_by", "program")
    search_fields = ("person__first_name", "person__last_name")
    autocomplete_fields = ("person",)
    shown_fields = ("program", "person", "created_at", "created_by", "regenerated_at")
    actions = ("reset_tokens",)

    @admin.display(description="Live", boolean=True)
    def live(self, obj: FeedToken) -> bool:
        """Whether the address answers: its holder is still active in the program."""
        return feed_token_is_live(obj)

    def get_fields(self, request: HttpRequest, obj: FeedToken | None = None):
        return ("program", "person") if obj is None else self.shown_fields

    def get_readonly_fields(self, request: HttpRequest, obj: FeedToken | None = None):
        return () if obj is None else self.shown_fields

    def save_model(self, request: HttpRequest, obj: FeedToken, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_reset_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.CHANGE)

    @admin.action(description="Reset the selected feeds (their old addresses stop working)", permissions=["reset"])
    def reset_tokens(self, request: HttpRequest, queryset: QuerySet[FeedToken]) -> None:
        for row in queryset.select_related("program", "person"):
            try:
                feed_token_reset(user=request.user, program=row.program, person=row.person)
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self.message_user(request, f"Reset: {row}.", messages.SUCCESS)
