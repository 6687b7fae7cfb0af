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


def test_the_worker_keeps_the_shell_and_the_user_s_data_and_drops_it_at_sign_out(client):
    body = client.get("/sw.js").content.decode()

    assert '"/offline/my-schedule/"' in body and '"/api/v1/me/offline/"' in body
    assert '"/accounts/logout/"' in body and "dropUserData" in body
    assert '"/absences/new/"' in body


def test_the_offline_page_is_a_shell_with_no_one_s_data(client, resident_user):
    client.force_login(resident_user)

    response = client.get(reverse("pwa-offline-schedule"))

    body = response.content.decode()
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert 'data-offline-data="/api/v1/me/offline/"' in body and "js/offline_schedule.js" in body
    assert resident_user.email not in body and "csrf" not in body.lower()


def test_the_dashboard_offers_to_install_and_request_forms_queue_offline(client, resident_user, program):
    from tests.scheduling.factories import ResidentFactory

    ResidentFactory(program=program, user=resident_user)
    client.force_login(resident_user)

    assert 'id="install-app"' in client.get(reverse("home")).content.decode()
    form = client.get(reverse("absence-new")).content.decode()
    assert 'data-offline-queue="absence"' in form and 'data-offline-api="/api/v1/absences/"' in form
    assert f'data-program="{program.pk}"' in form


def test_signed_out_pages_tell_the_app_to_drop_kept_data(client):
    page = client.get(reverse("account_login")).content.decode()

    assert "data-signed-out" in page
