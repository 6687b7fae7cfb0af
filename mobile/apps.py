from django.apps import AppConfig


class MobileConfig(AppConfig):
    """The installable app: web app manifest, service worker, and what the phone keeps offline."""

    name = "mobile"
