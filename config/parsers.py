"""The API's JSON parser: DRF's, refusing what would otherwise reach the code as a crash or a stored oddity.

A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused by Django as DRF reads it (a 413, BodyTooLarge, through
config/problems.py); nesting deeper than MAX_DEPTH, a number that is not
finite (NaN, Infinity, 1e999) and a NUL character (PostgreSQL text and jsonb cannot hold it) are a 400. Each
leaves as problem+json (config/problems.py) whose detail names the problem.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.utils import json

MAX_DEPTH = 64


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "body_too_large"


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise exceptions.ParseError(f"JSON parse error - the number {text[:20]} is out of range.")
    return number


def _constant(name: str) -> None:
    raise exceptions.ParseError(f"JSON parse error - {name} is not a number JSON allows.")


def _check(data: Any) -> None:
    """Walks the parsed body without recursion: depth at most MAX_DEPTH, no NUL in keys or strings."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError("JSON parse error - a text contains a NUL character (\\u0000).")
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise exceptions.ParseError(f"JSON parse error - the body is nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        else:
            stack.extend((item, depth + 1) for item in value)


class SafeJSONParser(parsers.JSONParser):
    """JSON with bounded depth, finite numbers only and no NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            data = json.loads(text, parse_float=_finite, parse_constant=_constant)
        except RecursionError:
            raise exceptions.ParseError(
                f"JSON parse error - the body is nested deeper than {MAX_DEPTH} levels."
            ) from None
        except ValueError as exc:  # also UnicodeDecodeError
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        _check(data)
        return data
