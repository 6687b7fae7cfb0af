"""People's own details: a person keeps their contact numbers up to date."""

from django.core.exceptions import ValidationError
from django.db import transaction

from scheduling.models import Person
from scheduling.models.people import validate_contact_number
from tenants.errors import DomainError
from tenants.permissions import Action, Resource, can


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
