"""The events other apps announce through notify(), with their default channel and inbox texts.

Each event has a subject (the inbox title and the email subject) and a summary (the inbox
text), both one-line Django templates rendered with the caller's context, plus an HTML and a
plain-text email template under notifications/templates/notifications/email/<event>.{html,txt}.
"""

from dataclasses import dataclass

from django.db import models


class Event(models.TextChoices):
    """What happened. The value is the `event` argument of notify()."""

    SCHEDULE_PUBLISHED = "schedule_published", "Schedule published"
    PUBLISHED_WITH_BREACHES = "published_with_breaches", "Schedule published with ACGME violations (for admins)"
    ASSIGNMENT_CHANGED = "assignment_changed", "My assignment changed"
    ABSENCE_REQUESTED = "absence_requested", "Absence requested (for approvers)"
    ABSENCE_DECIDED = "absence_decided", "My absence request decided"
    SICK_TODAY = "sick_today", "Someone called in sick today (for approvers)"
    SWAP_REQUESTED = "swap_requested", "Swap requested"
    SWAP_MATCHED = "swap_matched", "Swap matched"
    SWAP_DECIDED = "swap_decided", "Swap decided"
    SWAP_EXECUTED = "swap_executed", "Swap carried out"
    SWAP_ROLLED_BACK = "swap_rolled_back", "Swap rolled back"
    CERTIFICATION_EXPIRING = "certification_expiring", "Certification expiring"
    ACGME_WARNING = "acgme_warning", "ACGME duty-hour warning"
    RUN_FINISHED = "run_finished", "Schedule generation finished"
    RESILIENCE_LEVEL = "resilience_level", "Resilience level rose (for managers)"
    JOB_FINISHED = "job_finished", "My background export or import finished"
    FMIT_UNBALANCED = "fmit_unbalanced", "FMIT weeks unbalanced in the coming quarter (for managers)"


# Events only the program's managers (admins, coordinators) receive: their preferences show to managers only.
MANAGER_EVENTS = frozenset(
    {
        Event.PUBLISHED_WITH_BREACHES,
        Event.ABSENCE_REQUESTED,
        Event.SICK_TODAY,
        Event.RUN_FINISHED,
        Event.RESILIENCE_LEVEL,
        Event.FMIT_UNBALANCED,
    }
)


class Channel(models.TextChoices):
    """How a user hears about an event. Every channel but `off` also puts the item in the inbox.

    Web push is chosen beside the channel (Preference.push): an item in the inbox may also go to the user's devices.
    """

    IN_APP = "in_app", "Inbox only"
    EMAIL_NOW = "email_now", "Inbox and email right away"
    EMAIL_DIGEST = "email_digest", "Inbox and the daily digest email"
    OFF = "off", "Off"


@dataclass(frozen=True)
class EventSpec:
    """An event's default channel, subject and summary templates, and the context keys they use."""

    default_channel: str
    subject: str
    summary: str
    context_keys: tuple[str, ...]


