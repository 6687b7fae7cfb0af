"""The compliance check of a swap: the schedule after the swap, for every party, against the schedule before.

`swap_check(state=, changes=)` checks the merged change of a swap's legs (`swaps.shifts.plan_legs`) on the
version the state was read from, the way a coordinator's cell edit is checked (scheduling/services/edits.py):
- the ACGME rules over each resident party's whole year: the violations and warnings the swap adds;
- the supervision of every half-day session the swap touches (a session it leaves with fewer faculty than its
  residents need, or more residents than before);
- the spacing of each resident party's in-house calls (the program's `min_days_between_calls`);
- the spacing of each faculty party's attending calls (the program's faculty_call `min_days_between`).

Only what the swap adds counts: a rule the schedule already broke before is not the swap's doing. A violation
refuses the swap (`ok` is False); a warning is kept in the proof. `to_json()` is the proof stored on the swap.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone

from scheduling.compliance import Changes, calls_with_changes, person_report, rule_measure, rule_title
from scheduling.engine_io import person_key
from scheduling.models import CallAssignment, Person
from scheduling.services.edits import PROGRAM_RULE, RuleFinding, _call_spacing_findings, _supervision_findings
from swaps.shifts import ScheduleState

VIOLATION = "violation"


@dataclasses.dataclass(frozen=True, slots=True)
class SwapCheck:
    """What the swap would add: `findings` as (person or None for a session's supervision, RuleFinding)."""

    version_id: int
    people: tuple[Person, ...]
    findings: tuple[tuple[Person | None, RuleFinding], ...]
    checked_at: dt.datetime

    @property
    def ok(self) -> bool:
        """No violation (warnings do not refuse a swap)."""
        return not any(finding.severity == VIOLATION for _, finding in self.findings)

    @property
    def violations(self) -> list[tuple[Person | None, RuleFinding]]:
        return [(person, finding) for person, finding in self.findings if finding.severity == VIOLATION]

    def rules(self) -> list[str]:
        """The broken rules in words, each once, in the order found."""
        return list(dict.fromkeys(finding.title for _, finding in self.violations))

    def summary(self) -> str:
        """One sentence naming what the swap breaks, and for whom ("" when it breaks nothing)."""
        parts = []
        for person, finding in self.violations:
            who = f"{person.full_name}: " if person is not None else ""
            parts.append(f"{who}{finding.title} — {finding.message}")
        return "; ".join(dict.fromkeys(parts))

    def to_json(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at.isoformat(),
            "version": self.version_id,
            "ok": self.ok,
            "people": [{"id": p.pk, "name": p.full_name} for p in self.people],
            "checks": ["acgme", "supervision", "call_spacing", "faculty_call_spacing"],
            "findings": [
                {
                    "person": person.pk if person is not None else None,
                    "person_name": person.full_name if person is not None else "",
                    "rule": finding.rule,
                    "clause": finding.clause,
                    "severity": finding.severity,
                    "title": finding.title,
                    "message": finding.message,
                }
                for person, finding in self.findings
            ],
        }


def parties(state: ScheduleState, changes: Changes) -> list[Person]:
    """Everyone whose schedule the change touches: the people of its half-days, calls (added or removed) and
    block rotations."""
    ids = set(changes.people)
    removed = changes.calls_removed
    if removed:
        ids |= {call.person_id for calls in state.calls.values() for call in calls if call.pk in removed}
    return [state.people[pk] for pk in sorted(ids) if pk in state.people]


def _acgme(state: ScheduleState, residents: list[Person], changes: Changes) -> list[tuple[Person, RuleFinding]]:
    if not residents:
        return []
    ids = [p.pk for p in residents]
    keys = {person_key(p.pk): p for p in residents}
    before = person_report(version=state.version, person_ids=ids)
    known = {(v.person, v.rule, v.start, v.end, v.value) for v in before.violations}
    after = person_report(version=state.version, person_ids=ids, changes=changes)
    found = []
    for v in after.violations:
        if (v.person, v.rule, v.start, v.end, v.value) in known or v.person not in keys:
            continue
        message = f"{rule_measure(v.rule, v.value, v.limit)} ({v.start:%a %d %b %H:%M} to {v.end:%a %d %b %H:%M})."
        found.append((keys[v.person], RuleFinding(rule=v.rule, clause=v.clause, severity=v.severity, message=message)))
    return found


def _faculty_call_spacing(state: ScheduleState, person: Person, changes: Changes) -> list[RuleFinding]:
    """Pairs of the faculty member's attending call nights the change brings closer than the program allows."""
    faculty_call = state.settings.requirements.faculty_call
    if faculty_call is None:
        return []
    gap = max(1, faculty_call.min_days_between)
    zone = state.zone

    def close_pairs(with_changes: Changes | None) -> set[tuple[dt.date, dt.date]]:
        calls = calls_with_changes(state.version, [person.pk], with_changes)
        nights = sorted({c.start.astimezone(zone).date() for c in calls if c.kind == CallAssignment.Kind.ATTENDING})
        return {(a, b) for a, b in zip(nights, nights[1:], strict=False) if (b - a).days <= gap}

    findings = []
    for a, b in sorted(close_pairs(changes) - close_pairs(None)):
        findings.append(
            RuleFinding(
                rule="faculty_call_spacing",
                clause=PROGRAM_RULE,
                severity=VIOLATION,
                message=f"{a:%a %d %b} and {b:%a %d %b} are attending call nights {(b - a).days} day(s) apart; "
                f"the program needs more than {gap} day(s) between one attending's calls.",
            )
        )
    return findings


def swap_check(*, state: ScheduleState, changes: Changes) -> SwapCheck:
    """Check the schedule after `changes` (a swap's merged legs) for every party; see the module's docstring."""
    people = parties(state, changes)
    residents = [p for p in people if p.kind == Person.Kind.RESIDENT]
    findings: list[tuple[Person | None, RuleFinding]] = list(_acgme(state, residents, changes))
    findings += [(None, finding) for finding in _supervision_findings(version=state.version, changes=changes)]
    for person in residents:
        findings += [(person, f) for f in _call_spacing_findings(version=state.version, person=person, changes=changes)]
    for person in people:
        if person.kind == Person.Kind.FACULTY:
            findings += [(person, f) for f in _faculty_call_spacing(state, person, changes)]
    return SwapCheck(
        version_id=state.version.pk, people=tuple(people), findings=tuple(findings), checked_at=timezone.now()
    )


def rule_titles(findings: list[tuple[Person | None, RuleFinding]]) -> list[str]:
    """The rules of some findings in words, each once (for messages)."""
    return list(dict.fromkeys(rule_title(finding.rule) for _, finding in findings))
