"""The page fuzzer: every page's URL pattern, its path arguments and the query parameters pages read, given odd
values (Unicode digits, the calendar's edges, huge numbers, NUL, long strings, a lone "%", an emoji), as a
coordinator and as a resident: no answer is a server error. Bad input is a 400 with a message, an unknown id a
404, a refused page a 403; the counts are printed at the end of the run (see conftest.py).

Query parameter names come from a list of the common ones plus every name the views read (found in their source),
so a view reading a new parameter is fuzzed without editing this file.
"""

from __future__ import annotations

import inspect
import re
import sys
import urllib.parse

import pytest
from django.db import transaction
from django.urls import reverse

from tests.security.walk import FUZZ_COUNTS, routes
from tests.security.world import ProgramWorld, program_world

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    "²",  # passes str.isdigit(), int() raises
    "٣",  # an Arabic-Indic digit: int() reads it
    "0001-01-01",
    "9999-12-31",
    str(10**30),
    "-1",
    "\x00",
    "x" * 5000,
    "%",
    "😀",
    "2026-02-30",
]
ALONE_VALUES = ["²", "9999-12-31", "0001-01-01", str(10**30)]
COMMON_PARAMETERS = [
    "year", "version", "pgy", "rotation", "person", "date", "month", "week", "start", "end", "page", "q", "block",
    "kind", "status", "session", "span", "shift", "giver", "taker", "unread", "next", "back", "day", "run", "type",
    "procedure", "offer", "program", "compare", "dry_run", "contacts",
]  # fmt: skip
_READS = re.compile(r"""(?:GET|query_params)(?:\.get|\.getlist)?\(\s*["'](\w+)["']|GET\[["'](\w+)["']"""
                    r"""|_param\(\s*request,\s*["'](\w+)["']""")  # fmt: skip
ODD_PATH_VALUES = {"int": [str(10**30), "0"], "str": ["0001-01-01", "9999-12-31", "²", "%00", "x" * 300, "😀"]}
SKIPPED = {
    "healthz",  # load balancer probes: no parameters, no login (tests/config/test_health.py)
    "readyz",
}


def _read_by(view) -> list[str]:
    """Every name the view's module reads from the query."""
    names: list[str] = []
    module = sys.modules.get(getattr(view, "__module__", ""), None)
    try:
        source = inspect.getsource(module) if module else ""
    except (OSError, TypeError):
        source = ""
    for match in _READS.finditer(source):
        name = next(group for group in match.groups() if group)
        if name not in names:
            names.append(name)
    return names


def _page_routes():
    return [r for r in routes() if not r.route.startswith(("admin/", "api/")) and r.name and r.name not in SKIPPED]


def _filled(world: ProgramWorld, route) -> dict:
    from tests.security.test_tenancy_walk import PAGE_ARGUMENTS

    filler = PAGE_ARGUMENTS.get(route.name)
    return filler(world) if filler else {}


def _request(client, url: str, query: dict | None, failures: list[str]) -> int:
    FUZZ_COUNTS["requests"] += 1
    try:
        with transaction.atomic():
            status = client.get(url, query or {}).status_code
    except Exception as exc:  # the test client re-raises what the view raised: that is a 500
        status = 500
        failures.append(f"GET {url} {_short(query)}: {type(exc).__name__}: {str(exc)[:120]}")
        return status
    if status >= 500:
        failures.append(f"GET {url} {_short(query)}: {status}")
    return status


def _short(query: dict | None) -> str:
    return repr({k: (v[:12] + "…" if len(v) > 12 else v) for k, v in (query or {}).items()})


@pytest.fixture
def fuzz_world(program) -> ProgramWorld:
    return program_world(program, "Fuzzworth")


@pytest.mark.parametrize("role", ["coordinator", "resident"])
def test_no_page_answers_a_server_error_to_odd_input(client, fuzz_world, role):
    from django.urls import resolve

    user = fuzz_world.coordinator if role == "coordinator" else fuzz_world.world.user("ann")
    client.force_login(user)
    failures: list[str] = []
    for route in _page_routes():
        try:
            url = reverse(route.name, kwargs=_filled(fuzz_world, route))
        except Exception:  # public pages keyed by a credential (feeds, e-mail keys): fuzzed by path below
            url = None
        FUZZ_COUNTS["urls"] += 1
        if url is not None:
            baseline = _request(client, url, None, failures)
            read = _read_by(resolve(url).func)
            names = COMMON_PARAMETERS + [name for name in read if name not in COMMON_PARAMETERS]
            for i in range(len(ODD_VALUES)):  # every name meets every value, in changing company
                query = {name: ODD_VALUES[(i + j) % len(ODD_VALUES)] for j, name in enumerate(names)}
                _request(client, url, query, failures)
            if baseline == 200:  # the names this page reads, one by one, so no other one's refusal hides them
                for name in read:
                    for value in ALONE_VALUES:
                        _request(client, url, {name: value}, failures)
        for name in route.kwargs:
            kind = "int" if "<int:" + name in route.route else "str"
            for value in ODD_PATH_VALUES[kind]:
                base = _filled(fuzz_world, route) if route.name in _fillable() else {}
                kwargs = {n: base.get(n, "1") for n in route.kwargs} | {name: value}
                odd_url = _reverse_raw(route.name, kwargs)
                if odd_url is not None:
                    _request(client, odd_url, None, failures)
    FUZZ_COUNTS["server_errors"] += len(failures)
    assert failures == []


def _fillable() -> set[str]:
    from tests.security.test_tenancy_walk import PAGE_ARGUMENTS

    return set(PAGE_ARGUMENTS)


def _reverse_raw(name: str, kwargs: dict) -> str | None:
    """The URL with odd path values (quoted), or None when the pattern refuses them (reverse raises)."""
    try:
        return reverse(name, kwargs={k: urllib.parse.quote(str(v), safe="") for k, v in kwargs.items()})
    except Exception:
        return None
