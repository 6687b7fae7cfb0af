"""The role check of DESIGN.md section 12, for each role, and the program boundary."""

import pytest

from scheduling.models import Person
from tenants.models import Role
from tenants.permissions import Action, Resource, can
from tests.scheduling.factories import ResidentFactory
from tests.tenants.factories import MembershipFactory, ProgramFactory, UserFactory

MANAGE_SCHEDULE = (Action.GENERATE, Resource.SCHEDULE)
PUBLISH = (Action.PUBLISH, Resource.SCHEDULE)
EDIT_PEOPLE = (Action.CHANGE, Resource.PERSON)
VIEW_SCHEDULE = (Action.VIEW, Resource.SCHEDULE)
VIEW_PEOPLE = (Action.VIEW, Resource.PERSON)
VIEW_ROSTER = (Action.VIEW, Resource.ROSTER)
VIEW_CALLS = (Action.VIEW, Resource.CALL_LIST)
ADD_ABSENCE = (Action.ADD, Resource.ABSENCE)
APPROVE_ABSENCE = (Action.APPROVE, Resource.ABSENCE)
EDIT_MEMBERSHIPS = (Action.CHANGE, Resource.MEMBERSHIP)

CHECKS = [
    MANAGE_SCHEDULE,
    PUBLISH,
    EDIT_PEOPLE,
    VIEW_SCHEDULE,
    VIEW_PEOPLE,
    VIEW_ROSTER,
    VIEW_CALLS,
    ADD_ABSENCE,
    APPROVE_ABSENCE,
    EDIT_MEMBERSHIPS,
]

EVERYTHING = set(CHECKS)
EXPECTED = {
    Role.ADMIN: EVERYTHING,
    Role.COORDINATOR: EVERYTHING - {EDIT_MEMBERSHIPS},
    Role.FACULTY: {VIEW_SCHEDULE, VIEW_PEOPLE, VIEW_ROSTER, VIEW_CALLS, ADD_ABSENCE},
    Role.RESIDENT: {VIEW_SCHEDULE, VIEW_PEOPLE, VIEW_ROSTER, VIEW_CALLS, ADD_ABSENCE},
    Role.CLINICAL_STAFF: {VIEW_ROSTER, VIEW_CALLS},
    Role.RN: {VIEW_ROSTER, VIEW_CALLS},
    Role.LPN: {VIEW_ROSTER, VIEW_CALLS},
    Role.MSA: {VIEW_ROSTER, VIEW_CALLS},
}


@pytest.mark.parametrize("role", list(Role))
def test_role_grants_exactly_its_actions(role, program, member):
    user = member(role)
    allowed = {check for check in CHECKS if can(user, check[0], check[1], program)}
    assert allowed == EXPECTED[role]


@pytest.mark.parametrize("role", list(Role))
def test_role_in_one_program_grants_nothing_in_another(role, member, other_program):
    user = member(role)
    assert not any(can(user, action, resource, other_program) for action, resource in CHECKS)


def test_resident_changes_only_own_records(program, member):
    resident = member(Role.RESIDENT)
    mine = ResidentFactory(program=program, user=resident)
    theirs = ResidentFactory(program=program, user=UserFactory())
    mine.permission_resource = theirs.permission_resource = Resource.PREFERENCE
    assert can(resident, Action.CHANGE, mine, program)
    assert not can(resident, Action.CHANGE, theirs, program)
    assert not can(resident, Action.DELETE, theirs, program)


def test_object_of_another_program_is_refused_even_to_its_manager(program, other_program, member):
    coordinator = member(Role.COORDINATOR)
    MembershipFactory(user=coordinator, organization=other_program, role=Role.COORDINATOR)
    person = ResidentFactory(program=other_program)
    assert can(coordinator, Action.CHANGE, person, other_program)
    assert not can(coordinator, Action.CHANGE, person, program)


def test_institution_role_applies_to_its_programs_and_program_role_wins(db):
    program = ProgramFactory()
    sibling = ProgramFactory(parent=program.parent)
    stranger = ProgramFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=program.parent, role=Role.COORDINATOR)
    MembershipFactory(user=user, organization=sibling, role=Role.RESIDENT)
    assert can(user, Action.GENERATE, Resource.SCHEDULE, program)
    assert not can(user, Action.GENERATE, Resource.SCHEDULE, sibling)
    assert can(user, Action.VIEW, Resource.SCHEDULE, sibling)
    assert not can(user, Action.VIEW, Resource.SCHEDULE, stranger)


def test_inactive_or_anonymous_users_may_do_nothing(program, member):
    from django.contrib.auth.models import AnonymousUser

    user = member(Role.ADMIN)
    user.is_active = False
    assert not can(user, Action.VIEW, Resource.SCHEDULE, program)
    assert not can(AnonymousUser(), Action.VIEW, Resource.SCHEDULE, program)
    assert not can(member(Role.ADMIN), Action.VIEW, Resource.SCHEDULE, None)


def test_unknown_action_or_resource_is_an_error(program, member):
    user = member(Role.ADMIN)
    with pytest.raises(ValueError):
        can(user, "fly", Resource.SCHEDULE, program)
    with pytest.raises(ValueError):
        can(user, Action.VIEW, "spaceship", program)


def test_person_instance_declares_its_resource(program):
    assert Person.permission_resource == Resource.PERSON


def test_program_admin_edits_but_never_creates_or_deletes_programs(program, member):
    admin = member(Role.ADMIN)
    assert can(admin, Action.CHANGE, Resource.PROGRAM, program)
    assert not can(admin, Action.ADD, Resource.PROGRAM, program)
    assert not can(admin, Action.DELETE, Resource.PROGRAM, program)
