"""A local web push service for tests (not a test module): an HTTP server on loopback that records every POST the
server makes to a subscription and answers as the test says (201, or 410 to end a subscription), and a device
whose real P-256 keys decrypt what was pushed to it. The real push services (FCM, Mozilla's) cannot be reached.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclasses.dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass
class Device:
    """A browser's side of a subscription: its key pair and auth secret, and the endpoint on the test service."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(point)

    @property
    def auth(self) -> str:
        return b64(self.auth_secret)

    def subscription_json(self) -> dict:
        """What the browser's PushSubscription.toJSON() gives."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def decrypt(self, message: Received) -> dict:
        """The JSON payload of a message pushed to this device (aes128gcm, as RFC 8291)."""
        assert message.headers.get("content-encoding") == "aes128gcm"
        plain = http_ece.decrypt(
            message.body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)


class PushService:
    """The recording server. `answer(*statuses)` queues the statuses of the next POSTs (then 201 again)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._answers: deque[int] = deque()
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with service._lock:
                    service.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    status = service._answers.popleft() if service._answers else 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> PushService:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, *statuses: int) -> None:
        self._answers.extend(statuses)

    def device(self) -> Device:
        """A new device subscribed at this service, with fresh keys."""
        return Device(
            endpoint=f"{self.origin}/push/{b64(os.urandom(12))}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
        )

    def to(self, device: Device) -> list[Received]:
        return [message for message in self.received if device.endpoint.endswith(message.path)]


def vapid_claims(message: Received, public_key: str) -> dict:
    """The JWT claims of a message's `Authorization: vapid t=...,k=...` header, after checking that `k` is the
    server's public key and that the token's signature verifies with it."""
    authorization = message.headers["authorization"]
    assert authorization.startswith("vapid t="), authorization
    parts = dict(item.split("=", 1) for item in authorization.removeprefix("vapid ").split(","))
    assert parts["k"] == public_key
    assert Vapid02.verify(authorization)
    claims = parts["t"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))


def serve_push(settings):
    """Start a PushService and point the settings at it (fresh VAPID keys, plain http to loopback allowed)."""
    from notifications.webpush import keys_generate

    public, private = keys_generate()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:push-tests@example.org"
    settings.WEBPUSH_SERVICE_HOSTS = [*settings.WEBPUSH_SERVICE_HOSTS, "http://127.0.0.1"]
    settings.WEBPUSH_TIMEOUT = 5
    return PushService().start()
