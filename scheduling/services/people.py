"""People: a person keeps their contact numbers up to date; managers add people, change and deactivate them."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from scheduling.models import Person
from scheduling.models.people import validate_contact_number
from tenants.access import ensure_allowed
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can
from tenants.selectors import program_members

PEOPLE_DENIED = "Only the admins and coordinators of {program} change its people."


@transaction.atomic
def person_contacts_change(*, person: Person, phone: str, pager: str, user) -> Person:
    """Set a person's phone and pager (blank clears one): the person themselves, or whoever may change the
    program's people; each number is checked loosely (`validate_contact_number`). The history keeps the old."""
    if person.user_id != user.pk and not can(user, Action.CHANGE, Resource.PERSON, person.program):
        raise DomainError("You may change only your own contact numbers.")
    values = {"phone": phone.strip(), "pager": pager.strip()}
    for name, value in values.items():
        try:
            if value:
                validate_contact_number(value)
        except ValidationError as exc:
            raise DomainError(f"{name.capitalize()}: {' '.join(exc.messages)}") from exc
    locked = Person.objects.select_for_update().get(pk=person.pk)
    for name, value in values.items():
        setattr(locked, name, value)
    locked._change_reason = "Contact numbers changed"
    locked.save(update_fields=list(values))
    return locked


# The program's roster: managers add people, change their details and deactivate them.

PERSON_FIELDS = frozenset(
    {
        "kind",
        "first_name",
        "last_name",
        "email",
        "user",
        "pgy",
        "faculty_role",
        "specialties",
        "clinic_min_per_week",
        "clinic_max_per_week",
        "fmit_target_weeks",
        "phone",
        "pager",
        "is_active",
    }
)


def _person_saved(person: Person, *, user, reason: str) -> Person:
    """Check the row as the model does (field errors name their field) and the linked login, then save it."""
    if person.user_id is not None and not program_members(person.program).filter(pk=person.user_id).exists():
        raise ValidationError({"user": "Link a login that has a role in this program."})
    person.full_clean()
    person._history_user = user
    person._change_reason = reason
    person.save()
    return person


@transaction.atomic
def person_create(*, program: Organization, user, **fields: Any) -> Person:
    """Add a resident, faculty member or other staff to the program (admins and coordinators); a resident needs
    a PGY, only faculty have a faculty role, a linked login must be a member of the program."""
    ensure_allowed(user, Action.ADD, Resource.PERSON, program, denied=PEOPLE_DENIED)
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise DomainError(f"Unknown person fields: {', '.join(sorted(unknown))}.")
    return _person_saved(Person(program=program, **fields), user=user, reason="Added")


@transaction.atomic
def person_update(*, person: Person, user, **fields: Any) -> Person:
    """Change a person's details (admins and coordinators), checked as on creation; the history keeps the old."""
    ensure_allowed(user, Action.CHANGE, Resource.PERSON, person.program, denied=PEOPLE_DENIED)
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise DomainError(f"Unknown person fields: {', '.join(sorted(unknown))}.")
    locked = Person.objects.select_for_update().select_related("program").get(pk=person.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    return _person_saved(locked, user=user, reason="Details changed")


@transaction.atomic
def person_deactivate(*, person: Person, user) -> Person:
    """Mark a person inactive (admins and coordinators): the engine and the pickers stop offering them, and the
    schedules they already have stay as they are. Asking again is harmless."""
    ensure_allowed(user, Action.CHANGE, Resource.PERSON, person.program, denied=PEOPLE_DENIED)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.is_active:
        locked.is_active = False
        locked._history_user = user
        locked._change_reason = "Deactivated"
        locked.save(update_fields=["is_active"])
    return locked
