/* Residency Scheduler service worker (served at /sw.js, scope "/").
   Its parts: the offline cache (sw_offline.js) and push notifications (sw_push.js). */
"use strict";

const SW_VERSION = "{{ sw_version|default:'1' }}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

{% include "mobile/sw_offline.js" %}
{% include "mobile/sw_push.js" %}
