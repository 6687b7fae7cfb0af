"""The compliance check of a swap: the schedule after the swap, for every party, against the schedule before.

`swap_check(state=, changes=)` checks the merged change of a swap's legs (`swaps.shifts.plan_legs`) on the
version the state was read from, the way a coordinator's cell edit is checked (scheduling/services/edits.py):
- the ACGME rules over each resident party's whole year: the violations and warnings the swap adds;
- the supervision of every half-day session the swap touches (a session it leaves with fewer faculty than its
  residents need, or more residents than before);
- the spacing of each resident party's in-house calls (the program's `min_days_between_calls`);
- the spacing of each faculty party's attending calls on the roster's nights (the program's faculty_call
  `min_days_between`; an FMIT week's weekend calls are outside the roster, as in the engine).

Only what the swap adds counts: a rule the schedule already broke before is not the swap's doing. A violation
refuses the swap (`ok` is False); a warning is kept in the proof. `to_json()` is the proof stored on the swap.

The check runs in memory from the `ScheduleState` (no query per party): each party's duties are derived from the
state's rows with the change applied by the same code that reads them from the database for
`scheduling.compliance.person_report` (`day_duties`, `call_duty`, `person_entry`), so the findings are those of
`person_report` before and after (tests/swaps/test_matching_checks.py proves it on random changes). A `Checker`
keeps, for one state, what does not change between the changes it checks (the matcher checks many candidates of
one request): each person's duty periods by date, their report before any change (only read when the change's
report has findings), the checker's report of any duties already checked (the giver's side of a give-away is the
same whoever takes it), the parsed duty periods, and the rows and verdict of the supervised half-days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from scheduling.compliance import (
    CLINIC_SITE,
    CLINIC_SITE_LABEL,
    SUPERVISED_WORK,
    SUPERVISING,
    CallChange,
    Changes,
    call_duty,
    call_nights,
    day_duties,
    duties_rules,
    is_site_row,
    person_entry,
    rule_measure,
    rule_title,
    sites_of,
    sorted_duties,
    supervised_base,
    supervised_rotations,
    supervision_check,
)
from scheduling.engine.acgme import Report, Violation, check
from scheduling.engine.duties import DutyRoster, PersonDuties, parse_duties
from scheduling.engine_io import rotation_key
from scheduling.models import CallAssignment, Person, SessionAssignment
from scheduling.services.edits import PROGRAM_RULE, RuleFinding, acgme_finding, call_spacing_finding
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


def swap_check(*, state: ScheduleState, changes: Changes) -> SwapCheck:
    """Check the schedule after `changes` (a swap's merged legs) for every party; see the module's docstring."""
    return Checker(state).check(changes)


def _item_key(item: dict[str, Any]) -> tuple:
    """A duty period or leave run as a key: its values (start, end and kind, worked hours; start and end)."""
    return tuple(item.values())


def _violation_key(v: Violation) -> tuple:
    return (v.rule, v.start, v.end, v.value)


def _close_pairs(nights: list[dt.date], gap: int) -> set[tuple[dt.date, dt.date]]:
    return {(a, b) for a, b in zip(nights, nights[1:], strict=False) if (b - a).days <= gap}


class Checker:
    """Checks changes of one state, reusing what does not change between them (module docstring)."""

    def __init__(self, state: ScheduleState) -> None:
        self.state = state
        self.rules = duties_rules(state.settings)
        self.checked = 0  # full-year reports computed (not found in the memo)
        self._days: dict[int, dict[dt.date, dict[str, str]]] = {}
        self._day_items: dict[int, dict[dt.date, tuple[list[dict[str, Any]], bool]]] = {}
        self._reports: dict[tuple, Report] = {}
        self._parsed: dict[tuple, Any] = {}
        self._template: DutyRoster | None = None
        self._before: dict[int, set[tuple]] = {}
        self._base: set[int] | None = None
        self._site_rows: dict[tuple[frozenset, frozenset], tuple[dict, dict[int, str]]] = {}
        self._pgy_of: dict[int, int | None] = {}
        self._excess: dict[frozenset, dict[tuple, float]] = {}

    # The duties of one person, from the state.

    def _person_days(self, person_id: int) -> dict[dt.date, dict[str, str]]:
        """The person's {session: activity} by date, from the state (read once per person)."""
        if person_id not in self._days:
            year = self.state.version.academic_year
            sessions, days = self.state.sessions, {}
            day = year.start_date - dt.timedelta(days=1)  # the rows of the version are those of its year
            while day <= year.end_date:
                found = {s: value[0] for s in ("AM", "PM") if (value := sessions.get((person_id, day, s))) is not None}
                if found:
                    days[day] = found
                day += dt.timedelta(days=1)
            self._days[person_id] = days
        return self._days[person_id]

    def _dates(self, person_id: int) -> dict[dt.date, tuple[list[dict[str, Any]], bool]]:
        """Each date's duty periods and leave of the person before any change (by date, in date order)."""
        if person_id not in self._day_items:
            state = self.state
            self._day_items[person_id] = {
                day: day_duties(day, sessions, state.clock, state.settings.rules)
                for day, sessions in self._person_days(person_id).items()
            }
        return self._day_items[person_id]

    def _entry(self, person: Person, changes: Changes | None) -> dict[str, Any]:
        """The person's DUTIES entry with the changes applied, as `person_report` reads it from the database: the
        dates the change touches derived again, the others as before (`day_duties` works date by date)."""
        base = self._dates(person.pk)
        changed: dict[dt.date, dict[str, str]] = {}
        for (pid, day, session), value in (changes.sessions if changes else {}).items():
            if pid != person.pk:
                continue
            sessions = changed.setdefault(day, dict(self._person_days(pid).get(day, {})))
            if value is None:
                sessions.pop(session, None)
            else:
                sessions[session] = value[0]
        state = self.state
        items = dict(base)
        for day, sessions in changed.items():
            items[day] = day_duties(day, sessions, state.clock, state.settings.rules)
        duties = [item for day in sorted(items) for item in items[day][0]]
        duties += [item for call in self._calls(person.pk, changes) if (item := call_duty(call, state.zone))]
        leave = [day for day in sorted(items) if items[day][1]]
        return person_entry(person, sorted_duties(duties), leave)

    def _calls(self, person_id: int, changes: Changes | None) -> list[CallChange]:
        removed = changes.calls_removed if changes else frozenset()
        calls = [
            CallChange(c.person_id, c.kind, c.start, c.end, c.worked_hours)
            for c in self.state.calls.get(person_id, ())
            if c.pk not in removed
        ]
        return calls + [c for c in (changes.calls_added if changes else ()) if c.person_id == person_id]

    def report(self, person: Person, changes: Changes | None = None) -> Report:
        """The checker's report on the person's whole year with the changes applied (memoised by duties)."""
        entry = self._entry(person, changes)
        duties = tuple(_item_key(item) for item in entry["duties"])
        leave = tuple(_item_key(item) for item in entry["leave"])
        key = (entry["id"], entry["pgy"], duties, leave)
        found = self._reports.get(key)
        if found is None:
            self.checked += 1
            found = check(self._roster(entry, duties, leave))
            self._reports[key] = found
        return found

    def _roster(self, entry: dict[str, Any], duties: tuple, leave: tuple) -> DutyRoster:
        """`parse_duties` of the one-person document, each duty period parsed once per checker: the periods of
        a year hardly change from one swap to the next (the parsed roster is the same)."""
        parsed = self._parsed
        if self._template is None or any(key not in parsed for key in (*duties, *leave)):
            document = {"timezone": self.state.version.program.time_zone, "rules": self.rules}
            new_duties = [item for item, key in zip(entry["duties"], duties, strict=True) if key not in parsed]
            new_leave = [item for item, key in zip(entry["leave"], leave, strict=True) if key not in parsed]
            roster = parse_duties(document | {"people": [entry | {"duties": new_duties, "leave": new_leave}]})
            self._template = self._template or roster
            parsed |= {_item_key(i): d for i, d in zip(new_duties, roster.people[0].duties, strict=True)}
            parsed |= {_item_key(i): d for i, d in zip(new_leave, roster.people[0].leave, strict=True)}
        person = PersonDuties(
            id=entry["id"],
            pgy=entry["pgy"],
            duties=tuple(parsed[key] for key in duties),
            leave=tuple(parsed[key] for key in leave),
        )
        return dataclasses.replace(self._template, people=(person,))

    def _known(self, person: Person) -> set[tuple]:
        if person.pk not in self._before:
            self._before[person.pk] = {_violation_key(v) for v in self.report(person).violations}
        return self._before[person.pk]

    def acgme_findings(self, person: Person, changes: Changes) -> list[RuleFinding]:
        """The violations and warnings the change adds to a resident's year (none for faculty)."""
        if person.kind != Person.Kind.RESIDENT:
            return []
        after = self.report(person, changes)
        if not after.violations:
            return []
        known = self._known(person)
        return [acgme_finding(v) for v in after.violations if _violation_key(v) not in known]

    # Call spacing (a program rule).

    def call_spacing_findings(self, person: Person, changes: Changes) -> list[RuleFinding]:
        """Pairs of in-house call nights the change brings closer than the program allows (as the cell edits
        check them, `_call_spacing_findings` in scheduling/services/edits.py)."""
        rules = self.state.settings.rules
        gap = max(1, rules.min_days_between_calls)
        zone = self.state.zone
        before = _close_pairs(call_nights(self._calls(person.pk, None), zone), gap)
        after = _close_pairs(call_nights(self._calls(person.pk, changes), zone), gap)
        return [call_spacing_finding(a, b, rules=rules) for a, b in sorted(after - before)]

    def faculty_call_spacing_findings(self, person: Person, changes: Changes) -> list[RuleFinding]:
        """Pairs of the faculty member's attending call nights (on the roster's nights) the change brings closer
        than the program allows."""
        faculty_call = self.state.settings.requirements.faculty_call
        if faculty_call is None:
            return []
        gap = max(1, faculty_call.min_days_between)
        zone = self.state.zone

        roster = set(faculty_call.nights)

        def close_pairs(with_changes: Changes | None) -> set[tuple[dt.date, dt.date]]:
            # The roster's nights only, as the engine spaces them: an FMIT week's weekend calls (Friday and
            # Saturday, the FMIT attending's) are outside the roster and its spacing.
            calls = self._calls(person.pk, with_changes)
            local = {c.start.astimezone(zone).date() for c in calls if c.kind == CallAssignment.Kind.ATTENDING}
            return _close_pairs(sorted(night for night in local if night.weekday() in roster), gap)

        return [
            RuleFinding(
                rule="faculty_call_spacing",
                clause=PROGRAM_RULE,
                severity=VIOLATION,
                message=f"{a:%a %d %b} and {b:%a %d %b} are attending call nights {(b - a).days} day(s) apart; "
                f"the program needs more than {gap} day(s) between one attending's calls.",
            )
            for a, b in sorted(close_pairs(changes) - close_pairs(None))
        ]

    # Supervision of the changed half-days.

    def _rows_at(self, keys: set[tuple[dt.date, str]], scope: set[int]) -> tuple[dict, dict[int, str]]:
        """The half-days of everyone in the version at `keys` that can count for supervision under `scope`, and
        their people's kinds (one query per set of half-days, whoever the state holds)."""
        memo = (frozenset(keys), frozenset(scope))
        if memo not in self._site_rows:
            rows = SessionAssignment.objects.filter(
                version=self.state.version, date__in={day for day, _ in keys}
            ).filter(Q(activity__in=SUPERVISING) | Q(rotation_id__in=scope, activity__in=SUPERVISED_WORK))
            half_days, kinds = {}, {}
            for person_id, kind, day, session, activity, rotation_id in rows.order_by().values_list(
                "person_id", "person__kind", "date", "session", "activity", "rotation_id"
            ):
                if (day, session) in keys:
                    half_days[(person_id, day, session)] = (activity, rotation_id)
                    kinds[person_id] = kind
            self._site_rows[memo] = (half_days, kinds)
        return self._site_rows[memo]

    def supervision_findings(self, changes: Changes) -> list[RuleFinding]:
        """The half-day sessions the change leaves with more supervision units than their faculty cover, or with
        more than they had (as the cell edits check them, `_supervision_findings` in scheduling/services/edits.py)."""
        keys = {(day, session) for _, day, session in changes.sessions}
        if not keys:
            return []
        kinds = {pk: person.kind for pk, person in self.state.people.items()}
        if self._base is None:
            self._base = supervised_base(self.state.version)
        rotations = self.state.rotations

        def requiring(pks: set[int]) -> set[int]:
            return {pk for pk in pks if pk in rotations and rotations[pk].requires_supervision}

        scope_before = self._base
        scope_after = supervised_rotations(base=self._base, changes=changes, kinds=kinds, requiring=requiring)
        half_days, row_kinds = self._rows_at(keys, scope_after)
        kinds = row_kinds | kinds
        residents = {pk for pk, kind in kinds.items() if kind == Person.Kind.RESIDENT}
        pgy = self._pgy(residents)

        def report(scope: set[int], with_changes: Changes | None) -> Report:
            rows = {key: value for key, value in half_days.items() if is_site_row(value[0], value[1], scope)}
            sites = sites_of(half_days=rows, changes=with_changes, kinds=kinds, scope=scope, wanted=keys)
            return supervision_check(
                time_zone=self.state.version.program.time_zone,
                rules=self.rules,
                sites=sites,
                pgy=pgy,
                clock=self.state.clock,
            )

        memo = frozenset(keys)
        if memo not in self._excess:
            self._excess[memo] = {(v.start, v.site): v.value - v.limit for v in report(scope_before, None).violations}
        excess = self._excess[memo]
        after = [
            v for v in report(scope_after, changes).violations if v.value - v.limit > excess.get((v.start, v.site), 0)
        ]
        found = []
        for v in after:
            site = self._site_label(v.site)
            message = (
                f"{site}, {v.start:%a %d %b} {v.session}: {rule_measure(v.rule, v.value, v.limit)} "
                f"({len(v.residents)} resident(s), {len(v.faculty)} faculty)."
            )
            found.append(RuleFinding(rule=v.rule, clause=v.clause, severity=v.severity, message=message))
        return found

    def _pgy(self, residents: set[int]) -> dict[int, int | None]:
        pgy = {pk: p.pgy for pk, p in self.state.people.items() if pk in residents}
        missing = residents - set(pgy) - set(self._pgy_of)
        if missing:
            self._pgy_of |= dict(Person.objects.filter(pk__in=missing).values_list("pk", "pgy"))
        return pgy | {pk: self._pgy_of[pk] for pk in residents if pk in self._pgy_of}

    def _site_label(self, site: str) -> str:
        if site == CLINIC_SITE:
            return CLINIC_SITE_LABEL
        for pk, rotation in self.state.rotations.items():
            if rotation_key(pk) == site:
                return rotation.name
        return site

    # The whole check.

    def check(self, changes: Changes, *, first_only: bool = False) -> SwapCheck:
        """Every rule the change breaks, for every party (`parties`). `first_only` stops at the first violation
        (the cheap rules first: call spacing and supervision, then each resident's year): enough to refuse."""
        people = parties(self.state, changes)
        residents = [p for p in people if p.kind == Person.Kind.RESIDENT]
        spacing: list[tuple[Person | None, RuleFinding]] = []
        for person in people:
            if person.kind == Person.Kind.RESIDENT:
                spacing += [(person, f) for f in self.call_spacing_findings(person, changes)]
        faculty: list[tuple[Person | None, RuleFinding]] = []
        for person in people:
            if person.kind == Person.Kind.FACULTY:
                faculty += [(person, f) for f in self.faculty_call_spacing_findings(person, changes)]

        def done(found: list[tuple[Person | None, RuleFinding]]) -> bool:
            return first_only and any(f.severity == VIOLATION for _, f in found)

        supervision: list[tuple[Person | None, RuleFinding]] = []
        if not done(spacing + faculty):
            supervision = [(None, f) for f in self.supervision_findings(changes)]
        acgme: list[tuple[Person | None, RuleFinding]] = []
        for person in residents:
            if done(spacing + faculty + supervision + acgme):
                break
            acgme += [(person, f) for f in self.acgme_findings(person, changes)]
        findings = acgme + supervision + spacing + faculty  # in the order of the module's docstring
        return SwapCheck(
            version_id=self.state.version.pk, people=tuple(people), findings=tuple(findings), checked_at=timezone.now()
        )


def rule_titles(findings: list[tuple[Person | None, RuleFinding]]) -> list[str]:
    """The rules of some findings in words, each once (for messages)."""
    return list(dict.fromkeys(rule_title(finding.rule) for _, finding in findings))
