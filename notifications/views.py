"""Inbox and preference pages: every user reads and changes only their own items in the active program, and their
own push devices."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import selectors, services, services_push, webpush
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
    initial.update({f"push_{event}": wanted for event, wanted in selectors.push_for(request.user).items()})
    initial.update(digest_hour=delivery.digest_hour, quiet_start=delivery.quiet_start, quiet_end=delivery.quiet_end)
    form = PreferencesForm(request.POST or None, initial=initial, events=selectors.events_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preferences_update(
                user=request.user,
                channels=form.channels(),
                push=form.push(),
                digest_hour=data["digest_hour"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notification-preferences")
    keys = webpush.vapid_keys()
    context = {
        "form": form,
        "devices": list(selectors.push_subscription_list(user=request.user)),
        "vapid_public_key": keys.public_key if keys else "",
    }
    return render(request, "notifications/preferences_form.html", context)


def _json_body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DomainError("Send the subscription as JSON: {endpoint, keys: {p256dh, auth}}.") from None
    if not isinstance(data, dict):
        raise DomainError("Send the subscription as a JSON object: {endpoint, keys: {p256dh, auth}}.")
    return data


def _text(value) -> str:
    return value if isinstance(value, str) else ""


@member_required
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """Store this browser's push subscription (the JSON of PushSubscription.toJSON()) as one of the user's devices."""
    try:
        data = _json_body(request)
        keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
        subscription = services_push.push_subscription_save(
            user=request.user,
            endpoint=_text(data.get("endpoint")),
            p256dh=_text(keys.get("p256dh")),
            auth=_text(keys.get("auth")),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except DomainError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse({"id": subscription.pk, "device": subscription.device}, status=201)


@csrf_exempt  # the service worker has no CSRF token; the old subscription's secret proves the device instead
@require_POST
def push_renew(request: HttpRequest) -> JsonResponse:
    """The service worker's `pushsubscriptionchange`: {old_endpoint, old_auth, endpoint, keys: {p256dh, auth}}
    replaces the device's old subscription with the new one (services_push.push_subscription_renew)."""
    try:
        data = _json_body(request)
        keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
        subscription = services_push.push_subscription_renew(
            old_endpoint=_text(data.get("old_endpoint")),
            old_auth=_text(data.get("old_auth")),
            endpoint=_text(data.get("endpoint")),
            p256dh=_text(keys.get("p256dh")),
            auth=_text(keys.get("auth")),
        )
    except DomainError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse({"id": subscription.pk, "device": subscription.device})


@member_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    """Forget this browser's subscription (by its endpoint) after the browser unsubscribed."""
    try:
        endpoint = _text(_json_body(request).get("endpoint"))
    except DomainError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    removed = services_push.push_subscription_delete_by_endpoint(user=request.user, endpoint=endpoint)
    return JsonResponse({"removed": removed})


@member_required
@require_POST
def push_device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of the user's devices from the preferences page; it gets no more push."""
    subscription = selectors.push_subscription_get(user=request.user, pk=pk)
    if subscription is None:
        raise Http404("No such device of yours.")
    try:
        services_push.push_subscription_delete(user=request.user, subscription=subscription)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{subscription.device or 'Device'}” no longer gets push notifications.")
    return redirect("notification-preferences")
