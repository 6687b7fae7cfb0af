"""Fairness of counts shared among a cohort: the Gini coefficient and how a program reads it. Pure: no Django.

fairness = 1 - Gini; a cohort's share is rated good at 0.9 or more, warning at 0.75 or more, else poor
(DESIGN.md section 10). The engine balances call, weekends, holidays and FMIT weeks on the same figure.
"""

from __future__ import annotations

from collections.abc import Sequence

FAIRNESS_GOOD = 0.9
FAIRNESS_WARNING = 0.75


def gini(values: Sequence[float]) -> float:
    """The Gini coefficient of non-negative counts (0 = all equal; 1 - 1/n = one person carries everything)."""
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return 0.0
    ordered = sorted(values)
    weighted = sum((2 * (i + 1) - n - 1) * v for i, v in enumerate(ordered))
    return weighted / (n * total)


def fairness(values: Sequence[float]) -> float:
    """1 - Gini, rounded to 4 places: 1.0 when everyone carries the same."""
    return round(1 - gini(values), 4)


def fairness_rating(value: float) -> str:
    """ "good" (>= 0.9), "warning" (>= 0.75) or "poor"."""
    if value >= FAIRNESS_GOOD:
        return "good"
    if value >= FAIRNESS_WARNING:
        return "warning"
    return "poor"
