"""Auto-matching (swaps.matching): proposals are filtered hard (eligibility, absences, credentials, the full ACGME
re-check of both parties) before they are ranked and shown; the marketplace marks what I could take; chains are
cycles among open postings, verified together."""

import datetime as dt

import pytest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from absences.models import Absence
from credentials.models import CertificationType, PersonCertification
from scheduling.models import CallAssignment, Person, Preference, SessionAssignment
from scheduling.services import scheduling_settings_update
from swaps.checks import swap_check
from swaps.matching import chain_create, chains, marketplace, match, proposals
from swaps.models import Swap, SwapLeg
from swaps.services import LegSpec, swap_create
from swaps.shifts import ScheduleState, Shift, plan_legs
from tests.scheduling.factories import RotationTemplateFactory
from tests.swaps.factories import (
    FACULTY_CALL,
    add_call,
    call_nights,
    call_shift,
    fill_block,
    resident,
    session_shift,
    swap_world,
)

Activity = SessionAssignment.Activity
pytestmark = pytest.mark.django_db


def recheck(world, legs) -> bool:
    """Plan the legs again on a freshly read schedule and check them: what a coordinator's approval would do."""
    state = ScheduleState.load(version=world.version, people=Person.objects.filter(program=world.program))
    changes, _ = plan_legs(state, [(g.pk, t.pk, s) for g, t, s in legs])
    return swap_check(state=state, changes=changes).ok


def overloaded(world, name: str = "Eve") -> Person:
    """A PGY-2 resident on Wards in the first block working 80 h every week: Monday to Sunday 07:00-17:00 (70 h)
    and a home call on Wednesday nights with 10 h worked. Any call more puts her over the 80-hour limit."""
    eve = resident(world.program, name, 2)
    fill_block(world.version, eve, world.block, world.wards)
    SessionAssignment.objects.filter(version=world.version, person=eve, activity=Activity.OFF).update(
        activity=Activity.INPATIENT, rotation=world.wards
    )
    zone = world.program.zone
    day, calls = world.block.start_date, []
    while day <= world.block.end_date:
        if day.weekday() == 2:
            start = dt.datetime.combine(day, dt.time(17), tzinfo=zone)
            calls.append(
                CallAssignment(
                    program=world.program,
                    version=world.version,
                    person=eve,
                    kind=CallAssignment.Kind.HOME,
                    start=start,
                    end=start + dt.timedelta(hours=15),
                    worked_hours=10,
                )
            )
        day += dt.timedelta(days=1)
    bulk_create_with_history(calls, CallAssignment)
    return eve


def executed_swap(world, giver: Person, taker: Person, shift: str, day: dt.date) -> None:
    """A past swap in which `taker` took `giver`'s shift."""
    swap = Swap.objects.create(
        program=world.program,
        academic_year=world.year,
        kind=Swap.Kind.GIVEAWAY,
        status=Swap.Status.EXECUTED,
        requester=giver,
        executed_at=timezone.now() - dt.timedelta(days=30),
    )
    SwapLeg.objects.create(program=world.program, swap=swap, giver=giver, taker=taker, shift=shift, date=day)


def test_a_candidate_who_would_go_over_80_hours_is_never_proposed_though_they_would_rank_first(world):
    eve = overloaded(world)
    night = call_nights(world, world.ann)[0]
    # Ann took three of Eve's calls before (reciprocity favours Eve); Ben blocked that week.
    for weeks in (20, 16, 12):
        executed_swap(world, eve, world.ann, "call", night - dt.timedelta(weeks=weeks))
    Preference.objects.create(
        program=world.program,
        person=world.ben,
        academic_year=world.year,
        kind=Preference.Kind.BLOCKED_WEEK,
        week_start=night - dt.timedelta(days=night.weekday()),
    )

    result = match(program=world.program, giver=world.ann, shift=call_shift(night))

    # the cheap score puts Eve first, and her give-away first among the give-aways...
    assert result.ranked[0][0] == eve
    assert next(taker for taker, kind, _ in result.ranked if kind == "giveaway") == eve
    assert (eve, "giveaway") not in [(p.taker, p.kind) for p in result.proposals]  # ...the re-check refuses her
    assert (world.ben, "giveaway") in [(p.taker, p.kind) for p in result.proposals]
    ben = next(p for p in result.proposals if p.taker == world.ben and p.kind == "giveaway")
    assert any("blocked week" in reason for reason in ben.reasons)
    state = ScheduleState.load(version=world.version, people=Person.objects.filter(program=world.program))
    changes, _ = plan_legs(state, [(world.ann.pk, eve.pk, call_shift(night))])
    refused = swap_check(state=state, changes=changes)
    assert "weekly_hours" in {finding.rule for _, finding in refused.violations}
    for proposal in result.proposals:  # whatever else is proposed passes the full re-check
        assert proposal.check.ok and recheck(world, proposal.legs)
        if proposal.taker == eve:  # a trade can keep her under the limit: she hands a shift back
            assert proposal.kind == "trade"


