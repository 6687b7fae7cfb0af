"""Walking the site's URLs (not a test module): every URL pattern with the names of its arguments, and a
response's body as text whether it is streamed or not."""

from __future__ import annotations

import dataclasses

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclasses.dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, for messages
    name: str | None  # the namespaced name, for reverse()
    kwargs: frozenset[str]


def _kwarg_names(pattern) -> set[str]:
    if isinstance(pattern, RoutePattern):
        return set(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return set(pattern.regex.groupindex)
    return set()


def routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "", kwargs=frozenset()):
    """Every URL pattern of the site (or under `resolver`), depth first."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        names = kwargs | _kwarg_names(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, prefix + str(entry.pattern), inner, frozenset(names))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(prefix + str(entry.pattern), name, frozenset(names))


def body(response: HttpResponse) -> str:
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return raw.decode("utf-8", errors="replace")


FUZZ_COUNTS = {"urls": 0, "requests": 0, "server_errors": 0}  # the page fuzzer's, printed by conftest.py
