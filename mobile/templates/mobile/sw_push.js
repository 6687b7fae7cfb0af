{% load static %}
/* Push (notifications/services_push.py): a message carries {title, body, url, tag}; url is a path on this site
   (the inbox item, which opening marks read). Tapping the notification focuses a tab already on it, else opens it. */
const PUSH_ICON = "{% static 'icons/icon-192.png' %}";

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
