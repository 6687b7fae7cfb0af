"""Every link a member meets leads somewhere they may go: for the clinic staff roles, residents and faculty, a
breadth-first walk from the dashboard (two links deep, GET only, logout and downloads left out) never meets a
403, a 404 or a 500."""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from scheduling.demo import demo_seed
from tenants.models import Organization, Role, User
from tests.scheduling.demo_day import publish_days_around_today

pytestmark = pytest.mark.django_db

DEPTH = 2
SKIPPED_PATHS = ("/accounts/logout/", "/exports/", "/feeds/")
DOWNLOADS = (".csv", ".xlsx", ".pdf", ".ics")


class _Links(HTMLParser):
    """The href of every <a> of a page that is not a download."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.hrefs.append(attributes["href"])


def _same_site(page: str, href: str) -> str | None:
    """The path and query of a same-site link worth following from `page`, else None."""
    parts = urlsplit(urljoin(f"http://testserver{page}", href))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None  # tel:, mailto:, other sites
    if parts.path.startswith(SKIPPED_PATHS) or parts.path.endswith(DOWNLOADS):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, start: str = "/") -> tuple[dict[str, int], dict[str, str]]:
    """Breadth-first from `start`, DEPTH links deep: each URL's final status (redirects followed) and the page
    that first linked to it."""
    depth, found_on, statuses = {start: 0}, {start: "(start)"}, {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        response = client.get(url, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        statuses[url] = 401 if urlsplit(final).path == reverse("account_login") else response.status_code
        if depth[url] == DEPTH or not response["Content-Type"].startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            target = _same_site(url, href)
            if target is not None and target not in depth:
                depth[target], found_on[target] = depth[url] + 1, url
                queue.append(target)
    return statuses, found_on


@pytest.fixture
def demo_program() -> Organization:
    """The demo programs and logins, with a published version around today (tests/scheduling/demo_day.py)."""
    demo_seed()
    program = Organization.objects.get(slug="family-medicine")
    publish_days_around_today(program)
    return program


@pytest.mark.parametrize("role", [Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA, Role.RESIDENT, Role.FACULTY])
def test_every_link_two_deep_from_the_dashboard_opens(client, demo_program, role):
    client.force_login(User.objects.get(email__startswith=f"{role}@"))

    statuses, found_on = crawl(client)

    broken = {url: (status, found_on[url]) for url, status in statuses.items() if status != 200}
    assert not broken, broken
    assert reverse("on-call") in statuses and reverse("today") in statuses and reverse("notification-list") in statuses
    if role in (Role.RESIDENT, Role.FACULTY):
        assert reverse("my-schedule") in statuses and len(statuses) > 40
