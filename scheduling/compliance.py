"""ACGME compliance of a stored schedule version: its duty periods (DUTIES format) and the checker's report.

(Being written.)
"""

import datetime as dt

from scheduling.models import Person, ScheduleVersion


def weekly_hours(
    *, version: ScheduleVersion, person: Person, start: dt.date, end: dt.date
) -> list[tuple[dt.date, float]]:
    """Duty hours of `person` in `version` per week (weeks starting on `start`'s weekday) from start to end."""
    return []
