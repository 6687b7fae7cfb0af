"""Every API error leaves as RFC 7807 application/problem+json (config/problems.py)."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import Client
from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from config import problems
from tenants.errors import ConflictError, DomainError

PROBLEM = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail"}


class LeaveSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField(min_value=1)


class RaisingView(APIView):
    """Raises whatever the test hands it; open to anyone, so only the error handling is under test."""

    authentication_classes: list = []
    permission_classes: list = []
    error: Exception | None = None

    def get(self, request):
        raise self.error

    def post(self, request):
        LeaveSerializer(data=request.data).is_valid(raise_exception=True)
        return Response(status=204)


def call(error: Exception | None = None, method: str = "get", data: dict | None = None):
    factory = APIRequestFactory()
    request = getattr(factory, method)("/api/v1/test/", data or {}, format="json")
    response = RaisingView.as_view(error=error)(request)
    response.render()
    return response


def problem_of(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    return body


def test_domain_error_becomes_a_400_problem_with_its_message():
    body = problem_of(call(DomainError("Block 3 is published; start a new draft to change it.")), 400)
    assert body["detail"] == "Block 3 is published; start a new draft to change it."
    assert body["title"] == "Bad Request"
    assert body["type"] == "about:blank"
    assert body["code"] == "domain_error"
    assert body["instance"] == "/api/v1/test/"


def test_domain_error_keeps_its_own_code():
    body = problem_of(call(DomainError("No such swap.", code="swap_missing")), 400)
    assert body["code"] == "swap_missing"


def test_conflict_error_becomes_a_409_problem():
    body = problem_of(call(ConflictError("This swap was already accepted.")), 409)
    assert body["title"] == "Conflict"
    assert body["detail"] == "This swap was already accepted."


def test_serializer_validation_errors_are_a_400_problem_with_an_errors_member():
    body = problem_of(call(method="post", data={"days": 0}), 400)
    assert set(body["errors"]) == {"start", "days"}
    assert all(isinstance(message, str) for messages in body["errors"].values() for message in messages)
    assert body["detail"] == "The request has invalid fields; see errors."


def test_model_validation_error_is_a_400_problem_with_field_errors():
    error = DjangoValidationError({"end_date": ["A block cannot end before it starts."]})
    body = problem_of(call(error), 400)
    assert body["errors"] == {"end_date": ["A block cannot end before it starts."]}


def test_model_validation_error_without_fields_goes_under_non_field_errors():
    body = problem_of(call(DjangoValidationError("This block overlaps another block.")), 400)
    assert body["errors"] == {"non_field_errors": ["This block overlaps another block."]}


@pytest.mark.parametrize(
    ("error", "status"),
    [(Http404("No such block."), 404), (PermissionDenied("Not yours."), 403)],
)
def test_django_http_errors_become_problems(error, status):
    problem_of(call(error), status)


def test_unknown_api_url_is_a_problem_404(db):
    response = Client().get("/api/v1/nope/")
    body = problem_of(response, 404)
    assert body["instance"] == "/api/v1/nope/"


def test_unknown_page_url_stays_html(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_method_not_allowed_is_a_problem(db, api_as, coordinator):
    body = problem_of(api_as(coordinator).delete("/api/v1/people/"), 405)  # a list is never deleted
    assert body["title"] == "Method Not Allowed"


def crash(request):
    raise RuntimeError("database password is hunter2")


urlpatterns = [path("api/v1/crash/", crash)]
handler500 = problems.server_error


@pytest.mark.urls("tests.config.test_problems")
def test_crash_under_api_is_a_problem_500_that_leaks_nothing():
    response = Client(raise_request_exception=False).get("/api/v1/crash/")
    body = problem_of(response, 500)
    assert "hunter2" not in response.content.decode()
    assert body["detail"] == "The server failed to handle this request; the error was logged."
