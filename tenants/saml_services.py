"""Who an institution's identity provider may sign in (`sso_user_*`), and the just-in-time membership it grants.

An IdP vouches only for addresses in its institution's email domains and only for people whose roles are all
inside that institution: an assertion of institution A never signs in an account that acts in B, nor a platform
superuser or staff member. A first sign-in through a program's link gives the role the program chose (`jit_role`);
without one the person has an account and no role until a program admin grants one.
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from tenants.errors import DomainError
from tenants.models import Membership, Organization, User
from tenants.saml import SsoSettings, sso_settings


class SsoSignIn(NamedTuple):
    """Whom the IdP signed in, whether the account was made now, and the role a first sign-in gave (or None)."""

    user: User
    user_created: bool
    membership: Membership | None


def _email_checked(*, email: str, institution: Organization, sso: SsoSettings) -> str:
    email = email.strip().lower()
    if not email:
        names = ", ".join(sso.attributes["email"])
        raise DomainError(f"{institution}'s identity provider sent no email address (looked for: {names}).")
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(f"{institution}'s identity provider sent “{email}”, which is not an email address.") from None
    domain = email.rsplit("@", 1)[1]
    if domain not in sso.email_domains:
        raise DomainError(
            f"{institution}'s identity provider may sign in addresses at {', '.join(sso.email_domains)} only, "
            f"not {email}."
        )
    return email


def _user_checked(*, user: User, institution: Organization) -> None:
    if not user.is_active:
        raise DomainError(f"The account {user.email} is deactivated; ask your program's administrator.")
    if user.is_superuser or user.is_staff:
        raise DomainError(f"{user.email} is a site administrator: sign in with the password and second factor.")
    elsewhere = (
        Membership.objects.filter(user=user)
        .exclude(Q(organization=institution) | Q(organization__parent=institution))
        .exists()
    )
    if elsewhere:
        raise DomainError(
            f"{user.email} has roles outside {institution}: sign in with the password and second factor instead."
        )


@transaction.atomic
def sso_user_sign_in(
    *,
    institution: Organization,
    program: Organization | None,
    email: str,
    first_name: str = "",
    last_name: str = "",
) -> SsoSignIn:
    """The user the institution's IdP vouches for, created without a password on a first sign-in, names refreshed
    from the IdP, and the membership a first sign-in through `program`'s link created. DomainError says why the
    IdP's word is not enough."""
    sso = sso_settings(institution)
    email = _email_checked(email=email, institution=institution, sso=sso)
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    created = user is None
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, None, first_name=first_name[:150], last_name=last_name[:150])
        except IntegrityError:  # created by a sign-in at the same moment
            user = User.objects.get(email__iexact=email)
    _user_checked(user=user, institution=institution)
    names = {"first_name": first_name[:150], "last_name": last_name[:150]}
    changed = [key for key, value in names.items() if value and getattr(user, key) != value]
    for key in changed:
        setattr(user, key, names[key])
    if changed:
        user.save(update_fields=changed)
    return SsoSignIn(user, created, _membership_just_in_time(user=user, institution=institution, program=program))


def _membership_just_in_time(
    *, user: User, institution: Organization, program: Organization | None
) -> Membership | None:
    """The program's `jit_role` for someone without a role there yet (nor one across the institution)."""
    if program is None or program.parent_id != institution.pk or not program.is_active:
        return None
    role = sso_settings(program).jit_role
    if not role:
        return None
    if Membership.objects.filter(user=user, organization__in=[program, institution]).exists():
        return None
    membership = Membership(user=user, organization=program, role=role)
    membership._history_user = user
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:  # the same person's other tab got there first
        return None
    return membership
