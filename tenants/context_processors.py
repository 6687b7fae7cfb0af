from django.http import HttpRequest

from tenants.models import Role
from tenants.permissions import Action, Resource, can
from tenants.selectors import role_in, user_programs


def active_program(request: HttpRequest) -> dict:
    """The active program, the user's role in it and the programs to switch to."""
    program = getattr(request, "program", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"active_program": None, "active_role": None, "switchable_programs": [], "menu": {}}
    role = role_in(user, program)
    return {
        "active_program": program,
        "active_role": role,
        "active_role_label": Role(role).label if role else None,
        "switchable_programs": getattr(request, "user_programs", None) or user_programs(user),
        "menu": {
            "schedule": can(user, Action.VIEW, Resource.SCHEDULE, program),
            "roster": can(user, Action.VIEW, Resource.ROSTER, program),
            "on_call": can(user, Action.VIEW, Resource.CALL_LIST, program),
            # The API serves people and schedules; roles that read neither (clinic staff) have no use for it.
            "api": user.is_superuser or can(user, Action.VIEW, Resource.PERSON, program),
            "manage": can(user, Action.CHANGE, Resource.SCHEDULE, program),
            "wishes": can(user, Action.VIEW, Resource.PREFERENCE, program),
            "swaps": can(user, Action.VIEW, Resource.SWAP, program),
            "audit": can(user, Action.VIEW, Resource.AUDIT, program),
            "analytics": can(user, Action.VIEW, Resource.ANALYTICS, program),
        },
    }