def test_an_absent_candidate_is_never_proposed(world):
    night = call_nights(world, world.ann)[1]
    assert world.ben in [p.taker for p in proposals(program=world.program, giver=world.ann, shift=call_shift(night))]
    Absence.objects.create(
        program=world.program,
        person=world.ben,
        kind="vacation",
        start_date=night - dt.timedelta(days=1),
        end_date=night + dt.timedelta(days=1),
        status=Absence.Status.APPROVED,
    )

    result = match(program=world.program, giver=world.ann, shift=call_shift(night))

    assert world.ben not in [p.taker for p in result.proposals]
    assert "absent" in result.refused[world.ben.pk]


def test_a_candidate_below_the_calls_pgy_level_is_never_proposed(world):
    scheduling_settings_update(
        program=world.program,
        user=world.coordinator,
        settings={
            "requirements": {"faculty_call": FACULTY_CALL, "call": [{"kind": "in_house", "per_night": 1, "min_pgy": 2}]}
        },
    )
    night = call_nights(world, world.ben)[0]

    result = match(program=world.program, giver=world.ben, shift=call_shift(night))

    assert world.ann not in [p.taker for p in result.proposals]
    assert "PGY-2" in result.refused[world.ann.pk] and "PGY-1" in result.refused[world.ann.pk]


def test_a_faculty_member_without_the_rotations_credential_is_never_proposed(world):
    procedures = RotationTemplateFactory(
        program=world.program, name="Procedures", abbreviation="PR", supervisor_credentials="ACLS"
    )
    row = SessionAssignment.objects.filter(version=world.version, person=world.fay, session="AM").order_by("date")[3]
    row.activity, row.rotation = Activity.SUPERVISING, procedures
    row.save()
    acls = CertificationType.objects.create(program=world.program, code="ACLS", name="Advanced cardiac life support")
    PersonCertification.objects.create(
        program=world.program,
        person=world.gus,
        type=acls,
        issued_on=row.date - dt.timedelta(days=300),
        expires_on=row.date + dt.timedelta(days=300),
    )

    result = match(program=world.program, giver=world.fay, shift=session_shift(row.date, "AM"))

    takers = [p.taker for p in result.proposals]
    assert world.gus in takers and world.hal not in takers
    assert "ACLS" in result.refused[world.hal.pk]


def test_at_most_five_proposals_best_first_each_explained_and_compliant(world):
    for n in range(6):
        extra = resident(world.program, f"Extra{n}", 1 + n % 3)
        fill_block(world.version, extra, world.block, world.electives)
    # Ann's continuity clinic on a Wednesday afternoon (a Wards resident's clinic half-day)
    day = (
        SessionAssignment.objects.filter(
            version=world.version, person=world.ann, session="PM", activity=Activity.CLINIC, rotation=None
        )
        .order_by("date")
        .first()
        .date
    )

    result = match(program=world.program, giver=world.ann, shift=session_shift(day, "PM"))

    found = result.proposals
    assert result.candidates >= 9 and len(found) == 5
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)
    assert all(p.reasons and all(isinstance(r, str) and r for r in p.reasons) for p in found)
    assert len({(p.taker.pk, p.kind) for p in found}) == 5
    for proposal in found:
        assert proposal.check.ok and recheck(world, proposal.legs)
        assert proposal.kind in ("giveaway", "trade") and (proposal.kind == "trade") == (
            proposal.return_shift is not None
        )


