"""Sections that apps above scheduling add to a person's page (the calendar-feed link, from integrations.feeds).

Scheduling cannot import the apps above it, so such an app registers a section at start-up (AppConfig.ready):
the context key its partial reads, the partial, and a builder the page's view calls with the request and the
person. The view builds every section (the queries stay in the view, never in a template) and the page
includes each partial in the order registered; a builder that returns an empty dict shows nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SectionBuilder = Callable[..., dict[str, Any]]  # (request=, person=) -> the partial's context value


@dataclass(frozen=True)
class PersonPageSection:
    key: str
    template: str
    build: SectionBuilder


_sections: dict[str, PersonPageSection] = {}


def person_page_section_register(key: str, *, template: str, build: SectionBuilder) -> None:
    """Show `template` on person pages, with `build(request=..., person=...)` in its context as `key`."""
    _sections[key] = PersonPageSection(key, template, build)


def person_page_sections(request: HttpRequest, person) -> dict[str, Any]:
    """The registered sections' values by key, and their partials under "person_sections" (for the page)."""
    context: dict[str, Any] = {key: section.build(request=request, person=person) for key, section in _sections.items()}
    context["person_sections"] = [section.template for section in _sections.values()]
    return context
