"""The joint CP-SAT model: every schedule it returns keeps the hard rules and passes the ACGME checker.

No database; tiny problems, one worker and a seed, short time limits.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time as clock
from collections import Counter
from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.engine.acgme import check
from scheduling.engine.duties import parse_duties
from scheduling.engine.facts import Facts
from scheduling.engine.generate import SIZES, generate
from scheduling.engine.model import gap_of, solve
from scheduling.engine.problem import (
    Absence,
    Block,
    Calendar,
    CallCoverage,
    Faculty,
    Lock,
    Problem,
    ProgramRules,
    Requirements,
    Resident,
    Rotation,
    Staffing,
)
from scheduling.engine.solution import Progress, Solution
from scheduling.engine.solution_io import solution_to_json

START = date(2026, 7, 1)


def tiny(
    *,
    residents: int = 6,
    faculty: int = 3,
    days: int = 28,
    start: date = START,
    per_night: int = 1,
    **changes: object,
) -> Problem:
    """A small hand-made program: a Mon-Fri clinic rotation, a call-eligible ward, a night float, a procedure."""
    rotations = (
        Rotation("CLIN", "Clinic", "CLIN", "outpatient_clinic"),
        Rotation("WARD", "Wards", "WARD", "inpatient", call_eligible=True, leave_allowed=False),
        Rotation(
            "NF", "Night float", "NF", "night_float", min_pgy=2, work_days=(0, 1, 2, 3, 6), night=True,
            continuity_clinic=False, leave_allowed=False,
        ),
        Rotation("PROC", "Procedures", "PROC", "procedure", min_pgy=2, required_credentials=frozenset({"PROC"})),
    )  # fmt: skip
    people = tuple(
        Resident(f"r{n}", f"Resident {n}", 1 + n % 3, frozenset({"PROC"}) if n % 2 else frozenset())
        for n in range(residents)
    )
    attendings = tuple(
        Faculty(f"f{n}", f"Faculty {n}", clinic_min_per_week=1, fmit_target_weeks=4) for n in range(faculty)
    )
    problem = Problem(
        calendar=Calendar("America/New_York", (Block(1, start, start + timedelta(days=days - 1)),)),
        residents=people,
        faculty=attendings,
        rotations=rotations,
        requirements=Requirements(
            staffing=(Staffing("WARD", 2, 4), Staffing("NF", 0, 1)),
            clinic_sessions_per_week={1: 1, 2: 2, 3: 2},
            clinic_capacity=3,
            call=(CallCoverage(per_night=per_night),),
        ),
    )
    return dataclasses.replace(problem, **changes)  # type: ignore[arg-type]


# A search that its limit ends, not proven optimality, stops on a work limit (CP-SAT deterministic time): the same
# schedule on an idle or a loaded machine. The time limit beside it is only a safety net.
SAFETY_TIME_LIMIT = 300.0


def solved(problem: Problem, *, time_limit: float = 10.0, **kwargs: object) -> Solution:
    solution = solve(problem, time_limit=time_limit, workers=1, seed=0, **kwargs)  # type: ignore[arg-type]
    assert solution.has_schedule, solution.statistics.message
    return solution


def assert_compliant(solution: Solution) -> None:
    """The checker finds no violation and no warning in the derived duties."""
    report = check(parse_duties(solution_to_json(solution)["duties"]))
    assert report.compliant, report.violations[:3]
    assert report.violations == [], report.violations[:3]


def assert_schedule_rules(problem: Problem, solution: Solution) -> None:
    """Eligibility, absences, capacities, supervision, call spacing and the FMIT rules hold in the solution."""
    facts = Facts(problem)
    rotation_of = {(a.person, a.block): problem.rotation(a.rotation) for a in solution.rotations}
    for r, res in enumerate(problem.residents):
        for b, block in enumerate(problem.calendar.blocks):
            rot = rotation_of[res.id, block.number]
            assert rot.min_pgy <= res.pgy <= rot.max_pgy
            assert rot.required_credentials <= res.credentials
            if not rot.leave_allowed:
                assert not facts.absent_in_block(res.id, b)
        assert len([a for a in solution.rotations if a.person == res.id]) == len(problem.calendar.blocks)
        del r
    for staffing in problem.requirements.staffing:
        for block in problem.calendar.blocks:
            on = sum(1 for a in solution.rotations if a.block == block.number and a.rotation == staffing.rotation)
            assert staffing.max_residents is None or on <= staffing.max_residents
    call_days: dict[str, list[int]] = {}
    for call in solution.calls:
        i = facts.day_index[call.start.date()]
        assert not facts.is_absent(call.person, i) and not facts.is_absent(call.person, i + 1)
        if call.kind == "attending":  # faculty call: tests/engine/test_faculty_call.py
            continue
        res = problem.residents[facts.resident_index[call.person]]
        rot = rotation_of[res.id, problem.calendar.blocks[facts.block_of[i]].number]
        assert rot.call_eligible and not rot.night
        call_days.setdefault(call.person, []).append(i)
    per_night = sum(c.per_night for c in problem.requirements.call)
    assert max(Counter(i for days in call_days.values() for i in days).values(), default=0) <= per_night
    gap = max(1, problem.rules.min_days_between_calls)
    for days in call_days.values():
        days.sort()
        assert all(b - a > gap for a, b in zip(days, days[1:], strict=False))
    units: Counter[tuple[date, str]] = Counter()
    heads: Counter[tuple[date, str]] = Counter()
    faculty_in: Counter[tuple[date, str]] = Counter()
    fmit_days = {
        (week.person, week.start + timedelta(days=k))
        for week in solution.fmit_weeks
        for k in range((week.end - week.start).days + 1)
    }
    rules = problem.rules
    for row in solution.sessions:
        i = facts.day_index[row.date]
        if facts.is_absent(row.person, i):
            assert row.activity == "leave"
            continue
        if row.activity != "clinic":
            continue
        if row.person in facts.resident_index:
            pgy = problem.residents[facts.resident_index[row.person]].pgy
            units[row.date, row.session] += rules.pgy1_supervision_units if pgy == 1 else rules.other_supervision_units
            heads[row.date, row.session] += 1
        else:
            faculty_in[row.date, row.session] += 1
            assert (row.person, row.date) not in fmit_days
            if rules.fmit_recovery_day:
                assert (row.person, row.date - timedelta(days=1)) not in fmit_days or (
                    row.person,
                    row.date,
                ) in fmit_days
    for key, count in heads.items():
        assert count <= facts.clinic_capacity(facts.day_index[key[0]])
        assert faculty_in[key] * rules.supervision_units_per_faculty >= units[key]
    per_week = Counter(week.start for week in solution.fmit_weeks)
    assert max(per_week.values(), default=0) <= problem.requirements.fmit_max_attendings
    for fac in problem.faculty:
        mine = sorted(facts.fmit_week_of[facts.day_index[w.start]] for w in solution.fmit_weeks if w.person == fac.id)
        for a, b in zip(mine, mine[1:], strict=False):
            assert b - a > rules.fmit_min_gap_weeks or (b - a == 1 and rules.fmit_max_consecutive_weeks > 1)


def test_solve_generated_small_program_is_compliant_and_keeps_every_rule():
    r, f, b = SIZES["S"]
    problem = generate(r, f, b, seed=1)
    solution = solved(problem, time_limit=20)

    assert solution.statistics.status in ("optimal", "feasible")
    assert_compliant(solution)
    assert_schedule_rules(problem, solution)
    assert len([c for c in solution.calls if c.kind == "in_house"]) == 28  # one a night, none missing
    assert {row.activity for row in solution.sessions} <= {
        "clinic", "didactics", "fmit", "off", "leave", "night_float", "outpatient_clinic", "inpatient", "procedure",
        "elective", "post_call",
    }  # fmt: skip


def test_solve_reports_soft_costs_that_add_up_to_an_honest_gap():
    solution = solved(tiny())
    stats = solution.statistics

    assert stats.objective == sum(stats.soft_costs.values())
    assert stats.gap == gap_of(stats.objective, stats.best_bound)
    assert stats.gap == (stats.objective - stats.best_bound) / max(abs(stats.objective), 1)
    assert set(stats.fairness) >= {"call_nights", "weekend_calls", "holiday_calls", "fmit_weeks"}
    assert 0 <= stats.fairness["call_nights"]["PGY-2"]["gini"] <= 1


def test_solve_keeps_absences_free_of_duty_call_and_clinic():
    problem = tiny(absences=(Absence("r0", START + timedelta(days=5), START + timedelta(days=12)),))
    solution = solved(problem)

    absent = {START + timedelta(days=k) for k in range(5, 13)}
    assert not [c for c in solution.calls if c.person == "r0" and c.start.date() in absent]
    rows = [s for s in solution.sessions if s.person == "r0" and s.date in absent]
    assert {s.activity for s in rows} == {"leave"}
    person = next(p for p in solution.duties["people"] if p["id"] == "r0")
    assert person["leave"] == [{"start": "2026-07-06", "end": "2026-07-13"}]
    assert not [d for d in person["duties"] if d["start"][:10] in {a.isoformat() for a in absent}]
    assert next(a for a in solution.rotations if a.person == "r0").rotation != "WARD"  # leave not allowed there
    assert_compliant(solution)


def test_solve_honours_locks_and_eligibility():
    locks = (
        Lock("rotation", "r1", block=1, rotation="PROC"),
        Lock("call", "r2", date=START + timedelta(days=3)),
        Lock("fmit", "f1", date=START + timedelta(days=10)),
        Lock("clinic", "f0", date=START + timedelta(days=1), session="PM"),
    )
    problem = tiny(locks=locks)
    solution = solved(problem)

    assert ("r1", 1, "PROC") in {(a.person, a.block, a.rotation) for a in solution.rotations}
    assert ("r2", START + timedelta(days=3)) in {(c.person, c.start.date()) for c in solution.calls}
    week = next(w for w in solution.fmit_weeks if w.person == "f1")
    assert week.start <= START + timedelta(days=10) <= week.end
    clinic = {(s.person, s.date, s.session) for s in solution.sessions if s.activity == "clinic"}
    assert ("f0", START + timedelta(days=1), "PM") in clinic
    for a in solution.rotations:  # PROC needs the credential and PGY 2+
        if a.rotation == "PROC":
            res = next(r for r in problem.residents if r.id == a.person)
            assert "PROC" in res.credentials and res.pgy >= 2
    assert_schedule_rules(problem, solution)
    assert_compliant(solution)


def test_solve_caps_clinic_capacity_and_keeps_the_supervision_ratio():
    problem = tiny(residents=8, faculty=2)
    problem = dataclasses.replace(
        problem,
        requirements=dataclasses.replace(
            problem.requirements, clinic_capacity=2, clinic_sessions_per_week={1: 3, 2: 3, 3: 3}
        ),
    )
    solution = solved(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=0.5)

    heads = Counter(
        (s.date, s.session) for s in solution.sessions if s.activity == "clinic" and s.person.startswith("r")
    )
    assert heads and max(heads.values()) <= 2
    assert_schedule_rules(problem, solution)
    assert solution.statistics.soft_costs["clinic_continuity"] > 0  # capacity makes a shortfall, reported


def test_solve_fmit_weeks_follow_staffing_gap_no_clinic_and_recovery_day():
    problem = tiny(days=56, faculty=4)
    problem = dataclasses.replace(problem, rules=ProgramRules(fmit_min_gap_weeks=2, fmit_max_consecutive_weeks=1))
    solution = solved(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=0.5)

    starts = Counter(w.start for w in solution.fmit_weeks)
    assert all(1 <= n <= 2 for n in starts.values())
    assert len(starts) == len(Facts(problem).fmit_weeks)  # every week has its attending
    assert_schedule_rules(problem, solution)
    fmit = {(w.person, w.start, w.end) for w in solution.fmit_weeks}
    for person, _start, end in fmit:
        recovery = end + timedelta(days=1)
        rows = [s for s in solution.sessions if s.person == person and s.date == recovery]
        assert all(s.activity != "clinic" for s in rows)
        weekend = [s for s in solution.sessions if s.person == person and s.date == end - timedelta(days=1)]
        assert {s.activity for s in weekend} == {"fmit"}  # the week's weekend goes with it


def test_solve_cancelled_after_the_first_solution_keeps_the_schedule():
    problem = generate(8, 4, 2, seed=2)
    found = threading.Event()

    def progress(_p: object) -> None:
        found.set()

    solution = solve(problem, time_limit=30, workers=1, seed=0, on_progress=progress, should_stop=found.is_set)

    assert solution.statistics.status == "cancelled"
    assert solution.has_schedule
    assert solution.statistics.wall_seconds < 10
    assert_compliant(solution)


def test_solve_cancel_between_solutions_stops_within_a_second():
    problem = generate(8, 4, 2, seed=2)
    started = clock.monotonic()

    def should_stop() -> bool:
        return clock.monotonic() - started > 2.0

    solution = solve(problem, time_limit=60, workers=1, seed=0, should_stop=should_stop)

    assert solution.statistics.status == "cancelled"
    assert solution.statistics.wall_seconds < 4


def test_solve_stopped_by_its_limit_with_a_schedule_gives_feasible():
    solution = solve(generate(8, 4, 2, seed=2), time_limit=SAFETY_TIME_LIMIT, work_limit=0.2, workers=1, seed=0)

    assert solution.statistics.status == "feasible"
    assert solution.has_schedule
    assert solution.statistics.gap is not None and solution.statistics.gap > 0
    assert_compliant(solution)


def test_solve_with_a_work_limit_gives_the_same_schedule_however_long_the_search_takes():
    problem = generate(8, 4, 2, seed=2)  # far from proven optimal when the work limit ends the search

    first = solve(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=0.2, workers=1, seed=0)
    second = solve(problem, time_limit=SAFETY_TIME_LIMIT, work_limit=0.2, workers=1, seed=0)

    assert first.statistics.status == second.statistics.status == "feasible"
    assert first.statistics.objective == second.statistics.objective
    one, other = solution_to_json(first), solution_to_json(second)
    for key in ("rotations", "sessions", "calls", "fmit_weeks", "duties"):
        assert one[key] == other[key]


def test_solve_same_seed_one_worker_gives_the_same_schedule():
    problem = tiny(residents=5, faculty=2)

    first = solution_to_json(solve(problem, time_limit=20, workers=1, seed=7))
    second = solution_to_json(solve(problem, time_limit=20, workers=1, seed=7))

    assert first["statistics"]["status"] == "optimal"
    for key in ("rotations", "sessions", "calls", "fmit_weeks", "duties"):
        assert first[key] == second[key]


def test_solve_reports_a_call_night_nobody_can_take_by_name():
    problem = tiny(residents=3)
    everyone_away = tuple(
        Absence(r.id, START + timedelta(days=9), START + timedelta(days=11)) for r in problem.residents
    )
    solution = solved(dataclasses.replace(problem, absences=everyone_away))

    messages = [c.message for c in solution.statistics.conflicts]
    assert "Night of 2026-07-11: in-house call needs 1 resident; none is eligible and available" in messages
    assert solution.statistics.soft_costs["coverage_shortfall"] > 0


# ---------------------------------------------------------------------------------------------
# Randomised tiny programs: every schedule passes the ACGME checker and the hard rules


@st.composite
def random_programs(draw: st.DrawFn) -> Problem:
    start = draw(st.sampled_from([date(2026, 7, 1), date(2026, 10, 22), date(2027, 3, 4)]))  # two cover DST
    lengths = draw(st.lists(st.integers(7, 18), min_size=1, max_size=2))
    blocks, day = [], start
    for n, length in enumerate(lengths, start=1):
        blocks.append(Block(n, day, day + timedelta(days=length - 1)))
        day += timedelta(days=length)
    rotations = [Rotation("BASE", "Base", "B", "outpatient_clinic")]
    for n in range(draw(st.integers(1, 3))):
        night = draw(st.booleans()) and n == 0
        work = tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=3, max_size=7 if not night else 5))))
        rotations.append(
            Rotation(
                f"R{n}",
                f"Rotation {n}",
                f"R{n}",
                "night_float" if night else "inpatient",
                min_pgy=draw(st.integers(1, 2)),
                work_days=work,
                night=night,
                continuity_clinic=not night and draw(st.booleans()),
                call_eligible=not night and draw(st.booleans()),
                leave_allowed=draw(st.booleans()),
            )
        )
    residents = tuple(Resident(f"r{n}", "", draw(st.integers(1, 3))) for n in range(draw(st.integers(3, 6))))
    faculty = tuple(
        Faculty(f"f{n}", "", clinic_min_per_week=draw(st.integers(0, 2)), clinic_max_per_week=4)
        for n in range(draw(st.integers(1, 3)))
    )
    horizon = (day - start).days
    absences = []
    for _ in range(draw(st.integers(0, 3))):
        who = draw(st.sampled_from([p.id for p in residents + faculty]))
        first = start + timedelta(days=draw(st.integers(0, horizon - 1)))
        absences.append(Absence(who, first, first + timedelta(days=draw(st.integers(0, 6)))))
    rules = ProgramRules(
        min_days_between_calls=draw(st.integers(1, 3)),
        call_end=draw(st.sampled_from([time(7), time(8), time(10)])),
    )
    acgme = {"weekly_hours": float(draw(st.sampled_from([56, 64, 80])))}
    if draw(st.booleans()):
        acgme["days_off_per_window"] = 6.0
    return Problem(
        calendar=Calendar("America/New_York", tuple(blocks)),
        residents=residents,
        faculty=faculty,
        rotations=tuple(rotations),
        requirements=Requirements(
            clinic_sessions_per_week={1: draw(st.integers(0, 2)), 2: draw(st.integers(0, 3)), 3: 2},
            clinic_capacity=draw(st.integers(1, 4)),
            call=(CallCoverage(per_night=draw(st.integers(0, 2)), min_pgy=draw(st.integers(1, 2))),),
        ),
        absences=tuple(absences),
        rules=rules,
        acgme=acgme,
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(random_programs())
def test_solve_random_programs_always_pass_the_acgme_checker(problem: Problem):
    solution = solve(problem, time_limit=3, workers=1, seed=0)

    assert solution.has_schedule, solution.statistics.message
    assert_compliant(solution)
    assert_schedule_rules(problem, solution)
    assert math.isfinite(solution.statistics.objective or 0)


def test_solve_cancelled_before_the_search_keeps_the_constructive_schedule():
    """The constructive schedule, checked against the whole model, is the first schedule found: kept on cancel."""
    problem = tiny()
    reports: list[Progress] = []
    solution = solve(problem, time_limit=10, workers=1, seed=0, should_stop=lambda: True, on_progress=reports.append)

    assert solution.statistics.status == "cancelled"
    assert solution.has_schedule and solution.statistics.solutions_found == 1
    assert solution.statistics.first_solution_seconds is not None
    assert reports[0].solutions == 1 and reports[0].objective == solution.statistics.objective
    assert_schedule_rules(problem, solution)
    assert_compliant(solution)


def test_a_credential_that_lapses_before_a_block_ends_keeps_the_resident_off_rotations_needing_it():
    """r1 and r5 hold PROC (r3 is PGY-1); r1's lapses mid-block, so only r5 may do Procedures."""
    base = tiny()
    lapsing = dataclasses.replace(base.residents[1], credentials_until=(("PROC", START + timedelta(days=20)),))
    problem = dataclasses.replace(base, residents=(base.residents[0], lapsing, *base.residents[2:]))
    facts = Facts(problem)
    proc = problem.rotation("PROC")

    assert "expires before the block ends" in facts.ineligibility(lapsing, proc, 0)
    assert facts.ineligibility(problem.residents[5], proc, 0) == ""
    solution = solved(problem)
    assert ("r1", "PROC") not in {(a.person, a.rotation) for a in solution.rotations}
    assert_schedule_rules(problem, solution)

    still_valid = dataclasses.replace(lapsing, credentials_until=(("PROC", START + timedelta(days=27)),))
    assert (
        Facts(dataclasses.replace(problem, residents=(base.residents[0], still_valid))).ineligibility(
            still_valid, proc, 0
        )
        == ""
    )


