"""How a program runs its swaps: kept in Organization.settings["swaps"], typed and validated.

    {"approval": ["trade", "giveaway", "posting", "chain"], "lock_days": 2, "rollback_hours": 24,
     "expiry_days": 30}

`approval` lists the swap kinds a coordinator approves before they execute (the others execute once every taker
accepted); `lock_days` is the window before a shift in which a swap needs a written reason; `rollback_hours` how
long an executed swap can be undone; `expiry_days` how long an open swap waits (it also expires when its shift
starts). `swap_settings_from_json` refuses anything else with a SettingsError naming the setting at fault;
`swap_settings_update` is the one way to change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from scheduling.program_settings import SettingsError, whole_setting
from tenants.access import ensure_allowed
from tenants.models import Organization
from tenants.permissions import Action, Resource

SWAP_SETTINGS_KEY = "swaps"
SWAP_KINDS = ("trade", "giveaway", "posting", "chain")
KNOWN = ("approval", "lock_days", "rollback_hours", "expiry_days")


@dataclass(frozen=True, slots=True)
class SwapSettings:
    """The kinds needing approval, the lock window (days), the rollback window (hours) and the expiry (days)."""

    approval: tuple[str, ...] = SWAP_KINDS
    lock_days: int = 2
    rollback_hours: int = 24
    expiry_days: int = 30

    def needs_approval(self, kind: str) -> bool:
        return kind in self.approval

    def to_json(self) -> dict[str, Any]:
        return {
            "approval": list(self.approval),
            "lock_days": self.lock_days,
            "rollback_hours": self.rollback_hours,
            "expiry_days": self.expiry_days,
        }


def swap_settings_from_json(data: Any, *, path: str = SWAP_SETTINGS_KEY) -> SwapSettings:
    """Validate the swaps settings (None = defaults); SettingsError names the setting at fault."""
    if data is None:
        return SwapSettings()
    if not isinstance(data, dict):
        raise SettingsError(path, "must be an object")
    unknown = sorted(set(data) - set(KNOWN))
    if unknown:
        raise SettingsError(f"{path}.{unknown[0]}", f"unknown setting (known: {', '.join(sorted(KNOWN))})")
    approval = data.get("approval", list(SWAP_KINDS))
    if not isinstance(approval, list | tuple) or not all(isinstance(kind, str) for kind in approval):
        raise SettingsError(f"{path}.approval", 'must be a list of swap kinds such as ["trade", "giveaway"]')
    wrong = sorted(set(approval) - set(SWAP_KINDS))
    if wrong:
        raise SettingsError(f"{path}.approval", f"unknown swap kind {wrong[0]!r} (known: {', '.join(SWAP_KINDS)})")
    defaults = SwapSettings()
    return SwapSettings(
        approval=tuple(kind for kind in SWAP_KINDS if kind in approval),
        lock_days=whole_setting(data.get("lock_days", defaults.lock_days), f"{path}.lock_days", 0, 60),
        rollback_hours=whole_setting(
            data.get("rollback_hours", defaults.rollback_hours), f"{path}.rollback_hours", 0, 720
        ),
        expiry_days=whole_setting(data.get("expiry_days", defaults.expiry_days), f"{path}.expiry_days", 1, 365),
    )


def swap_settings(program: Organization) -> SwapSettings:
    """The program's swaps settings, validated."""
    stored = program.settings if isinstance(program.settings, dict) else {}
    return swap_settings_from_json(stored.get(SWAP_SETTINGS_KEY))


@transaction.atomic
def swap_settings_update(*, program: Organization, user, settings: Any) -> SwapSettings:
    """Validate and store how the program runs its swaps (Organization.settings["swaps"]): admins and
    coordinators; a SettingsError names the setting at fault and nothing is stored."""
    ensure_allowed(user, Action.CHANGE, Resource.SCHEDULE, program, "change how swaps work")
    value = swap_settings_from_json(settings)
    locked = Organization.objects.select_for_update().get(pk=program.pk)
    locked.settings = {**(locked.settings or {}), SWAP_SETTINGS_KEY: value.to_json()}
    locked.save(update_fields=["settings"])
    program.settings = locked.settings
    return value
