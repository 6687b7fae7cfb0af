"""How a program weighs wishes: kept in Organization.settings["wishes"], typed and validated.

    {"weights": {"high": 10, "medium": 5, "low": 2}, "week_start": 0}

`weights` turn the priority a person picks into the engine's preference weight (1-100); `week_start` is the
weekday a wished week starts on (0 = Monday, the engine's clinic week). `wish_settings_from_json` refuses
anything else with a SettingsError naming the setting at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scheduling.program_settings import WEEKDAYS, SettingsError, whole_setting
from tenants.models import Organization

WISH_SETTINGS_KEY = "wishes"
PRIORITIES = ("high", "medium", "low")
DEFAULT_WEIGHTS = {"high": 10, "medium": 5, "low": 2}


@dataclass(frozen=True, slots=True)
class WishSettings:
    """The engine weight of each priority and the weekday wished weeks start on."""

    high: int = DEFAULT_WEIGHTS["high"]
    medium: int = DEFAULT_WEIGHTS["medium"]
    low: int = DEFAULT_WEIGHTS["low"]
    week_start: int = 0

    def weight(self, priority: str) -> int:
        return int(getattr(self, priority))

    @property
    def week_start_name(self) -> str:
        return WEEKDAYS[self.week_start]


def wish_settings_from_json(data: Any, *, path: str = WISH_SETTINGS_KEY) -> WishSettings:
    """Validate the wishes settings (None = defaults); SettingsError names the setting at fault."""
    if data is None:
        return WishSettings()
    if not isinstance(data, dict):
        raise SettingsError(path, "must be an object")
    unknown = sorted(set(data) - {"weights", "week_start"})
    if unknown:
        raise SettingsError(f"{path}.{unknown[0]}", "unknown setting (known: week_start, weights)")
    weights = data.get("weights") or {}
    if not isinstance(weights, dict):
        raise SettingsError(f"{path}.weights", 'must be an object such as {"high": 10, "medium": 5, "low": 2}')
    unknown = sorted(set(weights) - set(PRIORITIES))
    if unknown:
        raise SettingsError(f"{path}.weights.{unknown[0]}", "unknown priority (known: high, medium, low)")
    chosen = {
        name: whole_setting(weights[name], f"{path}.weights.{name}", 1, 100) for name in PRIORITIES if name in weights
    }
    settings = WishSettings(
        **{**DEFAULT_WEIGHTS, **chosen}, week_start=whole_setting(data.get("week_start", 0), f"{path}.week_start", 0, 6)
    )
    if not settings.high >= settings.medium >= settings.low:
        raise SettingsError(
            f"{path}.weights",
            f"high must weigh at least medium, and medium at least low (got {settings.high}/{settings.medium}/"
            f"{settings.low})",
        )
    return settings


def wish_settings(program: Organization) -> WishSettings:
    """The program's wishes settings, validated."""
    stored = program.settings if isinstance(program.settings, dict) else {}
    return wish_settings_from_json(stored.get(WISH_SETTINGS_KEY))
