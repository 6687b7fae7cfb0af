"""Odd API input is a 400 (413 for a huge body) problem+json naming the problem, never a 500, and nothing is stored.

The cases found by hand (issue 14): 23-digit ids in filters, "%00" in the version filter, JSON nested ~1000 deep on
every write endpoint, 1e999 as an id, a certification issued in year 9999, calendar-edge dates on the
call-assignment API; plus the kinds around them (NaN, Unicode digits, NUL in JSON, a body over the size limit).
"""

import json

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator

from config.api_router import router
from credentials.models import PersonCertification
from tenants import filters as bounded
from tenants.models import Role
from tests.credentials.factories import CertificationTypeFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
HUGE_ID = "12345678901234567890123"
DEEP = "[" * 1000 + "]" * 1000


@pytest.fixture
def client(api_as, member):
    client = api_as(member(Role.ADMIN))  # an admin may write every endpoint, the members API too
    client.raise_request_exception = False
    return client


def problem(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status
    return body


def write_operations() -> list[tuple[str, str]]:
    """Every write operation of the schema that takes a body."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("post", "put", "patch") and "requestBody" in operation
    ]


@pytest.mark.parametrize(
    ("endpoint", "parameter"),
    [
        ("block-assignments", "person"),
        ("session-assignments", "academic_year"),
        ("call-assignments", "person"),
        ("blocks", "academic_year"),
        ("schedule-runs", "academic_year"),
        ("people", "pgy"),
        ("absences", "person"),
        ("certifications", "person"),
        ("procedure-credentials", "procedure"),
        ("wishes", "academic_year"),
        ("swaps", "person"),
    ],
)
@pytest.mark.parametrize("value", [HUGE_ID, "²", "1e999", "\x00", "-99999999999999999999"])
def test_an_id_or_number_filter_refuses_what_no_column_holds(client, endpoint, parameter, value):
    body = problem(client.get(f"/api/v1/{endpoint}/", {parameter: value}))
    assert parameter in body["errors"]


@pytest.mark.parametrize("endpoint", ["block-assignments", "session-assignments", "call-assignments"])
def test_a_nul_in_the_version_filter_is_refused(client, endpoint):
    body = problem(client.get(f"/api/v1/{endpoint}/?version=%00"))
    assert "version" in body["errors"]


@pytest.mark.parametrize("endpoint", ["block-assignments", "session-assignments", "call-assignments"])
def test_a_percent_sign_in_the_version_filter_is_refused_not_formatted(client, endpoint):
    """The message quoting the value was %-formatted by django-filter: "%s" made it a 500 (schemathesis)."""
    body = problem(client.get(f"/api/v1/{endpoint}/", {"version": "%s%(x)s"}))
    assert body["errors"]["version"] == ["Use published (the default), draft or a version id, not '%s%(x)s'."]


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")])
def test_call_assignment_dates_at_the_calendars_edge_are_refused(client, start, end):
    body = problem(client.get("/api/v1/call-assignments/", {"date_from": start, "date_to": end}))
    assert "1900" in json.dumps(body["errors"])


@pytest.mark.parametrize(("endpoint", "parameter"), [("absences", "date_from"), ("wishes", "week_to")])
def test_date_filters_keep_to_the_window(client, endpoint, parameter):
    body = problem(client.get(f"/api/v1/{endpoint}/", {parameter: "9999-12-31"}))
    assert body["errors"][parameter] == ["The date must lie between 1900 and 2200."]


@pytest.mark.parametrize(("method", "path"), write_operations())
def test_json_nested_a_thousand_deep_never_reaches_a_write_endpoint(client, method, path):
    """Detail paths name a row that does not exist: they may answer 404 first, never 500."""
    response = getattr(client, method)(path.replace("{id}", "1"), data=DEEP, content_type="application/json")
    if path.endswith("/import/"):
        assert problem(response, 415)["code"] == "unsupported_media_type"
        return
    assert response.status_code in (400, 404), response.content[:300]
    body = problem(response, response.status_code)
    if response.status_code == 400:
        assert body["detail"] == "JSON parse error - the body is nested deeper than 64 levels."


@pytest.fixture
def certification_parts(program):
    return ResidentFactory(program=program), CertificationTypeFactory(program=program)


def certify(client, person, kind, **fields):
    data = {"person": person.pk, "type": kind.pk, "number": "N-1", "issued_on": "2026-01-15", **fields}
    return client.post("/api/v1/certifications/", data=json.dumps(data), content_type="application/json")


def raw_certify(client, text: str):
    return client.post("/api/v1/certifications/", data=text, content_type="application/json")


def test_a_certification_issued_in_year_9999_is_refused(client, certification_parts):
    body = problem(certify(client, *certification_parts, issued_on="9999-12-31"))
    assert body["errors"]["issued_on"] == ["The date must lie between 1900 and 2200."]
    assert not PersonCertification.objects.exists()


def test_a_certification_expiring_in_year_1_is_refused(client, certification_parts):
    body = problem(certify(client, *certification_parts, expires_on="0001-01-01"))
    assert "expires_on" in body["errors"]
    assert not PersonCertification.objects.exists()


@pytest.mark.parametrize(
    ("person", "detail"),
    [
        ("1e999", "JSON parse error - the number 1e999 is out of range."),
        ("NaN", "JSON parse error - NaN is not a number JSON allows."),
        ("-Infinity", "JSON parse error - -Infinity is not a number JSON allows."),
    ],
)
def test_non_finite_numbers_are_refused(client, certification_parts, person, detail):
    kind = certification_parts[1]
    text = f'{{"person": {person}, "type": {kind.pk}, "number": "N-1", "issued_on": "2026-01-15"}}'
    assert problem(raw_certify(client, text))["detail"] == detail
    assert not PersonCertification.objects.exists()


@pytest.mark.parametrize("person", [HUGE_ID, "1e300", '"1e999"', '"²"', "5" * 5000])
def test_an_id_no_row_can_have_is_refused_with_the_field_named(client, certification_parts, person):
    kind = certification_parts[1]
    text = f'{{"person": {person}, "type": {kind.pk}, "number": "N-1", "issued_on": "2026-01-15"}}'
    body = problem(raw_certify(client, text))
    assert "person" in body.get("errors", {}) or "JSON parse error" in body["detail"]
    assert not PersonCertification.objects.exists()


def test_a_nul_character_in_json_text_is_refused(client, certification_parts):
    body = problem(certify(client, *certification_parts, number="N\x001"))
    assert body["detail"] == "JSON parse error - a text contains a NUL character (\\u0000)."
    assert not PersonCertification.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_size_limit_is_refused(client, certification_parts):
    body = problem(certify(client, *certification_parts, number="N" * 2000), 413)
    assert body["detail"] == "The request body is larger than 1000 bytes."
    assert not PersonCertification.objects.exists()


def test_balances_refuse_a_unicode_digit_and_a_far_date(client):
    assert "person" in problem(client.get("/api/v1/absences/balances/", {"person": "²"}))["errors"]
    assert "date" in problem(client.get("/api/v1/absences/balances/", {"date": "9999-12-31"}))["errors"]


def test_every_api_filter_is_bounded():
    """New endpoints inherit the bounds: each FilterSet derives from tenants.filters.FilterSet, and each of its
    number and date filters reads through a bounded form field."""
    for prefix, viewset, _ in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        if filterset is None:
            continue
        assert issubclass(filterset, bounded.FilterSet), prefix
        for name, query_filter in filterset.base_filters.items():
            field = query_filter.field_class
            if issubclass(field, bounded.forms.IntegerField | bounded.forms.DecimalField):
                assert issubclass(field, bounded.WholeNumberField), f"{prefix}?{name}"
            if issubclass(field, bounded.forms.DateField):
                assert issubclass(field, bounded.BoundedDateField), f"{prefix}?{name}"
            if issubclass(field, bounded.forms.ModelChoiceField):
                assert issubclass(field, bounded.BoundedModelChoiceField), f"{prefix}?{name}"
