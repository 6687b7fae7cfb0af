"""The one permission check: can(user, action, resource, program). DESIGN.md section 12.

Roles are per program. Admins and coordinators manage schedules and people (only admins
manage the program itself and its memberships). Faculty and residents read schedules and
change only their own absences, swaps and preferences: the owner of the row, holding guardian's object
permission on it (tenants.ownership). Clinical staff, RN, LPN and MSA read
today's roster and the call list.
"""

from enum import StrEnum
from typing import Any

from tenants.models import Organization, Role
from tenants.ownership import is_owned_model, owner_may
from tenants.selectors import role_in


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    GENERATE = "generate"
    PUBLISH = "publish"
    APPROVE = "approve"


class Resource(StrEnum):
    PROGRAM = "program"
    MEMBERSHIP = "membership"
    PERSON = "person"
    ROTATION = "rotation"
    CALENDAR = "calendar"  # academic years, blocks, session times, day types
    SCHEDULE = "schedule"  # assignments, runs, versions
    ABSENCE = "absence"
    SWAP = "swap"
    PREFERENCE = "preference"
    CREDENTIAL = "credential"
    ROSTER = "roster"  # today's who-is-where
    CALL_LIST = "call_list"
    AUDIT = "audit"  # the audit log: the program's admins (its directors) read it, nobody writes it
    ANALYTICS = "analytics"  # fairness, workload, resilience: the program's managers (runs, fallbacks: CHANGE)
    EXPORT = "export"  # saved export templates and their scheduled deliveries: the program's managers


MANAGERS = frozenset({Role.ADMIN, Role.COORDINATOR})
CLINICIANS = frozenset({Role.FACULTY, Role.RESIDENT})
CLINIC_STAFF = frozenset({Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA})

ADMIN_ONLY = frozenset({Resource.PROGRAM, Resource.MEMBERSHIP})
CLINICIAN_READABLE = frozenset(
    {
        Resource.PERSON,
        Resource.ROTATION,
        Resource.CALENDAR,
        Resource.SCHEDULE,
        Resource.CREDENTIAL,
        Resource.ROSTER,
        Resource.CALL_LIST,
        Resource.SWAP,  # the swap marketplace is visible to the program's clinicians
    }
)
OWN_CHANGEABLE = frozenset({Resource.ABSENCE, Resource.SWAP, Resource.PREFERENCE})
OWN_ACTIONS = frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE})
STAFF_READABLE = frozenset({Resource.ROSTER, Resource.CALL_LIST})


def resource_kind(resource: Any) -> Resource:
    """A Resource from a name or from an instance that declares `permission_resource`."""
    if isinstance(resource, str):
        return Resource(resource)
    return Resource(resource.permission_resource)


def owner_user_id(resource: Any) -> int | None:
    """The id of the user who owns an instance (its `owner_user_id`), else None."""
    return None if isinstance(resource, str) else getattr(resource, "owner_user_id", None)


def can(user, action: str, resource: Any, program: Organization | None) -> bool:
    """May `user` do `action` on `resource` (a Resource name or an instance) in `program`?

    Passing an instance checks ownership for the own-only rules; a type name answers
    whether the role may do this kind of thing at all (list pages, add buttons).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active or program is None:
        return False
    action = Action(action)
    kind = resource_kind(resource)
    instance_program_id = None if isinstance(resource, str) else getattr(resource, "program_id", None)
    if instance_program_id is not None and instance_program_id != program.pk:
        return False
    if user.is_superuser:
        return True
    role = role_in(user, program)
    if role is None:
        return False
    if kind == Resource.AUDIT:
        return role == Role.ADMIN and action == Action.VIEW
    if role in MANAGERS:
        if kind == Resource.PROGRAM and action in (Action.ADD, Action.DELETE):
            return False  # programs are created and removed by the platform's superusers
        return role == Role.ADMIN or kind not in ADMIN_ONLY or action == Action.VIEW
    if role in CLINICIANS:
        if kind in OWN_CHANGEABLE and action in OWN_ACTIONS:
            owner = owner_user_id(resource)
            if isinstance(resource, str):
                return True  # a list of one's own, or a new request for oneself
            if action == Action.VIEW and kind in CLINICIAN_READABLE:
                return True
            # The owner, and only while guardian still gives them this row (an admin may revoke it).
            return owner == user.pk and (not is_owned_model(type(resource)) or owner_may(user, action, resource))
        return action == Action.VIEW and kind in CLINICIAN_READABLE
    if role in CLINIC_STAFF:
        return action == Action.VIEW and kind in STAFF_READABLE
    return False
