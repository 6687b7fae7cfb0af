"""Failed sign-ins: how django-axes names an account, how long a lockout lasts, what the locked-out person sees,
and how an admin unlocks (settings AXES_*).

A lockout follows AXES_FAILURE_LIMIT failures in a row for one account (its email, in any case) or from one
address. It lasts BASE_COOL_OFF, and each further lockout of the same account or address within a day doubles
it, up to MAX_COOL_OFF: guessing slows down the longer it goes on, while a person who mistyped waits minutes.
"""

import datetime as dt
import math

from axes.helpers import get_cool_off
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from tenants.audit import PLATFORM, record
from tenants.audit_models import AuditAction

BASE_COOL_OFF = dt.timedelta(minutes=15)
MAX_COOL_OFF = dt.timedelta(days=1)
PROGRESSION_WINDOW = dt.timedelta(days=1)


def username_of(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The account a sign-in names: its email as allauth passes it, or the login form's field, lower-cased."""
    value = (credentials or {}).get("email")
    if value is None and request is not None:
        value = request.POST.get("login") or request.POST.get("email")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()[:255]


def cool_off(request: HttpRequest | None) -> dt.timedelta:
    """BASE_COOL_OFF doubled for each lockout the account or the address already had within a day."""
    if request is None:
        return BASE_COOL_OFF
    since = timezone.now() - PROGRESSION_WINDOW
    failures = AccessFailureLog.objects.filter(attempt_time__gte=since)
    counts = []
    username = username_of(request, getattr(request, "axes_credentials", None))
    if username:
        counts.append(failures.filter(username=username).count())
    address = getattr(request, "axes_ip_address", None)
    if address:
        counts.append(failures.filter(ip_address=address).count())
    earlier_lockouts = max(counts, default=0) // max(settings.AXES_FAILURE_LIMIT, 1)
    factor = 2 ** min(max(earlier_lockouts - 1, 0), 10)
    return min(BASE_COOL_OFF * factor, MAX_COOL_OFF)


def lockout_message(request: HttpRequest | None) -> str:
    """What a locked-out person reads on the login page."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    wait = f"{minutes} minutes" if minutes < 120 else f"{math.ceil(minutes / 60)} hours"
    return (
        "Too many failed sign-ins for this account or from this address: signing in is locked for "
        f"{wait}. Your program's administrator can unlock it sooner."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The login page itself, showing the lockout message (the adapter put it on the form), answered 429."""
    if original_response is None:
        return redirect(settings.LOGIN_URL)
    if original_response.status_code == 200:
        original_response.status_code = 429
    return original_response


def sign_in_unlock(*, email: str, request: HttpRequest | None = None) -> int:
    """Clear the failed sign-ins of an account (an admin's unlock, audited); the number of records removed."""
    email = email.strip().lower()
    removed = reset(username=email)
    record(
        AuditAction.UNLOCKED,
        request=request,
        program=PLATFORM,
        after={"email": email},
        detail=f"{email}: {removed} lockout record(s) cleared",
    )
    return removed


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out_audited(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """Each failure that finds an account or address locked out is in the audit log, with its address."""
    record(
        AuditAction.LOCKED_OUT,
        request=request,
        actor=None,
        program=PLATFORM,
        after={"email": username or ""},
        detail=f"{username or '?'} from {ip_address or '?'}",
    )
