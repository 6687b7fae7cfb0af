"""/healthz and /readyz for load balancers: no login, never cached, 500 naming what is not ready."""

import json

import pytest
from asgiref.sync import async_to_sync
from django.db.migrations.recorder import MigrationRecorder
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

from config.health import readiness_checks

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_answers_without_login_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_checks_the_database_the_cache_and_the_migrations(client):
    response = client.get("/readyz", {"format": "json"})

    assert response.status_code == 200
    body = response.json()
    names = " ".join(body)
    assert "Database" in names and "Cache" in names and "Migrations" in names
    assert all(value == "OK" for value in body.values())


def test_readyz_is_not_ready_when_a_migration_is_missing(client):
    latest = MigrationRecorder.Migration.objects.filter(app="swaps").order_by("-id").first()
    latest.delete()
    try:
        response = client.get("/readyz", {"format": "json"})
    finally:
        MigrationRecorder.Migration.objects.create(app=latest.app, name=latest.name)

    assert response.status_code == 500
    assert "migration(s) not applied" in " ".join(response.json().values())


def test_readyz_reports_a_stopped_broker(rf):
    """A Redis broker nobody answers on (port 1 of this machine) makes the service not ready, named."""
    view = HealthCheckView.as_view(
        checks=[*readiness_checks(), (Redis, {"client_factory": lambda: RedisClient.from_url("redis://127.0.0.1:1/0")})]
    )
    response = async_to_sync(view)(rf.get("/readyz", {"format": "json"}))

    assert response.status_code == 500
    results = json.loads(response.content)
    assert any("Redis" in name and value != "OK" for name, value in results.items())
    assert all(value == "OK" for name, value in results.items() if "Database" in name)


def test_the_browsers_favicon_request_finds_the_app_icon(client):
    """Pages that name no icon (the admin, a PDF in a tab) get the app's icon, not a 404."""
    from pathlib import Path

    from django.conf import settings
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith(settings.STATIC_URL)
    name = response["Location"].removeprefix(settings.STATIC_URL)
    icon = finders.find(name) or finders.find(name.rsplit(".", 2)[0] + ".png")  # the hashed name in production
    assert icon is not None and Path(icon).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
