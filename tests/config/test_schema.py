"""The OpenAPI schema documents every endpoint, validates, and generates without warnings."""

import json

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema

READ_ENDPOINTS = ["academic-years", "blocks"]
WRITABLE_ENDPOINTS = {
    "people": ({"get", "post"}, {"get", "put", "patch"}),
    "rotations": ({"get", "post"}, {"get", "put", "patch", "delete"}),
}


@pytest.fixture
def schema(db) -> dict:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def api_operations(schema: dict):
    for url, item in schema["paths"].items():
        if url.startswith("/api/v1/"):
            for method, operation in item.items():
                yield url, method, operation


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


@pytest.mark.parametrize("endpoint", READ_ENDPOINTS)
def test_schema_documents_the_read_endpoints(schema, endpoint):
    assert set(schema["paths"][f"/api/v1/{endpoint}/"]) == {"get"}
    assert set(schema["paths"][f"/api/v1/{endpoint}/{{id}}/"]) == {"get"}


@pytest.mark.parametrize("endpoint", WRITABLE_ENDPOINTS)
def test_schema_documents_the_writable_endpoints(schema, endpoint):
    collection, detail = WRITABLE_ENDPOINTS[endpoint]
    assert set(schema["paths"][f"/api/v1/{endpoint}/"]) == collection
    assert set(schema["paths"][f"/api/v1/{endpoint}/{{id}}/"]) == detail


DOCUMENTED_WRITES = tuple(
    f"/api/v1/{name}"
    for name in ("people", "rotations", "block-assignments", "session-assignments", "call-assignments", "members")
)


def test_every_write_operation_has_a_summary_and_an_example(schema):
    writes = [(url, method, op) for url, method, op in api_operations(schema) if method in ("post", "put", "patch")]
    assert len(writes) > 20
    for url, method, operation in writes:
        assert operation.get("summary"), f"{method.upper()} {url} has no summary"
        if "requestBody" in operation and url.startswith(DOCUMENTED_WRITES):
            examples = [c.get("examples") for c in operation["requestBody"]["content"].values()]
            assert any(examples), f"{method.upper()} {url} has no request example"


DESCRIBED_COMPONENTS = [
    "Person",
    "PersonWrite",
    "Rotation",
    "RotationWrite",
    "AcademicYear",
    "Block",
    "SessionTime",
    "CalendarDay",
    "RotationRequirement",
    "ScheduleRun",
    "ScheduleVersion",
    "BlockAssignment",
    "SessionAssignment",
    "CallAssignment",
    "BlockEdit",
    "SessionEdit",
    "CallEdit",
    "Compliance",
    "Breach",
    "Undo",
    "Member",
    "MemberCreate",
    "PatchedMemberChange",
    "Problem",
    "PaginatedPersonList",
    "Absence",
    "Balance",
    "Certification",
    "CertificationType",
    "Procedure",
    "ProcedureCredential",
    "ImportReport",
    "Notification",
    "FeedLink",
    "FeedReset",
    "Wish",
    "Swap",
    "SwapLeg",
    "SwapCreate",
    "Shift",
    "Proposal",
    "MarketEntry",
    "Chain",
    "ChainAsk",
    "SchedulingSettings",
    "WishSettings",
    "WishWeights",
    "SecuritySettings",
    "OnCallDay",
    "Cover",
    "Today",
    "RosterGroup",
    "RosterEntry",
    "WishWindow",
    "AbsenceLimit",
    "Shortfall",
]


@pytest.mark.parametrize("component", DESCRIBED_COMPONENTS)
def test_every_field_of_the_schedule_and_roster_resources_is_described(schema, component):
    properties = schema["components"]["schemas"][component]["properties"]
    undescribed = [name for name, field in properties.items() if name != "id" and not field.get("description")]
    assert undescribed == [], f"{component} fields without a description: {undescribed}"


def test_every_api_operation_documents_the_program_header(schema):
    operations = list(api_operations(schema))
    assert operations
    for url, method, operation in operations:
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "X-Organization-ID" in headers, f"{method.upper()} {url} does not document X-Organization-ID"


def test_every_api_error_response_is_documented_as_problem_json(schema):
    for url, method, operation in api_operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"], f"{method.upper()} {url} {status}"


def test_people_filters_are_documented(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/people/"]["get"]["parameters"]}
    assert {"kind", "pgy", "is_active", "search", "ordering", "limit", "offset"} <= parameters


def test_schema_renders_as_yaml(db):
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    assert "/api/v1/people/" in yaml.safe_load(response.content)["paths"]


def test_swagger_ui_renders(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_redoc_renders_from_local_assets(db):
    response = Client().get("/api/redoc/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/schema/" in body
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in body
    assert "fonts.googleapis.com" not in body  # nothing from a CDN: the policy would block it, networks too


def test_spectacular_command_validates_without_warnings(tmp_path, capsys):
    """`manage.py spectacular --validate --fail-on-warn`, as CI runs it."""
    output = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(output))
    assert "/api/v1/blocks/{id}/" in yaml.safe_load(output.read_text())["paths"]
    assert "Warning" not in capsys.readouterr().err


def test_swagger_ui_assets_are_served_locally_not_from_a_cdn(db):
    body = Client().get("/api/docs/").content.decode()
    assert "cdn.jsdelivr.net" not in body and "unpkg.com" not in body
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
