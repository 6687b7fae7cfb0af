"""The program's rotation templates: managers add, change, archive and delete them (`rotation_*`).

A rotation a schedule uses names what people did in every version, so it is archived (inactive: the engine
and the edit forms stop offering it) rather than deleted; the history keeps every change with its user.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from scheduling.models import RotationTemplate
from tenants.access import ensure_allowed
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource

ROTATIONS_DENIED = "Only the admins and coordinators of {program} change its rotations."

# The fields a manager writes, in the API's order.
ROTATION_FIELDS = (
    "name",
    "abbreviation",
    "colour",
    "kind",
    "min_pgy",
    "max_pgy",
    "min_residents",
    "max_residents",
    "leave_allowed",
    "requires_supervision",
    "allows_half_block",
    "clinic_sessions_per_week",
    "work_days",
    "is_night",
    "continuity_clinic",
    "call_eligible",
    "required_credentials",
    "supervisor_credentials",
    "is_active",
)


def _known(fields: dict[str, Any]) -> None:
    unknown = set(fields).difference(ROTATION_FIELDS)
    if unknown:
        raise DomainError(f"Unknown rotation fields: {', '.join(sorted(unknown))}.")


def _saved(rotation: RotationTemplate, *, user, reason: str) -> RotationTemplate:
    """Check the row as the model does (field errors name their field: a name or abbreviation taken, a PGY
    range upside down), then save it with its history entry."""
    taken = RotationTemplate.objects.for_program(rotation.program).exclude(pk=rotation.pk)
    for name in ("name", "abbreviation"):
        if taken.filter(**{f"{name}__iexact": getattr(rotation, name)}).exists():
            raise ValidationError({name: f"Another rotation of this program is called “{getattr(rotation, name)}”."})
    rotation.full_clean()
    rotation._history_user = user
    rotation._change_reason = reason
    rotation.save()
    return rotation


@transaction.atomic
def rotation_create(*, program: Organization, user, **fields: Any) -> RotationTemplate:
    """Add a rotation template to the program (admins and coordinators)."""
    ensure_allowed(user, Action.ADD, Resource.ROTATION, program, denied=ROTATIONS_DENIED)
    _known(fields)
    return _saved(RotationTemplate(program=program, **fields), user=user, reason="Added")


@transaction.atomic
def rotation_update(*, rotation: RotationTemplate, user, **fields: Any) -> RotationTemplate:
    """Change a rotation template (admins and coordinators); `is_active=False` archives it. Schedules already
    made keep their rows; the next run and the edit checks read the new values."""
    ensure_allowed(user, Action.CHANGE, Resource.ROTATION, rotation.program, denied=ROTATIONS_DENIED)
    _known(fields)
    locked = RotationTemplate.objects.select_for_update().select_related("program").get(pk=rotation.pk)
    archiving = locked.is_active and fields.get("is_active") is False
    for name, value in fields.items():
        setattr(locked, name, value)
    return _saved(locked, user=user, reason="Archived" if archiving else "Details changed")


def rotation_in_use(rotation: RotationTemplate) -> bool:
    """Whether any schedule version (draft, published or archived) names the rotation."""
    return rotation.block_assignments.exists() or rotation.session_assignments.exists()


@transaction.atomic
def rotation_delete(*, rotation: RotationTemplate, user) -> None:
    """Delete a rotation no schedule uses (admins and coordinators); one in use is refused: archive it."""
    ensure_allowed(user, Action.DELETE, Resource.ROTATION, rotation.program, denied=ROTATIONS_DENIED)
    locked = RotationTemplate.objects.select_for_update().get(pk=rotation.pk)
    if rotation_in_use(locked):
        raise ConflictError(f"{locked.name} is used by schedules: archive it instead (set is_active to false).")
    locked._history_user = user
    locked._change_reason = "Deleted"
    locked.delete()
