"""Web push against a recording push service on loopback: a stored subscription gets each notification it asked
for, encrypted to the device's keys and VAPID-signed; the channel choice, quiet hours, retries, never twice,
404/410 removal, owner-only devices on pages and the API, a subscription the browser renews replacing the old one,
and every device added, renewed or removed in the audit log."""

import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import services_push, tasks, webpush
from notifications.events import Event
from notifications.models import DeliverySettings, PushLog, PushSubscription
from notifications.services import notify, notify_once, preferences_update
from tenants.audit_models import AuditEvent
from tenants.models import Role
from tests.notifications.push_service import vapid_claims

pytestmark = pytest.mark.django_db

Status = PushLog.Status
PUBLISHED = {"year": "2026-2027", "version": "v3"}


@pytest.fixture
def resident(member):
    return member(Role.RESIDENT, email="ria.resident@example.org", first_name="Ria", last_name="Resident")


@pytest.fixture
def other(member):
    return member(Role.RESIDENT, email="oscar.other@example.org", first_name="Oscar", last_name="Other")


def publish(program, *users):
    return notify(recipients=users, event=Event.SCHEDULE_PUBLISHED, context=PUBLISHED, program=program, link="/x/")


def subscribe(user, browser, **extra):
    return services_push.push_subscription_save(
        user=user, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth, **extra
    )


def keep(user, **push):
    """Save push choices, keeping every channel and the default hours."""
    preferences_update(user=user, channels={}, push=push, digest_hour=7, quiet_start=None, quiet_end=None)


def test_a_subscribed_device_receives_the_notification_encrypted_and_vapid_signed(
    client, push_service, settings, program, resident, django_capture_on_commit_callbacks
):
    device = push_service.device()
    client.force_login(resident)
    response = client.post(
        reverse("push-subscribe"),
        json.dumps(device.subscription_json()),
        content_type="application/json",
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
    )
    assert response.status_code == 201, response.content
    subscription = PushSubscription.objects.get(user=resident)
    assert (subscription.endpoint, subscription.device) == (device.endpoint, "Chrome on Android")

    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = publish(program, resident)

    (message,) = push_service.to(device)
    assert message.headers["ttl"] == str(webpush.PUSH_TTL_SECONDS)
    claims = vapid_claims(message, settings.VAPID_PUBLIC_KEY)
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == "mailto:push-tests@example.org"
    assert claims["exp"] > timezone.now().timestamp()
    assert device.decrypt(message) == {
        "title": "Schedule published: 2026-2027",
        "body": "The 2026-2027 schedule (v3) is published. Check your assignments.",
        "url": reverse("notification-open", kwargs={"pk": notification.pk}),
        "tag": f"notification-{notification.pk}",
    }
    log = PushLog.objects.get()
    assert (log.status, log.attempts, log.error) == (Status.SENT, 1, "")
    assert log.idempotency_key == f"push:{notification.pk}:{subscription.pk}"
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None


def test_each_device_gets_its_own_message_and_other_users_devices_none(
    push_service, program, resident, other, django_capture_on_commit_callbacks
):
    phone, laptop, theirs = push_service.device(), push_service.device(), push_service.device()
    subscribe(resident, phone)
    subscribe(resident, laptop)
    subscribe(other, theirs)

    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)

    assert len(push_service.to(phone)) == len(push_service.to(laptop)) == 1
    assert push_service.to(theirs) == []
    assert phone.decrypt(push_service.to(phone)[0])["title"] == laptop.decrypt(push_service.to(laptop)[0])["title"]


def test_the_push_choice_per_event_is_honoured(push_service, program, resident, django_capture_on_commit_callbacks):
    device = push_service.device()
    subscribe(resident, device)
    keep(resident, schedule_published=False, run_finished=True)

    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)
        notify(
            recipients=[resident],
            event=Event.RUN_FINISHED,
            context={"run": "#4", "status": "succeeded"},
            program=program,
        )

    (message,) = push_service.to(device)
    assert device.decrypt(message)["title"] == "Schedule generation succeeded"
    assert PushLog.objects.count() == 1


