"""schemathesis drives every operation of the live OpenAPI schema (/api/schema/) as a coordinator and as a resident
of a seeded program: no response is a 5xx and every response matches the schema (status, content type, body).

Examples per operation are bounded (EXAMPLES) so the run stays within a few minutes; the counts are printed in the
terminal summary (tests/config/conftest.py) so CI shows them.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import _clear_cache
from tenants.models import Role
from tests.config.conftest import FUZZ_COUNTS
from tests.scheduling.test_api_assignments import Schedule

pytestmark = pytest.mark.django_db

EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def live_schema(program):
    """The schema as the server serves it; its operations are called in-process through Django's WSGI app."""
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    schema.app = get_wsgi_application()
    return schema


@contextmanager
def connection_kept():
    """Django's WSGI handler closes the database connection after each request; the test's transaction must
    outlive the requests, so (as Django's own test client does) that receiver is off meanwhile."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def exercise(operation, headers: dict[str, str], role: str, counts: dict[str, int], failures: list[str]) -> None:
    """EXAMPLES generated cases of one operation; failures are collected, not raised, to report them all."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: CI stays reproducible
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def one(case) -> None:
        response = case.call(headers=headers)
        counts["requests"] += 1
        if response.status_code >= 500:
            counts["5xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:  # a check's failure, or schemathesis' group of them
            if response.status_code < 500:
                counts["schema violations"] += 1
            text = " ".join(str(error).split())[:240] or type(error).__name__
            failures.append(f"{role} {operation.label} -> {response.status_code}: {text}")

    one()


def run_operations(schema, headers: dict[str, str], role: str) -> list[str]:
    """Every operation of the schema; the failures as lines, the counts in FUZZ_COUNTS."""
    counts = FUZZ_COUNTS.setdefault(role, {"operations": 0, "requests": 0, "5xx": 0, "schema violations": 0})
    failures: list[str] = []
    for result in schema.get_all_operations():
        counts["operations"] += 1
        _clear_cache()  # each operation starts with a fresh rate bucket: exercised, not throttled by the ones before
        exercise(result.ok(), headers, role, counts, failures)
    return failures


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.RESIDENT])
def test_every_operation_answers_without_5xx_and_as_documented(live_schema, program, other_program, member, role):
    schedule = Schedule(program, other_program)
    user = member(role)
    if role == Role.RESIDENT:
        schedule.ann.user = user
        schedule.ann.save(update_fields=["user"])
    token = Token.objects.create(user=user)
    headers = {"Authorization": f"Token {token.key}", "X-Organization-ID": str(program.pk)}
    with connection_kept():
        failures = run_operations(live_schema, headers, str(role))
    assert not failures, "\n".join(sorted(set(failures))[:60])


# Regression tests, one per kind of finding.


@pytest.mark.parametrize(
    "path",
    ["/api/v1/swaps/chains/", "/api/v1/swaps/marketplace/", "/api/v1/swaps/proposals/", "/api/v1/absences/balances/"],
)
def test_unpaged_lists_are_documented_as_arrays(live_schema, path):
    """They answer a JSON array: the schema said a paginated object."""
    response = live_schema.raw_schema["paths"][path]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"]["type"] == "array"


@pytest.mark.parametrize(("method", "path", "status"), [("get", "/api/v1/absences/balances/", "400"),
                                                        ("post", "/api/v1/wishes/", "404")])  # fmt: skip
def test_refusals_the_endpoints_give_are_documented(live_schema, method, path, status):
    assert status in live_schema.raw_schema["paths"][path][method]["responses"]


def test_every_operation_taking_an_idempotency_key_documents_its_refusals(live_schema):
    """A reused key is a 422 and a malformed one a 400 wherever the header is accepted."""
    taking = [
        (path, method, operation["responses"])
        for path, item in live_schema.raw_schema["paths"].items()
        for method, operation in item.items()
        if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert taking
    assert [(path, method) for path, method, responses in taking if not {"400", "422"} <= set(responses)] == []
