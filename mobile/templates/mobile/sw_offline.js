{% load static %}
/* Offline: the app shell is kept so that an installed app opens without a network, and the signed-in user's
   own data (/api/v1/me/offline/ and the absence and swap request forms) in a cache of its own, dropped at
   sign-out, at sign-in, when the API refuses the data (401/403) and when another user's data arrives.
   Pages: network first; without a network, My schedule (and any page not kept) is the offline page, which
   draws the kept data. */
const SHELL_CACHE = "shell-" + SW_VERSION;
const USER_CACHE = "user-data";
const OFFLINE_PAGE = "{% url 'pwa-offline-schedule' %}";
const DATA_URL = "{% url 'api:me-offline-list' %}";
const SIGN_OUT = ["{% url 'account_logout' %}", "{% url 'account_login' %}"];
const KEPT_PAGES = ["{% url 'absence-new' %}", "{% url 'swap-new' %}"];
const SHELL = [
  OFFLINE_PAGE,
  "{% static 'css/app.css' %}",
  "{% static 'js/theme.js' %}",
  "{% static 'js/app.js' %}",
  "{% static 'js/pwa.js' %}",
  "{% static 'js/offline_schedule.js' %}",
  "{% static 'js/offline_queue.js' %}",
  // The kept forms' own scripts: offline, the swap form still fills the colleague from a chosen proposal.
  "{% static 'js/confirm.js' %}",
  "{% static 'js/field_toggle.js' %}",
  "{% static 'js/swap_form.js' %}",
  "{% static 'icons/icon-192.png' %}",
  "{% static 'favicon.svg' %}",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(names.filter((n) => n.startsWith("shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n)))
    )
  );
});

function dropUserData() {
  return caches.delete(USER_CACHE);
}

async function refreshUserData() {
  const response = await fetch(DATA_URL, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401 || response.status === 403) {
    await dropUserData();
    return response;
  }
  if (!response.ok) return response;
  const body = await response.clone().json();
  const cache = await caches.open(USER_CACHE);
  const kept = await cache.match(DATA_URL);
  if (kept && kept.headers.get("X-Offline-User") !== String(body.user)) {
    await dropUserData(); // another user's data: none of it stays
  }
  const headers = new Headers({ "Content-Type": "application/json" });
  headers.set("X-Offline-Saved-At", new Date().toISOString());
  headers.set("X-Offline-User", String(body.user));
  await (await caches.open(USER_CACHE)).put(DATA_URL, new Response(JSON.stringify(body), { headers }));
  return response;
}

async function dataNetworkFirst() {
  try {
    return await refreshUserData();
  } catch (error) {
    const kept = await caches.match(DATA_URL, { cacheName: USER_CACHE });
    if (kept) return kept;
    const headers = { "Content-Type": "application/problem+json" };
    const problem = { status: 503, detail: "You are offline and nothing of your schedule is kept on this device yet." };
    return new Response(JSON.stringify(problem), { status: 503, headers });
  }
}

async function pageNetworkFirst(request, path) {
  const kept = KEPT_PAGES.includes(path);
  try {
    const response = await fetch(request);
    if (kept && response.ok && !response.redirected) {
      await (await caches.open(USER_CACHE)).put(path, response.clone());
    }
    return response;
  } catch (error) {
    const page = kept ? await caches.match(path, { cacheName: USER_CACHE }) : null;
    return page || (await caches.match(OFFLINE_PAGE, { cacheName: SHELL_CACHE })) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && SIGN_OUT.includes(url.pathname)) {
    event.waitUntil(dropUserData()); // signing out or in: the last user's data goes
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname === DATA_URL) {
    event.respondWith(dataNetworkFirst());
  } else if (request.mode === "navigate") {
    event.respondWith(pageNetworkFirst(request, url.pathname));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(fetch(request).catch(() => caches.match(request, { cacheName: SHELL_CACHE })));
  }
});

self.addEventListener("message", (event) => {
  const kind = event.data && event.data.type;
  if (kind === "refresh-offline-data") {
    event.waitUntil(refreshUserData().catch(() => null));
  } else if (kind === "drop-offline-data") {
    event.waitUntil(dropUserData());
  }
});