def test_by_default_events_emailed_at_once_are_pushed_and_the_others_not(
    push_service, program, resident, django_capture_on_commit_callbacks
):
    device = push_service.device()
    subscribe(resident, device)

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[resident], event=Event.RUN_FINISHED, context={"run": "#4", "status": "failed"}, program=program
        )
        notify(
            recipients=[resident], event=Event.ACGME_WARNING, context={"person": "R", "rule": "80h"}, program=program
        )
    assert push_service.received == []

    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)
    assert len(push_service.to(device)) == 1


def test_an_event_turned_off_pushes_nothing(push_service, program, resident, django_capture_on_commit_callbacks):
    subscribe(resident, push_service.device())
    preferences_update(
        user=resident,
        channels={"schedule_published": "off"},
        push={"schedule_published": True},
        digest_hour=7,
        quiet_start=None,
        quiet_end=None,
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert publish(program, resident) == []

    assert push_service.received == []
    assert not PushLog.objects.exists()


def test_a_push_is_never_sent_twice(push_service, program, resident, django_capture_on_commit_callbacks):
    device = push_service.device()
    subscribe(resident, device)
    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)
        notify_once(
            key="once:1", recipients=[resident], event=Event.SCHEDULE_PUBLISHED, context=PUBLISHED, program=program
        )
        notify_once(
            key="once:1", recipients=[resident], event=Event.SCHEDULE_PUBLISHED, context=PUBLISHED, program=program
        )
    assert len(push_service.to(device)) == 2
    first = PushLog.objects.order_by("pk").first()

    tasks.push_send_task.delay(first.pk)  # a redelivered task
    tasks.push_send_task.delay(first.pk)
    PushLog.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        services_push.push_logs_release_due()  # the hourly re-queue of lost ones
    again = services_push.push_logs_queue(
        notification=first.notification, subscriptions=[first.subscription], send_after=None
    )

    assert again == []
    assert len(push_service.to(device)) == 2
    first.refresh_from_db()
    assert (first.status, first.attempts) == (Status.SENT, 1)


def test_410_from_the_push_service_removes_the_subscription(
    push_service, program, resident, django_capture_on_commit_callbacks
):
    gone, kept = push_service.device(), push_service.device()
    subscribe(resident, gone)
    subscribe(resident, kept)
    push_service.answer(410)  # the first POST (the older subscription, sent first)

    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept.endpoint]
    log = PushLog.objects.get(status=Status.GONE)
    assert log.subscription is None and log.error.startswith("410")
    removed = AuditEvent.objects.get(action="push.removed")  # the owner can see where their device went
    assert (removed.actor, removed.program) == (resident, None)
    assert removed.after == {"reason": "the push service no longer knows the device"}
    assert gone.endpoint not in json.dumps([removed.before, removed.after])
    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)
    assert len(push_service.to(gone)) == 1 and len(push_service.to(kept)) == 2


def test_404_also_removes_and_other_refusals_fail_without_removing(
    push_service, program, resident, django_capture_on_commit_callbacks
):
    subscribe(resident, push_service.device())
    push_service.answer(400)
    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)
    assert PushLog.objects.get().status == Status.FAILED
    assert PushSubscription.objects.count() == 1

    push_service.answer(404)
    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)
    assert not PushSubscription.objects.exists()


def test_temporary_failures_retry_and_then_send_once(
    push_service, program, resident, django_capture_on_commit_callbacks
):
    device = push_service.device()
    subscribe(resident, device)
    push_service.answer(503, 429)

    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)

    log = PushLog.objects.get()
    assert (log.status, log.attempts) == (Status.SENT, 3)
    assert len(push_service.to(device)) == 3
    assert device.decrypt(push_service.to(device)[-1])["title"] == "Schedule published: 2026-2027"


def test_a_push_service_failing_every_time_marks_the_push_failed(
    push_service, program, resident, django_capture_on_commit_callbacks
):
    subscribe(resident, push_service.device())
    push_service.answer(*[500] * services_push.MAX_PUSH_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)

    log = PushLog.objects.get()
    assert (log.status, log.attempts) == (Status.FAILED, services_push.MAX_PUSH_ATTEMPTS)
    assert log.error.startswith("500")
    assert PushSubscription.objects.count() == 1


