"""The header's swap approvals count for coordinators and admins, counted only when a template shows it."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from scheduling import schedule_cache
from swaps.models import Swap
from tenants.permissions import Action, Resource, can


def _pending_approvals(request: HttpRequest) -> int:
    program = getattr(request, "program", None)
    if program is None or not can(request.user, Action.APPROVE, Resource.SWAP, program):
        return 0
    # Kept until a swap (a watched row of the schedule cache) of the program changes.
    return schedule_cache.cached(
        program.pk,
        ("swap-approvals",),
        lambda: Swap.objects.filter(program=program, status=Swap.Status.ACCEPTED, needs_approval=True).count(),
    )


def swap_approvals(request: HttpRequest) -> dict:
    """`swap_approvals`: the accepted swaps of the active program waiting for a coordinator (0 for others)."""
    return {"swap_approvals": SimpleLazyObject(lambda: _pending_approvals(request))}
