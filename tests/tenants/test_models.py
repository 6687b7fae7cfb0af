"""Tenant invariants hold twice: the database refuses bad rows, and full_clean() explains why.

Database tests save with .save()/objects.create(), which skip full_clean(); each runs in its own
transaction.atomic() so the failed statement leaves the test database usable.
"""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from tenants.models import Membership, Organization, Role, User
from tests.tenants.factories import InstitutionFactory, MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def validation_errors(instance) -> dict[str, list[str]]:
    """The messages full_clean() gives a user, by field."""
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


# Users


def test_create_user_stores_email_lower_cased():
    user = User.objects.create_user("Ann.Smith@Example.ORG", "correct-horse-battery")

    user.refresh_from_db()
    assert user.email == "ann.smith@example.org"


def test_user_email_is_unique_ignoring_case_through_the_manager():
    User.objects.create_user("ann@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("ANN@Example.org")

    assert list(User.objects.values_list("email", flat=True)) == ["ann@example.org"]


def test_user_full_clean_refuses_email_differing_only_in_case():
    User.objects.create_user("ann@example.org")
    user = User(email="Ann@EXAMPLE.org")
    user.set_password("correct-horse-battery")

    assert validation_errors(user) == {"email": ["User with this Email address already exists."]}


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match="An email address is required."):
        User.objects.create_user("")

    assert not User.objects.exists()


def test_user_refuses_blank_email():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="")

    assert not User.objects.exists()


# Organizations


def test_program_without_institution_parent_is_refused_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(kind=Organization.Kind.PROGRAM, name="Orphan", slug="orphan")

    assert not Organization.objects.filter(slug="orphan").exists()


def test_program_without_institution_parent_is_refused_by_full_clean():
    program = Organization(kind=Organization.Kind.PROGRAM, name="Orphan", slug="orphan")

    assert validation_errors(program) == {"parent": ["A program belongs to an institution: choose its parent."]}


def test_institution_with_a_parent_is_refused_by_database():
    parent = InstitutionFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(kind=Organization.Kind.INSTITUTION, parent=parent, name="Nested", slug="nested")

    assert not Organization.objects.filter(slug="nested").exists()


def test_program_under_a_program_is_refused_by_full_clean():
    program = ProgramFactory()
    nested = Organization(kind=Organization.Kind.PROGRAM, parent=program, name="Track", slug="track")

    assert validation_errors(nested) == {"parent": ["A program's parent must be an institution."]}


def test_organization_full_clean_refuses_unknown_time_zone():
    program = ProgramFactory.build(parent=InstitutionFactory(), time_zone="Mars/Olympus_Mons")

    assert validation_errors(program) == {
        "time_zone": ["“Mars/Olympus_Mons” is not a known time zone (use an IANA name like America/New_York)."]
    }


# Memberships


def test_duplicate_membership_is_refused_by_database():
    membership = MembershipFactory(role=Role.RESIDENT)

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, organization=membership.organization, role=Role.FACULTY)

    assert list(Membership.objects.values_list("role", flat=True)) == [Role.RESIDENT]


def test_duplicate_membership_is_refused_by_full_clean():
    membership = MembershipFactory(role=Role.RESIDENT)
    duplicate = Membership(user=membership.user, organization=membership.organization, role=Role.FACULTY)

    assert validation_errors(duplicate) == {NON_FIELD_ERRORS: ["This user already has a role in this organization."]}


def test_same_user_may_hold_roles_in_two_programs():
    user = UserFactory()
    MembershipFactory(user=user, role=Role.FACULTY)
    second = Membership(user=user, organization=ProgramFactory(), role=Role.ADMIN)

    second.full_clean()
    second.save()

    assert user.memberships.count() == 2


def test_invalid_role_is_refused_by_database():
    membership = MembershipFactory(role=Role.RESIDENT)

    membership.role = "wizard"
    with pytest.raises(IntegrityError), transaction.atomic():
        membership.save()

    membership.refresh_from_db()
    assert membership.role == Role.RESIDENT


def test_invalid_role_is_refused_by_full_clean():
    membership = MembershipFactory.build(user=UserFactory(), organization=ProgramFactory(), role="wizard")

    assert validation_errors(membership) == {"role": ["Value 'wizard' is not a valid choice."]}


def test_user_email_is_unique_ignoring_case_in_database():
    User.objects.create_user("ann@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANN@example.org")

    assert list(User.objects.values_list("email", flat=True)) == ["ann@example.org"]