def test_quiet_hours_hold_the_push_until_they_end(push_service, program, resident, django_capture_on_commit_callbacks):
    device = push_service.device()
    subscribe(resident, device)
    hour = timezone.now().astimezone(program.zone).hour
    DeliverySettings.objects.create(user=resident, quiet_start=hour, quiet_end=(hour + 2) % 24)

    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)

    log = PushLog.objects.get()
    assert log.status == Status.QUEUED and log.send_after > timezone.now()
    assert push_service.received == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services_push.push_logs_release_due() == []
        assert services_push.push_logs_release_due(now=log.send_after) == [log.pk]
    assert len(push_service.to(device)) == 1


@pytest.mark.parametrize(
    ("endpoint", "keys", "message"),
    [
        ("https://evil.example.com/push/1", None, "“evil.example.com” is not supported"),
        ("http://fcm.googleapis.com/fcm/send/1", None, "is not supported"),
        ("https://fcm.googleapis.com.evil.example/x", None, "is not supported"),
        ("http://127.0.0.2:8000/x", None, "is not supported"),
        ("not a url", None, "is not a URL"),
        ("", None, "has no endpoint"),
        ("https://fcm.googleapis.com/fcm/send/1", {"p256dh": "AAAA", "auth": "x"}, "p256dh key is not"),
        ("https://fcm.googleapis.com/fcm/send/1", {"auth": "c2hvcnQ"}, "auth secret must be 16 bytes"),
    ],
)
def test_subscribing_refuses_unknown_push_services_and_bad_keys_storing_nothing(
    client, push_service, resident, endpoint, keys, message
):
    device = push_service.device()
    body = {"endpoint": endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth, **(keys or {})}}
    client.force_login(resident)

    response = client.post(reverse("push-subscribe"), json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not PushSubscription.objects.exists()


def test_subscribing_refuses_a_body_that_is_not_json(client, push_service, resident):
    client.force_login(resident)
    response = client.post(reverse("push-subscribe"), "endpoint=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


def test_subscribing_needs_the_csrf_token(push_service, resident):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(resident)
    device = push_service.device()
    response = browser.post(
        reverse("push-subscribe"), json.dumps(device.subscription_json()), content_type="application/json"
    )
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_the_same_device_subscribing_again_updates_it_and_another_login_takes_it_over(push_service, resident, other):
    device = push_service.device()
    first = subscribe(resident, device)
    again = subscribe(resident, device, device="My phone")
    assert again.pk == first.pk and again.device == "My phone"

    taken = subscribe(other, device)

    assert list(PushSubscription.objects.values_list("user", flat=True)) == [other.pk]
    assert taken.pk != first.pk


ANDROID = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"


def renewal(old, new) -> str:
    """What the service worker posts on `pushsubscriptionchange`: the old subscription's proof and the new one."""
    return json.dumps({"old_endpoint": old.endpoint, "old_auth": old.auth, **new.subscription_json()})


def test_a_subscription_the_browser_renews_replaces_the_devices_old_one(
    client, push_service, program, resident, other, django_capture_on_commit_callbacks
):
    old, new = push_service.device(), push_service.device()
    client.force_login(resident)
    client.post(
        reverse("push-subscribe"), json.dumps(old.subscription_json()), "application/json", HTTP_USER_AGENT=ANDROID
    )
    before = PushSubscription.objects.get(user=resident)
    subscribe(other, push_service.device())
    worker = Client(enforce_csrf_checks=True)  # the service worker: no CSRF token, maybe no session any more

    response = worker.post(reverse("push-renew"), renewal(old, new), content_type="application/json")

    assert response.status_code == 200, response.content
    (device,) = PushSubscription.objects.filter(user=resident)
    assert (device.pk, device.device) == (before.pk, "Chrome on Android")  # the same device, its label kept
    assert (device.endpoint, device.p256dh, device.auth) == (new.endpoint, new.p256dh, new.auth)
    assert not PushSubscription.objects.filter(endpoint=old.endpoint).exists()
    assert PushSubscription.objects.filter(user=other).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        publish(program, resident)
    assert push_service.to(old) == [] and len(push_service.to(new)) == 1
    renewed = AuditEvent.objects.get(action="push.renewed")
    assert (renewed.actor, renewed.program, renewed.target_id) == (resident, None, str(device.pk))
    host = urlsplit(new.endpoint).hostname
    assert renewed.after == {"device": "Chrome on Android", "push_service": host}
    assert old.endpoint not in json.dumps([renewed.before, renewed.after])  # the endpoint is a capability


def test_a_renewal_without_the_old_devices_secret_changes_nothing(push_service, resident):
    old, new, stranger = push_service.device(), push_service.device(), push_service.device()
    subscribe(resident, old)
    worker = Client(enforce_csrf_checks=True)
    forged = json.dumps({"old_endpoint": old.endpoint, "old_auth": stranger.auth, **new.subscription_json()})
    unknown = renewal(stranger, new)
    bad_new = json.dumps({"old_endpoint": old.endpoint, "old_auth": old.auth, "endpoint": "https://evil.example/x",
                          "keys": {"p256dh": new.p256dh, "auth": new.auth}})  # fmt: skip

    for body in (forged, unknown, bad_new, "not json"):
        response = worker.post(reverse("push-renew"), body, content_type="application/json")
        assert response.status_code == 400 and response.json()["detail"]

    assert "turn push on again" in worker.post(reverse("push-renew"), forged, "application/json").json()["detail"]
    assert list(PushSubscription.objects.values_list("endpoint", "auth")) == [(old.endpoint, old.auth)]
    assert not AuditEvent.objects.filter(action="push.renewed").exists()


def test_adding_and_removing_devices_is_in_the_audit_log(client, api_as, push_service, resident):
    phone, laptop, tablet = push_service.device(), push_service.device(), push_service.device()
    client.force_login(resident)
    for device in (phone, laptop):
        client.post(reverse("push-subscribe"), json.dumps(device.subscription_json()), "application/json",
                    HTTP_USER_AGENT=ANDROID)  # fmt: skip
    api_as(resident).post(reverse("api:push-subscription-list"), tablet.subscription_json(), format="json")
    host = urlsplit(phone.endpoint).hostname

    added = AuditEvent.objects.filter(action="push.subscribed").order_by("pk")
    assert [(event.actor, event.program, event.actor_email) for event in added] == [
        (resident, None, resident.email)
    ] * 3
    assert added[0].after == {"device": "Chrome on Android", "push_service": host}
    assert added[0].ip_address == "127.0.0.1" and added[0].occurred_at <= timezone.now()

    by_page = PushSubscription.objects.get(endpoint=phone.endpoint)
    client.post(reverse("push-device-remove", kwargs={"pk": by_page.pk}))
    client.post(reverse("push-unsubscribe"), json.dumps({"endpoint": laptop.endpoint}), "application/json")
    by_api = PushSubscription.objects.get(endpoint=tablet.endpoint)
    api_as(resident).delete(reverse("api:push-subscription-detail", kwargs={"pk": by_api.pk}))

    assert not PushSubscription.objects.filter(user=resident).exists()
    removed = AuditEvent.objects.filter(action="push.removed").order_by("pk")
    assert [event.target_id for event in removed] == [str(by_page.pk), str(added[1].target_id), str(by_api.pk)]
    assert {event.actor for event in removed} == {resident}
    assert removed[0].before == {"device": "Chrome on Android", "push_service": host}


def test_without_vapid_keys_push_is_off(client, settings, program, resident, django_capture_on_commit_callbacks):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    client.force_login(resident)
    body = {"endpoint": "https://fcm.googleapis.com/fcm/send/1", "keys": {"p256dh": "x", "auth": "y"}}

    response = client.post(reverse("push-subscribe"), json.dumps(body), content_type="application/json")
    page = client.get(reverse("notification-preferences"))

    assert response.status_code == 400 and "not configured" in response.json()["detail"]
    assert "Push notifications are not set up on this server." in page.content.decode()
    assert "push-controls" not in page.content.decode()


def test_debug_makes_a_development_key_pair_once_in_var_dir(settings, tmp_path):
    webpush._dev_keys.cache_clear()
    settings.DEBUG, settings.VAR_DIR = True, tmp_path
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    try:
        keys = webpush.vapid_keys()
        webpush._dev_keys.cache_clear()
        assert webpush.vapid_keys() == keys
        stored = json.loads((tmp_path / webpush.DEV_KEY_FILE).read_text())
        assert (stored["public_key"], stored["private_key"]) == (keys.public_key, keys.private_key)
        assert (tmp_path / webpush.DEV_KEY_FILE).stat().st_mode & 0o077 == 0
        settings.DEBUG = False
        assert webpush.vapid_keys() is None
    finally:
        webpush._dev_keys.cache_clear()


def test_preferences_page_saves_the_push_choice_and_lists_and_removes_own_devices(
    client, push_service, resident, other
):
    mine = subscribe(resident, push_service.device(), device="Ria phone")
    theirs = subscribe(other, push_service.device(), device="Oscar laptop")
    client.force_login(resident)

    page = client.get(reverse("notification-preferences")).content.decode()
    assert "Ria phone" in page and "Oscar laptop" not in page
    assert f'data-vapid-public-key="{webpush.vapid_keys().public_key}"' in page
    form = {f"event_{event.value}": "in_app" for event in Event} | {"digest_hour": "7", "push_swap_requested": "on"}
    response = client.post(reverse("notification-preferences"), form)
    assert response.status_code == 302
    from notifications.selectors import push_for

    pushed = push_for(resident)
    assert pushed["swap_requested"] is True and pushed["schedule_published"] is False

    assert client.post(reverse("push-device-remove", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("push-device-remove", kwargs={"pk": mine.pk})).status_code == 302
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_unsubscribe_forgets_only_the_users_own_endpoint(client, push_service, resident, other):
    mine, theirs = push_service.device(), push_service.device()
    subscribe(resident, mine)
    subscribe(other, theirs)
    client.force_login(resident)

    url = reverse("push-unsubscribe")
    assert client.post(url, json.dumps({"endpoint": theirs.endpoint}), content_type="application/json").json() == {
        "removed": 0
    }
    assert client.post(url, json.dumps({"endpoint": mine.endpoint}), content_type="application/json").json() == {
        "removed": 1
    }
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [theirs.endpoint]


def test_api_lists_creates_and_removes_only_own_devices(api_as, push_service, program, resident, other):
    theirs = subscribe(other, push_service.device(), device="Oscar laptop")
    api = api_as(resident)
    device = push_service.device()

    created = api.post("/api/v1/push-subscriptions/", device.subscription_json(), format="json")
    again = api.post("/api/v1/push-subscriptions/", device.subscription_json(), format="json")

    assert created.status_code == again.status_code == 201, created.content
    assert created.json()["id"] == again.json()["id"]
    assert "keys" not in created.json()
    listed = api.get("/api/v1/push-subscriptions/").json()
    assert [row["endpoint"] for row in listed] == [device.endpoint]
    url = f"/api/v1/push-subscriptions/{theirs.pk}/"
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404
    assert api.delete(f"/api/v1/push-subscriptions/{created.json()['id']}/").status_code == 204
    assert list(PushSubscription.objects.all()) == [theirs]


def test_api_refuses_a_bad_subscription_with_a_clear_message(api_as, push_service, resident):
    body = {"endpoint": "https://evil.example.com/x", "keys": {"p256dh": "x", "auth": "y"}}
    response = api_as(resident).post("/api/v1/push-subscriptions/", body, format="json")
    assert response.status_code == 400
    assert "is not supported" in response.json()["detail"]
    assert not PushSubscription.objects.exists()


def test_preferences_api_reads_and_changes_the_push_choice(api_as, resident):
    api = api_as(resident)
    assert api.get("/api/v1/notification-preferences/me/").json()["push"]["schedule_published"] is True

    response = api.patch("/api/v1/notification-preferences/me/", {"push": {"schedule_published": False}}, format="json")

    assert response.status_code == 200
    assert response.json()["push"]["schedule_published"] is False
    assert response.json()["channels"]["schedule_published"] == "email_now"


def test_device_labels_name_browser_and_system():
    assert services_push.device_label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Safari/604.1") == (
        "Safari on iPhone"
    )
    assert services_push.device_label("Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko Firefox/130.0") == (
        "Firefox on Linux"
    )
    assert services_push.device_label("") == "Browser"


def test_the_endpoint_check_takes_subdomains_of_push_services_only(settings):
    settings.WEBPUSH_SERVICE_HOSTS = ["push.apple.com"]
    assert webpush.endpoint_problem("https://web.push.apple.com/QGx") == ""
    assert webpush.endpoint_problem("https://apple.com/x")
    assert webpush.endpoint_problem("https://user:pw@web.push.apple.com/x")
    assert urlsplit("https://web.push.apple.com/QGx").hostname == "web.push.apple.com"
