"""Reads about who belongs to which program with which role."""

from django.db.models import Q, QuerySet

from tenants.models import Membership, Organization, Role

MANAGER_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})

_CACHE_ATTR = "_program_roles_cache"


def program_roles(user) -> dict[int, str]:
    """Program id -> the user's role there. A program membership beats its institution's.

    Cached on the user object, so one request asks the database once.
    """
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user, organization__is_active=True).values_list(
            "organization_id", "organization__kind", "role"
        )
    )
    institution_roles = {org_id: role for org_id, kind, role in memberships if kind == Organization.Kind.INSTITUTION}
    roles: dict[int, str] = {}
    if institution_roles:
        for program_id, parent_id in (
            Organization.objects.programs().filter(parent_id__in=institution_roles).values_list("id", "parent_id")
        ):
            roles[program_id] = institution_roles[parent_id]
    for org_id, kind, role in memberships:
        if kind == Organization.Kind.PROGRAM:
            roles[org_id] = role
    setattr(user, _CACHE_ATTR, roles)
    return roles


def role_in(user, program: Organization | None) -> str | None:
    """The user's role in the program, or None."""
    if program is None:
        return None
    return program_roles(user).get(program.pk)


def programs_for_user(user) -> QuerySet[Organization]:
    """Active programs the user may enter; a superuser may enter all."""
    programs = Organization.objects.programs().select_related("parent")
    if getattr(user, "is_superuser", False):
        return programs
    return programs.filter(pk__in=list(program_roles(user)))


def managed_program_ids(user) -> set[int]:
    """Programs the user administers (admin or coordinator); all of them for a superuser."""
    if getattr(user, "is_superuser", False):
        return set(Organization.objects.programs().values_list("pk", flat=True))
    return {pk for pk, role in program_roles(user).items() if role in MANAGER_ROLES}


def program_by_reference(user, reference: str) -> Organization | None:
    """A program the user may enter, named by id or slug; None if unknown or not theirs."""
    lookup = Q(pk=int(reference)) if reference.isascii() and reference.isdigit() else Q(slug=reference)
    return programs_for_user(user).filter(lookup).first()


def program_members(program: Organization) -> QuerySet:
    """Active users with a role in the program, directly or through its institution."""
    from tenants.models import User

    return User.objects.filter(
        Q(memberships__organization=program) | Q(memberships__organization_id=program.parent_id),
        is_active=True,
    ).distinct()
