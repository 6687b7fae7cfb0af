"""Reads about who belongs to which program with which role."""

from django.db.models import Q, QuerySet

from tenants.models import Membership, Organization, Role
from tenants.request_memo import RequestMemo

MANAGER_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})

_CACHE_ATTR = "_program_roles_cache"
# The programs' rows read with the roles, kept for the rest of the request only (a user object may outlive its
# request, e.g. a test's force_authenticate; its programs' settings must not).
rows_memo = RequestMemo("tenants-program-rows")


def program_roles(user) -> dict[int, str]:
    """Program id -> the user's role there. A program membership beats its institution's.

    Cached on the user object, so one request asks the database once (with the programs' rows, which
    `user_programs` then reads without another query).
    """
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user, organization__is_active=True)
        .select_related("organization__parent")
        .order_by()
    )
    institution_roles = {
        m.organization_id: m.role for m in memberships if m.organization.kind == Organization.Kind.INSTITUTION
    }
    roles: dict[int, str] = {}
    rows: dict[int, Organization] = {}
    if institution_roles:
        for program in Organization.objects.programs().filter(parent_id__in=institution_roles).select_related("parent"):
            roles[program.pk] = institution_roles[program.parent_id]
            rows[program.pk] = program
    for membership in memberships:
        if membership.organization.kind == Organization.Kind.PROGRAM:
            roles[membership.organization_id] = membership.role
            rows[membership.organization_id] = membership.organization
    setattr(user, _CACHE_ATTR, roles)
    memo = rows_memo.data
    if memo is not None:
        memo[user.pk] = rows
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


def user_programs(user) -> list[Organization]:
    """`programs_for_user` as a list in the same order (by name), read with the user's roles: no query of its own
    once `program_roles` has read them in this request."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return list(programs_for_user(user))
    program_roles(user)
    memo = rows_memo.data
    rows = memo.get(user.pk) if memo is not None else None
    if rows is None:  # outside a request, or roles read on this object in an earlier one: read the rows
        return list(programs_for_user(user))
    programs = [row for row in rows.values() if row.kind == Organization.Kind.PROGRAM and row.is_active]
    return sorted(programs, key=lambda program: (program.name, program.pk))


def managed_program_ids(user) -> set[int]:
    """Programs the user administers (admin or coordinator); all of them for a superuser."""
    if getattr(user, "is_superuser", False):
        return set(Organization.objects.programs().values_list("pk", flat=True))
    return {pk for pk, role in program_roles(user).items() if role in MANAGER_ROLES}


def program_by_reference(user, reference: str) -> Organization | None:
    """A program the user may enter, named by id or slug; None if unknown or not theirs."""
    if reference.isascii() and reference.isdigit():
        return next((program for program in user_programs(user) if str(program.pk) == reference.lstrip("0")), None)
    return next((program for program in user_programs(user) if program.slug == reference), None)


def program_members(program: Organization) -> QuerySet:
    """Active users with a role in the program, directly or through its institution."""
    from tenants.models import User

    return User.objects.filter(
        Q(memberships__organization=program) | Q(memberships__organization_id=program.parent_id),
        is_active=True,
    ).distinct()
