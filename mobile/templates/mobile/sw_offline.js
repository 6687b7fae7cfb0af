{% load static %}
/* Offline: the app shell is kept so that an installed app opens without a network. */
const SHELL_CACHE = "shell-" + SW_VERSION;
const SHELL = ["{% static 'css/app.css' %}", "{% static 'js/app.js' %}", "{% static 'icons/icon-192.png' %}"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});
