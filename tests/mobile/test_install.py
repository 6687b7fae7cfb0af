"""The files a phone needs to install the site as an app: manifest and service worker at the site root."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_and_opens_on_my_schedule(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Residency Scheduler"
    assert data["display"] == "standalone"
    assert data["start_url"].startswith(reverse("my-schedule"))
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_every_manifest_icon_exists(client):
    data = json.loads(client.get("/manifest.webmanifest").content)

    for icon in data["icons"]:
        path = icon["src"].split("/static/", 1)[1]
        assert finders.find(path), icon["src"]


def test_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert 'addEventListener("push"' in body
    assert "{%" not in body


def test_every_page_links_the_manifest_and_registers_the_worker(client, coordinator):
    client.force_login(coordinator)

    page = client.get(reverse("home")).content.decode()

    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'data-service-worker="/sw.js"' in page
