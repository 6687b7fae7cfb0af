"""A program's scheduling requirements and rules: typed, validated, kept in Organization.settings["scheduling"].

The document (every key optional; defaults are the engine's):
    {"requirements": {"clinic_sessions_per_week": {"1": 1, "2": 2, "3": 3}, "clinic_capacity": 6,
                      "call": [{"kind": "in_house", "per_night": 1, "min_pgy": 1}],
                      "didactics": {"weekday": 2, "session": "PM"} or null (no protected didactics half-day),
                      "faculty_call": {"nights": [0, 1, 2, 3, 6], "per_night": 1, "min_days_between": 3,
                                       "protected_sessions": [{"weekday": 0, "session": "AM"}],
                                       "roles": ["pd", "apd", "core", "chief", "sports_med", "oic"]}
                                      or null (no faculty overnight call roster, the default)},
     "rules": {...ProgramRules...}, "acgme": {"weekly_hours": 80, ...}, "weights": {...Weights...},
     "faculty_clinic_max_per_week": {"pd": 0, "apd": 2, ...}: weekly clinic half-days by faculty role, over the
                                    built-in FACULTY_CLINIC_CAPS; a person's own clinic_max_per_week wins}
`settings_from_json` refuses anything else with a SettingsError naming the setting at fault. The FMIT rules (week
start, attendings per week, consecutive weeks, gap, recovery day) are not here: they are kept per academic year
(`scheduling.fmit_config`, the FmitYearConfig rows), and a document naming them is refused with a pointer there.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any, TypeVar

from scheduling.engine.duties import AcgmeLimits
from scheduling.engine.problem import (
    ACGME_OVERRIDES,
    CALL_KINDS,
    SESSIONS,
    Didactics,
    FacultyCall,
    ProgramRules,
    Weights,
)
from tenants.errors import DomainError
from tenants.models import Organization

SETTINGS_KEY = "scheduling"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Weekly clinic half-days a faculty member holds at most, by role (Person.FacultyRole values), unless the program
# or the person sets otherwise; adjuncts are not scheduled by the engine (no clinic, no faculty call).
FACULTY_CLINIC_CAPS: dict[str, int] = {
    "pd": 0,
    "apd": 2,
    "oic": 2,
    "chief": 1,
    "core": 4,
    "sports_med": 4,
    "adjunct": 0,
}
NOT_SCHEDULED_ROLES = frozenset({"adjunct"})

T = TypeVar("T")


class SettingsError(DomainError):
    """A scheduling setting that cannot be used; `path` names it (e.g. scheduling.requirements.clinic_capacity)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"Scheduling setting {path}: {message}", code="invalid_settings")
        self.path = path


@dataclass(frozen=True, slots=True)
class CallSettings:
    """In-house call: `per_night` residents of PGY `min_pgy` or above every night."""

    kind: str = "in_house"
    per_night: int = 1
    min_pgy: int = 1


@dataclass(frozen=True, slots=True)
class FacultyCallSettings:
    """The faculty overnight call roster: the engine's FacultyCall and the faculty roles that take it."""

    nights: tuple[int, ...] = FacultyCall().nights
    per_night: int = 1
    min_days_between: int = 3
    protected_sessions: tuple[tuple[int, str], ...] = ()
    roles: tuple[str, ...] = tuple(role for role in FACULTY_CLINIC_CAPS if role not in NOT_SCHEDULED_ROLES)

    @property
    def engine(self) -> FacultyCall:
        return FacultyCall(
            nights=self.nights,
            per_night=self.per_night,
            min_days_between=self.min_days_between,
            protected_sessions=self.protected_sessions,
        )


@dataclass(frozen=True, slots=True)
class RequirementSettings:
    """Continuity clinic half-days per week by PGY, clinic seats per session, call coverage and the protected
    weekly didactics half-day (none by default)."""

    clinic_sessions_per_week: Mapping[int, int] = field(default_factory=dict)
    clinic_capacity: int = 6
    call: tuple[CallSettings, ...] = ()
    didactics: Didactics | None = None
    faculty_call: FacultyCallSettings | None = None  # no faculty overnight call roster by default


