"""Personal access tokens (`token_*`): scopes a user's role allows, making one (its secret shown once),
revoking it, and finding the live token behind a presented secret.

A token acts in one program with scopes `read:<area>` / `write:<area>` (write implies read); on every request
the user's role is checked as well, so a token never does more than its user could on the pages.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tenants.audit import record
from tenants.errors import DomainError
from tenants.models import Organization, PersonalAccessToken, User
from tenants.ownership import owns
from tenants.permissions import Action, Resource, can
from tenants.selectors import role_in

SECRET_PREFIX = "rs_"
PREFIX_LENGTH = 10  # "rs_" and 7 characters of the secret: enough to tell tokens apart in a list
DEFAULT_DAYS = 90
MAX_DAYS = 365
LAST_USED_EVERY = dt.timedelta(minutes=1)  # at most one write per token and minute, not one per request

READ, WRITE = "read", "write"

# Each scope area and the permission resources its endpoints declare.
AREA_RESOURCES: dict[str, tuple[str, ...]] = {
    "schedule": (
        Resource.SCHEDULE,
        Resource.ROTATION,
        Resource.CALENDAR,
        Resource.ROSTER,
        Resource.CALL_LIST,
        Resource.PREFERENCE,
    ),
    "people": (Resource.PERSON,),
    "absences": (Resource.ABSENCE,),
    "swaps": (Resource.SWAP,),
    "credentials": (Resource.CREDENTIAL,),
    "notifications": (),  # one's own inbox and preferences: any member
    "audit": (Resource.AUDIT,),
    "analytics": (Resource.ANALYTICS,),
    "exports": (Resource.EXPORT,),
    "program": (Resource.PROGRAM, Resource.MEMBERSHIP),
}
AREAS = tuple(AREA_RESOURCES)
AREA_OF_RESOURCE = {str(resource): area for area, resources in AREA_RESOURCES.items() for resource in resources}
ALL_SCOPES = tuple(f"{mode}:{area}" for area in AREAS for mode in (READ, WRITE))
WRITE_ACTIONS = (Action.ADD, Action.CHANGE, Action.DELETE, Action.GENERATE, Action.PUBLISH, Action.APPROVE)


def scope_needed(area: str, *, write: bool) -> str:
    return f"{WRITE if write else READ}:{area}"


def has_scope(token: PersonalAccessToken, scope: str) -> bool:
    """Whether the token carries `scope`; `write:<area>` implies `read:<area>`."""
    mode, _, area = scope.partition(":")
    return scope in token.scopes or (mode == READ and f"{WRITE}:{area}" in token.scopes)


def _area_allowed(user: User, program: Organization, area: str, *, write: bool) -> bool:
    if area == "notifications":
        return True
    if area == "audit" and write:  # the audit log is append-only: nobody writes it through the API
        return False
    actions = WRITE_ACTIONS if write else (Action.VIEW,)
    return any(can(user, action, resource, program) for resource in AREA_RESOURCES[area] for action in actions)


def token_scopes_allowed(*, user: User, program: Organization) -> list[str]:
    """The scopes the user's role in the program could use, in display order."""
    if not (user.is_superuser or role_in(user, program)):
        return []
    return [
        scope_needed(area, write=write)
        for area in AREAS
        for write in (False, True)
        if _area_allowed(user, program, area, write=write)
    ]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: PersonalAccessToken
    secret: str  # shown to its owner once, never stored


def token_create(
    *, user: User, program: Organization, name: str, scopes: list[str], expires_on: dt.date, request=None
) -> NewToken:
    """Make a token for the user in the program; scopes must be ones their role allows, expiry within a year.
    Audited as token.created (never with its secret)."""
    name = name.strip()
    if not name:
        raise DomainError("Give the token a name, such as the tool that will use it.")
    if not scopes:
        raise DomainError("Choose at least one scope.")
    allowed = token_scopes_allowed(user=user, program=program)
    refused = sorted(set(scopes) - set(allowed))
    if refused:
        raise DomainError(f"Your role in {program} does not allow these scopes: {', '.join(refused)}.")
    today = program.today()
    if not today < expires_on <= today + dt.timedelta(days=MAX_DAYS):
        raise DomainError(f"A token expires after today and at most {MAX_DAYS} days from today.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    expires_at = dt.datetime.combine(expires_on, dt.time.min, tzinfo=program.zone)
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=user,
            program=program,
            name=name[:100],
            prefix=secret[:PREFIX_LENGTH],
            secret_hash=_digest(secret),
            scopes=[scope for scope in ALL_SCOPES if scope in scopes],
            expires_at=expires_at,
        )
        record(
            "token.created",
            request=request,
            actor=user,
            program=program,
            target=token,
            after={"name": token.name, "scopes": token.scopes, "expires_at": token.expires_at.isoformat()},
        )
    return NewToken(token=token, secret=secret)


def token_revoke(*, token: PersonalAccessToken, user: User, request=None) -> PersonalAccessToken:
    """Revoke a token: the user's own (their API tokens page), or as an admin of its program who manages its
    members (the admin's "Revoke selected tokens"). It stops working at once; revoking twice changes nothing.
    Audited as token.revoked, by whoever revoked it."""
    # the owner, while guardian gives them the token (tenants.ownership); or who may manage the program's members
    if not (owns(user, "change", token) or can(user, Action.CHANGE, Resource.MEMBERSHIP, token.program)):
        raise DomainError("You can revoke only your own tokens, or those of a program whose members you manage.")
    with transaction.atomic():
        token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record("token.revoked", request=request, actor=user, program=token.program, target=token)
    return token


def token_list(*, user: User) -> list[PersonalAccessToken]:
    """The user's tokens, newest first, with their programs."""
    return list(PersonalAccessToken.objects.filter(user=user).select_related("program"))


class TokenRefused(Exception):
    """The presented secret names no live token; the message says why."""


def token_for_secret(secret: str, *, now: dt.datetime | None = None) -> PersonalAccessToken:
    """The live token behind a secret, else TokenRefused naming why (unknown, revoked, expired, user inactive)."""
    now = now or timezone.now()
    token = PersonalAccessToken.objects.select_related("user", "program").filter(secret_hash=_digest(secret)).first()
    if token is None:
        raise TokenRefused("Unknown token: create one on your API tokens page.")
    if token.revoked_at is not None:
        raise TokenRefused(f"This token was revoked at {token.revoked_at:%Y-%m-%d %H:%M} UTC.")
    if token.expires_at <= now:
        raise TokenRefused(f"This token expired at {token.expires_at:%Y-%m-%d %H:%M} UTC.")
    if not token.user.is_active:
        raise TokenRefused("This token's user is inactive.")
    return token


def token_mark_used(
    *, token: PersonalAccessToken, ip: str | None, now: dt.datetime | None = None, request=None
) -> bool:
    """Note when and from where the token was last used, at most once a minute; its first use of a (UTC) day
    is audited as token.used, and True is returned then."""
    now = now or timezone.now()
    last = token.last_used_at
    if last is not None and now - last < LAST_USED_EVERY and token.last_used_ip == ip:
        return False
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at, token.last_used_ip = now, ip
    first_today = last is None or last.astimezone(dt.UTC).date() != now.astimezone(dt.UTC).date()
    if first_today:
        record("token.used", request=request, actor=token.user, program=token.program, target=token)
    return first_today
