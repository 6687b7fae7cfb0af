{% load static %}
/* Push: a message carries {title, body, url}; tapping the notification opens url. */
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
      icon: "{% static 'icons/icon-192.png' %}",
      data: { url: data.url || "/" },
      tag: data.tag || undefined,
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
