"""Inbox and preference pages: own items only, unread first, mark read, header badge, preferences."""

import pytest
from django.urls import reverse

from notifications.events import Channel, Event
from notifications.models import DeliverySettings, Notification, Preference
from tenants.models import Role
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(member):
    return member(Role.RESIDENT, email="ria@example.org")


@pytest.fixture
def logged_in(client, resident):
    client.force_login(resident)
    return client


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("notification-list"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_inbox_lists_own_items_unread_first_and_never_anothers(
    logged_in, program, other_program, member, resident, django_assert_max_num_queries
):
    from django.utils import timezone

    old_unread = NotificationFactory(program=program, recipient=resident, title="Old but unread")
    NotificationFactory(program=program, recipient=resident, title="New and read", read_at=timezone.now())
    NotificationFactory.create_batch(20, program=program, recipient=resident)
    NotificationFactory(program=program, recipient=member(Role.RESIDENT), title="Someone else's")
    NotificationFactory(program=other_program, recipient=resident, title="Other program's")

    with django_assert_max_num_queries(8):
        response = logged_in.get(reverse("notification-list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else&#x27;s" not in body and "Someone else's" not in body
    assert "Other program" not in body
    titles = [item.title for item in response.context["page"].object_list]
    assert titles.index("Old but unread") < titles.index("New and read")
    assert titles[-1] == "New and read"
    assert old_unread.title in body


def test_header_badge_shows_the_unread_count(logged_in, program, resident):
    NotificationFactory.create_batch(3, program=program, recipient=resident)
    NotificationFactory(program=program, recipient=resident, read_at="2026-01-01T00:00Z")

    body = logged_in.get(reverse("home")).content.decode()

    assert reverse("notification-list") in body
    assert '<span id="inbox-badge" class="badge">3<span class="visually-hidden"> unread</span></span>' in body


def test_header_badge_is_hidden_without_unread_items(logged_in):
    body = logged_in.get(reverse("home")).content.decode()
    assert '<span id="inbox-badge" class="badge" hidden>0' in body


def test_titles_are_escaped_on_the_page(logged_in, program, resident):
    NotificationFactory(program=program, recipient=resident, title="<script>alert(1)</script>")
    body = logged_in.get(reverse("notification-list")).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_mark_one_read_with_htmx_returns_the_row_and_the_new_badge(logged_in, program, resident):
    item, _other = NotificationFactory.create_batch(2, program=program, recipient=resident)
    logged_in.get(reverse("home"))  # caches the count of 2

    response = logged_in.post(reverse("notification-read", args=[item.pk]), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{item.pk}"' in body and "Mark read" not in body
    assert 'hx-swap-oob="true"' in body and ">1<span" in body
    item.refresh_from_db()
    assert item.read_at is not None


def test_mark_read_without_htmx_goes_back_to_the_inbox(logged_in, program, resident):
    item = NotificationFactory(program=program, recipient=resident)
    response = logged_in.post(reverse("notification-read", args=[item.pk]))
    assert response.status_code == 302 and response.url == reverse("notification-list")


def test_another_users_notification_cannot_be_read_or_opened(logged_in, program, other_program, member):
    theirs = NotificationFactory(program=program, recipient=member(Role.RESIDENT), link="/me/")
    other_programs = NotificationFactory(program=other_program, link="/me/")

    for item in (theirs, other_programs):
        assert logged_in.post(reverse("notification-read", args=[item.pk])).status_code == 404
        assert logged_in.get(reverse("notification-open", args=[item.pk])).status_code == 404
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_open_marks_read_and_goes_to_the_target(logged_in, program, resident):
    item = NotificationFactory(program=program, recipient=resident, link="/me/")
    response = logged_in.get(reverse("notification-open", args=[item.pk]))
    assert response.status_code == 302 and response.url == "/me/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_mark_all_read_only_touches_own_items_in_the_program(logged_in, program, other_program, member, resident):
    NotificationFactory.create_batch(3, program=program, recipient=resident)
    mine_elsewhere = NotificationFactory(program=other_program, recipient=resident)
    theirs = NotificationFactory(program=program, recipient=member(Role.RESIDENT))

    response = logged_in.post(reverse("notification-read-all"), follow=True)

    assert "Marked 3 notifications read." in response.content.decode()
    assert not Notification.objects.filter(program=program, recipient=resident, read_at__isnull=True).exists()
    mine_elsewhere.refresh_from_db()
    theirs.refresh_from_db()
    assert mine_elsewhere.read_at is None and theirs.read_at is None


def test_unread_filter(logged_in, program, resident):
    NotificationFactory(program=program, recipient=resident, title="Fresh")
    NotificationFactory(program=program, recipient=resident, title="Seen", read_at="2026-01-01T00:00Z")
    body = logged_in.get(reverse("notification-list"), {"unread": "1"}).content.decode()
    assert "Fresh" in body and "Seen" not in body


def test_a_user_without_a_program_has_no_inbox(client, db):
    from tests.tenants.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("notification-list")).status_code == 403


def test_preferences_page_shows_each_role_the_events_it_can_receive(client, logged_in, member):
    """A resident chooses for the events that reach residents; a coordinator also for the managers' own."""
    from notifications.events import MANAGER_EVENTS

    body = logged_in.get(reverse("notification-preferences")).content.decode()
    for event in Event:
        shown = f'name="event_{event.value}"' in body and event.label in body
        assert shown == (event not in MANAGER_EVENTS), event
    assert "America/New_York" in body

    client.force_login(member(Role.COORDINATOR))
    body = client.get(reverse("notification-preferences")).content.decode()
    for event in Event:
        assert f'name="event_{event.value}"' in body and event.label in body, event


def test_a_resident_saving_preferences_keeps_a_stored_managers_choice(logged_in, resident):
    """An event the page no longer shows keeps what is stored (e.g. chosen while the user was a coordinator)."""
    Preference.objects.create(user=resident, event=Event.SICK_TODAY, channel=Channel.OFF)
    logged_in.post(reverse("notification-preferences"), _post_data(event_swap_requested=Channel.OFF))
    assert Preference.objects.get(user=resident, event=Event.SICK_TODAY).channel == Channel.OFF
    assert Preference.objects.get(user=resident, event=Event.SWAP_REQUESTED).channel == Channel.OFF


def _post_data(**overrides):
    data = {f"event_{event.value}": Channel.EMAIL_NOW for event in Event}
    data.update(digest_hour="18", quiet_start="22", quiet_end="6")
    data.update(overrides)
    return data


def test_preferences_page_saves_choices(logged_in, resident):
    response = logged_in.post(
        reverse("notification-preferences"), _post_data(event_swap_requested=Channel.OFF), follow=True
    )

    assert "Your notification preferences are saved." in response.content.decode()
    assert Preference.objects.get(user=resident, event=Event.SWAP_REQUESTED).channel == Channel.OFF
    settings = DeliverySettings.objects.get(user=resident)
    assert (settings.digest_hour, settings.quiet_start, settings.quiet_end) == (18, 22, 6)


def test_preferences_page_explains_half_set_quiet_hours(logged_in, resident):
    response = logged_in.post(reverse("notification-preferences"), _post_data(quiet_end=""))
    assert response.status_code == 200
    assert "Choose both the start and the end of your quiet hours, or neither." in response.content.decode()
    assert not DeliverySettings.objects.filter(user=resident).exists()


def test_clinical_staff_have_an_inbox_too(client, program, member):
    nurse = member(Role.RN)
    NotificationFactory(program=program, recipient=nurse, title="Roster changed")
    client.force_login(nurse)
    assert "Roster changed" in client.get(reverse("notification-list")).content.decode()
