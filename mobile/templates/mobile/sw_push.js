{% load static %}
/* Push (notifications/services_push.py): a message carries {title, body, url, tag}; url is a path on this site
   (the inbox item, which opening marks read). Tapping the notification focuses a tab already on it, else opens it.
   When the browser replaces the subscription (pushsubscriptionchange), the worker subscribes again with the
   server's VAPID key and posts the new one with the old endpoint and auth secret, which prove the device: the
   server swaps it in (push_subscription_renew). Without the old subscription nothing proves the device, so the
   user turns push on again on the preferences page. */
const PUSH_ICON = "{% static 'icons/icon-192.png' %}";
const PUSH_KEY = "{{ vapid_public_key }}";
const PUSH_RENEW_URL = "{% url 'push-renew' %}";

function pushSitePath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const title = data.title || "Residency Scheduler";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || "",
      icon: PUSH_ICON,
      badge: PUSH_ICON,
      data: { url: pushSitePath(data.url) },
      tag: data.tag || undefined,
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = pushSitePath(event.notification.data && event.notification.data.url);
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === target);
      return open ? open.focus() : self.clients.openWindow(target);
    })
  );
});

function pushKeyBytes(base64url) {
  const base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function sameKey(subscription, key) {
  const used = subscription && subscription.options && subscription.options.applicationServerKey;
  if (!used) return false;
  const bytes = new Uint8Array(used);
  return bytes.length === key.length && bytes.every((byte, i) => byte === key[i]);
}

async function pushRenew(oldSubscription, newSubscription) {
  if (!PUSH_KEY || !oldSubscription) return;
  const key = pushKeyBytes(PUSH_KEY);
  const manager = self.registration.pushManager;
  let subscription = newSubscription || (await manager.getSubscription());
  if (!sameKey(subscription, key)) {
    if (subscription) await subscription.unsubscribe();
    subscription = await manager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  const old = oldSubscription.toJSON();
  await fetch(PUSH_RENEW_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ old_endpoint: old.endpoint, old_auth: (old.keys || {}).auth, ...subscription.toJSON() }),
  });
}

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(pushRenew(event.oldSubscription, event.newSubscription));
});
