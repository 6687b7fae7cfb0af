"""Lighthouse on the main pages, and Chromium's installability check (`make lighthouse`; not a pytest module).

Builds the demo in a fresh SQLite database in a temporary directory (embedded mode, as `make run`) with the
published schedule of the coming weeks only (a few seconds instead of the year: My schedule and the swaps show real
shifts), serves it, signs in as the demo resident with Playwright and asks Chromium whether the site is installable
(`Page.getInstallabilityErrors`: Lighthouse 12 has no installability audit any more), then runs Lighthouse (npm,
pinned in package.json, through tests/e2e/lighthouse.mjs) on the main pages a resident uses, in the light and the
dark colour scheme. Prints the accessibility and best-practices scores and the audits that failed; exits 1 when a
score is below MIN_SCORE, a page did not load as the resident, a page took longer than PAGE_TIMEOUT, or the site is
not installable.

    CHROME_PATH=/usr/bin/chromium .venv/bin/python -m tests.e2e.lighthouse
"""

from __future__ import annotations

import io
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
RUNNER = Path(__file__).with_suffix(".mjs")
CHROME = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
CATEGORIES = ("accessibility", "best-practices")
MIN_SCORE = 90
RESIDENT = "resident@demo.example.org"
# The published schedule: the blocks of the next two weeks (My schedule's), solved to a work limit (CP-SAT
# deterministic time, one worker) as the browser tests' fixtures do: the same shifts however busy the machine.
DAYS_AHEAD = 14
WORK_LIMIT = 2.0
PAGE_TIMEOUT = 120  # seconds for one page's audit (about 5 s on an idle machine), Chromium's start included
MAX_WAIT_FOR_LOAD = 30_000  # ms Lighthouse waits for a page's load before auditing what it has
# Chromium's preferred colour scheme (blink's PreferredColorScheme: 0 dark, 1 light), which the pages' CSS follows
# (prefers-color-scheme) unless the theme toggle chose one: each scheme gets its own browser.
SCHEMES = {"light": ["--blink-settings=preferredColorScheme=1"], "dark": ["--blink-settings=preferredColorScheme=0"]}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    signed_in: bool = True


PAGES = (
    Page("Sign-in", "/accounts/login/", signed_in=False),
    Page("Dashboard", "/"),
    Page("My schedule", "/me/"),
    Page("Swaps", "/swaps/"),
    Page("Absence request", "/absences/new/"),
)

T0 = time.monotonic()


