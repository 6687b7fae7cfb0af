"""Idempotency-Key for API POSTs that start work (a schedule run, a swap, an absence request, a publication).

A client that retries such a POST with the same `Idempotency-Key` header gets the first answer again, with
`Idempotent-Replayed: true`, and no second row is made. Keys belong to their user and last
settings.IDEMPOTENCY_KEY_HOURS; the same key with a different request (path, program or body) is refused
with 422, and a retry while the first request is still being handled gets 409 with Retry-After.
A request refused with an error is not kept: fixing it and sending it again with the same key works.
Keys past their hours are removed daily (`idempotency_keys_purge`, `manage.py purge_idempotency_keys`).
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.errors import DomainError
from tenants.middleware import program_for
from tenants.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Location",)
MAX_KEY_LENGTH = 255
ABANDONED_AFTER = dt.timedelta(minutes=5)  # a claim left by a crashed worker frees its key after this

IDEMPOTENCY_HEADER = OpenApiParameter(
    name=HEADER,
    # what _checked_key accepts, so the schema tells clients (and schemathesis) which keys are valid
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID): a retry with the same key and request within 24 hours returns the "
    "first answer (Idempotent-Replayed: true) instead of doing the work again; the same key with another "
    "request is 422.",
)


class IdempotencyKeyReused(DomainError):
    """The key was first sent with another request."""

    code = "idempotency_key_reused"
    status_code = 422


class IdempotentRequestInProgress(exceptions.APIException):
    """The first request with this key is still being handled; Retry-After tells when to ask again."""

    status_code = 409
    default_code = "idempotency_request_in_progress"
    wait = 1


def _canonical(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    if hasattr(value, "lists"):  # a QueryDict of form fields
        return {name: [_canonical(item) for item in items] for name, items in value.lists()}
    if isinstance(value, dict):
        return {str(name): _canonical(item) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return value


def request_fingerprint(request: Request) -> str:
    """A digest of what makes two POSTs the same request: path with query, active program and parsed body."""
    program = program_for(request)
    document = {
        "method": request.method,
        "path": request.get_full_path(),
        "program": program.pk if program else None,
        "data": _canonical(request.data),
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


def _checked_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise exceptions.ValidationError(
            {HEADER: [f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable ASCII characters, such as a UUID."]}
        )
    return key


def _claim(*, user, key: str, fingerprint: str) -> tuple[IdempotentRequest | None, Response | None]:
    """Claim the key for this request, or the stored answer to replay; refuse a reused or busy key."""
    now = timezone.now()
    IdempotentRequest.objects.filter(expires_at__lte=now).delete()  # by the expires_at index; keeps the table small
    IdempotentRequest.objects.filter(
        user=user, key=key, status_code__isnull=True, created_at__lte=now - ABANDONED_AFTER
    ).delete()
    try:
        with transaction.atomic():
            claim = IdempotentRequest.objects.create(
                user=user,
                key=key,
                fingerprint=fingerprint,
                created_at=now,
                expires_at=now + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS),
            )
        return claim, None
    except IntegrityError:
        pass
    earlier = IdempotentRequest.objects.filter(user=user, key=key).first()
    if earlier is None or earlier.status_code is None:
        raise IdempotentRequestInProgress(
            "A request with this Idempotency-Key is still being handled; retry in a moment for its answer."
        )
    if earlier.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request; use a new key for a new request."
        )
    headers = {**earlier.headers, REPLAYED_HEADER: "true"}
    return None, Response(earlier.body, status=earlier.status_code, headers=headers)


def _keep(claim: IdempotentRequest, response: Response) -> None:
    if response.status_code >= 400:
        claim.delete()
        return
    data = getattr(response, "data", None)
    claim.body = None if data is None else json.loads(JSONRenderer().render(data))
    claim.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    claim.status_code = response.status_code
    claim.save(update_fields=["body", "headers", "status_code"])


def idempotency_keys_purge(*, older_than_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete the stored keys past settings.IDEMPOTENCY_KEY_HOURS, or with `older_than_days` those made more
    than that many days ago (at least one: a key is promised its 24 hours); returns how many went."""
    now = now or timezone.now()
    if older_than_days is None:
        stale = IdempotentRequest.objects.filter(expires_at__lte=now)
    else:
        if older_than_days < 1:
            raise DomainError(f"Idempotency keys are kept at least 1 day; {older_than_days} is too few.")
        stale = IdempotentRequest.objects.filter(created_at__lt=now - dt.timedelta(days=older_than_days))
    deleted, _ = stale.delete()
    return deleted


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a viewset method answering a POST that starts work, to honour the Idempotency-Key header
    (above `@action`, so that the schema documents the header)."""

    @wraps(handler)
    def wrapped(view, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw = request.headers.get(HEADER)
        if raw is None or request.method != "POST" or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        key = _checked_key(raw)
        claim, replay = _claim(user=request.user, key=key, fingerprint=request_fingerprint(request))
        if replay is not None:
            return replay
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            claim.delete()  # an error answer is not kept: the corrected request may reuse the key
            raise
        _keep(claim, response)
        response[REPLAYED_HEADER] = "false"
        return response

    return extend_schema(parameters=[IDEMPOTENCY_HEADER])(wrapped)


def document_idempotency_refusals(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: each operation taking an Idempotency-Key documents its refusals, a
    malformed key (400) and a key reused for another request (422), as problem+json."""
    refusals = {
        "400": "Invalid input, or an Idempotency-Key that is not 1 to 255 printable ASCII characters.",
        "422": "This Idempotency-Key was used with a different request; use a new key.",
    }
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in result.get("paths", {}).values():
        for operation in item.values():
            parameters = operation.get("parameters", []) if isinstance(operation, dict) else []
            if any(p.get("in") == "header" and p.get("name") == HEADER for p in parameters):
                for status, text in refusals.items():
                    operation["responses"].setdefault(status, {"content": problem, "description": text})
    return result
