"""RFC 7807 problem details for every API error.

DRF exceptions, Django's Http404/PermissionDenied, model ValidationError and our DomainError
all leave the API as application/problem+json with type, title, status and detail; field
errors go in an `errors` member, and a domain error may add its own (`problem_members`: the
ACGME breaches of a refused publish). Unknown URLs and crashes under /api/ get the same shape.
"""

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.parsers import BodyTooLarge
from tenants.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem document; `type` is about:blank, so `title` is the HTTP phrase (RFC 7807 4.2)."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        **extra,
    }


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    members = exc.problem_members() if isinstance(exc, DomainError) else {}
    if isinstance(exc, DomainError):
        api_exc = exceptions.APIException(detail=str(exc), code=exc.code)
        api_exc.status_code = exc.status_code
        exc = api_exc
    elif isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = "The request has invalid fields; see errors."
        errors = _flatten(exc.detail)
        extra["errors"] = errors if isinstance(errors, dict) else {"non_field_errors": errors}
    else:
        detail = _flatten(exc.detail) if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, (dict, list)):
            extra["errors"] = detail
            detail = "The request could not be processed; see errors."
    code = getattr(exc, "default_code", None)
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    if code:
        extra["code"] = code
    request = context.get("request")
    if request is not None:
        extra["instance"] = request.path
    response.data = problem(response.status_code, detail, **{**extra, **members})
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        body = problem(404, "No resource at this address.", instance=request.path)
        return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        body = problem(500, "The server failed to handle this request; the error was logged.")
        return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
    return defaults.server_error(request)
