"""Secret calendar-feed tokens (per person and per program): create, look up, regenerate, and link to.

A feed URL carries its token and needs no login, so the token is the only key: one live token per
person and one per program; a reset replaces it and the old URL answers 404 at once.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import FeedToken, Person, new_feed_token
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can


def _is_manager(user, program: Organization) -> bool:
    return can(user, Action.CHANGE, Resource.SCHEDULE, program)


def _check_person(program: Organization, person: Person | None) -> None:
    if person is not None and person.program_id != program.pk:
        raise DomainError(f"{person.full_name} is not a member of {program}.")


def feed_token_get_or_create(*, program: Organization, person: Person | None = None, user=None) -> FeedToken:
    """The live feed token of `person` (or of the program when None), made on first use."""
    _check_person(program, person)
    existing = FeedToken.objects.filter(program=program, person=person).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return FeedToken.objects.create(program=program, person=person, created_by=user)
    except IntegrityError:  # made meanwhile by a parallel request
        return FeedToken.objects.get(program=program, person=person)


def feed_token_may_reset(*, user, program: Organization, person: Person | None = None) -> bool:
    """Owners reset their own person feed; admins and coordinators reset any person feed and the program feed."""
    if _is_manager(user, program):
        return True
    return person is not None and person.user_id is not None and person.user_id == getattr(user, "pk", None)


@transaction.atomic
def feed_token_reset(*, user, program: Organization, person: Person | None = None) -> FeedToken:
    """Give the feed a new secret: the old feed URL stops working at once. Returns the token with its new value."""
    _check_person(program, person)
    if not feed_token_may_reset(user=user, program=program, person=person):
        if person is None:
            raise PermissionDenied("Only the program's admins and coordinators can reset the program's feed.")
        raise PermissionDenied("You can reset only your own calendar feed.")
    token = feed_token_get_or_create(program=program, person=person, user=user)
    token = FeedToken.objects.select_for_update().get(pk=token.pk)
    token.token = new_feed_token()
    token.regenerated_at = timezone.now()
    token.save(update_fields=["token", "regenerated_at"])
    return token


def feed_token_find(*, token: str, for_person: bool) -> FeedToken | None:
    """The live token with this secret, of a person feed (`for_person`) or of a program feed; else None."""
    if not token or len(token) > 64:
        return None
    found = FeedToken.objects.select_related("program", "person").filter(token=token).first()
    if found is None or (found.person_id is not None) != for_person or not found.program.is_active:
        return None
    if found.person_id is not None and not found.person.is_active:
        return None
    return found


def feed_path(token: FeedToken) -> str:
    """The site-relative URL of a token's feed."""
    name = "feed-person" if token.person_id else "feed-program"
    return reverse(name, kwargs={"token": token.token})


def feed_link(token: FeedToken, *, can_reset: bool, request: HttpRequest | None = None) -> dict[str, Any]:
    """A token's link for pages and the API: addresses (absolute with `request`), reset target and state."""
    path = feed_path(token)
    reset = reverse("feed-reset") + (f"?person={token.person_id}" if token.person_id else "?program=1")
    link: dict[str, Any] = {
        "person": token.person,
        "feed_path": path,
        "feed_url": path,
        "webcal_url": "",
        "can_reset": can_reset,
        "reset_url": reset,
        "regenerated_at": token.regenerated_at,
    }
    if request is not None:
        link["feed_url"] = request.build_absolute_uri(path)
        link["webcal_url"] = "webcal://" + request.get_host() + path
    return link


def feed_link_context(*, user, person: Person, request: HttpRequest | None = None) -> dict[str, Any]:
    """What the person page needs to show `person`'s feed link to `user`: {} when `user` may not see it.

    Keys: "feed_path" (site-relative), "feed_url" (absolute with `request`, else the path), "webcal_url"
    (with `request`, else ""), "can_reset" (bool), "reset_url" (POST target). The owner and the program's
    managers see it; the partial scheduling/_feed_link.html builds absolute URLs from the page's request.
    """
    program = person.program
    if not (person.user_id is not None and person.user_id == getattr(user, "pk", None)) and not _is_manager(
        user, program
    ):
        return {}
    token = feed_token_get_or_create(program=program, person=person, user=user)
    return feed_link(token, can_reset=True, request=request)


def feed_links_for_user(*, user, program: Organization, request: HttpRequest | None = None) -> list[dict[str, Any]]:
    """The feeds `user` may subscribe to in `program`: their own person's feed, and the program's for managers."""
    links = []
    own = Person.objects.filter(program=program, user=user, is_active=True).first()
    if own is not None:
        token = feed_token_get_or_create(program=program, person=own, user=user)
        links.append(feed_link(token, can_reset=True, request=request))
    if _is_manager(user, program):
        token = feed_token_get_or_create(program=program, user=user)
        links.append(feed_link(token, can_reset=True, request=request))
    return links