def supervised(*, faculty: int = 3, credentialed: tuple[Faculty, ...] = (), **changes: object) -> Problem:
    """tiny() whose Procedures rotation needs a supervisor holding proc:P and should hold one resident."""
    base = tiny(faculty=faculty, **changes)
    proc = dataclasses.replace(base.rotation("PROC"), supervisor_credentials=frozenset({"proc:P"}))
    rotations = tuple(proc if rot.id == "PROC" else rot for rot in base.rotations)
    staffing = (*base.requirements.staffing, Staffing("PROC", 1, 2))
    return dataclasses.replace(
        base,
        rotations=rotations,
        faculty=(*credentialed, *base.faculty[len(credentialed) :]),
        requirements=dataclasses.replace(base.requirements, staffing=staffing),
    )


def assert_supervised(problem: Problem, solution: Solution) -> None:
    """Each block of a rotation with supervisor credentials has, on every work day, a faculty member holding
    them valid that day who is neither absent nor on FMIT."""
    facts = Facts(problem)
    fmit_days = {
        (week.person, week.start + timedelta(days=k))
        for week in solution.fmit_weeks
        for k in range((week.end - week.start).days + 1)
    }
    for a in solution.rotations:
        rot = problem.rotation(a.rotation)
        if not rot.supervisor_credentials:
            continue
        for i in facts.block_days[facts.block_position[a.block]]:
            if not facts.works_day(rot, i):
                continue
            day = facts.days[i]
            assert any(
                not facts.is_absent(fac.id, i)
                and (fac.id, day) not in fmit_days
                and all(fac.credential_valid_through(code, day) for code in rot.supervisor_credentials)
                for fac in problem.faculty
            ), f"{a.person} on {rot.id} has no credentialed supervisor on {day}"


