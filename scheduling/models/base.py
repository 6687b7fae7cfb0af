"""Shared pieces of the scheduling models: the AM/PM session, an assignment's source, the same-program check."""

from django.core.exceptions import ValidationError
from django.db import models


class Session(models.TextChoices):
    AM = "AM", "AM"
    PM = "PM", "PM"


class Source(models.TextChoices):
    """Where an assignment came from."""

    SOLVER = "solver", "Solver"
    MANUAL = "manual", "Manual"
    SWAP = "swap", "Swap"
    IMPORT = "import", "Import"


def same_program(instance: models.Model, fields: tuple[str, ...]) -> None:
    """Readable version of the EnforceSameProgram trigger for full_clean()."""
    for name in fields:
        related_id = getattr(instance, f"{name}_id")
        if related_id is None or not instance.program_id:
            continue
        related = getattr(instance, name)
        if related.program_id != instance.program_id:
            label = instance._meta.get_field(name).verbose_name
            raise ValidationError({name: f"This {label} belongs to another program."})
