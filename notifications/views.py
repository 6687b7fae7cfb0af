"""Inbox and preference pages: every user reads and changes only their own items in the active program."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.forms import PreferencesForm
from tenants import access
from tenants.errors import DomainError

PAGE_SIZE = 50


# The inbox is personal, not a role's: any member acting in a program has one.
member_required = access.require(denied="You do not belong to a program yet, so you have no inbox.")


def _own(request: HttpRequest, pk: int):
    notification = selectors.notification_get(user=request.user, program=request.program, pk=pk)
    if notification is None:
        raise Http404("No such notification in your inbox.")
    return notification


@member_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's inbox in the active program, unread first; `?unread=1` shows unread items only."""
    unread_only = request.GET.get("unread") == "1"
    items = selectors.notification_list(user=request.user, program=request.program, unread_only=unread_only)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page, "unread_only": unread_only})


@member_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's items read; htmx gets the row back and the header badge out of band."""
    notification = services.notification_mark_read(notification=_own(request, pk))
    if request.htmx:
        return render(request, "notifications/_notification_read.html", {"item": notification})
    return redirect("notification-list")


@member_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark all of the user's items in the active program read."""
    changed = services.notifications_mark_all_read(user=request.user, program=request.program)
    messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} read.")
    return redirect("notification-list")


@member_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an item read and go to what it is about (its link, a path on this site), else back to the inbox."""
    notification = services.notification_mark_read(notification=_own(request, pk))
    return redirect(notification.link if services.is_site_path(notification.link) else "notification-list")


@member_required
def preferences_edit(request: HttpRequest) -> HttpResponse:
    """The user's channel per event, digest hour and quiet hours."""
    delivery = selectors.delivery_settings_for(request.user)
    initial = {f"event_{event}": channel for event, channel in selectors.channels_for(request.user).items()}
    initial.update(digest_hour=delivery.digest_hour, quiet_start=delivery.quiet_start, quiet_end=delivery.quiet_end)
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preferences_update(
                user=request.user,
                channels=form.channels(),
                digest_hour=data["digest_hour"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notification-preferences")
    return render(request, "notifications/preferences_form.html", {"form": form})