@dataclass(frozen=True, slots=True)
class SchedulingSettings:
    """Everything a program sets for the engine besides its people, rotations and calendar."""

    requirements: RequirementSettings = RequirementSettings()
    rules: ProgramRules = ProgramRules()
    acgme: Mapping[str, Any] = field(default_factory=dict)  # overrides of the ACGME defaults, by rule name
    weights: Weights = Weights()
    faculty_clinic_max_per_week: Mapping[str, int] = field(default_factory=lambda: dict(FACULTY_CLINIC_CAPS))

    def faculty_clinic_cap(self, role: str) -> int:
        """The weekly clinic half-days a faculty member of `role` holds at most (core's for an unknown role)."""
        return self.faculty_clinic_max_per_week.get(role or "core", self.faculty_clinic_max_per_week["core"])

    def takes_faculty_call(self, role: str) -> bool:
        """Whether a faculty member of `role` takes the faculty overnight call (when the program makes one)."""
        return (role or "core") in (self.requirements.faculty_call or FacultyCallSettings()).roles


# Allowed ranges of whole-number settings, by dataclass field name.
_RANGES: dict[type, tuple[int, int]] = {ProgramRules: (0, 52), Weights: (0, 1_000_000), CallSettings: (0, 20)}
_FIELD_RANGES = {
    "clinic_capacity": (0, 200),
    "min_pgy": (1, 8),
    "supervision_units_per_faculty": (1, 52),
    "weekday": (0, 6),  # of the didactics half-day, 0 = Monday
    "wish_min_granted_percent": (0, 100),
}


# FMIT rules once kept in this document, now per academic year (scheduling.fmit_config): named to say where.
FMIT_MOVED = frozenset(
    {
        "fmit_week_start",
        "fmit_min_attendings",
        "fmit_max_attendings",
        "fmit_max_consecutive_weeks",
        "fmit_min_gap_weeks",
        "fmit_recovery_day",
    }
)
FMIT_MOVED_MESSAGE = (
    "FMIT rules are kept per academic year: change them in the year's FMIT configuration "
    "(/api/v1/fmit-configs/, the FMIT page of the schedule, or the admin)"
)


