"""The files a browser needs to install the site as an app and open it offline. All are public and hold no
program data: what the user keeps offline comes from the API (mobile.api)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from notifications import webpush

THEME_COLOUR = "#1f5f8b"
BACKGROUND_COLOUR = "#ffffff"


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: opening the installed app lands on My schedule."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [
        {
            "src": static(f"icons/maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    data = {
        "id": "/",
        "name": "Residency Scheduler",
        "short_name": "Schedule",
        "description": "Your residency schedule, calls and who is on call, also offline.",
        "start_url": reverse("my-schedule") + "?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
        "shortcuts": [
            {"name": "My schedule", "url": reverse("my-schedule")},
            {"name": "Today", "url": reverse("today")},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site root so that its scope is the whole site. Browsers check it for
    updates on every navigation, so it is never cached without revalidation. It carries the server's VAPID public
    key, to subscribe again when the browser replaces a push subscription (a new key makes a new worker)."""
    keys = webpush.vapid_keys()
    body = render_to_string("mobile/sw.js", {"vapid_public_key": keys.public_key if keys else ""}, request=request)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(no_cache=True)
def offline_schedule(request: HttpRequest) -> HttpResponse:
    """The offline page: an empty shell (no one's data; the service worker keeps it for everyone) that a static
    script fills from the user's kept document, saying "Offline, as of <time>" when it was read from the device.
    The service worker answers navigations to My schedule with it when there is no network."""
    context = {"data_url": reverse("api:me-offline-list"), "theme_colour": THEME_COLOUR}
    return render(request, "mobile/offline_schedule.html", context)
