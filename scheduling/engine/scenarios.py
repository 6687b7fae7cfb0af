"""Contingency scenarios (DESIGN.md section 9, tier 2): lose one person (N-1) or two (N-2) over a window, and ask
whether every required session can still be covered within the rules.

`scenario_problem` adds an absence for each lost person over the window (their locks and wishes dropped: nobody
can hold them to an assignment while they are away). `feasible` answers quickly: the pre-check first (a sole
provider, a night or a rotation with too few people able, found without any search), then a CP-SAT search for
the FIRST schedule meeting every hard rule with every coverage requirement met (staffing minimums, in-house call,
FMIT attendings, attending call), no optimisation, hinted with the reference schedule minus the lost people. When
that search proves there is none, the coverage requirements left short by the schedule that leaves the fewest
uncovered are named.

`redundancy` says, per coverage requirement, how many people could meet it against how many it needs, without any
search (N+2 and more, N+1, N+0, below).
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from ortools.sat.python import cp_model

from scheduling.engine.facts import Facts
from scheduling.engine.limits import limit_search
from scheduling.engine.precheck import precheck
from scheduling.engine.problem import SESSIONS, Absence, Problem, ProblemError
from scheduling.engine.solution import Conflict

LOST_KIND = "emergency_leave"  # the absence a lost person is given (leave for the ACGME averages)
Result = Literal["feasible", "infeasible", "unknown"]


@dataclass(frozen=True, slots=True)
class Feasibility:
    """A scenario's answer: `feasible` (a schedule covers every requirement), `infeasible` (none can; `conflicts`
    names the requirements left uncovered), `unknown` (not decided within the time limit); `stage` says which step
    decided ("precheck" or "search")."""

    result: Result
    conflicts: tuple[Conflict, ...] = ()
    seconds: float = 0.0
    stage: str = "search"

    @property
    def feasible(self) -> bool:
        return self.result == "feasible"


@dataclass(frozen=True, slots=True)
class Redundancy:
    """A coverage requirement's margin at its tightest: `able` people could meet it where `needed` are needed.
    `providers` are the people able (ids) when they are few enough to matter (margin 1 or less)."""

    requirement: str
    label: str
    needed: int
    able: int
    providers: tuple[str, ...] = ()

    @property
    def margin(self) -> int:
        return self.able - self.needed

    @property
    def level(self) -> str:
        """ "N+2" (two or more spare), "N+1", "N+0" (no spare: losing one provider breaks it) or "below"."""
        if self.margin < 0:
            return "below"
        return f"N+{min(self.margin, 2)}"


def people_ids(problem: Problem) -> tuple[str, ...]:
    """Every person of the problem, residents then faculty."""
    return tuple(p.id for p in (*problem.residents, *problem.faculty))


def scenario_problem(
    problem: Problem, lost: Iterable[str], start: date | None = None, end: date | None = None
) -> Problem:
    """The problem with each `lost` person absent from `start` to `end` (inclusive, clipped to the calendar; the
    whole horizon by default), and their locks and wishes dropped. Raises ProblemError for an unknown person or a
    window outside the calendar."""
    people = set(people_ids(problem))
    names = tuple(dict.fromkeys(lost))
    for person in names:
        if person not in people:
            raise ProblemError("lost", f"unknown person {person!r}")
    cal = problem.calendar
    first, last = max(start or cal.start, cal.start), min(end or cal.end, cal.end)
    if first > last:
        raise ProblemError("window", f"{start} to {end} is outside the calendar ({cal.start} to {cal.end})")
    gone = set(names)
    added = tuple(Absence(person=p, start=first, end=last, kind=LOST_KIND) for p in names)
    return replace(
        problem,
        absences=problem.absences + added,
        locks=tuple(lock for lock in problem.locks if lock.person not in gone),
        preferences=tuple(p for p in problem.preferences if p.person not in gone),
    )


def feasible(problem: Problem, *, time_limit: float, workers: int = 1, seed: int = 0, hint: bool = True) -> Feasibility:
    """Can every coverage requirement be met within every hard rule? The pre-check first, then a search that stops
    at the first schedule (see the module docstring); `hint`: start from the reference schedule, if any."""
    from scheduling.engine.model import ScheduleModel  # the model module is large; the pre-check path needs none

    started = clock.monotonic()
    # no wish or change terms (feasibility only), and nobody away for the whole horizon: they cover nothing
    search_problem = _without_absent(replace(problem, preferences=(), reference=None))
    facts = Facts(search_problem)
    hard, coverage = precheck(facts)
    if hard or coverage:
        return Feasibility("infeasible", tuple(hard + coverage), clock.monotonic() - started, "precheck")
    built = ScheduleModel(facts)
    model = built.m
    model.ClearObjective()
    for item in built.shortfalls:
        model.Add(item.var == 0)
    _away_staff_nobody(built)
    if hint and problem.reference is not None:
        _hint_reference(built, problem)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, workers)
    params.random_seed = seed
    params.stop_after_first_solution = True
    # one light presolve pass: on the M program's block the full presolve takes three times the search (1.5 s of
    # 2), and the first schedule needs no symmetry or probing reductions
    params.max_presolve_iterations = 1
    params.symmetry_level = 0
    params.cp_model_probing_level = 0
    limit_search(solver, seconds=max(0.05, time_limit - (clock.monotonic() - started)))
    code = solver.Solve(model)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Feasibility("feasible", (), clock.monotonic() - started)
    if code != cp_model.INFEASIBLE:
        return Feasibility("unknown", (), clock.monotonic() - started)
    left = time_limit - (clock.monotonic() - started)
    conflicts = _uncoverable(facts, seconds=max(0.5, left), workers=workers, seed=seed)
    return Feasibility("infeasible", conflicts, clock.monotonic() - started)


def _without_absent(problem: Problem) -> Problem:
    """The problem without the people absent (whole days) on every day of the horizon, and their rows."""
    facts = Facts(problem)
    gone = {
        p
        for p in people_ids(problem)
        if len(facts.absent.get(p, ())) == facts.n  # whole-day absences on every day
    }
    if not gone:
        return problem
    context = problem.context
    if context is not None:
        context = replace(
            context,
            people=tuple(p for p in context.people if p.id not in gone),
            faculty_calls=tuple(c for c in context.faculty_calls if c[0] not in gone),
            faculty_clinic=tuple(c for c in context.faculty_clinic if c[0] not in gone),
        )
    return replace(
        problem,
        residents=tuple(r for r in problem.residents if r.id not in gone),
        faculty=tuple(f for f in problem.faculty if f.id not in gone),
        absences=tuple(a for a in problem.absences if a.person not in gone),
        locks=tuple(lock for lock in problem.locks if lock.person not in gone),
        context=context,
    )


def _away_staff_nobody(built) -> None:
    """A resident absent on every day of a block holds a rotation there on paper only: the staffing minimums must
    be met without them (the joint model counts whoever holds the rotation)."""
    f = built.f
    req = built.problem.requirements
    for staffing in req.staffing:
        if staffing.min_residents <= 0:
            continue
        k = f.rotation_index[staffing.rotation]
        for b, block in enumerate(built.problem.calendar.blocks):
            if staffing.blocks and block.number not in staffing.blocks:
                continue
            days = f.block_days[b]
            away = {r for r, res in enumerate(f.residents) if f.absent_in_block(res.id, b) >= len(days)}
            if not away:
                continue
            present = [v for r in range(len(f.residents)) if r not in away for v in built.held(r, k, b)]
            built.m.Add(sum(present) >= staffing.min_residents)


def _uncoverable(facts: Facts, *, seconds: float, workers: int, seed: int) -> tuple[Conflict, ...]:
    """The coverage requirements left short by the schedule that leaves the fewest sessions uncovered (found within
    `seconds`), or a general conflict when the hard rules alone cannot be met."""
    from scheduling.engine.model import ScheduleModel

    built = ScheduleModel(facts)
    _away_staff_nobody(built)
    model = built.m
    model.Minimize(sum(item.var for item in built.shortfalls))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    limit_search(solver, seconds=seconds)
    code = solver.Solve(model)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        short = tuple(
            Conflict(item.requirement, item.message(solver.Value(item.var)))
            for item in built.shortfalls
            if solver.Value(item.var) > 0
        )
        if short:
            return short
    if code == cp_model.INFEASIBLE:
        return (Conflict("hard_rules", "No schedule meets every hard rule with the people left."),)
    return (
        Conflict("coverage", "Every coverage requirement cannot be met at once; which ones was not found in time."),
    )


def _hint_reference(built, problem: Problem) -> None:
    """Hint the model's decisions with the reference schedule (a lost person's absence leaves their variables out)."""
    ref = problem.reference
    if ref is None:
        return
    f = built.f
    blocks = problem.calendar.blocks
    m = built.m
    for (r, b, k), var in built.x.items():
        m.AddHint(var, int(ref.rotations.get((f.residents[r].id, blocks[b].number)) == f.rotations[k].id))
    for (r, b, k, half), var in built.h.items():
        m.AddHint(var, int(ref.halves.get((f.residents[r].id, blocks[b].number, half)) == f.rotations[k].id))
    for (r, i), var in built.call.items():
        m.AddHint(var, int((f.residents[r].id, f.days[i]) in ref.calls))
    for (fi, i), var in built.fcall.items():
        m.AddHint(var, int((f.faculty[fi].id, f.days[i]) in ref.calls))
    for (r, i, s), var in built.clinic.items():
        m.AddHint(var, int((f.residents[r].id, f.days[i], SESSIONS[s]) in ref.clinic))
    for (fi, i, s), var in built.fclinic.items():
        m.AddHint(var, int((f.faculty[fi].id, f.days[i], SESSIONS[s]) in ref.clinic))
    weeks = {(p, f.fmit_week_index(d)) for p, d in ref.fmit_weeks}
    for (fi, w), var in built.fmit.items():
        m.AddHint(var, int((f.faculty[fi].id, w) in weeks))


def redundancy(problem: Problem) -> tuple[Redundancy, ...]:
    """Each coverage requirement at its tightest over the horizon: staffing minimums per rotation (worst block),
    in-house call (worst night), FMIT attendings (worst week) and supervisors holding a rotation's credentials
    (worst work day), tightest first. Providers are named where the margin is 1 or less."""
    facts = Facts(problem)
    req = problem.requirements
    out: list[Redundancy] = []

    def add(requirement: str, label: str, needed: int, able: list[str]) -> None:
        providers = tuple(able) if len(able) - needed <= 1 else ()
        out.append(Redundancy(requirement, label, needed, len(able), providers))

    for staffing in req.staffing:
        if staffing.min_residents <= 0:
            continue
        k = facts.rotation_index[staffing.rotation]
        rot = facts.rotations[k]
        worst: tuple[int, list[str], int] | None = None
        for b, block in enumerate(problem.calendar.blocks):
            if staffing.blocks and block.number not in staffing.blocks:
                continue
            able = [res.id for r, res in enumerate(facts.residents) if k in facts.eligible[r][b]]
            if worst is None or len(able) < len(worst[1]):
                worst = (block.number, able, b)
        if worst is not None:
            add(f"staffing:{rot.id}", f"{rot.name or rot.id} (block {worst[0]})", staffing.min_residents, worst[1])
    for coverage in req.call:
        if coverage.per_night <= 0 or facts.n == 0:
            continue
        nights = [
            [res.id for r, res in enumerate(facts.residents) if res.pgy >= coverage.min_pgy and facts.can_call(r, i)]
            for i in range(facts.n)
        ]
        i = min(range(facts.n), key=lambda j: len(nights[j]))
        add(f"call:{coverage.kind}", f"In-house call (night of {facts.days[i]})", coverage.per_night, nights[i])
    if req.fmit_min_attendings and facts.fmit_weeks:
        weeks = [
            [fac.id for fi, fac in enumerate(facts.faculty) if facts.fmit_available(fi, week)]
            for week in facts.fmit_weeks
        ]
        w = min(range(len(weeks)), key=lambda j: len(weeks[j]))
        start = facts.days[facts.fmit_weeks[w].days[0]]
        add("fmit", f"FMIT attending (week of {start})", req.fmit_min_attendings, weeks[w])
    for rot in facts.rotations:
        if not rot.supervisor_credentials or rot.night:
            continue
        days = [i for i in range(facts.n) if facts.works_day(rot, i)]
        if not days:
            continue
        i = min(days, key=lambda j: len(facts.supervisors(rot, j)))
        able = [facts.faculty[fi].id for fi in facts.supervisors(rot, i)]
        codes = ", ".join(sorted(rot.supervisor_credentials))
        add(f"supervisor:{rot.id}", f"{rot.name or rot.id} supervisor holding {codes} ({facts.days[i]})", 1, able)
    return tuple(sorted(out, key=lambda item: (item.margin, item.label)))


class ScenarioChecker:
    """N-1/N-2 over one problem without rebuilding the joint model for each scenario: the model of the whole
    program (every coverage requirement hard, no objective) is built once; a scenario that loses people for the
    whole horizon clones it with the lost people's decisions fixed to nothing and the rules that bind only them
    dropped, so the others must cover what they covered. A scenario the shortcut cannot express (a shorter window,
    a lost faculty member who may supervise a rotation needing credentials: the model counts them as always
    there) goes through `feasible` on `scenario_problem` instead. Each scenario runs the pre-check first, as
    `feasible` does."""

    def __init__(self, problem: Problem) -> None:
        from scheduling.engine.model import ScheduleModel

        self.problem = problem
        self.base = replace(problem, preferences=(), reference=None)
        self.built = ScheduleModel(Facts(self.base))
        model = self.built.m
        model.ClearObjective()
        for item in self.built.shortfalls:
            model.Add(item.var == 0)
        _hint_reference(self.built, problem)
        self._owned = self._variables_by_person()
        owner = {index: person for person, indices in self._owned.items() for index in indices}
        hint = model.Proto().solution_hint
        self._hinted = {index: n for n, index in enumerate(hint.vars)}  # variable -> its place in the hint
        self._alone: dict[str, list[int]] = {}  # the constraints that name one person's decisions only
        for n, ct in enumerate(model.Proto().constraints):
            refs = _references(ct)
            people = {owner.get(index) for index in refs}
            if len(people) == 1 and None not in people:
                self._alone.setdefault(people.pop(), []).append(n)  # type: ignore[arg-type]

    def _variables_by_person(self) -> dict[str, set[int]]:
        built, f = self.built, self.built.f
        owned: dict[str, set[int]] = {}

        def own(person: str, var) -> None:
            owned.setdefault(person, set()).add(var.Index())

        for (r, *_), var in (*built.x.items(), *built.h.items(), *built.call.items(), *built.clinic.items()):
            own(f.residents[r].id, var)
        for (r, *_), var in built.call_entry.items():
            own(f.residents[r].id, var)
        for (fi, *_), var in (*built.fclinic.items(), *built.fmit.items(), *built.fcall.items()):
            own(f.faculty[fi].id, var)
        return owned

    def _shortcut(self, lost: tuple[str, ...]) -> bool:
        supervised = [rot.supervisor_credentials for rot in self.problem.rotations if rot.supervisor_credentials]
        for fac in self.problem.faculty:
            if fac.id in lost and any(codes <= fac.credentials for codes in supervised):
                return False
        return True

    def check(self, lost: Iterable[str], *, time_limit: float, workers: int = 1, seed: int = 0) -> Feasibility:
        """The scenario losing `lost` for the whole horizon (see the class docstring)."""
        started = clock.monotonic()
        names = tuple(dict.fromkeys(lost))
        scenario = scenario_problem(self.problem, names)
        if not self._shortcut(names):
            return feasible(scenario, time_limit=time_limit, workers=workers, seed=seed)
        hard, coverage = precheck(Facts(_without_absent(replace(scenario, preferences=(), reference=None))))
        if hard or coverage:
            return Feasibility("infeasible", tuple(hard + coverage), clock.monotonic() - started, "precheck")
        model = self.built.m.Clone()
        proto = model.Proto()
        for person in names:
            for index in self._owned.get(person, ()):
                domain = proto.variables[index].domain
                domain.clear()
                domain.extend([0, 0])
                if index in self._hinted:  # the reference schedule minus the lost people
                    proto.solution_hint.values[self._hinted[index]] = 0
            for n in self._alone.get(person, ()):  # a rule of theirs alone (one rotation a block, required blocks)
                _drop(proto.constraints[n])
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = max(1, workers)
        params.random_seed = seed
        params.stop_after_first_solution = True
        params.max_presolve_iterations = 1
        params.symmetry_level = 0
        params.cp_model_probing_level = 0
        limit_search(solver, seconds=max(0.05, time_limit - (clock.monotonic() - started)))
        code = solver.Solve(model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Feasibility("feasible", (), clock.monotonic() - started)
        if code != cp_model.INFEASIBLE:
            return Feasibility("unknown", (), clock.monotonic() - started)
        left = time_limit - (clock.monotonic() - started)  # why: from the scenario's own model (rare: see feasible)
        facts = Facts(_without_absent(replace(scenario, preferences=(), reference=None)))
        conflicts = _uncoverable(facts, seconds=max(0.5, left), workers=workers, seed=seed)
        return Feasibility("infeasible", conflicts, clock.monotonic() - started)


def _drop(ct) -> None:
    """Make a constraint of a cloned model bind nothing."""
    kind = _kind(ct)
    if kind is not None:
        getattr(ct, f"clear_{kind}")()
    ct.enforcement_literal.clear()


SIMPLE = ("linear", "bool_or", "bool_and", "at_most_one", "exactly_one")


def _kind(ct) -> str | None:
    return next((kind for kind in SIMPLE if getattr(ct, f"has_{kind}")()), None)


def _references(ct) -> set[int]:
    """The variable indices a constraint names (a negated literal -i-1 is variable i); empty when its kind is not
    one of the simple ones the joint model uses (such a constraint is kept)."""
    kind = _kind(ct)
    if kind == "linear":
        refs = list(ct.linear.vars)
    elif kind in ("bool_or", "bool_and", "at_most_one", "exactly_one"):
        refs = list(getattr(ct, kind).literals)
    else:
        return set()
    refs += list(ct.enforcement_literal)
    return {r if r >= 0 else -r - 1 for r in refs}
