"""A resident turns on push in the browser, a notification reaches the device through the (local, recording) push
service encrypted to the browser's keys, the service worker shows it, and the resident removes the device.

Chromium's real pushManager.subscribe needs Google's push service (FCM), which tests cannot reach: an init script
replaces only that call with a subscription at the local recording service, with real keys made by the test. The
button, the permission prompt, the POST, the device list and the delivery are the site's own.
"""

import json

import pytest
from playwright.sync_api import expect

from config.celery import app as celery_app
from notifications.events import Event
from notifications.models import PushLog, PushSubscription
from notifications.services import notify
from scheduling.demo import DEMO_EMAIL_DOMAIN
from tenants.models import Organization, User
from tests.e2e.conftest import log_in
from tests.notifications.push_service import serve_push

FAKE_PUSH_MANAGER = r"""
(() => {
  const sub = %s;
  let current = null;
  const make = () => ({
    endpoint: sub.endpoint,
    expirationTime: null,
    options: {userVisibleOnly: true},
    toJSON: () => sub,
    unsubscribe: () => { current = null; return Promise.resolve(true); },
  });
  PushManager.prototype.subscribe = function (options) {
    const key = options.applicationServerKey;
    sessionStorage.setItem("pushOptions", JSON.stringify({userVisibleOnly: options.userVisibleOnly, key: btoa(
      String.fromCharCode(...new Uint8Array(key))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}));
    current = make();
    return Promise.resolve(current);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
})();
"""


@pytest.fixture
def push_service(settings):
    service = serve_push(settings)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the notifications queue has no worker in this test
    try:
        yield service
    finally:
        celery_app.conf.task_always_eager = eager
        service.stop()


def test_a_resident_turns_on_push_receives_a_notification_and_removes_the_device(
    live_server, demo, context, push_service, settings
):
    device = push_service.device()
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(device.subscription_json()))
    page = log_in(context.new_page(), live_server.url, "resident", "/notifications/preferences/")
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()
    expect(page.get_by_text("No device gets push notifications yet.")).to_be_visible()

    page.get_by_role("button", name="Turn on push on this device").click()

    expect(page.locator("li.device")).to_have_count(1)
    expect(page.locator("li.device")).to_contain_text("Chrome on Linux")
    options = json.loads(page.evaluate("sessionStorage.getItem('pushOptions')"))
    assert options == {"userVisibleOnly": True, "key": settings.VAPID_PUBLIC_KEY}  # the server's key, from the page
    resident = User.objects.get(email=f"resident@{DEMO_EMAIL_DOMAIN}")
    subscription = PushSubscription.objects.get(user=resident)
    assert (subscription.endpoint, subscription.p256dh) == (device.endpoint, device.p256dh)

    program = Organization.objects.programs().get(memberships__user=resident)
    (notification,) = notify(
        recipients=[resident],
        event=Event.SCHEDULE_PUBLISHED,
        context={"year": "2026-2027", "version": "v9"},
        program=program,
    )
    (message,) = push_service.to(device)
    payload = device.decrypt(message)
    assert payload["title"] == "Schedule published: 2026-2027"
    assert payload["url"] == f"/notifications/{notification.pk}/open/"
    assert PushLog.objects.get(notification=notification).status == PushLog.Status.SENT

    # The service worker shows what was pushed: Chrome's DevTools hand the decrypted message to it, as the browser
    # does once the push service delivers it.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    registrations = {}
    cdp = context.new_cdp_session(page)
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]}),
    )
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("true")
    for _ in range(50):
        if f"{live_server.url}/" in registrations:
            break
        page.wait_for_timeout(100)
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registrations[f"{live_server.url}/"],
            "data": json.dumps(payload),
        },
    )
    # Polled here: wait_for_function takes the (truthy) promise of a list for an answer and would not wait.
    shown = []
    for _ in range(200):
        shown = page.evaluate(
            """navigator.serviceWorker.ready.then(reg => reg.getNotifications()).then(list =>
                 list.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url})))"""
        )
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [{"title": payload["title"], "body": payload["body"], "tag": payload["tag"], "url": payload["url"]}]

    page.reload()
    expect(page.locator("li.device")).to_contain_text("last push")
    page.locator("li.device").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("no longer gets push notifications")).to_be_visible()
    expect(page.locator("li.device")).to_have_count(0)
    assert not PushSubscription.objects.filter(user=resident).exists()


# In the service worker: Chromium's pushManager needs Google's push service, so only its two calls are replaced (the
# browser has no subscription any more; subscribing gives the new one at the recording service). A synthetic
# `pushsubscriptionchange` cannot be waited on (waitUntil refuses untrusted events), so its handler's function runs.
RENEW_IN_WORKER = r"""
(() => {
  const [oldJson, newJson] = %s;
  let key = null;
  PushManager.prototype.getSubscription = () => Promise.resolve(null);
  PushManager.prototype.subscribe = (options) => {
    key = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    return Promise.resolve({endpoint: newJson.endpoint, options, toJSON: () => newJson});
  };
  return pushRenew({endpoint: oldJson.endpoint, toJSON: () => oldJson}, null).then(() => key);
})()
"""


def test_the_service_worker_swaps_in_a_subscription_the_browser_replaced(
    live_server, demo, context, push_service, settings
):
    from notifications.services_push import push_subscription_save

    old, new = push_service.device(), push_service.device()
    resident = User.objects.get(email=f"resident@{DEMO_EMAIL_DOMAIN}")
    push_subscription_save(
        user=resident, endpoint=old.endpoint, p256dh=old.p256dh, auth=old.auth, device="Ria's phone"
    )  # fmt: skip
    page = log_in(context.new_page(), live_server.url, "resident", "/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")

    key = worker.evaluate(RENEW_IN_WORKER % json.dumps([old.subscription_json(), new.subscription_json()]))

    assert key == settings.VAPID_PUBLIC_KEY  # subscribed again with the server's key, which the worker carries
    (device,) = PushSubscription.objects.filter(user=resident)
    assert (device.endpoint, device.p256dh, device.device) == (new.endpoint, new.p256dh, "Ria's phone")
    assert not PushSubscription.objects.filter(endpoint=old.endpoint).exists()
