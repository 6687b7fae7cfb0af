"""Contingency scenarios: losing a person is an absence over the window; feasibility says whether every required
session can still be covered within the rules, and names what cannot."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from scheduling.engine.model import solve
from scheduling.engine.problem import Faculty, Lock, Preference, Problem, ProblemError, Staffing
from scheduling.engine.scenarios import (
    LOST_KIND,
    ScenarioChecker,
    feasible,
    people_ids,
    redundancy,
    scenario_problem,
)
from scheduling.engine.solution_io import reference_from_solution, solution_from_json, solution_to_json
from tests.engine.test_model import START, tiny

LIMIT = 120.0  # a safety net only: these searches end at their first schedule or a proof, in about a second


def slack(**changes: object) -> Problem:
    """Nine residents and three faculty, wards needing two residents, no FMIT minimum: room to lose anyone."""
    problem = tiny(residents=9)
    requirements = dataclasses.replace(problem.requirements, fmit_min_attendings=0)
    return dataclasses.replace(problem, requirements=requirements, **changes)  # type: ignore[arg-type]


def with_sole_supervisor() -> Problem:
    """Procedures need one resident a block and, on each work day, a faculty member holding ULTRASOUND: only f1."""
    problem = slack()
    rotations = tuple(
        dataclasses.replace(r, supervisor_credentials=frozenset({"ULTRASOUND"})) if r.id == "PROC" else r
        for r in problem.rotations
    )
    faculty = tuple(
        dataclasses.replace(f, credentials=frozenset({"ULTRASOUND"})) if f.id == "f1" else f for f in problem.faculty
    )
    requirements = dataclasses.replace(
        problem.requirements, staffing=(*problem.requirements.staffing, Staffing("PROC", 1, 2))
    )
    return dataclasses.replace(problem, rotations=rotations, faculty=faculty, requirements=requirements)


def test_scenario_problem_makes_the_lost_person_absent_and_drops_their_locks_and_wishes():
    problem = slack(
        locks=(Lock("rotation", "r1", block=1, rotation="CLIN"), Lock("rotation", "r2", block=1, rotation="CLIN")),
        preferences=(Preference("r1", "blocked_week", week_start=START), Preference("r2", "blocked_week", START)),
    )
    window = (START + timedelta(days=7), START + timedelta(days=13))

    lost = scenario_problem(problem, ["r1"], *window)

    added = [a for a in lost.absences if a.person == "r1"]
    assert [(a.start, a.end, a.kind) for a in added] == [(*window, LOST_KIND)]
    assert [lock.person for lock in lost.locks] == ["r2"]
    assert [wish.person for wish in lost.preferences] == ["r2"]
    assert scenario_problem(problem, ["r1"]).absences[-1].end == problem.calendar.end  # the whole horizon


def test_scenario_problem_refuses_an_unknown_person_and_a_window_outside_the_calendar():
    with pytest.raises(ProblemError, match="unknown person 'nobody'"):
        scenario_problem(slack(), ["nobody"])
    after = slack().calendar.end + timedelta(days=3)
    with pytest.raises(ProblemError, match="outside the calendar"):
        scenario_problem(slack(), ["r1"], after, after + timedelta(days=2))


def test_a_program_with_slack_covers_every_session_whoever_is_lost():
    problem = slack()

    answers = {
        person: feasible(scenario_problem(problem, [person]), time_limit=LIMIT) for person in people_ids(problem)
    }

    assert {person: answer.result for person, answer in answers.items()} == dict.fromkeys(
        people_ids(problem), "feasible"
    )


def test_the_only_credentialed_supervisor_of_a_required_service_is_n1_critical():
    problem = with_sole_supervisor()
    assert feasible(problem, time_limit=LIMIT).feasible

    lost = feasible(scenario_problem(problem, ["f1"]), time_limit=LIMIT)
    other = feasible(scenario_problem(problem, ["f0"]), time_limit=LIMIT)

    assert lost.result == "infeasible"
    assert [c.requirement for c in lost.conflicts] == ["staffing:PROC:block:1"]
    assert "Procedures needs 1 residents" in lost.conflicts[0].message
    assert other.feasible


def test_the_only_resident_able_to_hold_a_required_rotation_is_caught_by_the_precheck():
    problem = slack()
    residents = tuple(
        dataclasses.replace(r, credentials=frozenset({"PROC"}) if r.id == "r1" else frozenset())
        for r in problem.residents
    )
    requirements = dataclasses.replace(
        problem.requirements, staffing=(*problem.requirements.staffing, Staffing("PROC", 1, 1))
    )
    problem = dataclasses.replace(problem, residents=residents, requirements=requirements)

    answer = feasible(scenario_problem(problem, ["r1"]), time_limit=LIMIT)

    assert answer.result == "infeasible" and answer.stage == "precheck"
    assert answer.conflicts[0].message == "Block 1: Procedures needs 1 residents; 0 are eligible and available"


def test_a_pair_can_break_coverage_that_each_one_alone_does_not():
    problem = slack()  # procedures need a resident every block: only r1 and r5 hold the credential
    residents = tuple(
        dataclasses.replace(r, credentials=frozenset({"PROC"}) if r.id in ("r1", "r5") else frozenset())
        for r in problem.residents
    )
    requirements = dataclasses.replace(
        problem.requirements, staffing=(*problem.requirements.staffing, Staffing("PROC", 1, 1))
    )
    problem = dataclasses.replace(problem, residents=residents, requirements=requirements)

    alone = [feasible(scenario_problem(problem, [p]), time_limit=LIMIT).result for p in ("r1", "r5")]
    pair = feasible(scenario_problem(problem, ["r1", "r5"]), time_limit=LIMIT)

    assert alone == ["feasible", "feasible"]
    assert pair.result == "infeasible"
    assert [c.requirement for c in pair.conflicts] == ["staffing:PROC:block:1"]


def test_the_reference_schedule_hints_the_search_and_the_answer_is_the_same():
    problem = slack()
    first = solve(problem, time_limit=LIMIT, work_limit=0.5, workers=1, seed=0)
    reference = reference_from_solution(solution_from_json(solution_to_json(first)))
    scenario = scenario_problem(dataclasses.replace(problem, reference=reference), ["r3"])

    assert feasible(scenario, time_limit=LIMIT).feasible
    assert feasible(scenario, time_limit=LIMIT, hint=False).feasible


def test_redundancy_names_the_providers_of_a_requirement_with_no_spare():
    problem = with_sole_supervisor()
    problem = dataclasses.replace(
        problem, faculty=(*problem.faculty, Faculty("f9", "Faculty 9", credentials=frozenset({"ULTRASOUND"})))
    )

    levels = {item.requirement: item for item in redundancy(problem)}

    supervisor = levels["supervisor:PROC"]
    assert (supervisor.needed, supervisor.able, supervisor.level) == (1, 2, "N+1")
    assert set(supervisor.providers) == {"f1", "f9"}
    assert levels["staffing:WARD"].level == "N+2"
    assert levels["staffing:WARD"].providers == ()
    assert redundancy(with_sole_supervisor())[0].level == "N+0"


def pairs_and_sole_resident() -> Problem:
    """Procedures need a resident every block and only r1 and r5 hold the credential."""
    problem = slack()
    residents = tuple(
        dataclasses.replace(r, credentials=frozenset({"PROC"}) if r.id in ("r1", "r5") else frozenset())
        for r in problem.residents
    )
    requirements = dataclasses.replace(
        problem.requirements, staffing=(*problem.requirements.staffing, Staffing("PROC", 1, 1))
    )
    return dataclasses.replace(problem, residents=residents, requirements=requirements)


@pytest.mark.parametrize("build", [slack, with_sole_supervisor, pairs_and_sole_resident, tiny])
def test_the_checker_built_once_answers_as_a_scenario_built_from_scratch(build):
    problem = build()
    checker = ScenarioChecker(problem)
    people = people_ids(problem)
    scenarios = [[p] for p in people] + [["r1", "r5"], ["r0", "f1"]]

    for lost in scenarios:
        quick = checker.check(lost, time_limit=LIMIT)
        full = feasible(scenario_problem(problem, lost), time_limit=LIMIT)
        assert quick.result == full.result, lost
        assert [c.requirement for c in quick.conflicts] == [c.requirement for c in full.conflicts], lost
