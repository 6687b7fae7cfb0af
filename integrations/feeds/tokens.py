"""Secret calendar-feed tokens (per person and per program): create, look up, regenerate, and link to.

A feed URL carries its token and needs no login, so the token is the only key: one live token per
person and one per program; a reset replaces it and the old URL answers 404 at once.

A feed also answers only while its holder may still read it. A person's feed is held by the person's
linked user, who needs an active account and a role in the program (directly or through its institution).
The program's feed, and the feed of a person without a login, are held by the manager who made their
current address (`created_by`, set again by a reset); when that manager leaves or stops being an admin or
coordinator the address dies, and the next manager who asks for the feed gets a new address of their own.
Making, resetting and handing over an address are recorded in FeedToken.history (never the secret).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from integrations.feeds.models import FeedToken, new_feed_token
from scheduling.models import Person
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can
from tenants.selectors import role_in

MADE = "Feed address made"
RESET = "Feed address reset"
HANDED_OVER = "Feed address handed over (its maker is no longer a manager)"


def _is_manager(user, program: Organization) -> bool:
    return can(user, Action.CHANGE, Resource.SCHEDULE, program)


def _check_person(program: Organization, person: Person | None) -> None:
    if person is not None and person.program_id != program.pk:
        raise DomainError(f"{person.full_name} is not a member of {program}.")


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def feed_token_holder(token: FeedToken):
    """Who answers for a feed: the person's linked user, else (the program's feed, a person without a login)
    the user who made its current address. None when there is nobody."""
    if token.person_id is not None and token.person.user_id is not None:
        return token.person.user
    return token.created_by


def feed_token_is_live(token: FeedToken) -> bool:
    """Does the feed answer? Its program and person are active and its holder still may read it: a linked
    user by an active account with a role in the program, a feed's maker by still being one of its managers."""
    if not token.program.is_active or (token.person_id is not None and not token.person.is_active):
        return False
    holder = feed_token_holder(token)
    if holder is None or not holder.is_active:
        return False
    if token.person_id is not None and token.person.user_id is not None:
        return role_in(holder, token.program) is not None
    return _is_manager(holder, token.program)


def _new_address(token: FeedToken, *, user, reason: str) -> FeedToken:
    """Give the (locked) token a new secret; `user` becomes its maker and the history says who and why."""
    token.token = new_feed_token()
    token.regenerated_at = timezone.now()
    fields = ["token", "regenerated_at"]
    if _signed_in(user):
        token.created_by = user
        token._history_user = user
        fields.append("created_by")
    token._change_reason = reason
    token.save(update_fields=fields)
    return token


def _may_take_over(token: FeedToken, user) -> bool:
    # Only a maker-held feed whose maker left passes on, and only to a manager; a person's own feed stays
    # dead while the person's linked user is deactivated or gone from the program.
    if not _signed_in(user) or (token.person_id is not None and token.person.user_id is not None):
        return False
    if token.person_id is not None and not token.person.is_active:
        return False
    return not feed_token_is_live(token) and _is_manager(user, token.program)


def feed_token_get_or_create(*, program: Organization, person: Person | None = None, user=None) -> FeedToken:
    """The live feed token of `person` (or of the program when None), made on first use by `user`.

    A manager asking for a feed whose maker is no longer a manager gets it with a new address of their own.
    """
    _check_person(program, person)
    existing = FeedToken.objects.filter(program=program, person=person).order_by("pk").first()  # one row: no joins
    if existing is not None:
        # The caller's rows are the token's (a join of them costs more than the lookup on every person page).
        existing.program = program
        if person is not None:
            existing.person = person
        if not _may_take_over(existing, user):
            return existing
        rows = FeedToken.objects.select_for_update(of=("self",)).select_related("program", "person__user", "created_by")
        with transaction.atomic():
            current = rows.get(pk=existing.pk)
            if not _may_take_over(current, user):  # handed over meanwhile by a parallel request
                return current
            return _new_address(current, user=user, reason=HANDED_OVER)
    made = FeedToken(program=program, person=person, created_by=user if _signed_in(user) else None)
    made._change_reason = MADE
    if _signed_in(user):
        made._history_user = user
    try:
        with transaction.atomic():
            made.save()
            return made
    except IntegrityError:  # made meanwhile by a parallel request
        return FeedToken.objects.get(program=program, person=person)


def feed_token_may_reset(*, user, program: Organization, person: Person | None = None) -> bool:
    """Owners reset their own person feed; admins and coordinators reset any person feed and the program feed."""
    if _is_manager(user, program):
        return True
    return person is not None and person.user_id is not None and person.user_id == getattr(user, "pk", None)


@transaction.atomic
def feed_token_reset(*, user, program: Organization, person: Person | None = None) -> FeedToken:
    """Give the feed a new secret: the old feed URL stops working at once, and `user` becomes its maker.

    The history records who reset which feed and when. Returns the token with its new value.
    """
    _check_person(program, person)
    if not feed_token_may_reset(user=user, program=program, person=person):
        if person is None:
            raise PermissionDenied("Only the program's admins and coordinators can reset the program's feed.")
        raise PermissionDenied("You can reset only your own calendar feed.")
    token = feed_token_get_or_create(program=program, person=person, user=user)
    token = FeedToken.objects.select_for_update().get(pk=token.pk)
    return _new_address(token, user=user, reason=RESET)


def feed_token_find(*, token: str, for_person: bool) -> FeedToken | None:
    """The live token with this secret, of a person feed (`for_person`) or of a program feed; else None."""
    if not token or len(token) > 64:
        return None
    found = FeedToken.objects.select_related("program", "person__user", "created_by").filter(token=token).first()
    if found is None or (found.person_id is not None) != for_person or not feed_token_is_live(found):
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
    managers see it; the partial integrations/_feed_link.html builds absolute URLs from the page's request.
    """
    program = person.program
    if not (person.user_id is not None and person.user_id == getattr(user, "pk", None)) and not _is_manager(
        user, program
    ):
        return {}
    token = feed_token_get_or_create(program=program, person=person, user=user)
    return feed_link(token, can_reset=True, request=request)


def person_feed_link(*, request: HttpRequest, person: Person) -> dict[str, Any]:
    """The person page's feed section (registered in FeedsConfig.ready through scheduling.person_page)."""
    return feed_link_context(user=request.user, person=person, request=request)


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