def step(what: str) -> None:
    print(f"[{time.monotonic() - T0:5.0f} s] {what}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migrate(tmp: str) -> None:
    """An empty database in `tmp`, migrated in this process (one Django start for the migration and the seed)."""
    for key in ("DATABASE_URL", "REDIS_URL"):  # embedded mode: SQLite in VAR_DIR, no broker
        os.environ.pop(key, None)
    os.environ.update(VAR_DIR=tmp, DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    step("migrated")


def seed() -> None:
    """The demo's people and logins, and its published schedule of the next weeks with the demo swaps in it."""
    from django.core.management import call_command
    from django.db import connections

    from scheduling.demo import demo_schedule_publish

    call_command("seed_demo", stdout=io.StringIO())
    outcome = demo_schedule_publish(days_ahead=DAYS_AHEAD, work_limit=WORK_LIMIT)
    if outcome.version is None:
        raise SystemExit(outcome.message)
    connections.close_all()
    step("seeded: " + outcome.message)


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server stopped before answering.")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=5)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"No answer from {url} in {timeout:.0f} s.")


SERVICE_WORKER_READY = """async () => {
  const late = new Promise((_, reject) => setTimeout(() => reject(new Error("no service worker in 30 s")), 30000));
  await Promise.race([navigator.serviceWorker.ready, late]);
}"""


def sign_in_and_check_install(url: str, profile: str) -> tuple[list[dict], list[str]]:
    """The resident's cookies, and Chromium's installability errors on the dashboard (none: ok)."""
    from scheduling.demo import DEMO_PASSWORD

    with sync_playwright() as playwright:
        # A profile on disk: Chromium refuses to install from an incognito (new_context) window.
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROME, headless=True, args=["--no-sandbox"]
        )
        browser.set_default_timeout(30_000)
        page = browser.new_page()
        page.goto(f"{url}/accounts/login/?next=/")
        page.get_by_label("Email").fill(RESIDENT)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(f"{url}/")
        page.evaluate(SERVICE_WORKER_READY)
        page.reload()
        page.wait_for_load_state("networkidle")
        cdp = page.context.new_cdp_session(page)
        errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors").get("installabilityErrors", [])]
        cookies = [{"name": c["name"], "value": c["value"], "url": url} for c in browser.cookies()]
        browser.close()
    return cookies, errors


def failed_audits(result: dict, category: str) -> list[str]:
    failed = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if not ref["weight"] or audit["score"] is None or audit["score"] >= 1:
            continue
        items = (audit.get("details") or {}).get("items") or []
        where = [item["node"].get("selector", "") for item in items[:3] if isinstance(item.get("node"), dict)]
        failed.append(f"{ref['id']}: {audit['title']}" + (f" ({'; '.join(where)})" if where else ""))
    return failed


def audit_pages(url: str, cookies: list[dict]) -> list[str]:
    """Run Lighthouse on PAGES in each scheme, print each page's scores as it comes; the failures."""
    ordered = sorted(PAGES, key=lambda page: page.signed_in)  # the runner's order: signed-out pages first
    job = {
        "chrome": CHROME,
        "categories": list(CATEGORIES),
        "maxWaitForLoad": MAX_WAIT_FOR_LOAD,
        "schemes": SCHEMES,
        "cookies": cookies,
        "pages": [{"name": page.name, "url": f"{url}{page.path}", "signedIn": page.signed_in} for page in ordered],
    }
    runner = subprocess.Popen(["node", str(RUNNER)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:  # in a thread, so that a page that hangs is noticed after PAGE_TIMEOUT
        for line in runner.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    runner.stdin.write(json.dumps(job))
    runner.stdin.close()
    failures = []
    try:
        for scheme in SCHEMES:
            for page in ordered:
                try:
                    line = lines.get(timeout=PAGE_TIMEOUT)
                except queue.Empty:
                    return [*failures, f"{page.name} ({scheme}): no result in {PAGE_TIMEOUT} s, Lighthouse stopped"]
                if line is None:
                    return [*failures, f"{page.name} ({scheme}): Lighthouse exited with {runner.wait()}"]
                failures += page_report(page, scheme, json.loads(line))
        runner.wait(timeout=PAGE_TIMEOUT)  # it closes its last Chromium
    finally:
        if runner.poll() is None:
            runner.terminate()  # puppeteer closes its Chromium on SIGTERM; SIGKILL would leave it running
            try:
                runner.wait(timeout=30)
            except subprocess.TimeoutExpired:
                runner.kill()
                runner.wait()
    return failures


def page_report(page: Page, scheme: str, result: dict) -> list[str]:
    label = f"{page.name} ({scheme})"
    if result["runtimeError"]:
        print(f"{label:28} did not load: {result['runtimeError']}")
        return [f"{label}: {result['runtimeError']}"]
    if urllib.parse.urlsplit(result["finalUrl"]).path != page.path:
        print(f"{label:28} ended on {result['finalUrl']} (not signed in?)")
        return [f"{label}: ended on {result['finalUrl']}"]
    scores = {category: round(result["categories"][category]["score"] * 100) for category in CATEGORIES}
    print(f"{label:28} " + "  ".join(f"{category} {score:3}" for category, score in scores.items()), flush=True)
    failures = []
    for category, score in scores.items():
        for audit in failed_audits(result, category):
            print(f"    {category}: {audit}")
        if score < MIN_SCORE:
            failures.append(f"{label} {category} {score}")
    return failures


def main() -> int:
    if not (NODE_MODULES / "lighthouse").exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci` first (make lighthouse does).")
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        migrate(tmp)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # The server starts (imports Django, a few seconds) while the demo is seeded; it is asked nothing before.
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            seed()
            wait_until_up(url, server)
            step("serving")
            cookies, install_errors = sign_in_and_check_install(url, str(Path(tmp) / "profile"))
            print(f"Installability: {'ok' if not install_errors else 'NOT installable: ' + ', '.join(install_errors)}")
            failures = ["installability"] if install_errors else []
            failures += audit_pages(url, cookies)
            step("audited")
        finally:
            server.terminate()
            server.wait(timeout=30)
    if failures:
        print(f"Below {MIN_SCORE}, not loaded or not installable: {'; '.join(failures)}")
        return 1
    print(f"Every page scores {MIN_SCORE} or more in both colour schemes and the app is installable.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
