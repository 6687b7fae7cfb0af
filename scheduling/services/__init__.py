"""Writes that carry the scheduling rules, by purpose: `years` (academic years, holidays, session times,
settings), `runs` (schedule runs), `versions` (a version's life cycle: publish) and `edits` (a coordinator's
edit of one cell).
"""

from scheduling.services.edits import (
    CALL_ACTIONS,
    RuleBreachError,
    RuleFinding,
    block_assignment_change,
    call_assignment_change,
    session_assignment_change,
)
from scheduling.services.runs import (
    ACTIVE_RUN_STATUSES,
    CANCELLABLE_RUN_STATUSES,
    INTERNAL_ERROR_MESSAGE,
    SEED_RANGE,
    TIME_LIMIT_RANGE,
    WORKERS_RANGE,
    schedule_run_cancel,
    schedule_run_execute,
    schedule_run_start,
    schedule_run_validate,
    schedule_runs_fail_stale,
)
from scheduling.services.versions import schedule_version_publish
from scheduling.services.years import (
    DEFAULT_SESSION_TIMES,
    academic_year_create,
    academic_year_make_current,
    academic_year_plan,
    calendar_holidays_load,
    scheduling_settings_update,
    session_times_ensure_defaults,
)

__all__ = [
    "ACTIVE_RUN_STATUSES",
    "CALL_ACTIONS",
    "CANCELLABLE_RUN_STATUSES",
    "DEFAULT_SESSION_TIMES",
    "INTERNAL_ERROR_MESSAGE",
    "SEED_RANGE",
    "TIME_LIMIT_RANGE",
    "WORKERS_RANGE",
    "RuleBreachError",
    "RuleFinding",
    "academic_year_create",
    "academic_year_make_current",
    "academic_year_plan",
    "block_assignment_change",
    "calendar_holidays_load",
    "call_assignment_change",
    "schedule_run_cancel",
    "schedule_run_execute",
    "schedule_run_start",
    "schedule_run_validate",
    "schedule_runs_fail_stale",
    "schedule_version_publish",
    "scheduling_settings_update",
    "session_assignment_change",
    "session_times_ensure_defaults",
]
