"""Browser tests: Playwright drives Debian's Chromium against a live server on the test database.

Run on their own (`make test-e2e`). Background solves run where they run in production: a daemon
thread in embedded mode, a real Celery worker on the `solver` queue when REDIS_URL is set.
"""

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test itself
# (fixtures, assertions on rows) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.core.management import call_command  # noqa: E402
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from scheduling.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET  # noqa: E402
from scheduling.models import ScheduleVersion  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db) -> None:
    """The demo institution, its two programs and a login per role, in the test database."""
    call_command("seed_demo", "--force", verbosity=0)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(20_000)
    yield context
    context.close()


_codes_used: dict[str, str] = {}


def _fresh_code(who: str) -> str:
    """The demo authenticator's code now; one a sign-in of `who` already used is refused, so wait for the next."""
    from tests.tenants.second_factor import totp_code

    code = totp_code(DEMO_TOTP_SECRET)
    while code == _codes_used.get(who):
        time.sleep(1)
        code = totp_code(DEMO_TOTP_SECRET)
    _codes_used[who] = code
    return code


def log_in(page: Page, base_url: str, who: str, next_path: str = "/") -> Page:
    """Sign in through the login form as `who`@demo.example.org, entering the authenticator code when asked
    (admins and coordinators: seed_demo enrolled them), and land on `next_path`."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(f"{who}@{DEMO_EMAIL_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.get_by_label("Code").fill(_fresh_code(who))
        page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base_url}{next_path}*")
    return page


@contextmanager
def celery_worker(queue: str) -> Iterator[None]:
    """With a broker (REDIS_URL), a real Celery worker consuming `queue` (emptied first); embedded mode needs none."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app as celery_app

    if celery_app.conf.task_always_eager:
        yield
        return
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        connection.default_channel.queue_purge(queue)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=60):
        yield


@pytest.fixture
def solver_worker(transactional_db) -> Iterator[None]:
    """A real Celery worker on the `solver` queue with a broker; embedded mode needs none."""
    from scheduling import tasks

    with celery_worker(tasks.SOLVER_QUEUE):
        yield


@pytest.fixture
def jobs_worker(transactional_db) -> Iterator[None]:
    """A real Celery worker on the `default` queue (background file jobs) with a broker; embedded mode needs none."""
    from django.conf import settings

    with celery_worker(settings.CELERY_TASK_DEFAULT_QUEUE):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory, django_db_modify_db_settings_parallel_suffix) -> None:
    """On SQLite, a file database: the live server, the background solver and the test all use it at once
    (a shared in-memory database locks whole tables and refuses concurrent readers)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("e2e") / "e2e.sqlite3")


# One worker and a work limit (CP-SAT deterministic time), not the clock, end the fixtures' solves: the same published
# schedule every run, however loaded the machine; the time limit is only a safety net.
GENERATE_LIMITS = ("--time-limit", "600", "--workers", "1", "--work-limit", "2")


def publish_demo_blocks(blocks: str) -> ScheduleVersion:
    """Blocks `blocks` ("1-2") of the demo family-medicine program, generated by the real engine and published."""
    call_command("generate_schedule", "--program", "family-medicine", "--blocks", blocks, *GENERATE_LIMITS, "--publish")
    return ScheduleVersion.objects.get(status=ScheduleVersion.Status.PUBLISHED)


@pytest.fixture
def published(demo) -> ScheduleVersion:
    """Blocks 1-2 of the demo family-medicine program, generated by the real engine and published."""
    return publish_demo_blocks("1-2")


LOCK_DAYS_MARGIN = 3  # days ahead: a shift past the demo program's 2-day swap lock window


@pytest.fixture
def published_now(demo) -> ScheduleVersion:
    """The demo family-medicine blocks holding the next weeks, generated by the real engine and published (swaps
    and My schedule's quick actions move future shifts of the published schedule)."""
    import datetime as dt

    from scheduling.models import Block, Person

    program_today = Person.objects.filter(program__slug="family-medicine").first().program.today()
    day = program_today + dt.timedelta(days=LOCK_DAYS_MARGIN + 1)
    block = Block.objects.get(
        program__slug="family-medicine", academic_year__is_current=True, start_date__lte=day, end_date__gte=day
    )
    blocks = f"{block.number}-{block.number + 1}" if block.number < 13 else str(block.number)
    call_command("generate_schedule", "--program", "family-medicine", "--blocks", blocks, *GENERATE_LIMITS, "--publish")
    return ScheduleVersion.objects.get(program__slug="family-medicine", status=ScheduleVersion.Status.PUBLISHED)