EVENTS: dict[str, EventSpec] = {
    Event.SCHEDULE_PUBLISHED: EventSpec(
        Channel.EMAIL_NOW,
        "Schedule published: {{ year }}",
        "The {{ year }} schedule{% if version %} ({{ version }}){% endif %} is published. Check your assignments.",
        ("year", "version"),
    ),
    Event.PUBLISHED_WITH_BREACHES: EventSpec(
        Channel.EMAIL_NOW,
        "Published with ACGME violations: {{ year }}",
        "{{ who }} published {{ year }} {{ version }} with {{ violations }} ACGME violation{{ violations|pluralize }}"
        "{% if rules %} ({{ rules }}){% endif %}. Reason: {{ reason }}",
        ("year", "version", "who", "violations", "rules", "reason"),
    ),
    Event.ASSIGNMENT_CHANGED: EventSpec(
        Channel.EMAIL_NOW,
        "Your assignment changed: {{ when }}",
        "{{ when }}: {{ old|default:'nothing' }} is now {{ new|default:'nothing' }}.",
        ("when", "old", "new"),
    ),
    Event.ABSENCE_REQUESTED: EventSpec(
        Channel.EMAIL_DIGEST,
        "Absence request from {{ person }}",
        "{{ person }} asks for {{ kind|default:'time off' }} from {{ start }} to {{ end }}.",
        ("person", "kind", "start", "end"),
    ),
    Event.ABSENCE_DECIDED: EventSpec(
        Channel.EMAIL_NOW,
        "Your absence request was {{ decision }}",
        "Your {{ kind|default:'absence' }} from {{ start }} to {{ end }} was {{ decision }}."
        "{% if note %} Note: {{ note }}{% endif %}",
        ("decision", "kind", "start", "end", "note"),
    ),
    Event.SICK_TODAY: EventSpec(
        Channel.EMAIL_NOW,
        "Sick today: {{ person }}",
        "{{ person }} is sick today ({{ day }}) and will not work; their duties today need cover.",
        ("person", "day"),
    ),
    Event.SWAP_REQUESTED: EventSpec(
        Channel.EMAIL_NOW,
        "Swap request from {{ requester }}",
        "{{ requester }} asks to swap {{ shift }}.",
        ("requester", "shift"),
    ),
    Event.SWAP_MATCHED: EventSpec(
        Channel.EMAIL_NOW,
        "Swap matched: {{ shift }}",
        "{{ partner }} will take {{ shift }}{% if needs_approval %}; the swap now waits for approval{% endif %}.",
        ("partner", "shift"),
    ),
    Event.SWAP_DECIDED: EventSpec(
        Channel.EMAIL_NOW,
        "Swap {{ decision }}: {{ shift }}",
        "The swap of {{ shift }} was {{ decision }}.{% if note %} Note: {{ note }}{% endif %}",
        ("decision", "shift", "note"),
    ),
    Event.SWAP_EXECUTED: EventSpec(
        Channel.EMAIL_NOW,
        "Swap done: {{ shift }}",
        "The swap of {{ shift }}{% if partner %} with {{ partner }}{% endif %} is now in the schedule.",
        ("shift", "partner"),
    ),
    Event.SWAP_ROLLED_BACK: EventSpec(
        Channel.EMAIL_NOW,
        "Swap rolled back: {{ shift }}",
        "The swap of {{ shift }} was undone; the original assignment is back.{% if reason %} {{ reason }}{% endif %}",
        ("shift", "reason"),
    ),
    Event.CERTIFICATION_EXPIRING: EventSpec(
        Channel.EMAIL_NOW,
        "{{ certification }} expires in {{ days }} days",
        "Your {{ certification }} certification expires on {{ expires }}. Renew it in time to stay on the schedule.",
        ("certification", "expires", "days"),
    ),
    Event.ACGME_WARNING: EventSpec(
        Channel.EMAIL_DIGEST,
        "ACGME warning: {{ rule }}",
        "{{ person }}: {{ detail }}",
        ("person", "rule", "detail"),
    ),
    Event.RUN_FINISHED: EventSpec(
        Channel.IN_APP,
        "Schedule generation {{ status }}",
        "The run {{ run }} {{ status }}.{% if detail %} {{ detail }}{% endif %}",
        ("run", "status", "detail"),
    ),
    Event.RESILIENCE_LEVEL: EventSpec(
        Channel.EMAIL_NOW,
        "Resilience level {{ level }}: {{ program }}",
        "{{ program }} rose from {{ previous }} to {{ level }} on {{ day }}: {{ words }}."
        "{% if worst %} Worst: {{ worst }}.{% endif %}",
        ("program", "level", "previous", "day", "words", "worst"),
    ),
    Event.JOB_FINISHED: EventSpec(
        Channel.IN_APP,
        "{{ job }} {{ status }}",
        "{{ job }} {{ status }}.{% if detail %} {{ detail }}{% endif %}",
        ("job", "status", "detail"),
    ),
    Event.FMIT_UNBALANCED: EventSpec(
        Channel.EMAIL_NOW,
        "FMIT weeks unbalanced in {{ quarter }}: {{ program }}",
        "{{ quarter }} of {{ year }} starts {{ starts }}: FMIT weeks per faculty member against their prorated "
        "targets range from {{ least }} to {{ most }} ({{ spread }} weeks apart, tolerance {{ tolerance }}; a split "
        "in whole weeks {{ fairest }} apart exists) in the {{ version }} schedule. Most over target: {{ heaviest }}.",
        (
            "program",
            "quarter",
            "year",
            "starts",
            "least",
            "most",
            "spread",
            "tolerance",
            "fairest",
            "version",
            "heaviest",
        ),
    ),
}

DIGEST_EVENT = "digest"
TEST_EVENT = "test_email"
EXPORT_EVENT = "export_delivery"  # a scheduled export with its file (integrations.exports)


def default_channel(event: str) -> str:
    """The channel of an event for a user who has not chosen one."""
    return EVENTS[event].default_channel


def default_push(event: str) -> bool:
    """Whether an event is pushed to the devices of a user who has not chosen: yes for those emailed at once."""
    return EVENTS[event].default_channel == Channel.EMAIL_NOW
