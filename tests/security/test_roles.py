"""Each role's allowed and refused pages and API actions.

The matrix is read from the code, so it stays true: every page gated by `tenants.access.require(action,
resource)` and every API viewset checked by `ProgramRolePermission` is opened by a user of each role, and the
answer is 403 exactly when `tenants.permissions.can` refuses that role. A short hand-written table first pins
what a person of each role notices, so a mistake in `can` itself shows too.
"""

from __future__ import annotations

import inspect

import pytest
from django.urls import resolve, reverse

from config.api_router import router
from tenants.api_permissions import ProgramRolePermission
from tenants.models import Role
from tenants.permissions import Action, can
from tests.security.walk import routes
from tests.security.world import ProgramWorld, program_world
from tests.swaps.factories import login

pytestmark = pytest.mark.django_db

ROLES = [choice.value for choice in Role]
MANAGERS = {Role.ADMIN, Role.COORDINATOR}
CLINICIANS = {Role.FACULTY, Role.RESIDENT}
STAFF = {Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA}

# What each role notices: page (URL name) -> the roles that open it; every other role gets 403.
PINNED = {
    "schedule-grid": MANAGERS | CLINICIANS,
    "today": MANAGERS | CLINICIANS | STAFF,
    "on-call": MANAGERS | CLINICIANS | STAFF,
    "version-list": MANAGERS,
    "run-new": MANAGERS,
    "compliance": MANAGERS,
    "wish-overview": MANAGERS,
    "my-wishes": MANAGERS | CLINICIANS,
    "swaps-marketplace": MANAGERS | CLINICIANS,
    "swaps-queue": MANAGERS,
    "credentials-matrix": MANAGERS | CLINICIANS,
    "credentials-import": MANAGERS,
    "import-home": MANAGERS,
    "export-template-list": MANAGERS,
    "absence-calendar": MANAGERS | CLINICIANS,
}


def gate(view) -> tuple[str, str | None] | None:
    """The (action, resource) a page's `require` decorator checks, or None for a page without a role gate."""
    while view is not None:
        names = inspect.getclosurevars(view).nonlocals if getattr(view, "__closure__", None) else {}
        if {"action", "resource", "denied", "view"} <= names.keys():
            return (names["action"], names["resource"]) if names["action"] is not None else None
        view = getattr(view, "__wrapped__", None)
    return None


@pytest.fixture
def world(program) -> ProgramWorld:
    return program_world(program, "Rolemodel")


@pytest.fixture
def users(world) -> dict[str, object]:
    return {role: login(world.program, role) for role in ROLES}


def _gated_pages():
    pages = []
    for route in routes():
        if route.kwargs or not route.name or route.route.startswith(("admin/", "api/")):
            continue
        rule = gate(resolve(reverse(route.name)).func)
        if rule is not None:
            pages.append((route.name, *rule))
    return pages


def test_the_pinned_pages_open_for_the_roles_that_use_them(client, world, users):
    wrong = []
    for role, user in users.items():
        client.force_login(user)
        for name, allowed_roles in PINNED.items():
            status = client.get(reverse(name)).status_code
            if (status == 403) == (role in allowed_roles):
                wrong.append(f"{role} {name}: {status}")
    assert wrong == []


def test_every_gated_page_refuses_exactly_the_roles_can_refuses(client, world, users):
    pages = _gated_pages()
    assert len(pages) >= 15
    wrong = []
    for role, user in users.items():
        client.force_login(user)
        for name, action, resource in pages:
            allowed = can(user, action, resource, world.program)
            status = client.get(reverse(name)).status_code
            if (status == 403) == allowed or status >= 500:
                wrong.append(f"{role} GET {name} ({action} {resource}): {status}, can() says {allowed}")
    assert wrong == []


def _checked_viewsets():
    for _prefix, viewset, basename in router.registry:
        resource = getattr(viewset, "permission_resource", None)
        if (
            resource
            and ProgramRolePermission in getattr(viewset, "permission_classes", ())
            and hasattr(viewset, "list")
        ):
            yield basename, viewset, resource


def test_every_api_list_and_create_refuses_exactly_the_roles_can_refuses(api_client, world, users):
    viewsets = list(_checked_viewsets())
    assert len(viewsets) >= 10
    wrong = []
    for role, user in users.items():
        api_client.force_authenticate(user)
        for basename, viewset, resource in viewsets:
            url = reverse(f"api:{basename}-list")
            custom = getattr(viewset, "permission_actions", {})
            for method, action in (
                ("get", custom.get("list", Action.VIEW)),
                ("post", custom.get("create", Action.ADD)),
            ):
                allowed = can(user, action, resource, world.program)
                status = getattr(api_client, method)(url, {}, format="json").status_code
                if (status == 403) == allowed or status >= 500:
                    wrong.append(f"{role} {method.upper()} {url} ({action} {resource}): {status}, can() says {allowed}")
    assert wrong == []
