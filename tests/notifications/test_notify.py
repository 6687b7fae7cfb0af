"""notify() and notify_once(): who gets what, by preference, daily cap, quiet hours and the daily digest."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.events import EVENTS, Channel, Event
from notifications.models import DeliverySettings, EmailLog, Notification
from notifications.services import (
    digests_send_due,
    email_logs_release_due,
    notify,
    notify_once,
    preferences_update,
    quiet_hours_end,
)
from tenants.errors import DomainError
from tenants.models import Role
from tests.notifications.conftest import parts
from tests.notifications.factories import DeliverySettingsFactory, EmailLogFactory, PreferenceFactory

pytestmark = pytest.mark.django_db

Status = EmailLog.Status
State = Notification.EmailState
NY = ZoneInfo("America/New_York")


@pytest.fixture
def resident(member):
    return member(Role.RESIDENT, email="ria@example.org", first_name="Ria", last_name="Resident")


def changed(program, user, when="Block 4", new="Wards"):
    return notify(
        recipients=[user],
        event=Event.ASSIGNMENT_CHANGED,
        context={"when": when, "old": "Clinic", "new": new},
        program=program,
        link="/me/",
    )


def test_notify_makes_an_inbox_item_with_the_events_texts(program, resident):
    (item,) = changed(program, resident)

    assert item.recipient == resident and item.program == program
    assert item.title == "Your assignment changed: Block 4"
    assert item.body == "Block 4: Clinic is now Wards."
    assert item.link == "/me/" and item.read_at is None


def test_every_event_has_texts_and_both_email_templates(
    smtp_server, program, resident, django_capture_on_commit_callbacks
):
    context = {key: f"<{key}>" for spec in EVENTS.values() for key in spec.context_keys}
    for event in Event:
        PreferenceFactory(user=resident, event=event, channel=Channel.EMAIL_NOW)
    with django_capture_on_commit_callbacks(execute=True):
        for event in Event:
            notify(recipients=[resident], event=event, context=context, program=program)

    assert len(smtp_server.messages) == len(Event)
    for message in smtp_server.messages:
        bodies = parts(message)
        assert set(bodies) == {"text/plain", "text/html"}
        assert "<" in bodies["text/plain"]  # plain text is not HTML-escaped
        assert "&lt;" in bodies["text/html"]  # the HTML part escapes the context


def test_inbox_text_is_stored_as_plain_text(program, resident):
    (item,) = changed(program, resident, when="Block <4> & more")
    assert item.title == "Your assignment changed: Block <4> & more"


def test_recipients_outside_the_program_and_inactive_users_get_nothing(program, other_program, member, resident):
    outsider = member(Role.RESIDENT, in_program=other_program)
    inactive = member(Role.RESIDENT, is_active=False)

    made = notify(
        recipients=[resident, outsider, inactive, resident],
        event=Event.SCHEDULE_PUBLISHED,
        context={"year": "2026-2027"},
        program=program,
    )

    assert [item.recipient for item in made] == [resident]
    assert not Notification.objects.filter(recipient__in=[outsider, inactive]).exists()


def test_unknown_event_and_foreign_links_are_refused_with_a_clear_message(program, resident):
    with pytest.raises(DomainError, match="Unknown notification event “party”"):
        notify(recipients=[resident], event="party", context={}, program=program)
    with pytest.raises(DomainError, match="must be a path on this site"):
        notify(
            recipients=[resident], event=Event.RUN_FINISHED, context={}, program=program, link="https://evil.example"
        )
    for link in ("javascript:alert(1)", "//evil.example/", "/\\evil.example/"):
        with pytest.raises(DomainError, match="must be a path on this site"):
            notify(recipients=[resident], event=Event.RUN_FINISHED, context={}, program=program, link=link)


def test_preference_off_means_nothing_at_all(smtp_server, program, resident, django_capture_on_commit_callbacks):
    PreferenceFactory(user=resident, event=Event.ASSIGNMENT_CHANGED, channel=Channel.OFF)

    with django_capture_on_commit_callbacks(execute=True):
        assert changed(program, resident) == []

    assert not Notification.objects.exists() and not EmailLog.objects.exists()
    assert smtp_server.messages == []


def test_preference_in_app_makes_only_an_inbox_item(smtp_server, program, resident, django_capture_on_commit_callbacks):
    PreferenceFactory(user=resident, event=Event.ASSIGNMENT_CHANGED, channel=Channel.IN_APP)

    with django_capture_on_commit_callbacks(execute=True):
        (item,) = changed(program, resident)

    assert item.email_state == State.NONE
    assert not EmailLog.objects.exists() and smtp_server.messages == []


def test_preference_digest_sends_nothing_now(smtp_server, program, resident, django_capture_on_commit_callbacks):
    PreferenceFactory(user=resident, event=Event.ASSIGNMENT_CHANGED, channel=Channel.EMAIL_DIGEST)

    with django_capture_on_commit_callbacks(execute=True):
        (item,) = changed(program, resident)

    assert item.email_state == State.DIGEST
    assert smtp_server.messages == []


def test_defaults_without_preferences(smtp_server, program, resident, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (published,) = notify(recipients=[resident], event=Event.SCHEDULE_PUBLISHED, context={}, program=program)
        (requested,) = notify(recipients=[coordinator], event=Event.ABSENCE_REQUESTED, context={}, program=program)
        (finished,) = notify(recipients=[coordinator], event=Event.RUN_FINISHED, context={}, program=program)

    assert (published.email_state, requested.email_state, finished.email_state) == (
        State.EMAIL,
        State.DIGEST,
        State.NONE,
    )
    assert [message["To"] for message in smtp_server.messages] == ["ria@example.org"]


def test_the_daily_digest_gathers_the_days_items_into_one_email_once(
    smtp_server, program, resident, django_capture_on_commit_callbacks
):
    now = timezone.now()
    DeliverySettingsFactory(user=resident, digest_hour=now.astimezone(NY).hour)
    PreferenceFactory(user=resident, event=Event.ASSIGNMENT_CHANGED, channel=Channel.EMAIL_DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        for block in ("Block 1", "Block 2", "Block 3"):
            changed(program, resident, when=block)
    assert smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due(now=now - dt.timedelta(hours=1)) == []  # not the user's hour
        (digest,) = digests_send_due(now=now)
        assert digests_send_due(now=now) == []  # nothing goes twice

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["Subject"] == "Your daily digest: 3 updates from Family Medicine"
    text = parts(message)["text/plain"]
    assert all(f"Your assignment changed: Block {n}" in text for n in (1, 2, 3))
    assert "Your assignment changed: Block 1" in parts(message)["text/html"]
    digest.refresh_from_db()
    assert (digest.status, digest.is_digest, digest.recipient) == (Status.SENT, True, resident)
    assert set(Notification.objects.values_list("email_state", "digest")) == {(State.DIGESTED, digest.pk)}


def test_digest_items_of_another_user_or_program_stay_apart(
    smtp_server, program, other_program, member, resident, django_capture_on_commit_callbacks
):
    now = timezone.now()
    colleague = member(Role.RESIDENT, email="colleague@example.org")
    for user in (resident, colleague):
        DeliverySettingsFactory(user=user, digest_hour=now.astimezone(NY).hour)
        PreferenceFactory(user=user, event=Event.ASSIGNMENT_CHANGED, channel=Channel.EMAIL_DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        changed(program, resident, when="Mine")
        changed(program, colleague, when="Theirs")
        digests_send_due(now=now)

    by_recipient = {message["To"]: parts(message)["text/plain"] for message in smtp_server.messages}
    assert set(by_recipient) == {"ria@example.org", "colleague@example.org"}
    assert "Mine" in by_recipient["ria@example.org"] and "Theirs" not in by_recipient["ria@example.org"]


def test_the_daily_cap_folds_the_rest_into_the_digest(
    smtp_server, settings, program, resident, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_DAILY_EMAIL_CAP = 3
    now = timezone.now()
    DeliverySettingsFactory(user=resident, digest_hour=now.astimezone(NY).hour)

    with django_capture_on_commit_callbacks(execute=True):
        items = [changed(program, resident, when=f"Day {n}")[0] for n in range(5)]
    assert len(smtp_server.messages) == 3
    assert [item.email_state for item in items] == [State.EMAIL] * 3 + [State.DIGEST] * 2

    with django_capture_on_commit_callbacks(execute=True):
        digests_send_due(now=now)
    digest_text = parts(smtp_server.messages[-1])["text/plain"]
    assert len(smtp_server.messages) == 4
    assert "Day 3" in digest_text and "Day 4" in digest_text and "Day 0" not in digest_text


def test_the_default_cap_is_100_emails_a_day(smtp_server, program, resident, django_capture_on_commit_callbacks):
    EmailLogFactory.create_batch(99, program=program, recipient=resident, created_at=timezone.now())
    EmailLogFactory(program=program, recipient=resident, is_digest=True)  # digests do not count
    EmailLogFactory(
        program=program, recipient=resident, created_at=timezone.now() - dt.timedelta(days=2)
    )  # nor earlier days

    with django_capture_on_commit_callbacks(execute=True):
        (hundredth,) = changed(program, resident, when="100th")
        (over,) = changed(program, resident, when="101st")

    assert (hundredth.email_state, over.email_state) == (State.EMAIL, State.DIGEST)
    assert len(smtp_server.messages) == 1


def test_quiet_hours_hold_the_email_until_they_end(smtp_server, program, resident, django_capture_on_commit_callbacks):
    now = timezone.now()
    hour = now.astimezone(NY).hour
    DeliverySettingsFactory(user=resident, quiet_start=hour, quiet_end=(hour + 2) % 24)

    with django_capture_on_commit_callbacks(execute=True):
        (item,) = changed(program, resident)
    log = EmailLog.objects.get(notification=item)
    assert log.status == Status.QUEUED and smtp_server.messages == []
    assert log.send_after.astimezone(NY).hour == (hour + 2) % 24
    assert log.send_after.astimezone(NY).minute == 0 and log.send_after > now

    with django_capture_on_commit_callbacks(execute=True):
        assert email_logs_release_due(now=now) == []
    assert smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        assert email_logs_release_due(now=log.send_after) == [log.pk]
    log.refresh_from_db()
    assert log.status == Status.SENT and len(smtp_server.messages) == 1


def test_outside_quiet_hours_email_goes_at_once(smtp_server, program, resident, django_capture_on_commit_callbacks):
    hour = timezone.now().astimezone(NY).hour
    # quiet hours well ahead: starting the next hour, they would hold the email if the clock turned meanwhile
    DeliverySettingsFactory(user=resident, quiet_start=(hour + 6) % 24, quiet_end=(hour + 8) % 24)

    with django_capture_on_commit_callbacks(execute=True):
        changed(program, resident)

    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    ("start", "end", "local", "expected"),
    [
        (22, 7, dt.datetime(2026, 3, 10, 23, 30), dt.datetime(2026, 3, 11, 7)),
        (22, 7, dt.datetime(2026, 3, 10, 6, 59), dt.datetime(2026, 3, 10, 7)),
        (22, 7, dt.datetime(2026, 3, 10, 7, 0), None),
        (22, 7, dt.datetime(2026, 3, 10, 21, 59), None),
        (13, 14, dt.datetime(2026, 3, 10, 13, 15), dt.datetime(2026, 3, 10, 14)),
        (22, 7, dt.datetime(2026, 3, 7, 23, 0), dt.datetime(2026, 3, 8, 7)),  # across the DST change
    ],
)
def test_quiet_hours_end_in_the_programs_time_zone(start, end, local, expected):
    delivery = DeliverySettings(quiet_start=start, quiet_end=end)
    result = quiet_hours_end(delivery, NY, local.replace(tzinfo=NY))
    assert result == (expected.replace(tzinfo=NY) if expected else None)


def test_a_lost_queued_email_is_sent_again_by_the_hourly_release(
    smtp_server, program, resident, django_capture_on_commit_callbacks
):
    lost = EmailLogFactory(
        program=program,
        recipient=resident,
        status=Status.QUEUED,
        attempts=0,
        message_id="<lost@example.org>",
        created_at=timezone.now() - dt.timedelta(hours=2),
    )
    EmailLogFactory(program=program, recipient=resident, status=Status.QUEUED, attempts=0)  # its task is on the way

    with django_capture_on_commit_callbacks(execute=True):
        assert email_logs_release_due() == [lost.pk]

    assert [message["Message-ID"] for message in smtp_server.messages] == ["<lost@example.org>"]


def test_notify_once_sends_a_key_once_per_recipient(program, resident, coordinator):
    context = {"certification": "ACLS", "expires": "2026-09-01", "days": 30}
    args = {"event": Event.CERTIFICATION_EXPIRING, "context": context, "program": program}

    first = notify_once(key="cert:12:30", recipients=[resident, coordinator], **args)
    again = notify_once(key="cert:12:30", recipients=[resident, coordinator], **args)
    next_threshold = notify_once(key="cert:12:14", recipients=[resident], **args)

    assert len(first) == 2 and again == [] and len(next_threshold) == 1
    assert first[0].title == "ACLS expires in 30 days"
    assert Notification.objects.filter(recipient=resident).count() == 2


def test_notify_once_needs_a_key(program, resident):
    with pytest.raises(DomainError, match="needs a key"):
        notify_once(key="  ", recipients=[resident], event=Event.RUN_FINISHED, context={}, program=program)


def test_preferences_update_stores_choices_and_refuses_bad_ones(resident):
    preferences_update(
        user=resident,
        channels={Event.SWAP_REQUESTED: Channel.OFF, Event.SCHEDULE_PUBLISHED: Channel.EMAIL_NOW},
        digest_hour=18,
        quiet_start=22,
        quiet_end=6,
    )
    assert dict(resident.notification_preferences.values_list("event", "channel")) == {"swap_requested": "off"}
    assert (resident.delivery_settings.digest_hour, resident.delivery_settings.quiet_start) == (18, 22)

    bad = {"channels": {}, "digest_hour": 7, "quiet_start": None, "quiet_end": None}
    with pytest.raises(DomainError, match="Unknown event “party”"):
        preferences_update(user=resident, **{**bad, "channels": {"party": "off"}})
    with pytest.raises(DomainError, match="Unknown channel “pigeon”"):
        preferences_update(user=resident, **{**bad, "channels": {"swap_requested": "pigeon"}})
    with pytest.raises(DomainError, match="from 0 to 23"):
        preferences_update(user=resident, **{**bad, "digest_hour": 24})
    with pytest.raises(DomainError, match="both a start and an end"):
        preferences_update(user=resident, **{**bad, "quiet_start": 22})
    with pytest.raises(DomainError, match="another hour"):
        preferences_update(user=resident, **{**bad, "quiet_start": 5, "quiet_end": 5})


def test_superuser_recipients_are_notified_in_any_program(program, superuser):
    assert len(notify(recipients=[superuser], event=Event.RUN_FINISHED, context={}, program=program)) == 1
