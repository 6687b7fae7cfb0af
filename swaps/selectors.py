"""Reading swaps for pages and the API: always within one program, only for those who may see them."""

from django.db.models import Q, QuerySet

from scheduling.models import Person
from swaps.models import Swap
from tenants.models import Organization, User
from tenants.permissions import Action, can


def swaps_visible(*, program: Organization, user: User) -> QuerySet[Swap]:
    """The program's swaps the user may see: all of them for its coordinators, admins, residents and faculty
    (the marketplace is the program's), none for anyone else or another program's members."""
    if not can(user, Action.VIEW, "swap", program):
        return Swap.objects.none()
    return Swap.objects.filter(program=program).select_related("requester", "academic_year")


def swaps_of_person(*, program: Organization, person: Person) -> QuerySet[Swap]:
    """The swaps the person is a party to (requester, giver or taker), newest first."""
    return (
        Swap.objects.filter(program=program)
        .filter(Q(requester=person) | Q(legs__giver=person) | Q(legs__taker=person))
        .distinct()
        .select_related("requester")
    )


def open_postings(*, program: Organization) -> QuerySet[Swap]:
    """The program's open postings nobody has claimed yet (the marketplace)."""
    return Swap.objects.filter(
        program=program, kind=Swap.Kind.POSTING, status=Swap.Status.PENDING, legs__taker__isnull=True
    ).select_related("requester")


def approval_queue(*, program: Organization) -> QuerySet[Swap]:
    """The swaps waiting for a coordinator's approval, oldest first."""
    return Swap.objects.filter(program=program, status=Swap.Status.ACCEPTED, needs_approval=True).order_by(
        "accepted_at", "pk"
    )
