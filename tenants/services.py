"""Writes of memberships with their rules (`membership_*`): who may grant, change and remove a role.

A program's admins manage its memberships; roles in an institution are for superusers. A program always keeps
one admin, so nobody can lock the program out of its own settings; every change is in the history with its user.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from tenants.access import ensure_allowed
from tenants.audit import PLATFORM, record
from tenants.audit_models import AuditAction
from tenants.errors import ConflictError, DomainError
from tenants.models import Membership, Organization, Role, User
from tenants.permissions import Action, Resource


def _manage_allowed(*, user: User, organization: Organization, action: Action) -> None:
    if organization.kind == Organization.Kind.INSTITUTION:
        if not (user.is_active and user.is_superuser):
            raise PermissionDenied("Roles across an institution are managed by the platform's superusers.")
        return
    ensure_allowed(
        user,
        action,
        Resource.MEMBERSHIP,
        organization,
        denied="Only the admins of {program} manage who has which role there.",
    )


def _keeps_an_admin(*, membership: Membership, new_role: str | None) -> None:
    """Refuse to take away the last admin role of a program (a removal when `new_role` is None)."""
    if membership.role != Role.ADMIN or new_role == Role.ADMIN:
        return
    if membership.organization.kind != Organization.Kind.PROGRAM:
        return
    admins = Membership.objects.select_for_update().filter(organization_id=membership.organization_id, role=Role.ADMIN)
    if not admins.exclude(pk=membership.pk).exists():
        raise ConflictError(
            f"{membership.user} is the only admin of {membership.organization}; make someone else admin first."
        )


def _audited(action: AuditAction, membership: Membership, *, user: User, before=None, after=None) -> None:
    """One audit event of a membership write; a role in an institution is a platform event."""
    organization = membership.organization
    program = organization if organization.kind == Organization.Kind.PROGRAM else PLATFORM
    record(action, actor=user, program=program, target=membership, before=before, after=after)


def _summary(membership: Membership) -> dict[str, str]:
    return {"user": membership.user.email, "organization": str(membership.organization), "role": membership.role}


def _role_checked(role: str) -> str:
    if role not in Role.values:
        raise DomainError(f"“{role}” is not a role (choose one of {', '.join(Role.values)}).")
    return role


@transaction.atomic
def membership_create(*, user: User, organization: Organization, member: User, role: str) -> Membership:
    """Give `member` a role in the organization; one role per person and organization."""
    _manage_allowed(user=user, organization=organization, action=Action.ADD)
    if not member.is_active:
        raise DomainError(f"{member} is deactivated; reactivate the account before giving it a role.")
    membership = Membership(user=member, organization=organization, role=_role_checked(role))
    membership._history_user = user
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ConflictError(f"{member} already has a role in {organization}; change that one instead.") from None
    _audited(AuditAction.MEMBERSHIP_CREATED, membership, user=user, after=_summary(membership))
    return membership


@transaction.atomic
def membership_change(*, user: User, membership: Membership, role: str) -> Membership:
    """Change a member's role; the program's last admin keeps theirs until another admin exists."""
    locked = Membership.objects.select_for_update().select_related("organization", "user").get(pk=membership.pk)
    _manage_allowed(user=user, organization=locked.organization, action=Action.CHANGE)
    _role_checked(role)
    if locked.role == role:
        return locked
    _keeps_an_admin(membership=locked, new_role=role)
    before = _summary(locked)
    locked.role = role
    locked._history_user = user
    locked.save(update_fields=["role"])
    _audited(AuditAction.ROLE_CHANGED, locked, user=user, before=before, after=_summary(locked))
    return locked


@transaction.atomic
def membership_delete(*, user: User, membership: Membership) -> None:
    """Remove a member's role; their calendar feeds stop with it. The program's last admin stays."""
    locked = Membership.objects.select_for_update().select_related("organization", "user").get(pk=membership.pk)
    _manage_allowed(user=user, organization=locked.organization, action=Action.DELETE)
    _keeps_an_admin(membership=locked, new_role=None)
    _audited(AuditAction.MEMBERSHIP_DELETED, locked, user=user, before=_summary(locked))
    locked._history_user = user
    locked.delete()
