"""An academic year's FMIT rules as plain settings (`FmitSettings`), read from its `FmitYearConfig` row.

The row is the one source of these rules: the engine's input (`engine_io`), the pages, swaps, imports and analytics
read them here for the year at hand. A year without a row (one made before the rows existed, or by hand) reads
the defaults; `academic_year_create` gives a new year a copy of the program's latest year's rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from scheduling.engine.problem import ProgramRules
from scheduling.models import AcademicYear, FmitYearConfig
from tenants.models import Organization

FIELDS = (
    "week_start_day",
    "min_attendings",
    "max_attendings",
    "max_consecutive_weeks",
    "min_gap_weeks",
    "recovery_day",
    "imbalance_tolerance_weeks",
)


@dataclass(frozen=True, slots=True)
class FmitSettings:
    """One year's FMIT rules (the defaults are DESIGN.md section 7's)."""

    week_start_day: int = 4  # Friday; 0 = Monday
    min_attendings: int = 1
    max_attendings: int = 2
    max_consecutive_weeks: int = 1
    min_gap_weeks: int = 2
    recovery_day: bool = True
    imbalance_tolerance_weeks: int = 1

    def week_of(self, day: dt.date) -> dt.date:
        """The first day of the FMIT week holding `day`."""
        return day - dt.timedelta(days=(day.weekday() - self.week_start_day) % 7)

    def engine_rules(self, rules: ProgramRules) -> ProgramRules:
        """The program's engine rules with this year's FMIT rules in them."""
        return dataclasses.replace(
            rules,
            fmit_max_consecutive_weeks=self.max_consecutive_weeks,
            fmit_min_gap_weeks=self.min_gap_weeks,
            fmit_recovery_day=self.recovery_day,
        )


def settings_of(row: FmitYearConfig | None) -> FmitSettings:
    """The settings a row holds (the defaults for None)."""
    if row is None:
        return FmitSettings()
    return FmitSettings(**{name: getattr(row, name) for name in FIELDS})


def fmit_settings(year: AcademicYear | None) -> FmitSettings:
    """The year's FMIT rules (the defaults when it has no row, or for no year)."""
    if year is None or year.pk is None:
        return FmitSettings()
    return settings_of(FmitYearConfig.objects.filter(academic_year_id=year.pk).first())


def fmit_settings_on(program: Organization, day: dt.date) -> FmitSettings:
    """The FMIT rules of the program's academic year holding `day` (the defaults outside every year)."""
    return fmit_settings_over(program, day, day)(day)


def fmit_settings_over(program: Organization, start: dt.date, end: dt.date) -> Callable[[dt.date], FmitSettings]:
    """Each day's FMIT rules over start..end, read in two queries: a function giving, for a day of the window, the
    rules of the program's academic year holding it (the defaults outside every year). A window across 1 July
    reads each year's own rules for its own days."""
    years = list(AcademicYear.objects.for_program(program).filter(start_date__lte=end, end_date__gte=start))
    rows = {row.academic_year_id: row for row in FmitYearConfig.objects.filter(academic_year__in=years)}
    spans = [(year.start_date, year.end_date, settings_of(rows.get(year.pk))) for year in years]

    def on(day: dt.date) -> FmitSettings:
        return next((rules for first, last, rules in spans if first <= day <= last), FmitSettings())

    return on
