"""The program's calendar, people, rotations and the schedule (DESIGN.md sections 3 and 4), by purpose."""

from scheduling.models.base import Session, Source
from scheduling.models.calendar import AcademicYear, Block, CalendarDay, SessionTime
from scheduling.models.fmit import FmitYearConfig
from scheduling.models.people import Person
from scheduling.models.rotations import (
    HEX_COLOUR,
    WEEKDAY_NAMES,
    RotationRequirement,
    RotationTemplate,
    default_work_days,
    validate_work_days,
)
from scheduling.models.schedules import (
    AssignmentBase,
    BlockAssignment,
    CallAssignment,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.models.wishes import ROTATION_KINDS, WEEK_KINDS, Preference, WishWindow

__all__ = [
    "HEX_COLOUR",
    "WEEKDAY_NAMES",
    "AcademicYear",
    "AssignmentBase",
    "Block",
    "BlockAssignment",
    "CalendarDay",
    "CallAssignment",
    "FmitYearConfig",
    "Person",
    "Preference",
    "ROTATION_KINDS",
    "RotationRequirement",
    "RotationTemplate",
    "ScheduleRun",
    "ScheduleVersion",
    "Session",
    "SessionAssignment",
    "SessionTime",
    "Source",
    "WEEK_KINDS",
    "WishWindow",
    "default_work_days",
    "validate_work_days",
]
