"""Cancelling a background thing (a schedule run, a contingency analysis, a file job): the rule they share.

Each such model has `status` (with QUEUED and CANCELLED among its choices), `cancel_requested`, `finished_at` and
`message`. A queued one ends cancelled at once; a running one has `cancel_requested` set and its worker stops at
its next check. A finished one is a ConflictError (the API's 409 problem); a user not allowed a PermissionDenied.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from tenants.errors import ConflictError

Background = TypeVar("Background", bound=models.Model)


def background_cancel(
    locked: Background,
    *,
    allowed: bool,
    denied: str,
    active: bool,
    not_begun: str = "Cancelled before it began.",
    finished: str = "",
) -> Background:
    """Ask `locked` (a row the caller holds `select_for_update`) to stop, once `allowed` (else PermissionDenied with
    `denied`) and while `active` (else a ConflictError "... has already finished (status)" and `finished`).
    A queued one is cancelled at once with the message `not_begun`. Asking again is harmless."""
    if not allowed:
        raise PermissionDenied(denied)
    if not active:
        raise ConflictError(f"{locked} has already finished ({locked.get_status_display().lower()}){finished}.")
    changed = [] if locked.cancel_requested else ["cancel_requested"]
    locked.cancel_requested = True
    if locked.status == locked.Status.QUEUED:
        locked.status, locked.finished_at, locked.message = locked.Status.CANCELLED, timezone.now(), not_begun
        changed += ["status", "finished_at", "message"]
    if changed:
        locked.save(update_fields=changed)
    return locked
