"""Academic years and their blocks, federal holidays, session clock times and the program's scheduling settings."""

import datetime as dt
from decimal import Decimal
from typing import Any

import holidays
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.text import capfirst

from scheduling.engine.calendar import BlockDates, academic_year_end, block_dates
from scheduling.fmit_config import FIELDS as FMIT_FIELDS
from scheduling.models import (
    AcademicYear,
    Block,
    CalendarDay,
    FmitYearConfig,
    Session,
    SessionTime,
)
from scheduling.program_settings import (
    SETTINGS_KEY,
    SchedulingSettings,
    settings_from_json,
    settings_to_json,
)
from tenants.access import ensure_allowed
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action

DEFAULT_SESSION_TIMES = {
    Session.AM: (dt.time(7, 0), dt.time(12, 0)),
    Session.PM: (dt.time(13, 0), dt.time(17, 0)),
}
OBSERVED_SUFFIX = " (observed)"


def _require_program(program: Organization) -> None:
    if not program.is_program:
        raise DomainError(f"{program} is an institution; choose one of its programs.")


def _validated(instance: models.Model) -> None:
    """Run the model's own checks and turn their complaints into one readable DomainError."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        parts = []
        for field, messages in exc.message_dict.items():
            label = "" if field == NON_FIELD_ERRORS else f"{capfirst(instance._meta.get_field(field).verbose_name)}: "
            parts.extend(f"{label}{message}" for message in messages)
        raise DomainError(" ".join(parts)) from exc


def _year_name(start: dt.date, end: dt.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


def academic_year_plan(
    *,
    program: Organization,
    start_date: dt.date,
    name: str | None = None,
    block_count: int = 13,
    block_length_days: int = 28,
    block_start_weekday: int | None = None,
    orientation_days: int = 0,
) -> tuple[AcademicYear, list[BlockDates]]:
    """Check a new academic year without writing: the unsaved year and its block dates, or a DomainError.

    The year ends the day before the same date next year; one that overlaps or is named like an
    existing year of the program is refused, and so are blocks that cannot fit.
    """
    _require_program(program)
    end_date = academic_year_end(start_date)
    name = name or _year_name(start_date, end_date)
    clash = (
        AcademicYear.objects.for_program(program)
        .filter(Q(name=name) | Q(start_date__lte=end_date, end_date__gte=start_date))
        .first()
    )
    if clash is not None:
        raise ConflictError(
            f"{program} already has the academic year {clash.name} ({clash.start_date} to {clash.end_date}); "
            f"a new year {name} ({start_date} to {end_date}) would duplicate or overlap it."
        )
    try:
        dates = block_dates(
            start_date,
            end_date,
            block_count=block_count,
            block_length_days=block_length_days,
            block_start_weekday=block_start_weekday,
            orientation_days=orientation_days,
        )
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    year = AcademicYear(
        program=program,
        name=name,
        start_date=start_date,
        end_date=end_date,
        block_count=block_count,
        block_length_days=block_length_days,
        block_start_weekday=block_start_weekday,
        orientation_days=orientation_days,
    )
    _validated(year)
    return year, dates


@transaction.atomic
def academic_year_create(
    *,
    program: Organization,
    start_date: dt.date,
    name: str | None = None,
    block_count: int = 13,
    block_length_days: int = 28,
    block_start_weekday: int | None = None,
    orientation_days: int = 0,
    make_current: bool = False,
    fmit: dict[str, Any] | None = None,
) -> AcademicYear:
    """Create a program's academic year and its blocks, as checked by `academic_year_plan`, and its FMIT
    configuration (`fmit` by field name, else the program's latest year's rules, else the defaults).

    `make_current` moves the program's current flag to the new year.
    """
    plan = {
        "program": program,
        "start_date": start_date,
        "name": name,
        "block_count": block_count,
        "block_length_days": block_length_days,
        "block_start_weekday": block_start_weekday,
        "orientation_days": orientation_days,
    }
    year, dates = academic_year_plan(**plan)
    if make_current:
        _current_flag_clear(program_id=year.program_id)
        year.is_current = True
    year.save()
    for block in dates:
        Block.objects.create(
            program=year.program, academic_year=year, number=block.number, start_date=block.start, end_date=block.end
        )
    fmit_year_config_ensure(academic_year=year, values=fmit)
    return year


@transaction.atomic
def academic_year_make_current(*, academic_year: AcademicYear) -> AcademicYear:
    """Make this the program's current academic year; the previously current one stops being current."""
    _current_flag_clear(program_id=academic_year.program_id, keep=academic_year)
    if not academic_year.is_current:
        academic_year.is_current = True
        academic_year.save(update_fields=["is_current"])
    return academic_year


def _current_flag_clear(*, program_id: int, keep: AcademicYear | None = None) -> None:
    """Unset the program's current year (saving each row, so the change is in the history)."""
    current = AcademicYear.objects.select_for_update().filter(program_id=program_id, is_current=True)
    for year in current.exclude(pk=keep.pk) if keep else current:
        year.is_current = False
        year.save(update_fields=["is_current"])


