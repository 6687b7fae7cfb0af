"""The fast compliance check of swaps (swaps.checks, in memory from a ScheduleState) finds exactly what the stored
schedule's own reading finds: `scheduling.compliance.person_report` before and after the change for each resident,
and the coordinators' cell-edit checks for supervision and call spacing (scheduling/services/edits.py)."""

import datetime as dt
import random

import pytest

from scheduling.compliance import CallChange, Changes, person_report, rule_measure
from scheduling.models import CallAssignment, Person, SessionAssignment
from scheduling.services.edits import _call_spacing_findings, _supervision_findings
from swaps.checks import Checker, parties, swap_check
from swaps.shifts import ScheduleState

Activity = SessionAssignment.Activity
ACTIVITIES = (
    Activity.CLINIC,
    Activity.INPATIENT,
    Activity.OFF,
    Activity.LEAVE,
    Activity.NIGHT_FLOAT,
    Activity.POST_CALL,
)

pytestmark = pytest.mark.django_db


def reference(state: ScheduleState, changes: Changes) -> list[tuple]:
    """What the database-reading checks find for the change (the findings `swap_check` must equal)."""
    version = state.version
    found = []
    for person in parties(state, changes):
        if person.kind != Person.Kind.RESIDENT:
            continue
        before = person_report(version=version, person_ids=[person.pk])
        known = {(v.rule, v.start, v.end, v.value) for v in before.violations}
        for v in person_report(version=version, person_ids=[person.pk], changes=changes).violations:
            if (v.rule, v.start, v.end, v.value) not in known:
                message = (
                    f"{rule_measure(v.rule, v.value, v.limit)} ({v.start:%a %d %b %H:%M} to {v.end:%a %d %b %H:%M})."
                )
                found.append((person.pk, v.rule, v.severity, message))
        found += [
            (person.pk, f.rule, f.severity, f.message)
            for f in _call_spacing_findings(version=version, person=person, changes=changes)
        ]
    found += [(None, f.rule, f.severity, f.message) for f in _supervision_findings(version=version, changes=changes)]
    return sorted(found, key=repr)


def fast(check) -> list[tuple]:
    return sorted(
        (
            (p.pk if p else None, f.rule, f.severity, f.message)
            for p, f in check.findings
            if f.rule != "faculty_call_spacing"
        ),
        key=repr,
    )


def random_changes(world, rng: random.Random, state: ScheduleState) -> Changes:
    """Some half-days of residents and faculty set to random activities (or removed), some calls removed and some
    in-house calls added, within the world's two blocks: enough to break rules now and then."""
    people = list(world.people.values())
    first, last = world.block.start_date, (world.next_block or world.block).end_date
    days = (last - first).days
    sessions = {}
    for _ in range(rng.randrange(1, 12)):
        person = rng.choice(people)
        day = first + dt.timedelta(days=rng.randrange(days))
        for session in rng.sample(["AM", "PM"], rng.randrange(1, 3)):
            activity = rng.choice((*ACTIVITIES, None))
            sessions[(person.pk, day, session)] = None if activity is None else (activity, None)
    calls = [c for cs in state.calls.values() for c in cs]
    removed = frozenset(c.pk for c in rng.sample(calls, min(len(calls), rng.randrange(0, 4))))
    added = []
    zone = world.program.zone
    for _ in range(rng.randrange(0, 6)):
        person = rng.choice(world.residents)
        night = first + dt.timedelta(days=rng.randrange(days))
        start = dt.datetime.combine(night, dt.time(rng.choice([7, 13, 17])), tzinfo=zone)
        kind = rng.choice([CallAssignment.Kind.IN_HOUSE, CallAssignment.Kind.HOME])
        worked = rng.choice([None, 2.5]) if kind == CallAssignment.Kind.HOME else None
        added.append(CallChange(person.pk, kind, start, start + dt.timedelta(hours=rng.choice([15, 24, 26])), worked))
    return Changes(sessions=sessions, calls_removed=removed, calls_added=tuple(added))


def test_the_fast_check_finds_what_person_report_finds_before_and_after_random_changes(world):
    state = ScheduleState.load(version=world.version, people=Person.objects.filter(program=world.program))
    checker = Checker(state)  # one checker for all: its memos must never leak one change into another
    rng = random.Random(13)
    broken = 0
    for _ in range(25):
        changes = random_changes(world, rng, state)
        expected = reference(state, changes)
        assert fast(checker.check(changes)) == expected
        assert fast(swap_check(state=state, changes=changes)) == expected
        broken += bool(expected)
    assert broken >= 5  # the random changes did break rules, so the comparison means something


def test_first_only_refuses_exactly_when_the_full_check_does(world):
    state = ScheduleState.load(version=world.version, people=Person.objects.filter(program=world.program))
    checker = Checker(state)
    rng = random.Random(5)
    for _ in range(15):
        changes = random_changes(world, rng, state)
        full = swap_check(state=state, changes=changes)
        quick = checker.check(changes, first_only=True)
        assert quick.ok == full.ok
        assert set(quick.rules()) <= set(full.rules())
