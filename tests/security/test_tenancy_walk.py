"""Tenancy, walked: a coordinator or an admin of program B opens every page, every API route and action and every
admin page with program A's ids, and never gets A's rows (404, or 403 where the view cannot know; lists and
other pages never print A's names).

The walks read the URL configuration, the API router and the admin registry at run time, so a new endpoint is
walked as soon as it exists; one whose arguments the walk cannot fill fails the test until it is added to
PAGE_ARGUMENTS below (or, when it is public by design, to PUBLIC with the reason).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from absences.models import Absence
from analytics.models import ContingencyAnalysis
from config.api_router import router
from integrations.exports.models import ExportTemplate
from integrations.imports.models import ImportSession
from integrations.jobs.models import FileJob
from notifications.models import Notification, PushSubscription
from scheduling.models import Block, Person, ScheduleRun, ScheduleVersion
from scheduling.models import Preference as Wish
from swaps.models import Swap
from tenants.audit import record
from tenants.middleware import HEADER
from tenants.models import PersonalAccessToken
from tests.security.walk import body, routes
from tests.security.world import ProgramWorld, program_owned_models, program_world
from tests.tenants.second_factor import second_factor_pass
from tests.tenants.soft_passkey import SoftPasskey, user_handle

pytestmark = pytest.mark.django_db

MARKER_A = "Zanzibarian"
MARKER_B = "Quetzalcoatl"
REFUSED = {403, 404}  # 404 when the view looks the row up in the active program, 403 when its role check comes first
REFUSED_WRITE = REFUSED | {405}

# URL names answered without a program login, or walked elsewhere in this module (never filled with A's ids):
PUBLIC = {
    "account_confirm_email",  # allauth: the key in the e-mail is the credential
    "account_reset_password_from_key",  # allauth: the uid and key in the e-mail are the credential
    "feed-person",  # a calendar feed's secret token is its credential; it answers its own program's feed only
    "feed-program",  # same, the program's feed
    "sso-login",  # SAML SSO of an institution (by slug): starts a sign-in, shows no program's rows
    "sso-acs",  # SAML SSO: the IdP posts its signed assertion here (tests/tenants/test_saml*.py)
    "sso-metadata",  # SAML SSO: the service provider's public metadata for the IdP
    "api:api-root",  # the router's index (format suffix): walked in test_api_router_walk
}


def _ids(*pairs):
    return lambda world: {name: world.row(model).pk for name, model in pairs}


def _version_person(world: ProgramWorld) -> dict:
    return {"pk": world.world.version.pk, "person": world.world.ann.pk}


def _passkey_of_a(world: ProgramWorld) -> dict:
    """A passkey (allauth.mfa's WebAuthn authenticator) of A's resident: a user's own, never another's."""
    import json

    from allauth.mfa.models import Authenticator
    from allauth.mfa.webauthn.internal.auth import WebAuthn

    user = world.world.ann.user
    passkey = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).first()
    if passkey is None:
        credential = json.loads(SoftPasskey().register("Y2hhbGxlbmdl", user_handle(user)))
        passkey = WebAuthn.add(user, MARKER_A, credential).instance
    return {"pk": passkey.pk}


# Which of A's rows fill each page's URL arguments, by URL name. A page with arguments missing here fails the walk.
PAGE_ARGUMENTS = {
    "notification-read": _ids(("pk", Notification)),
    "token-revoke": _ids(("pk", PersonalAccessToken)),
    "push-device-remove": _ids(("pk", PushSubscription)),
    "mfa_edit_webauthn": _passkey_of_a,
    "mfa_remove_webauthn": _passkey_of_a,
    "notification-open": _ids(("pk", Notification)),
    "credentials-person": _ids(("pk", Person)),
    "absence-detail": _ids(("pk", Absence)),
    "absence-decide": _ids(("pk", Absence)),
    "absence-cancel": _ids(("pk", Absence)),
    "absence-extend": _ids(("pk", Absence)),
    "absence-impact": _ids(("pk", Absence)),
    "absence-repair-review": _ids(("pk", Absence), ("run", ScheduleRun)),
    **{
        f"swap-{verb}": _ids(("pk", Swap))
        for verb in ("detail", "proof", "accept", "decline", "cancel", "approve", "reject", "rollback")
    },
    "person-schedule": _ids(("pk", Person)),
    "export-person-pdf": _ids(("pk", Person)),
    "wish-edit": _ids(("pk", Wish)),
    "wish-withdraw": _ids(("pk", Wish)),
    "run-detail": _ids(("pk", ScheduleRun)),
    **{f"contingency-{view}": _ids(("pk", ContingencyAnalysis)) for view in ("detail", "progress", "cancel")},
    "run-progress": _ids(("pk", ScheduleRun)),
    "run-cancel": _ids(("pk", ScheduleRun)),
    **{
        f"version-{verb}": _ids(("pk", ScheduleVersion))
        for verb in ("compare", "publish", "discard", "restore", "undo")
    },
    "edit-block": lambda w: _version_person(w) | {"block": w.row(Block).pk},
    "edit-session": lambda w: _version_person(w) | {"date": w.world.block.start_date.isoformat(), "session": "AM"},
    "edit-call": lambda w: _version_person(w) | {"date": w.world.block.start_date.isoformat()},
    **{f"job-{view}": _ids(("pk", FileJob)) for view in ("detail", "progress", "cancel", "download")},
    **{
        f"import-{step}": _ids(("pk", ImportSession))
        for step in ("sheets", "columns", "people", "check", "commit", "report")
    },
    **{f"export-template-{step}": _ids(("pk", ExportTemplate)) for step in ("edit", "run", "delete")},
}


@pytest.fixture
def worlds(program, other_program) -> tuple[ProgramWorld, ProgramWorld]:
    return program_world(program, MARKER_A), program_world(other_program, MARKER_B)


def _as(client, user):
    """Logged in as `user`, past the second factor (the API client too, not only the `client` fixture)."""
    client.force_login(user)
    second_factor_pass(client, user)
    return client


def _query_with_a_ids(a: ProgramWorld) -> dict:
    """The common parameters of list pages, pointing at A's rows."""
    w = a.world
    return {
        "person": w.ann.pk,
        "version": w.version.pk,
        "rotation": w.clinic.pk,
        "year": w.year.pk,
        "block": w.block.pk,
        "run": a.row(ScheduleRun).pk,
        "program": a.program.pk,
    }


def _page_routes():
    return [r for r in routes() if not r.route.startswith(("admin/", "api/v1/"))]


def test_every_program_owned_model_has_a_row_in_the_walked_program(worlds):
    a, _b = worlds
    missing = [model._meta.label for model in program_owned_models() if model not in a.rows]

    assert missing == [], f"seed these in tests/security/world.py so the walks open them: {missing}"


def test_every_page_with_arguments_is_filled_or_declared_public():
    unfilled = sorted(
        r.route for r in _page_routes() if r.kwargs and r.name not in PAGE_ARGUMENTS and r.name not in PUBLIC
    )

    assert unfilled == [], (
        f"new URL patterns with arguments the tenancy walk cannot fill: {unfilled}. Add them to PAGE_ARGUMENTS "
        "(or, if public by design, to PUBLIC with the reason)."
    )


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_pages_of_program_b_never_open_program_a_rows(client, worlds, role):
    a, b = worlds
    _as(client, getattr(b, role))
    own = client.get(reverse("person-schedule", kwargs={"pk": b.world.ann.pk}))
    assert MARKER_B in body(own), "the walk's user must see their own program's marked rows"
    leaks, requests = [], 0
    for route in _page_routes():
        if route.name in PUBLIC or route.name is None:
            continue
        if route.kwargs:
            url = reverse(route.name, kwargs=PAGE_ARGUMENTS[route.name](a))
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                requests += 1
                if response.status_code not in REFUSED_WRITE or MARKER_A in body(response):
                    leaks.append(f"{method.upper()} {url}: {response.status_code}")
        else:
            url = reverse(route.name)
            for query in ({}, _query_with_a_ids(a)):
                response = client.get(url, query)
                requests += 1
                if response.status_code >= 500 or MARKER_A in body(response):
                    leaks.append(f"GET {url} {query}: {response.status_code} shows A's rows")
    assert requests > 100
    assert leaks == []


def _model_of(viewset):
    queryset = getattr(viewset, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(viewset, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    return getattr(meta, "model", None)


def test_every_api_viewset_has_a_model_the_walk_can_fill(worlds):
    a, _b = worlds
    unknown = [
        basename
        for _prefix, viewset, basename in router.registry
        if _model_of(viewset) not in a.rows and _has_detail(viewset)
    ]

    assert unknown == [], f"API viewsets whose rows the tenancy walk cannot find in program A: {unknown}"


def _has_detail(viewset) -> bool:
    if getattr(viewset, "singleton", False):  # one URL, the active program's (a settings section): no rows
        return False
    return any(hasattr(viewset, name) for name in ("retrieve", "update", "partial_update", "destroy")) or any(
        action.detail for action in viewset.get_extra_actions()
    )


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_api_router_walk_never_answers_program_a_rows(api_client, worlds, role):
    a, b = worlds
    _as(api_client, getattr(b, role))
    assert MARKER_B in body(api_client.get(reverse("api:person-list"))), "B's own rows are listed"
    leaks, requests = [], 0

    def check(method: str, url: str, expected: set[int] | None, **extra) -> None:
        nonlocal requests
        response = (
            getattr(api_client, method)(url, format="json", **extra)
            if method != "get"
            else api_client.get(url, **extra)
        )
        requests += 1
        status_ok = response.status_code in expected if expected else response.status_code < 500
        if not status_ok or MARKER_A in body(response):
            leaks.append(f"{method.upper()} {url} {extra}: {response.status_code}")

    for _prefix, viewset, basename in router.registry:
        if hasattr(viewset, "list"):
            url = reverse(f"api:{basename}-list")
            check("get", url, None)
            check("get", url, {400, 403, 404}, **{HEADER: str(a.program.pk)})
            check("post", url, None)
        row = a.rows.get(_model_of(viewset))
        lookup = getattr(viewset, "lookup_field", "pk")
        if row is not None and _has_detail(viewset):
            url = reverse(f"api:{basename}-detail", kwargs={"pk": getattr(row, lookup)})
            for method in ("get", "put", "patch", "delete"):
                check(method, url, REFUSED_WRITE)
        for action in viewset.get_extra_actions():
            kwargs = {"pk": getattr(row, lookup)} if action.detail else {}
            url = reverse(f"api:{basename}-{action.url_name}", kwargs=kwargs)
            for method in action.mapping:
                check(method, url, REFUSED_WRITE if action.detail else None)
    assert requests > 80
    assert leaks == []


def _admin_row(a: ProgramWorld, model):
    if model in a.rows:
        return a.rows[model]
    user_field = next((f.name for f in model._meta.fields if f.related_model is type(a.world.ann.user)), None)
    if user_field is not None:
        return model._default_manager.filter(**{user_field: a.world.ann.user}).first()
    return None


# Admin models that hold no program's or person's rows (the platform's own: groups, periodic tasks): superusers
# only, and nothing of program A to open.
PLATFORM_ADMIN = {
    "auth.Group",
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.ClockedSchedule",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.SolarSchedule",
    "django_celery_beat.IntervalSchedule",
    # django-axes' records of sign-in attempts, keyed by the typed username and address (no user row):
    # superusers only (tests/tenants/test_login_security.py)
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
}


def _seed_user_rows(a: ProgramWorld) -> None:
    """Rows owned by A's resident in the admin's other apps: an e-mail address, an API token, an authenticator
    (allauth.mfa), an audit event, a push device and a push message sent to it."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from rest_framework.authtoken.models import Token

    from notifications.models import PushLog, PushSubscription

    user = a.world.ann.user
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    Token.objects.get_or_create(user=user)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    record("auth.login", actor=user, program=a.program, detail=MARKER_A)
    device = PushSubscription.objects.create(
        user=user, endpoint="https://push.example.net/a-device", p256dh="key", auth="secret", device=MARKER_A
    )
    PushLog.objects.create(
        program=a.program,
        recipient=user,
        subscription=device,
        event="schedule_published",
        payload={"title": MARKER_A},
        idempotency_key=f"walk:{device.pk}",
    )


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_admin_pages_of_program_a_rows_answer_404_to_program_b(client, worlds, role):
    a, b = worlds
    _seed_user_rows(a)
    _as(client, getattr(b, role))
    leaks, unfilled, requests = [], [], 0
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        changelist = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        requests += 1
        if MARKER_A in body(changelist):
            leaks.append(f"{label} changelist lists A's rows")
        row = _admin_row(a, model)
        if row is None:
            if label not in PLATFORM_ADMIN:
                unfilled.append(label)
            continue
        for pattern in model_admin.get_urls():
            names = set(getattr(pattern.pattern, "converters", {})) or set(pattern.pattern.regex.groupindex)
            if "object_id" not in names or not pattern.name:
                continue
            kwargs = {"object_id": row.pk}
            if "version_id" in names:
                kwargs["version_id"] = row.history.filter(id=row.pk).values_list("history_id", flat=True).first()
            elif names - {"object_id"}:
                unfilled.append(f"{label}: {pattern.name} {sorted(names)}")
                continue
            url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                requests += 1
                if response.status_code not in REFUSED or MARKER_A in body(response):
                    leaks.append(f"{method.upper()} {url}: {response.status_code}")
    assert unfilled == [], f"admin pages the walk cannot fill with A's rows: {unfilled}"
    assert requests > 60
    assert leaks == []
