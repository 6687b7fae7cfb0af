"""The web push edge: the VAPID key pair, which push services we post to, and one encrypted POST (pywebpush).

Keys come from settings (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: base64url, the raw P-256 point and scalar). Without
them push is off, except with DEBUG, where a pair is made once into VAR_DIR/vapid.json so `make run` has push.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

logger = logging.getLogger(__name__)

DEV_KEY_FILE = "vapid.json"
DEFAULT_SUBJECT = "mailto:scheduler@localhost"
PUSH_TTL_SECONDS = 24 * 3600  # a phone that is off for a day still gets the message when it comes back
GONE_STATUSES = frozenset({404, 410})  # the subscription expired or was removed at the push service
RETRY_STATUSES = frozenset({408, 425, 429})  # and every 5xx: try again later
MAX_ENDPOINT_LENGTH = 1000


@dataclasses.dataclass(frozen=True)
class VapidKeys:
    public_key: str  # base64url of the uncompressed point: the browser's applicationServerKey
    private_key: str  # base64url of the 32-byte scalar
    subject: str  # mailto: or https: contact the push services may use


class PushGone(Exception):
    """The push service answered 404 or 410: the subscription is dead and should be removed."""


class PushRetry(Exception):
    """A temporary failure (no answer, 408/425/429, 5xx): try again later."""


class PushRefused(Exception):
    """A permanent failure (another 4xx, bad keys): trying again will not help."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(value: str) -> bytes:
    """base64url (padding optional) to bytes; ValueError on anything else."""
    value = value.strip()
    if not value or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" for ch in value):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def keys_generate() -> tuple[str, str]:
    """A new VAPID key pair as (public, private), base64url."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(public), _b64(private.private_numbers().private_value.to_bytes(32, "big"))


def _subject() -> str:
    return settings.VAPID_SUBJECT or DEFAULT_SUBJECT


@lru_cache(maxsize=1)
def _dev_keys(path: Path) -> tuple[str, str]:
    """The development key pair in VAR_DIR, made on first use (never in production: DEBUG only)."""
    if path.exists():
        data = json.loads(path.read_text())
        return data["public_key"], data["private_key"]
    public, private = keys_generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"public_key": public, "private_key": private}, handle)
    logger.info("Made a development VAPID key pair in %s", path)
    return public, private


def vapid_keys() -> VapidKeys | None:
    """The key pair push is signed with, or None when push is not configured."""
    if settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY:
        return VapidKeys(settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY, _subject())
    if settings.DEBUG:
        try:
            public, private = _dev_keys(Path(settings.VAR_DIR) / DEV_KEY_FILE)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("No development VAPID keys (%s): push is off", exc)
            return None
        return VapidKeys(public, private, _subject())
    return None


def push_enabled() -> bool:
    """Push goes out only with a VAPID key pair (settings, or DEBUG's development pair)."""
    return vapid_keys() is not None


def endpoint_problem(endpoint: str) -> str:
    """Why the server will not post to `endpoint` (empty when it will): only https to a known push service.

    The server posts wherever a subscription points, so an endpoint is a host on WEBPUSH_SERVICE_HOSTS (or a
    subdomain of one); an entry written "http://host" allows plain http to exactly that host (tests only).
    """
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return f"The push endpoint is longer than {MAX_ENDPOINT_LENGTH} characters."
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "The push endpoint is not a URL."
    if not host or parts.username or parts.password:
        return "The push endpoint is not a URL of a push service."
    for entry in settings.WEBPUSH_SERVICE_HOSTS:
        entry = entry.lower()
        if entry.startswith("http://"):
            if parts.scheme == "http" and host == entry.removeprefix("http://"):
                return ""
        elif parts.scheme == "https" and (host == entry or host.endswith("." + entry)):
            return ""
    return f"Push through “{host}” is not supported: this server sends only to the browsers' push services."


def keys_problem(p256dh: str, auth: str) -> str:
    """Why a subscription's keys are unusable (empty when they are fine): a P-256 point and a 16-byte secret."""
    try:
        point, secret = b64decode(p256dh), b64decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return "The subscription's p256dh key is not a base64url P-256 public key (or auth is not base64url)."
    if len(secret) != 16:
        return "The subscription's auth secret must be 16 bytes, base64url."
    return ""


def send(*, endpoint: str, p256dh: str, auth: str, payload: dict) -> int:
    """POST one encrypted message (aes128gcm, VAPID-signed) to a subscription; returns the HTTP status.

    Raises PushGone on 404/410, PushRetry on a temporary failure, PushRefused on a permanent one.
    """
    from py_vapid import Vapid  # imported here: only sending needs pywebpush
    from pywebpush import WebPushException, webpush

    keys = vapid_keys()
    if keys is None:
        raise PushRefused("push is not configured (no VAPID keys)")
    problem = endpoint_problem(endpoint)
    if problem:
        raise PushRefused(problem)
    session = requests.Session()
    session.max_redirects = 0  # a push service answers, it does not send us elsewhere
    try:
        response = webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload, separators=(",", ":")),
            vapid_private_key=Vapid.from_string(keys.private_key),
            vapid_claims={"sub": keys.subject},
            ttl=PUSH_TTL_SECONDS,
            timeout=settings.WEBPUSH_TIMEOUT,
            headers={"Urgency": "normal"},
            requests_session=session,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        message = f"{status or 'no answer'}: {str(exc.message)[:300]}"
        if status in GONE_STATUSES:
            raise PushGone(message) from exc
        if status is None or status in RETRY_STATUSES or status >= 500:
            raise PushRetry(message) from exc
        raise PushRefused(message) from exc
    except requests.RequestException as exc:
        raise PushRetry(f"{type(exc).__name__}: {exc}"[:500]) from exc
    except (ValueError, TypeError) as exc:  # keys pywebpush cannot use
        raise PushRefused(f"{type(exc).__name__}: {exc}"[:500]) from exc
    finally:
        session.close()
    return response.status_code
