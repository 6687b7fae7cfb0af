"""Every page carries the security headers, and no page of ours needs an inline script: a coordinator's and a
resident's walk of the demo program (two links deep from the dashboard) meets only pages whose
Content-Security-Policy refuses inline scripts and whose HTML has none (nor an onclick-style attribute)."""

import io
import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse

from tenants.models import Role, User
from tests.scheduling.test_link_crawl import crawl
from tests.scheduling.test_link_crawl import demo_program as demo_program  # the fixture

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


class Recording:
    """A test client that keeps every page it fetched (the last response of each redirect chain)."""

    def __init__(self, client) -> None:
        self.client, self.pages = client, {}

    def get(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        self.pages[url] = response
        return response


def assert_strict(url, response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"], url
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"], url
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"][0] == "'self'", url
    assert "'unsafe-inline'" not in policy["style-src-elem"], url
    assert response["X-Frame-Options"] == "DENY" and response["Referrer-Policy"] == "same-origin", url
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"], url


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.RESIDENT])
def test_every_page_a_member_reaches_has_a_strict_policy_and_no_inline_script(client, demo_program, role):
    client.force_login(User.objects.get(email__startswith=f"{role}@"))
    recording = Recording(client)

    crawl(recording)

    docs = ("/api/docs/", "/api/redoc/")  # their own policy: the test below
    html = {
        url: r
        for url, r in recording.pages.items()
        if r["Content-Type"].startswith("text/html") and not url.startswith(docs)
    }
    assert len(html) > 30 and reverse("my-schedule") in html
    for url, response in html.items():
        assert_strict(url, response)
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), (url, INLINE_SCRIPT.search(body).group(0))
        assert not EVENT_ATTRIBUTE.search(body), (url, EVENT_ATTRIBUTE.search(body).group(0))


def test_the_login_page_a_404_and_the_api_carry_the_policy(client, coordinator):
    assert_strict("login", client.get(reverse("account_login")))
    assert_strict("404", client.get("/no-such-page/"))
    client.force_login(coordinator)
    api = client.get("/api/v1/")
    assert api.status_code < 500 and "default-src 'self'" in api["Content-Security-Policy"]


def test_the_api_docs_get_their_own_policy_allowing_their_inline_start(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"] and policy["frame-ancestors"] == ["'none'"]
    # ... and only they: the dashboard next to them stays strict.
    assert "'unsafe-inline'" not in directives(client.get(reverse("home")))["script-src"]


def test_no_template_of_ours_has_an_inline_script_or_event_attribute():
    """Pages the walk does not reach (forms after an error, manager-only partials) are held to it too."""
    roots = [Path(settings.BASE_DIR) / "templates"] + [
        Path(settings.BASE_DIR) / app / "templates"
        for app in ("tenants", "scheduling", "absences", "credentials", "swaps", "notifications", "analytics")
    ]
    offenders = []
    for root in roots:
        for path in root.rglob("*.html"):
            if "/email/" in str(path) or path.name.startswith("pdf_"):
                continue  # emails and PDFs are no web pages
            text = path.read_text()
            if INLINE_SCRIPT.search(text) or EVENT_ATTRIBUTE.search(text):
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert not offenders
    assert engines["django"]  # the template engine these files are for is configured


def test_production_logs_are_json_lines_naming_the_request_id(client):
    """The production log formatter and the request-id filter of settings.LOGGING, on a request's own log line."""
    from logging.config import DictConfigurator

    config = DictConfigurator(settings.LOGGING)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(config.configure_formatter(dict(settings.LOGGING["formatters"]["json"])))
    handler.addFilter(config.configure_filter(dict(settings.LOGGING["filters"]["request_id"])))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    request_id = "6f1c1b1e2a4e4a8c9d7e5f3a2b1c0d9e"
    try:
        response = client.get("/no-such-page/", headers={"X-Request-ID": request_id})
    finally:
        logger.removeHandler(handler)

    assert response["X-Request-ID"] == request_id
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["request_id"] == request_id and line["level"] == "WARNING" and "/no-such-page/" in line["message"]
    assert client.get("/healthz")["X-Request-ID"] not in ("", request_id)  # a new id for each other request