def _object(value: Any, path: str, allowed: list[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SettingsError(path, "must be an object")
    moved = sorted(str(key) for key in value if key in FMIT_MOVED)
    if moved:
        raise SettingsError(f"{path}.{moved[0]}", FMIT_MOVED_MESSAGE)
    unknown = sorted(str(key) for key in set(value) - set(allowed))
    if unknown:
        raise SettingsError(f"{path}.{unknown[0]}", f"unknown setting (known: {', '.join(sorted(allowed))})")
    return value


def whole_setting(value: Any, path: str, low: int, high: int) -> int:
    """A whole-number setting in low..high (an integral float is taken; NaN and infinity are not), else
    SettingsError naming it."""
    number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not number or value != int(value) or not low <= value <= high:
        raise SettingsError(path, f"must be a whole number from {low} to {high} (got {value!r})")
    return int(value)


def _clock(value: Any, path: str) -> time:
    try:
        if not isinstance(value, str) or len(value) != 5:
            raise ValueError
        return time.fromisoformat(value)
    except ValueError:
        raise SettingsError(path, f"must be a clock time HH:MM such as 17:00 (got {value!r})") from None


def _flat(cls: type[T], data: Any, path: str) -> T:
    """A dataclass of scalar fields (bool, whole number, clock time) from an object, defaults for what is missing."""
    names = [f.name for f in dataclasses.fields(cls) if f.name not in FMIT_MOVED]  # type: ignore[arg-type]
    values = _object(data, path, names)
    default = cls()
    chosen: dict[str, Any] = {}
    for name, raw in values.items():
        current, where = getattr(default, name), f"{path}.{name}"
        if isinstance(current, bool):
            if not isinstance(raw, bool):
                raise SettingsError(where, f"must be true or false (got {raw!r})")
            chosen[name] = raw
        elif isinstance(current, int):
            chosen[name] = whole_setting(raw, where, *_FIELD_RANGES.get(name, _RANGES.get(cls, (0, 1000))))
        elif isinstance(current, time):
            chosen[name] = _clock(raw, where)
        elif isinstance(current, str):
            if not isinstance(raw, str):
                raise SettingsError(where, f"must be text (got {raw!r})")
            chosen[name] = raw
        else:  # pragma: no cover - a new engine field of an unexpected type
            raise SettingsError(where, "cannot be set here")
    return dataclasses.replace(default, **chosen)  # type: ignore[type-var]


def _call(data: Any, path: str) -> CallSettings:
    call = _flat(CallSettings, data, path)
    if call.kind not in CALL_KINDS:
        raise SettingsError(f"{path}.kind", f"must be one of {', '.join(CALL_KINDS)} (got {call.kind!r})")
    return call


def _requirements(data: Any, path: str) -> RequirementSettings:
    values = _object(data, path, [f.name for f in dataclasses.fields(RequirementSettings)])
    clinic_path = f"{path}.clinic_sessions_per_week"
    clinic_raw = _object(values.get("clinic_sessions_per_week"), clinic_path, [str(pgy) for pgy in range(1, 9)])
    clinic = {
        int(pgy): whole_setting(count, f"{clinic_path}.{pgy}", 0, 10) for pgy, count in sorted(clinic_raw.items())
    }
    call_raw = values.get("call", [])
    if not isinstance(call_raw, list):
        raise SettingsError(f"{path}.call", 'must be a list such as [{"per_night": 1}]')
    nested = ("clinic_sessions_per_week", "call", "didactics", "faculty_call")
    scalars = {key: value for key, value in values.items() if key not in nested}
    requirements = dataclasses.replace(
        _flat(RequirementSettings, scalars, path),
        clinic_sessions_per_week=clinic,
        call=tuple(_call(item, f"{path}.call[{i}]") for i, item in enumerate(call_raw)),
        didactics=_didactics(values.get("didactics"), f"{path}.didactics"),
        faculty_call=_faculty_call(values.get("faculty_call"), f"{path}.faculty_call"),
    )
    return requirements


def _didactics(data: Any, path: str) -> Didactics | None:
    """The protected didactics half-day, e.g. {"weekday": 2, "session": "PM"} (Wednesday afternoon); null = none."""
    if data is None:
        return None
    didactics = _flat(Didactics, data, path)
    if didactics.session not in SESSIONS:
        raise SettingsError(f"{path}.session", f"must be AM or PM (got {didactics.session!r})")
    return didactics


def _weekdays(value: Any, path: str) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise SettingsError(path, "must be a list of weekdays, 0 = Monday to 6 = Sunday")
    days = tuple(whole_setting(day, f"{path}[{i}]", 0, 6) for i, day in enumerate(value))
    if len(set(days)) != len(days):
        raise SettingsError(path, "weekdays must not repeat")
    return tuple(sorted(days))


def _faculty_call(data: Any, path: str) -> FacultyCallSettings | None:
    """The faculty call roster, e.g. {"nights": [0, 1, 2, 3, 6], "min_days_between": 3}; null = none."""
    if data is None:
        return None
    names = [f.name for f in dataclasses.fields(FacultyCallSettings)]
    values = _object(data, path, names)
    default = FacultyCallSettings()
    protected: list[tuple[int, str]] = []
    raw_protected = values.get("protected_sessions", [])
    if not isinstance(raw_protected, list):
        raise SettingsError(f"{path}.protected_sessions", 'must be a list such as [{"weekday": 0, "session": "AM"}]')
    for i, item in enumerate(raw_protected):
        where = f"{path}.protected_sessions[{i}]"
        entry = _object(item, where, ["weekday", "session"])
        if "weekday" not in entry or entry.get("session") not in SESSIONS:
            raise SettingsError(where, "needs a weekday (0 = Monday) and a session, AM or PM")
        half = (whole_setting(entry["weekday"], f"{where}.weekday", 0, 6), entry["session"])
        if half in protected:
            raise SettingsError(where, "repeats an earlier protected half-day")
        protected.append(half)
    roles = values.get("roles", list(default.roles))
    known = [role for role in FACULTY_CLINIC_CAPS if role not in NOT_SCHEDULED_ROLES]
    if not isinstance(roles, list) or any(role not in known for role in roles):
        raise SettingsError(
            f"{path}.roles", f"must be a list of faculty roles among {', '.join(known)} (got {roles!r})"
        )
    return FacultyCallSettings(
        nights=_weekdays(values.get("nights", list(default.nights)), f"{path}.nights"),
        per_night=whole_setting(values.get("per_night", default.per_night), f"{path}.per_night", 0, 10),
        min_days_between=whole_setting(
            values.get("min_days_between", default.min_days_between), f"{path}.min_days_between", 0, 28
        ),
        protected_sessions=tuple(protected),
        roles=tuple(role for role in known if role in roles),
    )


def _faculty_caps(data: Any, path: str) -> dict[str, int]:
    """Weekly clinic half-days by faculty role over the built-in caps; adjuncts stay unscheduled."""
    values = _object(data, path, list(FACULTY_CLINIC_CAPS))
    caps = dict(FACULTY_CLINIC_CAPS)
    for role, raw in values.items():
        caps[role] = whole_setting(raw, f"{path}.{role}", 0, 10)
        if role in NOT_SCHEDULED_ROLES and caps[role]:
            raise SettingsError(f"{path}.{role}", "must be 0: adjunct faculty are not scheduled by the engine")
    return caps


def _acgme(data: Any, path: str) -> dict[str, Any]:
    """Overrides of the ACGME limits: whole numbers stay whole, then AcgmeLimits itself checks them."""
    values = _object(data, path, list(ACGME_OVERRIDES))
    defaults = AcgmeLimits()
    overrides: dict[str, Any] = {}
    for name, raw in values.items():
        current = getattr(defaults, name)
        whole = isinstance(raw, int | float) and not isinstance(raw, bool) and raw == int(raw)
        wants_int = current is None or (isinstance(current, int) and not isinstance(current, bool))
        overrides[name] = int(raw) if wants_int and whole else raw
    try:
        AcgmeLimits(**overrides)
    except (TypeError, ValueError) as exc:
        name, _, problem = str(exc).partition(": ")
        raise SettingsError(f"{path}.{name}", problem) if problem else SettingsError(path, str(exc)) from None
    return overrides


def settings_from_json(data: Any, *, path: str = SETTINGS_KEY) -> SchedulingSettings:
    """Validate a scheduling settings document (None = all defaults); SettingsError names the setting at fault."""
    values = _object(data, path, [f.name for f in dataclasses.fields(SchedulingSettings)])
    return SchedulingSettings(
        requirements=_requirements(values.get("requirements"), f"{path}.requirements"),
        rules=_flat(ProgramRules, values.get("rules"), f"{path}.rules"),
        acgme=_acgme(values.get("acgme"), f"{path}.acgme"),
        weights=_flat(Weights, values.get("weights"), f"{path}.weights"),
        faculty_clinic_max_per_week=_faculty_caps(
            values.get("faculty_clinic_max_per_week"), f"{path}.faculty_clinic_max_per_week"
        ),
    )


def _scalars(instance: Any) -> dict[str, Any]:
    return {
        f.name: value.strftime("%H:%M") if isinstance(value, time) else value
        for f in dataclasses.fields(instance)
        if f.name not in FMIT_MOVED
        for value in [getattr(instance, f.name)]
    }


def settings_to_json(settings: SchedulingSettings) -> dict[str, Any]:
    """The JSON document of the settings, complete (every default written out); settings_from_json reads it back."""
    req = settings.requirements
    return {
        "requirements": {
            "clinic_sessions_per_week": {str(pgy): n for pgy, n in sorted(req.clinic_sessions_per_week.items())},
            "clinic_capacity": req.clinic_capacity,
            "call": [_scalars(call) for call in req.call],
            "didactics": None if req.didactics is None else _scalars(req.didactics),
            "faculty_call": None if req.faculty_call is None else _faculty_call_json(req.faculty_call),
        },
        "rules": _scalars(settings.rules),
        "acgme": dict(settings.acgme),
        "weights": _scalars(settings.weights),
        "faculty_clinic_max_per_week": dict(settings.faculty_clinic_max_per_week),
    }


def _faculty_call_json(call: FacultyCallSettings) -> dict[str, Any]:
    return {
        "nights": list(call.nights),
        "per_night": call.per_night,
        "min_days_between": call.min_days_between,
        "protected_sessions": [{"weekday": w, "session": s} for w, s in call.protected_sessions],
        "roles": list(call.roles),
    }


def scheduling_settings(program: Organization) -> SchedulingSettings:
    """The program's scheduling settings, validated; a SettingsError says which stored setting is wrong."""
    stored = program.settings if isinstance(program.settings, dict) else {}
    return settings_from_json(stored.get(SETTINGS_KEY))