def _federal_holidays(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Each US federal holiday between the dates, on the day it is observed (weekend ones move to Friday or Monday)."""
    years = range(start.year - 1, end.year + 2)
    actual = holidays.US(years=years, observed=False, language="en_US")
    substitutes = {day: name for day, name in holidays.US(years=years, language="en_US").items() if day not in actual}
    found: dict[dt.date, str] = {}
    for day, name in actual.items():
        moved = (other for other, label in substitutes.items() if label == f"{name}{OBSERVED_SUFFIX}")
        day_off = next((other for other in moved if abs(other - day).days <= 3), day)
        if start <= day_off <= end:
            found[day_off] = substitutes.get(day_off, name)
    return dict(sorted(found.items()))


@transaction.atomic
def calendar_holidays_load(*, academic_year: AcademicYear) -> int:
    """Mark the year's US federal holidays (observed dates) as federal-holiday days with no clinic; idempotent.

    A date the program already gave another special day type (closure, training holiday...) keeps it.
    Returns how many dates are marked as federal holidays.
    """
    marked = 0
    for day, name in _federal_holidays(academic_year.start_date, academic_year.end_date).items():
        wanted = {"day_type": CalendarDay.DayType.FEDERAL_HOLIDAY, "name": name, "capacity_factor": Decimal(0)}
        row, created = CalendarDay.objects.get_or_create(program_id=academic_year.program_id, date=day, defaults=wanted)
        if not created:
            if row.day_type not in (CalendarDay.DayType.NORMAL, CalendarDay.DayType.FEDERAL_HOLIDAY):
                continue
            if any(getattr(row, field) != value for field, value in wanted.items()):
                for field, value in wanted.items():
                    setattr(row, field, value)
                row.save(update_fields=list(wanted))
        marked += 1
    return marked


@transaction.atomic
def session_times_ensure_defaults(*, program: Organization) -> list[SessionTime]:
    """Give the program AM 07:00-12:00 and PM 13:00-17:00 sessions where it has none; existing times are kept."""
    _require_program(program)
    return [
        SessionTime.objects.get_or_create(
            program=program, session=session, defaults={"start_time": start, "end_time": end}
        )[0]
        for session, (start, end) in DEFAULT_SESSION_TIMES.items()
    ]


# FMIT configuration of a year (scheduling.fmit_config reads it).


def _previous(academic_year: AcademicYear) -> FmitYearConfig | None:
    return (
        FmitYearConfig.objects.for_program(academic_year.program)
        .filter(academic_year__start_date__lt=academic_year.start_date)
        .order_by("-academic_year__start_date")
        .first()
    )


@transaction.atomic
def fmit_year_config_ensure(*, academic_year: AcademicYear, values: dict[str, Any] | None = None) -> FmitYearConfig:
    """The year's FMIT configuration, made when missing from `values`, else a copy of the program's latest earlier
    year's, else the defaults; an existing row is kept as it is."""
    found = FmitYearConfig.objects.filter(academic_year=academic_year).first()
    if found is not None:
        return found
    previous = _previous(academic_year)
    start = {name: getattr(previous, name) for name in FMIT_FIELDS} if previous is not None else {}
    row = FmitYearConfig(program=academic_year.program, academic_year=academic_year, **{**start, **(values or {})})
    _validated(row)
    row.save()
    return row


@transaction.atomic
def fmit_year_config_update(*, academic_year: AcademicYear, user, values: dict[str, Any]) -> FmitYearConfig:
    """Change the year's FMIT rules (the program's admins and coordinators): `values` by field name; an unknown
    field or a value the row refuses is a DomainError naming it, and nothing is stored."""
    ensure_allowed(user, Action.CHANGE, "schedule", academic_year.program, "change the FMIT configuration")
    unknown = sorted(set(values) - set(FMIT_FIELDS))
    if unknown:
        raise DomainError(f"{unknown[0]}: unknown FMIT setting (known: {', '.join(FMIT_FIELDS)}).")
    row = fmit_year_config_ensure(academic_year=academic_year)
    row = FmitYearConfig.objects.select_for_update().get(pk=row.pk)
    for name, value in values.items():
        setattr(row, name, value)
    _validated(row)
    row.save()
    return row


# Schedule runs.


@transaction.atomic
def scheduling_settings_update(
    *, program: Organization, user, settings: SchedulingSettings | dict
) -> SchedulingSettings:
    """Validate and store the program's scheduling settings (Organization.settings["scheduling"]).

    Admins and coordinators may; a SettingsError names the setting at fault and nothing is stored.
    """
    _require_program(program)
    ensure_allowed(user, Action.CHANGE, "schedule", program, "change its scheduling settings")
    value = settings if isinstance(settings, SchedulingSettings) else settings_from_json(settings)
    locked = Organization.objects.select_for_update().get(pk=program.pk)
    locked.settings = {**(locked.settings or {}), SETTINGS_KEY: settings_to_json(value)}
    locked.save(update_fields=["settings"])
    program.settings = locked.settings
    return value


# Schedule runs: validate, start, execute, fail stale ones.
