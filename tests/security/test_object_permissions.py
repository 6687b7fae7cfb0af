"""Rows that belong to one person (absences, wishes, swaps, calendar feeds) carry django-guardian object
permissions for that person's login, and tenants.permissions.can asks for them on top of the role and the
owner check: the owner changes their row, nobody else does even if the row's owner were misread, and an admin
who revokes the permission stops the owner at once, on the pages as in the services."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_perms, remove_perm

from absences.models import Absence
from scheduling.models import Preference
from swaps.models import Swap
from tenants.models import Role, User
from tenants.permissions import Action, can
from tests.absences.factories import AbsenceFactory
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(program, member):
    user = member(Role.RESIDENT, first_name="Ann")
    return ResidentFactory(program=program, first_name="Ann", user=user)


@pytest.fixture
def ben(program, member):
    user = member(Role.RESIDENT, first_name="Ben")
    return ResidentFactory(program=program, first_name="Ben", user=user)


def fresh(user: User) -> User:
    """The user as the next request loads it (what can() read for the old object is not reused)."""
    return User.objects.get(pk=user.pk)


def test_a_new_absence_gives_its_person_view_change_and_delete(program, ann):
    absence = AbsenceFactory(program=program, person=ann)

    assert sorted(get_perms(ann.user, absence)) == ["change_absence", "delete_absence", "view_absence"]
    assert can(ann.user, Action.CHANGE, absence, program)


def test_another_resident_cannot_change_the_row_even_when_its_owner_is_misread(program, ann, ben):
    absence = AbsenceFactory(program=program, person=ann)
    absence.person.user = ben.user  # the owner_user_id check alone would now say "Ben's"

    assert absence.owner_user_id == ben.user.pk
    assert not can(fresh(ben.user), Action.CHANGE, absence, program)


def test_revoking_the_permission_stops_the_owner_on_the_page(client, program, ann):
    absence = AbsenceFactory(program=program, person=ann)
    remove_perm("change_absence", ann.user, absence)
    client.force_login(ann.user)

    response = client.post(reverse("absence-cancel", kwargs={"pk": absence.pk}), {"reason": "plans changed"})

    absence.refresh_from_db()
    assert response.status_code == 403
    assert absence.status == Absence.Status.REQUESTED
    assert not can(fresh(ann.user), Action.CHANGE, absence, program)


def test_the_owner_cancels_their_request_on_the_page(client, program, ann):
    absence = AbsenceFactory(program=program, person=ann)
    client.force_login(ann.user)

    client.post(reverse("absence-cancel", kwargs={"pk": absence.pk}), {"reason": "plans changed"})

    absence.refresh_from_db()
    assert absence.status == Absence.Status.CANCELLED


def test_managers_keep_their_role_rights_without_object_permissions(program, ann, coordinator):
    absence = AbsenceFactory(program=program, person=ann)

    assert can(coordinator, Action.CHANGE, absence, program)


def test_rows_follow_a_person_whose_login_changes(program, ann, member):
    absence = AbsenceFactory(program=program, person=ann)
    old_user = ann.user
    new_user = member(Role.RESIDENT, first_name="Ann (new login)")
    ann.user = new_user
    ann.save()

    assert can(fresh(new_user), Action.CHANGE, absence, program)
    assert get_perms(old_user, absence) == []


def test_the_data_migration_gives_existing_rows_to_their_owners(program, ann):
    absence = AbsenceFactory(program=program, person=ann)
    UserObjectPermission.objects.all().delete()
    assert not can(fresh(ann.user), Action.CHANGE, absence, program)

    migration = importlib.import_module("swaps.migrations.0003_owner_object_permissions")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # twice: nothing doubled

    assert can(fresh(ann.user), Action.CHANGE, absence, program)
    assert UserObjectPermission.objects.filter(object_pk=str(absence.pk), user=ann.user).count() == 3


def test_checking_many_own_rows_reads_the_permissions_once(program, ann, django_assert_max_num_queries):
    absences = [
        AbsenceFactory(
            program=program, person=ann, start_date=dt.date(2026, 8, 3 + n), end_date=dt.date(2026, 8, 3 + n)
        )
        for n in range(20)
    ]
    user = fresh(ann.user)
    for absence in absences:
        absence.person = ann  # loaded, as a list page's select_related does

    with django_assert_max_num_queries(6):
        allowed = [can(user, Action.CHANGE, absence, program) for absence in absences]

    assert all(allowed)


def test_wishes_and_swaps_are_their_owners_too():
    from tenants.ownership import is_owned_model

    assert is_owned_model(Preference)
    assert is_owned_model(Swap)


def _token(program, user):
    from tenants.tokens import token_create

    return token_create(
        user=user,
        program=program,
        name="Rota sync",
        scopes=["read:schedule"],
        expires_on=program.today() + dt.timedelta(days=30),
    ).token


def test_a_personal_api_token_is_revoked_by_its_owner_only_while_guardian_gives_it(program, ann, ben):
    from tenants.errors import DomainError
    from tenants.tokens import token_revoke

    token = _token(program, ann.user)
    mine, theirs = _token(program, ann.user), _token(program, ben.user)
    remove_perm("change_personalaccesstoken", ann.user, token)

    with pytest.raises(DomainError, match="only your own tokens"):
        token_revoke(token=token, user=fresh(ann.user))
    with pytest.raises(DomainError, match="only your own tokens"):
        token_revoke(token=theirs, user=fresh(ann.user))
    assert token_revoke(token=mine, user=fresh(ann.user)).revoked_at is not None
