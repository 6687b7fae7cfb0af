"""Load bench of the web tier: locust (headless) against gunicorn on PostgreSQL and Redis, the demo program
seeded and its year published, in its own database.

    .venv/bin/python bench/load.py                              # 55 users, two requests a second each, 60 s
    .venv/bin/python bench/load.py --users 100 --pace 1 --duration 120 --workers 3 --threads 2
    LOAD_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rs_load LOAD_REDIS_URL=redis://127.0.0.1:6379/9 ...
    (defaults: rs_load on the local PostgreSQL; REDIS_URL, else Redis database 0)

Steps: (1) the database (default rs_load on the local PostgreSQL) is created when missing, migrated and seeded as
`manage.py seed_demo --schedule` does (the engine generates and publishes the family-medicine year, a few minutes
once; a second run reuses it); (2) credentials for the simulated users are made: a signed-in session for each
resident and coordinator (coordinators pass their second factor as after a real sign-in), a personal API token
(read:schedule) for each of the program's managers, and every resident's calendar-feed address; (3) static files
are collected and gunicorn serves the app in production mode (DEBUG off) on 127.0.0.1; (4) locust runs
bench/locustfile.py headless: residents opening My schedule and the dashboard (5 parts), calendar apps fetching
full-year person feeds (3), integrators reading block and session assignments through the API (2) and coordinators
opening the block grid (1), each user asking at a steady pace, so the offered load is users / pace requests a
second. Prints requests a second, the 50th/95th/99th percentiles (ms) and errors per page and overall, and the
target (100 requests a second, p95 under 300 ms, no errors). The load generator runs on the same machine as the
server, as the target says; `uptime`'s load is printed (figures on a busy machine are slower).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RPS, TARGET_P95_MS = 100, 300


def _env(database_url: str, redis_url: str, var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DJANGO_TESTING")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=env.get("LOAD_SECRET_KEY") or secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _prepare_database(env: dict[str, str], database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    created = subprocess.run(["psql", server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    if created != "1":
        subprocess.run(["psql", server, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo", "--schedule", "--force", "-v0")
    subprocess.run(["psql", database_url, "-qc", "ANALYZE"], check=True)  # fresh rows: give the planner statistics


def make_credentials(path: str) -> None:
    """In a process of its own (Django set up): sessions, API tokens and feed addresses, written to `path`."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from django.conf import settings

    from integrations.feeds.tokens import feed_path, feed_token_get_or_create
    from scheduling.models import Person
    from tenants.models import Membership, Organization, Role, User
    from tenants.tokens import token_create
    from tests.tenants.second_factor import SecondFactorClient

    program = Organization.objects.get(slug="family-medicine")
    memberships = Membership.objects.filter(organization=program).select_related("user")
    managers = [m.user for m in memberships if m.role in (Role.ADMIN, Role.COORDINATOR)]

    def session(user) -> str:
        client = SecondFactorClient()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    residents = list(Person.objects.filter(program=program, kind=Person.Kind.RESIDENT, is_active=True))
    for person in residents:  # the demo signs in one resident; here every resident has a login of their own
        if person.user_id is None:
            person.user = User.objects.create_user(f"load-{person.pk}@bench.invalid", secrets.token_urlsafe(16))
            Membership.objects.create(user=person.user, organization=program, role=Role.RESIDENT)
            person.save(update_fields=["user"])
    credentials = {
        "residents": [session(person.user) for person in residents],
        "coordinators": [session(user) for user in managers],
        "tokens": [
            (
                token_create(
                    user=user,
                    program=program,
                    name="load bench",
                    scopes=["read:schedule"],
                    expires_on=dt.date.today() + dt.timedelta(days=7),
                ).secret,
                program.pk,
            )
            for user in managers
        ],
        "feeds": [
            feed_path(feed_token_get_or_create(program=program, person=person, user=person.user))
            for person in residents
        ],
    }
    Path(path).write_text(json.dumps(credentials))


def _wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own server)
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _report(stats_csv: Path, duration: float) -> None:
    rows = list(csv.DictReader(stats_csv.open()))
    print(f"\n{'page':<34}{'requests':>9}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'errors':>8}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "OVERALL"
        print(f"{name:<34}{row['Request Count']:>9}{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}"
              f"{row['99%']:>7}{row['Failure Count']:>8}")  # fmt: skip
    total = next(row for row in rows if row["Name"] == "Aggregated")
    rps, p95, errors = float(total["Requests/s"]), float(total["95%"]), int(total["Failure Count"])
    met = rps >= TARGET_RPS and p95 < TARGET_P95_MS and errors == 0
    print(f"\nTarget {TARGET_RPS} req/s, p95 < {TARGET_P95_MS} ms, 0 errors: {'met' if met else 'NOT met'} "
          f"({rps:.1f} req/s, p95 {p95:.0f} ms, {errors} errors over {duration:.0f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=55, help="simulated users (default 55: 110 req/s offered)")
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between two requests of a user (0.5)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of measured load (60)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (3)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-seed", action="store_true", help="skip migrate and seed_demo (database ready)")
    args = parser.parse_args()

    database_url = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rs_load")
    redis_url = os.environ.get("LOAD_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    work = Path(tempfile.mkdtemp(prefix="rs-load-"))
    env = _env(database_url, redis_url, str(work))
    if not args.no_seed:
        _prepare_database(env, database_url)
    users_file = work / "users.json"
    subprocess.run([sys.executable, __file__, "--credentials", str(users_file)], env=env, check=True)
    _manage(env, "collectstatic", "--noinput", "-v0")

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--keep-alive", "5", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        _wait_until_up(f"{base}/healthz")
        print(f"gunicorn: {args.workers} workers x {args.threads} threads; locust: {args.users} users, one request "
              f"every {args.pace:g} s each (offered {args.users / args.pace:.0f} req/s), {args.duration} s; "
              f"load before: {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
        spawn = max(1, args.users // 5)
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", base,
             "-u", str(args.users), "-r", str(spawn), "-t", f"{args.duration}s", "--csv", str(work / "load"),
             "--reset-stats", "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOAD_USERS": str(users_file), "LOAD_PACE": str(args.pace)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        _report(work / "load_stats.csv", args.duration)
        for row in csv.DictReader((work / "load_failures.csv").open()):
            print(f"  error: {row['Name']}: {row['Error']} ({row['Occurrences']}x)")
        print(f"load after: {os.getloadavg()[0]:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--credentials":
        make_credentials(sys.argv[2])
    else:
        main()