def test_procedures_need_a_credentialed_supervisor_who_is_not_on_fmit():
    """f0 alone holds proc:P: locked on FMIT the week of Wed 8 Jul, nobody may do Procedures in the block."""
    f0 = Faculty("f0", "Faculty 0", clinic_min_per_week=1, fmit_target_weeks=4, credentials=frozenset({"proc:P"}))
    locked = supervised(credentialed=(f0,), locks=(Lock("fmit", "f0", date=START + timedelta(days=7)),))

    solution = solved(locked)
    assert "PROC" not in {a.rotation for a in solution.rotations}
    assert any(c.requirement == "staffing:PROC:block:1" for c in solution.statistics.conflicts)
    assert_supervised(locked, solution)
    assert_schedule_rules(locked, solution)

    free = supervised(faculty=4, credentialed=(f0,))  # three others cover FMIT: f0 stays off it and supervises
    solution = solved(free)
    assert "PROC" in {a.rotation for a in solution.rotations}
    assert "f0" not in {week.person for week in solution.fmit_weeks}
    assert_supervised(free, solution)
    assert_schedule_rules(free, solution)
    assert_compliant(solution)


def test_without_an_available_credentialed_supervisor_the_rotation_is_closed_and_says_why():
    problem = supervised()  # nobody holds proc:P
    facts = Facts(problem)
    proc = problem.rotation("PROC")

    why = "Procedures needs a supervisor holding proc:P on Wed 1 Jul; none is available"
    assert facts.ineligibility(problem.residents[1], proc, 0) == why
    solution = solved(problem)
    assert "PROC" not in {a.rotation for a in solution.rotations}

    # the only holder's credential lapses on Mon 20 Jul and they are away on Tue 14 Jul: the first gap is named
    f0 = Faculty(
        "f0",
        "Faculty 0",
        credentials=frozenset({"proc:P"}),
        credentials_until=(("proc:P", START + timedelta(days=19)),),
    )
    away = (Absence("f0", START + timedelta(days=13), START + timedelta(days=13)),)
    lapsing = supervised(credentialed=(f0,), absences=away)
    assert Facts(lapsing).ineligibility(lapsing.residents[1], proc, 0) == why.replace("Wed 1 Jul", "Tue 14 Jul")
    lapsing = supervised(credentialed=(f0,))
    assert Facts(lapsing).ineligibility(lapsing.residents[1], proc, 0) == why.replace("Wed 1 Jul", "Tue 21 Jul")

    locked = supervised(locks=(Lock("rotation", "r1", block=1, rotation="PROC"),))
    result = solve(locked, time_limit=5, workers=1, seed=0)
    assert result.statistics.status == "infeasible"
    assert why in result.statistics.message


def test_the_one_person_bound_relaxes_the_supervisor_rule():
    """bounds.py's one-person Problem has no faculty: the rotation must stay open there, or the bound would
    charge r1's wish for Procedures that the joint model can grant."""
    from scheduling.engine.bounds import personal_bounds
    from scheduling.engine.problem import Preference

    f0 = Faculty("f0", "Faculty 0", credentials=frozenset({"proc:P"}))
    wish = (Preference("r1", "rotation_wish", rotation="PROC", block=1, weight=10),)
    problem = supervised(faculty=4, credentialed=(f0,), preferences=wish)

    assert personal_bounds(problem, time_limit=2).get("r1", 0) == 0
    solution = solved(problem)
    assert ("r1", "PROC") in {(a.person, a.rotation) for a in solution.rotations}
    assert_supervised(problem, solution)