def test_the_marketplace_marks_each_posting_compatible_or_with_the_rule_that_blocks_me(world):
    eve = overloaded(world)
    night = call_nights(world, world.ann)[0]
    posting = swap_create(
        program=world.program,
        user=world.user("ann"),
        kind=Swap.Kind.POSTING,
        legs=[LegSpec(giver=world.ann, taker=None, shift=call_shift(night))],
    )

    for_ben = marketplace(program=world.program, person=world.ben)
    for_eve = marketplace(program=world.program, person=eve)
    for_dan = marketplace(program=world.program, person=world.dan)

    assert [(e.swap, e.compatible, e.blocking_rule) for e in for_ben] == [(posting, True, "")]
    [entry] = for_eve
    assert not entry.compatible and "weekly limit" in entry.blocking_rule and "Eve" in entry.reason
    [entry] = for_dan  # on a rotation that takes no call
    assert not entry.compatible and entry.blocking_rule == "Eligibility" and "takes no call" in entry.reason
    assert marketplace(program=world.program, person=world.ann) == []  # not my own posting


def test_a_three_way_chain_is_found_among_three_postings_and_turned_into_one_swap(program, coordinator):
    world = swap_world(program, coordinator=coordinator, calls=False)
    thursdays = [d for d in (world.block.start_date + dt.timedelta(days=n) for n in range(28)) if d.weekday() == 3]
    shifts = {}
    for name, night in zip(("fay", "gus", "hal"), thursdays, strict=False):
        add_call(world.version, world.people[name], night, CallAssignment.Kind.ATTENDING)
        shifts[name] = Shift("faculty_call", night)
        swap_create(
            program=program,
            user=world.user(name),
            kind=Swap.Kind.POSTING,
            legs=[LegSpec(giver=world.people[name], taker=None, shift=shifts[name])],
        )

    found = chains(program=program)

    three = [chain for chain in found if len(chain.legs) == 3]
    assert three and all(len(chain.legs) == 3 for chain in found)  # two postings make a trade, not a chain
    for chain in found:
        givers = [giver for giver, _, _ in chain.legs]
        takers = [taker for _, taker, _ in chain.legs]
        assert set(givers) == set(takers) and len(set(givers)) == len(givers)
        assert all(
            shift == shifts[next(n for n, p in world.people.items() if p == giver)] for giver, _, shift in chain.legs
        )
        assert chain.check.ok and recheck(world, chain.legs)
    swap = chain_create(program=program, user=coordinator, chain=three[0])
    assert swap.kind == Swap.Kind.CHAIN and swap.legs.count() == 3
    assert [(leg.giver, leg.taker) for leg in swap.legs.order_by("position")] == [(g, t) for g, t, _ in three[0].legs]


def test_another_programs_postings_never_appear(world, other_world):
    night = call_nights(other_world, other_world.ann)[0]
    swap_create(
        program=other_world.program,
        user=other_world.user("ann"),
        kind=Swap.Kind.POSTING,
        legs=[LegSpec(giver=other_world.ann, taker=None, shift=call_shift(night))],
    )
    other_ben = other_world.ben
    assert len(marketplace(program=other_world.program, person=other_ben)) == 1

    assert marketplace(program=world.program, person=world.ben) == []
    assert chains(program=world.program) == []
    with pytest.raises(Exception, match="is not in"):
        marketplace(program=world.program, person=other_ben)
    with pytest.raises(Exception, match="is not in"):
        proposals(program=world.program, giver=other_world.ann, shift=call_shift(night))


def test_the_reasons_name_the_pairs_history_and_the_wishes_each_with_its_points(world):
    night = call_nights(world, world.ann)[1]
    executed_swap(world, world.ben, world.ann, "call", night - dt.timedelta(weeks=10))  # Ann took Ben's call
    Preference.objects.create(
        program=world.program,
        person=world.ann,
        academic_year=world.year,
        kind=Preference.Kind.PREFERRED_WEEK,
        week_start=night - dt.timedelta(days=night.weekday()),
    )

    found = proposals(program=world.program, giver=world.ann, shift=call_shift(night))

    ben = next(p for p in found if p.taker == world.ben and p.kind == "giveaway")
    taken = night - dt.timedelta(weeks=10)
    assert f"You took their call on {taken:%a} {taken.day} {taken:%b}" in ben.reasons
    assert any(reason.startswith("Frees your wished-off week of") for reason in ben.reasons)
    assert ben.components["history"] == 5 and ben.components["preferences"] == 10
    assert abs(ben.score - sum(ben.components.values())) <= 0.2  # the score is the sum of its components
