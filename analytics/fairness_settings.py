"""How a program reads fairness: kept in Organization.settings["fairness"], typed and validated.

    {"carry_over_equity": true}

`carry_over_equity` adds each person's counts of the previous academic year's published schedule to this year's,
so that whoever carried more last year is seen to have done so (off by default). `fairness_settings_from_json`
refuses anything else with a DomainError naming the setting at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tenants.errors import DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can

FAIRNESS_SETTINGS_KEY = "fairness"


class FairnessSettingsError(DomainError):
    """A fairness setting that cannot be used; `path` names it (e.g. fairness.carry_over_equity)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"Fairness setting {path}: {message}", code="invalid_settings")
        self.path = path


@dataclass(frozen=True, slots=True)
class FairnessSettings:
    """Whether last year's published counts are added to this year's."""

    carry_over_equity: bool = False


def fairness_settings_from_json(data: Any, *, path: str = FAIRNESS_SETTINGS_KEY) -> FairnessSettings:
    """Validate the fairness settings (None = defaults); FairnessSettingsError names the setting at fault."""
    if data is None:
        return FairnessSettings()
    if not isinstance(data, dict):
        raise FairnessSettingsError(path, "must be an object")
    unknown = sorted(str(key) for key in set(data) - {"carry_over_equity"})
    if unknown:
        raise FairnessSettingsError(f"{path}.{unknown[0]}", "unknown setting (known: carry_over_equity)")
    carry = data.get("carry_over_equity", False)
    if not isinstance(carry, bool):
        raise FairnessSettingsError(f"{path}.carry_over_equity", "must be true or false")
    return FairnessSettings(carry_over_equity=carry)


def fairness_settings(program: Organization) -> FairnessSettings:
    """The program's fairness settings, validated."""
    stored = program.settings if isinstance(program.settings, dict) else {}
    return fairness_settings_from_json(stored.get(FAIRNESS_SETTINGS_KEY))


def fairness_settings_to_json(value: FairnessSettings) -> dict[str, Any]:
    return {"carry_over_equity": value.carry_over_equity}


@transaction.atomic
def fairness_settings_update(*, program: Organization, user, settings: Any) -> FairnessSettings:
    """Validate and store the program's fairness section: its admins and coordinators; a refused setting is named
    and nothing is stored."""
    if not can(user, Action.CHANGE, Resource.ANALYTICS, program):
        raise PermissionDenied("Only the program's admins and coordinators can change how fairness is read.")
    value = fairness_settings_from_json(settings)
    locked = Organization.objects.select_for_update().get(pk=program.pk)
    locked.settings = {**(locked.settings or {}), FAIRNESS_SETTINGS_KEY: fairness_settings_to_json(value)}
    locked.save(update_fields=["settings"])
    program.settings = locked.settings
    return value
