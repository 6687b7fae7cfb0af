"""A real SMTP server on loopback (aiosmtpd) and Celery tasks run eagerly (also when CI sets REDIS_URL)."""

import asyncio
import socket
from collections import deque
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from config.celery import app as celery_app


def free_port() -> int:
    """A TCP port on loopback that nothing listens on (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """An aiosmtpd handler that keeps what it receives and answers as a test tells it to.

    `data_reply` (e.g. "451 try again") refuses every message; `fail_next(n, reply)` refuses the next n;
    `rcpt_reply` refuses recipients; `rcpt_delay_next` makes the server hang that many seconds once.
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.data_attempts = 0
        self.data_reply: str | None = None
        self.rcpt_reply: str | None = None
        self.rcpt_delay_next = 0.0
        self._failures: deque[str] = deque()

    def fail_next(self, times: int, reply: str) -> None:
        self._failures.extend([reply] * times)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_delay_next:
            delay, self.rcpt_delay_next = self.rcpt_delay_next, 0.0
            await asyncio.sleep(delay)
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_attempts += 1
        if self._failures:
            return self._failures.popleft()
        if self.data_reply:
            return self.data_reply
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def parts(message: EmailMessage) -> dict[str, str]:
    """Content type -> decoded text of each leaf part."""
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in-process, as in embedded mode, even when REDIS_URL makes them go to a broker."""
    eager, propagates = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = True, True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = eager, propagates


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port, and settings that send email to it (no TLS)."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://scheduler.example.org"
    settings.DEFAULT_FROM_EMAIL = "Residency Scheduler <scheduler@example.org>"
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def push_service(settings):
    """A recording web push service on loopback, and VAPID keys for the server (tests/notifications/push_service)."""
    from tests.notifications.push_service import serve_push

    service = serve_push(settings)
    try:
        yield service
    finally:
        service.stop()
