"""Lighthouse on the main pages, and Chromium's installability check (`make lighthouse`; not a pytest module).

Serves the demo from a fresh SQLite database in a temporary directory (embedded mode, as `make run`), signs in as
the demo resident with Playwright, asks Chromium whether the site is installable (`Page.getInstallabilityErrors`:
Lighthouse 12 has no installability audit any more), then runs Lighthouse (npm, pinned in package.json) on the
sign-in page, the dashboard and My schedule. Prints the accessibility and best-practices scores and the audits that
failed; exits 1 when a score is below MIN_SCORE or the site is not installable.

    CHROME_PATH=/usr/bin/chromium .venv/bin/python -m tests.e2e.lighthouse
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
CATEGORIES = ("accessibility", "best-practices")
MIN_SCORE = 90
PAGES = (("Sign-in", "/accounts/login/", False), ("Dashboard", "/", True), ("My schedule", "/me/", True))
RESIDENT = "resident@demo.example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server stopped before answering.")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"No answer from {url} in {timeout:.0f} s.")


def sign_in_and_check_install(url: str, profile: str) -> tuple[str, list[str]]:
    """The resident's cookies as a header, and Chromium's installability errors on the dashboard (none: ok)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from scheduling.demo import DEMO_PASSWORD

    with sync_playwright() as playwright:
        # A profile on disk: Chromium refuses to install from an incognito (new_context) window.
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROME, headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.goto(f"{url}/accounts/login/?next=/")
        page.get_by_label("Email").fill(RESIDENT)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/")
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        page.reload()
        page.wait_for_load_state("networkidle")
        cdp = page.context.new_cdp_session(page)
        errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors").get("installabilityErrors", [])]
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.cookies())
        browser.close()
    return cookies, errors


def lighthouse(url: str, cookies: str | None, out: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={out}",
        "--chrome-flags=--headless=new --no-sandbox",
        "--quiet",
    ]
    if cookies:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookies}))
    subprocess.run(command, cwd=ROOT, env={**os.environ, "CHROME_PATH": CHROME}, check=True)
    return json.loads(out.read_text())


def failed_audits(report: dict, category: str) -> list[str]:
    refs = report["categories"][category]["auditRefs"]
    audits = report["audits"]
    failed = []
    for ref in refs:
        audit = audits[ref["id"]]
        if not ref["weight"] or audit["score"] is None or audit["score"] >= 1:
            continue
        items = (audit.get("details") or {}).get("items") or []
        where = [item["node"].get("selector", "") for item in items[:3] if isinstance(item.get("node"), dict)]
        failed.append(f"{ref['id']}: {audit['title']}" + (f" ({'; '.join(where)})" if where else ""))
    return failed


def main() -> int:
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci` first (make lighthouse does).")
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
        env.update(VAR_DIR=tmp, DJANGO_DEBUG="1")
        os.environ.update(VAR_DIR=tmp, DJANGO_DEBUG="1")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(url, server)
            cookies, install_errors = sign_in_and_check_install(url, str(Path(tmp) / "profile"))
            failures = []
            print(f"Installability: {'ok' if not install_errors else 'NOT installable: ' + ', '.join(install_errors)}")
            if install_errors:
                failures.append("installability")
            for name, path, signed_in in PAGES:
                report = lighthouse(f"{url}{path}", cookies if signed_in else None, Path(tmp) / "report.json")
                scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
                print(f"{name:12} " + "  ".join(f"{c} {s}" for c, s in scores.items()))
                for category, score in scores.items():
                    for audit in failed_audits(report, category):
                        print(f"    {category}: {audit}")
                    if score < MIN_SCORE:
                        failures.append(f"{name} {category} {score}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    if failures:
        print(f"Below {MIN_SCORE} or not installable: {', '.join(failures)}")
        return 1
    print(f"Every page scores {MIN_SCORE} or more and the app is installable.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
