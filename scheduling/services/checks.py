"""Checking a cell edit without keeping it: the coordinator's "Check" before saving."""

from collections.abc import Callable
from typing import Any

from django.db import transaction

from scheduling.services.edits import RuleBreachError, RuleFinding


class _DryRun(Exception):
    """Rolls back the savepoint of a checked edit."""


def cell_edit_check(edit: Callable[..., object], /, **arguments: Any) -> list[RuleFinding]:
    """The rules the cell edit `edit(**arguments)` (one of the edit services) would break, and nothing kept: the
    service runs without a reason inside a savepoint that is always rolled back, so the check is the save's own.
    Its rows, history and in-app notifications go with the savepoint; email waits for a commit that never comes.
    Raises what the service raises for an edit it refuses whatever the reason (DomainError, PermissionDenied).
    """
    try:
        with transaction.atomic():
            edit(**arguments, reason="")
            raise _DryRun
    except RuleBreachError as exc:
        return exc.findings
    except _DryRun:
        return []
