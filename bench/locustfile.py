"""The users of the load bench (bench/load.py runs this file with locust, headless); not run on its own.

bench/load.py writes the credentials it made (session cookies, API tokens, feed addresses) to the JSON file
named by LOAD_USERS; each simulated user takes the next one of its kind. Each user asks at a steady pace
(LOAD_PACE seconds between the starts of two requests), so the offered load is users / pace requests a second.
"""

import itertools
import json
import os

from locust import HttpUser, constant_pacing, task

with open(os.environ["LOAD_USERS"]) as handle:
    CREDENTIALS = json.load(handle)
PACE = float(os.environ.get("LOAD_PACE", "1"))
_next = {kind: itertools.cycle(items) for kind, items in CREDENTIALS.items() if items}


class Resident(HttpUser):
    """A resident opening My schedule and the dashboard after the schedule is published."""

    weight = 5
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        self.client.headers["Cookie"] = f"sessionid={next(_next['residents'])}"

    @task(2)
    def my_schedule(self) -> None:
        self.client.get("/me/", name="resident: My schedule")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="resident: dashboard")


class CalendarClient(HttpUser):
    """A calendar app polling a person's full-year feed (no If-None-Match: the worst case)."""

    weight = 3
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        self.feed = next(_next["feeds"])

    @task
    def feed(self) -> None:
        self.client.get(self.feed, name="calendar: person feed (.ics)")


class Integrator(HttpUser):
    """A hospital system reading the published assignments through the API with a token."""

    weight = 2
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        token, program = next(_next["tokens"])
        self.client.headers.update({"Authorization": f"Token {token}", "X-Organization-ID": str(program)})
        self.pages = itertools.cycle(range(1, 6))

    @task(2)
    def blocks(self) -> None:
        self.client.get("/api/v1/block-assignments/?version=published", name="api: block assignments")

    @task(3)
    def sessions(self) -> None:
        page = next(self.pages)
        self.client.get(f"/api/v1/session-assignments/?version=published&page={page}", name="api: session assignments")


class Coordinator(HttpUser):
    """A coordinator opening the block grid."""

    weight = 1
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        self.client.headers["Cookie"] = f"sessionid={next(_next['coordinators'])}"

    @task
    def grid(self) -> None:
        self.client.get("/schedule/", name="coordinator: block grid")
