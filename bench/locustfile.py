"""The users of the load bench (bench/load.py runs this file with locust, headless); not run on its own.

bench/load.py writes the credentials it made (session cookies, API tokens, feed addresses) to the JSON file
named by LOAD_USERS; each simulated user takes the next one of its kind. Each user asks at a steady pace
(LOAD_PACE seconds between the starts of two requests), so the offered load is users / pace requests a second.
Users are FastHttpUsers (geventhttpclient): locust's default client costs about a core at 60 requests a second,
which on this machine would be taken from the server.
"""

import itertools
import json
import os

from locust import FastHttpUser, constant_pacing, task

with open(os.environ["LOAD_USERS"]) as handle:
    CREDENTIALS = json.load(handle)
PACE = float(os.environ.get("LOAD_PACE", "1"))
_next = {kind: itertools.cycle(items) for kind, items in CREDENTIALS.items() if items}


class Resident(FastHttpUser):
    """A resident opening My schedule and the dashboard after the schedule is published."""

    weight = 5
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        self.headers = {"Cookie": f"sessionid={next(_next['residents'])}"}

    @task(2)
    def my_schedule(self) -> None:
        self.client.get("/me/", name="resident: My schedule", headers=self.headers)

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="resident: dashboard", headers=self.headers)


class CalendarClient(FastHttpUser):
    """A calendar app polling a person's full-year feed (no If-None-Match: the worst case)."""

    weight = 3
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        self.feed = next(_next["feeds"])

    @task
    def feed(self) -> None:
        self.client.get(self.feed, name="calendar: person feed (.ics)")


class Integrator(FastHttpUser):
    """A hospital system reading the published assignments through the API with a token."""

    weight = 2
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        token, program = next(_next["tokens"])
        self.headers = {"Authorization": f"Bearer {token}", "X-Organization-ID": str(program)}
        self.pages = itertools.cycle(range(1, 6))

    @task(2)
    def blocks(self) -> None:
        self.client.get(
            "/api/v1/block-assignments/?version=published", name="api: block assignments", headers=self.headers
        )

    @task(3)
    def sessions(self) -> None:
        page = next(self.pages)
        self.client.get(
            f"/api/v1/session-assignments/?version=published&page={page}",
            name="api: session assignments",
            headers=self.headers,
        )


class Coordinator(FastHttpUser):
    """A coordinator opening the block grid."""

    weight = 1
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        self.headers = {"Cookie": f"sessionid={next(_next['coordinators'])}"}

    @task
    def grid(self) -> None:
        self.client.get("/schedule/", name="coordinator: block grid", headers=self.headers)
