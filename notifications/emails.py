"""Rendering of notification, digest and test emails, and turning an EmailLog into a message.

Emails are rendered when they are queued and stored on the EmailLog, so a retry sends exactly
what was first rendered and the task needs nothing but the log's id.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.events import DIGEST_EVENT, EVENTS, EXPORT_EVENT, TEST_EVENT
from notifications.models import EmailLog, Notification

TEMPLATE_DIR = "notifications/email"
SUBJECT_MAX = 250


@dataclass(frozen=True)
class RenderedEmail:
    """Subject, plain-text and HTML bodies of one email."""

    subject: str
    text: str
    html: str


def render_line(source: str, context: Mapping[str, Any]) -> str:
    """A one-line template rendered without HTML escaping (it is stored as text), spaces collapsed."""
    rendered = Template(source).render(Context(dict(context), autoescape=False))
    return re.sub(r"\s+", " ", rendered).strip()


def event_texts(event: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The inbox title (also the email subject) and the inbox text of an event."""
    spec = EVENTS[event]
    return render_line(spec.subject, context)[:SUBJECT_MAX], render_line(spec.summary, context)


def site_url() -> str:
    """The public address of the site (SITE_URL), without a trailing slash; empty if unknown."""
    return str(getattr(settings, "SITE_URL", "") or "").rstrip("/")


def absolute_url(link: str) -> str:
    """A site path as an address that works from a mail client."""
    if not link or link.startswith(("http://", "https://")):
        return link
    return f"{site_url()}{link}"


def _render(name: str, context: Mapping[str, Any], subject: str) -> RenderedEmail:
    base = {
        "site_url": site_url(),
        "preferences_url": absolute_url(reverse("notification-preferences")),
        "inbox_url": absolute_url(reverse("notification-list")),
        "subject": subject,
    }
    full = {**context, **base}
    text = render_to_string(f"{TEMPLATE_DIR}/{name}.txt", full)
    html = render_to_string(f"{TEMPLATE_DIR}/{name}.html", full)
    return RenderedEmail(subject=subject, text=re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html=html)


def render_notification_email(notification: Notification, context: Mapping[str, Any]) -> RenderedEmail:
    """The email of one notification, from its event's templates and the caller's context."""
    full = {
        **context,
        "recipient_name": notification.recipient.get_full_name() or notification.recipient.email,
        "program_name": notification.program.name,
        "title": notification.title,
        "summary": notification.body,
        "link_url": absolute_url(notification.link),
    }
    return _render(notification.event, full, notification.title)


def render_digest_email(*, recipient, program, items: Iterable[Notification]) -> RenderedEmail:
    """One email listing a day's digest items of one user in one program."""
    rows = [
        {"title": item.title, "summary": item.body, "link_url": absolute_url(item.link), "created_at": item.created_at}
        for item in items
    ]
    count = len(rows)
    subject = f"Your daily digest: {count} update{'s' if count != 1 else ''} from {program.name}"
    context = {
        "recipient_name": recipient.get_full_name() or recipient.email,
        "program_name": program.name,
        "items": rows,
        "time_zone": program.time_zone,
    }
    return _render(DIGEST_EVENT, context, subject)


def render_test_email(*, to_email: str) -> RenderedEmail:
    """A short email that proves the SMTP settings work."""
    return _render(TEST_EVENT, {"to_email": to_email}, "Test email from Residency Scheduler")


def render_export_email(*, recipient, program, subject: str, context: Mapping[str, Any]) -> RenderedEmail:
    """The email that carries a scheduled export's file (the context names the template, period and range)."""
    full = {**context, "recipient_name": recipient.get_full_name() or recipient.email, "program_name": program.name}
    return _render(EXPORT_EVENT, full, subject[:SUBJECT_MAX])


def new_message_id() -> str:
    """A Message-ID on the sender's domain; stored with the log so every retry reuses it."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def build_message(log: EmailLog) -> EmailMultiAlternatives:
    """The multipart (plain text + HTML) message of a log row."""
    message = EmailMultiAlternatives(
        subject=log.subject,
        body=log.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[log.to_email],
        headers={"Message-ID": log.message_id},
    )
    if log.html_body:
        message.attach_alternative(log.html_body, "text/html")
    if log.attachment_name:
        message.attach(log.attachment_name, bytes(log.attachment), log.attachment_type or "application/octet-stream")
    return message
