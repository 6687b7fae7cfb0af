"""A constructive starting schedule that hints the joint model (CP-SAT then improves on it).

Rotations come from a small CP-SAT model of the rotation rules alone; FMIT weeks, in-house calls and
clinic half-days are then placed greedily, day by day, keeping every hard rule of the joint model
(the same ACGME window arithmetic, call spacing, capacity and supervision). With a reference schedule the
greedy starts from the reference's assignments that are still valid, so a re-solve starts close to it.
The hint is only a starting point: its quality never affects correctness.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass
from datetime import timedelta

from ortools.sat.python import cp_model

from scheduling.engine import faculty_call
from scheduling.engine.facts import Facts, Week
from scheduling.engine.limits import limit_search
from scheduling.engine.problem import Rotation

SESSIONS = ("AM", "PM")
BALANCE_TRIALS = 20000


@dataclass(frozen=True, slots=True)
class Hint:
    """Index-level assignments: rotations (r, b) -> k; calls (r, i, entry); clinic; faculty clinic; FMIT."""

    rotations: dict[tuple[int, int], int]
    calls: dict[tuple[int, int], int]
    clinic: frozenset[tuple[int, int, int]]
    fclinic: frozenset[tuple[int, int, int]]
    fmit: frozenset[tuple[int, int]]
    fcall: frozenset[tuple[int, int]] = frozenset()  # (faculty, night): attending calls
    settled: bool = False  # the rotation phase proved its rotations optimal (a longer one cannot do better)


def rotation_phase(
    facts: Facts,
    *,
    seed: int,
    time_limit: float,
    workers: int,
    work_limit: float | None = None,
    start: dict[tuple[int, int], int] | None = None,
    proven: list[bool] | None = None,
) -> dict[tuple[int, int], int] | None:
    """Rotations meeting the rotation rules (staffing, required rotations, locks, wishes), or None; `start`
    (rotations found before) hints the search, which goes on from there."""
    from scheduling.engine.model import ScheduleModel

    built = ScheduleModel(facts, rotations_only=True)
    if start is not None:
        for (r, b, k), var in built.x.items():
            built.m.AddHint(var, int(start.get((r, b)) == k))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    limit_search(solver, seconds=max(0.5, time_limit), work=work_limit)
    code = solver.Solve(built.m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    if proven is not None:
        proven.append(code == cp_model.OPTIMAL)
    return {(r, b): k for (r, b, k), var in built.x.items() if solver.Value(var)}


class _Person:
    """A resident's days under the current rotations and calls, with the joint model's ACGME arithmetic."""

    def __init__(self, facts: Facts, r: int, rotations: dict[tuple[int, int], int]) -> None:
        self.f = facts
        self.r = r
        res = facts.residents[r]
        n = facts.n
        self.rot: list[Rotation | None] = [
            facts.rotations[rotations[r, facts.block_of[i]]] if (r, facts.block_of[i]) in rotations else None
            for i in range(n)
        ]
        self.leave = [facts.is_absent(res.id, i) for i in range(n)] + [False]
        self.work = [
            rot is not None and not self.leave[i] and facts.works_day(rot, i) and not facts.rests(res.id, i)
            for i, rot in enumerate(self.rot)
        ] + [False]
        self.night = [rot is not None and facts.works_night(rot, res.id, i) for i, rot in enumerate(self.rot)] + [False]
        self.call = [False] * (n + 1)
        edge = facts.edges.get(res.id)  # the fixed schedule around the horizon: its days are never free here
        unfree = edge.busy | edge.leave if edge is not None else frozenset()
        self.counted = [
            not self.leave[i] and not (i < n and facts.short_day(i)) and i not in unfree for i in range(n + 1)
        ]
        self.calls = 0
        self.weekend = 0
        self.holiday = 0

    def duty(self, i: int) -> bool:
        """Day duty not covered by a call (the model's D)."""
        if i >= self.f.n or not self.work[i] or self.call[i]:
            return False
        return not (i > 0 and (self.call[i - 1] or self.night[i - 1]))

    def minutes(self, i: int) -> int:
        m_day, c0, c1, n0, n1 = self.f.clock_minutes[i]
        total = m_day * self.duty(i) + c0 * self.call[i] + n0 * self.night[i]
        if i > 0:
            total += c1 * self.call[i - 1] + n1 * self.night[i - 1]
        return total

    def free(self, i: int) -> bool:
        if not self.counted[i] or self.duty(i) or self.call[i] or self.night[i]:
            return False
        return not (i > 0 and (self.call[i - 1] or self.night[i - 1]))

    def windows_ok(self, lo: int, hi: int) -> bool:
        """Every ACGME window of the model that holds a day in [lo, hi] is within its limit (the model's windows
        and limits, with the context's share taken off: Facts.window_limits)."""
        f = self.f
        n = f.n
        width = f.limits.window_days
        limits = f.window_limits(f.residents[self.r].id)
        first, last = max(0, lo - width + 1), min(n, hi + width - 1)
        minutes, free, calls = [0], [0], [0]
        for i in range(first, last + 1):
            minutes.append(minutes[-1] + self.minutes(i))
            free.append(free[-1] + self.free(i))
            calls.append(calls[-1] + (i < n and self.call[i]))

        def total(prefix: list[int], a: int, b: int) -> int:
            return prefix[b - first + 1] - prefix[a - first]

        for s in range(lo - width + 1, hi + 1):
            a, b = max(s, 0), min(s + width - 1, n)
            if a > b:
                continue
            hours, nights, needed = limits.hours.get(s), limits.calls.get(s), limits.days_off.get(s)
            if hours is not None and total(minutes, a, b) > hours:
                return False
            if nights is not None and total(calls, a, b) > nights:
                return False
            if needed is not None and total(free, a, b) < needed:
                return False
        return True


def wished_off(facts: Facts) -> set[tuple[str, int]]:
    """(person, day) pairs inside a blocked or preferred-off week: the greedy places nothing there if it can."""
    out: set[tuple[str, int]] = set()
    for pref in facts.problem.preferences:
        if pref.kind in ("blocked_week", "preferred_week") and pref.week_start is not None:
            start = pref.week_start.toordinal()
            out.update(
                (pref.person, facts.day_index[d])
                for d in (pref.week_start.fromordinal(start + k) for k in range(7))
                if d in facts.day_index
            )
    return out


def wished_off_cost(facts: Facts) -> dict[tuple[str, int], int]:
    """(person, day) -> the weighted cost of placing one more item there (blocked weeks; a preferred week
    counts its cost in full, although it is charged once)."""
    out: dict[tuple[str, int], int] = {}
    unit = facts.problem.weights.preferences
    for pref in facts.problem.preferences:
        if pref.kind in ("blocked_week", "preferred_week") and pref.week_start is not None:
            start = pref.week_start.toordinal()
            for d in (pref.week_start.fromordinal(start + k) for k in range(7)):
                if d in facts.day_index:
                    key = (pref.person, facts.day_index[d])
                    out[key] = max(out.get(key, 0), pref.weight * unit)
    return out


class _CallPlanner:
    """In-house calls night by night: the most behind resident of the cohort who can take the night keeping
    every rule; then a repair pass for nights left open (one resident moves one of their calls)."""

    def __init__(self, facts: Facts, rotations: dict[tuple[int, int], int], rng: random.Random) -> None:
        self.f = facts
        self.gap = max(1, facts.problem.rules.min_days_between_calls)
        self.coverage = facts.problem.requirements.call
        self.people = [_Person(facts, r, rotations) for r in range(len(facts.residents))]
        order = list(range(len(self.people)))
        rng.shuffle(order)
        self.rank = {r: pos for pos, r in enumerate(order)}
        self.calls: dict[tuple[int, int], int] = {}
        self.count: dict[tuple[int, int], int] = {}
        self.able = [[i for i in range(facts.n) if _able(facts, p, i)] for p in self.people]
        self.targets = _targets(facts, self.people, self.able, sum(rule.per_night for rule in self.coverage))
        self.off = wished_off(facts)
        self.budget = BALANCE_TRIALS  # deterministic work limit of the fairness repair

    def possible(self, p: _Person, i: int) -> bool:
        if not _able(self.f, p, i):
            return False
        if any(p.call[j] for j in range(max(0, i - self.gap), min(self.f.n, i + self.gap + 1))):
            return False
        return not ((i > 0 and p.night[i - 1]) or p.night[i + 1])

    def welcome(self, p: _Person, i: int) -> bool:
        """Possible, and not in a week the resident asked to keep free (the balancing never adds such a call)."""
        return (self.f.residents[p.r].id, i) not in self.off and self.possible(p, i)

    def place(self, p: _Person, i: int, entry: int, *, checked: bool = True) -> bool:
        """Book night i for p if every ACGME window stays within its limit (`checked` False: known valid)."""
        p.call[i] = True
        if checked and not p.windows_ok(i, i + 1):
            p.call[i] = False
            return False
        self.calls[p.r, i] = entry
        self.count[i, entry] = self.count.get((i, entry), 0) + 1
        p.calls += 1
        p.weekend += i in self.f.weekends
        p.holiday += i in self.f.holidays
        return True

    def remove(self, p: _Person, i: int) -> int:
        entry = self.calls.pop((p.r, i))
        self.count[i, entry] -= 1
        p.call[i] = False
        p.calls -= 1
        p.weekend -= i in self.f.weekends
        p.holiday -= i in self.f.holidays
        return entry

    def urgency(self, p: _Person, i: int) -> tuple[bool, float, float, float, int]:
        total, weekend, holiday = self.targets[p.r]
        remaining = max(1, len(self.able[p.r]) - bisect_left(self.able[p.r], i))
        return (
            (self.f.residents[p.r].id, i) in self.off,
            (p.holiday - holiday) if i in self.f.holidays else 0.0,
            (p.weekend - weekend) if i in self.f.weekends else 0.0,
            (p.calls - total) / remaining,
            self.rank[p.r],
        )

    def candidates(self, i: int, entry: int) -> list[_Person]:
        low = self.coverage[entry].min_pgy
        return [p for p in self.people if self.f.residents[p.r].pgy >= low and not p.call[i]]

    def cover(self, i: int, entry: int) -> bool:
        for p in sorted(self.candidates(i, entry), key=lambda p: self.urgency(p, i)):
            if self.possible(p, i) and self.place(p, i, entry):
                return True
        return False

    def swap_in(self, i: int, entry: int) -> bool:
        """Someone blocked from night i only by one call of theirs within the spacing moves to night i, and
        the night they leave is covered by someone else."""
        for p in self.candidates(i, entry):
            if not _able(self.f, p, i):
                continue
            clashes = [j for j in range(max(0, i - self.gap), min(self.f.n, i + self.gap + 1)) if p.call[j]]
            if len(clashes) != 1:
                continue
            j = clashes[0]
            left = self.remove(p, j)
            if self.possible(p, i) and self.place(p, i, entry):
                if self.cover(j, left):
                    return True
                self.remove(p, i)
            self.place(p, j, left)
        return False

    def unfairness(self, cohorts: list[list[_Person]]) -> tuple[int, int]:
        """The model's weighted fairness cost (per cohort, the spread beyond 1 of calls, weekend calls, holiday
        calls), then the sum of squared counts: moving a call from a resident at the maximum to one at the
        minimum lowers the second even where the first is flat (two residents at the maximum, say)."""
        weights = self.f.problem.weights
        cost = squares = 0
        for members in cohorts:
            for weight, values in (
                (weights.call_fairness, [p.calls for p in members]),
                (weights.weekend_fairness, [p.weekend for p in members]),
                (weights.holiday_fairness, [p.holiday for p in members]),
            ):
                cost += weight * max(0, max(values) - min(values) - 1)
                squares += weight * sum(v * v for v in values)
        return cost, squares

    def balance(self, seeded: set[tuple[int, int]]) -> None:
        """Hand calls from the most loaded to the least loaded resident of a cohort while that lowers the spread."""
        by_pgy: dict[int, list[_Person]] = {}
        for p in self.people:
            if self.able[p.r]:
                by_pgy.setdefault(self.f.residents[p.r].pgy, []).append(p)
        cohorts = [members for members in by_pgy.values() if len(members) > 1]
        cost = self.unfairness(cohorts)
        moved = True
        while moved and cost[0]:
            moved = False
            for members in cohorts:
                for value in (lambda p: p.calls, lambda p: p.weekend, lambda p: p.holiday):
                    high, low = max(map(value, members)), min(map(value, members))
                    if high - low <= 1:
                        continue
                    for giver in [p for p in members if value(p) == high]:
                        for taker in [p for p in members if value(p) == low]:
                            if self.hand_over(giver, taker, cohorts, cost, seeded):
                                cost = self.unfairness(cohorts)
                                moved = True
                                break
                        if moved:
                            break
                    if moved:
                        break
                if moved:
                    break

    def hand_over(
        self,
        giver: _Person,
        taker: _Person,
        cohorts: list[list[_Person]],
        cost: tuple[int, int],
        seeded: set[tuple[int, int]],
    ) -> bool:
        """Move one of giver's calls to taker if the rules allow it and the unfairness drops."""
        for (r, i), entry in sorted(self.calls.items()):
            if r != giver.r or (r, i) in seeded:
                continue
            self.budget -= 1
            if self.budget < 0:
                return False
            self.remove(giver, i)
            if self.welcome(taker, i) and self.place(taker, i, entry):
                if self.unfairness(cohorts) < cost:
                    return True
                self.remove(taker, i)
            self.place(giver, i, entry, checked=False)
        return (
            self.swap(giver, taker, cohorts, cost, seeded)
            or self.relay(giver, taker, cohorts, cost, seeded)
            or self.relay_swap(giver, taker, cohorts, cost, seeded)
        )

    def kind(self, i: int) -> tuple[bool, bool]:
        return i in self.f.weekends, i in self.f.holidays

    def exchange(self, a: _Person, i: int, b: _Person, j: int, *, undo: bool = False) -> bool:
        """a's night i and b's night j trade places if the rules allow it (else nothing changes); `undo`
        restores an earlier exchange, known valid."""
        e_i, e_j = self.remove(a, i), self.remove(b, j)
        if undo:
            self.place(b, i, e_i, checked=False)
            self.place(a, j, e_j, checked=False)
            return True
        if self.welcome(b, i) and self.place(b, i, e_i):
            if self.welcome(a, j) and self.place(a, j, e_j):
                return True
            self.remove(b, i)
        self.place(b, j, e_j, checked=False)
        self.place(a, i, e_i, checked=False)
        return False

    def relay_swap(
        self,
        giver: _Person,
        taker: _Person,
        cohorts: list[list[_Person]],
        cost: tuple[int, int],
        seeded: set[tuple[int, int]],
    ) -> bool:
        """Two exchanges through a third resident: giver's night i for middle's unlike night j, then middle's
        night k (like i) for taker's night m (like j); every total is kept, the weekend or holiday moves from
        giver to taker."""

        def nights(p: _Person) -> list[int]:
            return [i for (r, i) in sorted(self.calls) if r == p.r and (r, i) not in seeded]

        for i in nights(giver):
            for middle in self.people:
                if middle.r in (giver.r, taker.r) or not _able(self.f, middle, i):
                    continue
                for j in nights(middle):
                    if self.kind(j) == self.kind(i) or not _able(self.f, giver, j):
                        continue
                    self.budget -= 1
                    if self.budget < 0:
                        return False
                    if not self.exchange(giver, i, middle, j):
                        continue
                    for k in nights(middle):
                        if k == i or self.kind(k) != self.kind(i) or not _able(self.f, taker, k):
                            continue
                        for m in nights(taker):
                            if self.kind(m) != self.kind(j) or not _able(self.f, middle, m):
                                continue
                            self.budget -= 1
                            if self.budget < 0:
                                break
                            if self.exchange(middle, k, taker, m):
                                if self.unfairness(cohorts) < cost:
                                    return True
                                self.exchange(middle, m, taker, k, undo=True)
                    self.exchange(giver, j, middle, i, undo=True)
                    if self.budget < 0:
                        return False
        return False

    def relay(
        self,
        giver: _Person,
        taker: _Person,
        cohorts: list[list[_Person]],
        cost: tuple[int, int],
        seeded: set[tuple[int, int]],
    ) -> bool:
        """Giver's night i goes to a third resident, one of whose nights goes to taker (their total is kept):
        for residents whose call rotations fall in different blocks."""
        mine = [(i, e) for (r, i), e in sorted(self.calls.items()) if r == giver.r and (r, i) not in seeded]
        for i, e_i in mine:
            for middle in self.people:
                if middle.r in (giver.r, taker.r) or not _able(self.f, middle, i):
                    continue
                theirs = [
                    (j, e)
                    for (r, j), e in sorted(self.calls.items())
                    if r == middle.r and (r, j) not in seeded and _able(self.f, taker, j)
                ]
                if not theirs:
                    continue
                self.budget -= 1
                if self.budget < 0:
                    return False
                self.remove(giver, i)
                for j, e_j in theirs:
                    self.remove(middle, j)
                    if self.welcome(middle, i) and self.place(middle, i, e_i):
                        if self.welcome(taker, j) and self.place(taker, j, e_j):
                            if self.unfairness(cohorts) < cost:
                                return True
                            self.remove(taker, j)
                        self.remove(middle, i)
                    self.place(middle, j, e_j, checked=False)
                self.place(giver, i, e_i, checked=False)
        return False

    def swap(
        self,
        giver: _Person,
        taker: _Person,
        cohorts: list[list[_Person]],
        cost: tuple[int, int],
        seeded: set[tuple[int, int]],
    ) -> bool:
        """Exchange a call of giver with a call of taker if the rules allow it and the unfairness drops."""
        mine = [(i, e) for (r, i), e in sorted(self.calls.items()) if r == giver.r and (r, i) not in seeded]
        theirs = [(j, e) for (r, j), e in sorted(self.calls.items()) if r == taker.r and (r, j) not in seeded]
        for i, e_i in mine:
            for j, e_j in theirs:
                if (i in self.f.weekends) == (j in self.f.weekends) and (i in self.f.holidays) == (
                    j in self.f.holidays
                ):
                    continue  # exchanging alike nights changes no count
                if not (_able(self.f, taker, i) and _able(self.f, giver, j)):
                    continue
                self.budget -= 1
                if self.budget < 0:
                    return False
                self.remove(giver, i)
                self.remove(taker, j)
                if self.welcome(taker, i) and self.place(taker, i, e_i):
                    if self.welcome(giver, j) and self.place(giver, j, e_j):
                        if self.unfairness(cohorts) < cost:
                            return True
                        self.remove(giver, j)
                    self.remove(taker, i)
                self.place(taker, j, e_j, checked=False)
                self.place(giver, i, e_i, checked=False)
        return False

    def plan(self, seeded: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
        for r, i in sorted(seeded, key=lambda item: item[1]):
            p = self.people[r]
            entries = self.f.call_pgy(self.f.residents[r])
            if entries and self.possible(p, i):
                self.place(p, i, entries[0])
        for repair in (self.cover, self.swap_in):
            for i in range(self.f.n):
                for entry, rule in enumerate(self.coverage):
                    while self.count.get((i, entry), 0) < rule.per_night and repair(i, entry):
                        pass
        self.balance(seeded)
        return self.calls


def _able(facts: Facts, p: _Person, i: int) -> bool:
    rot = p.rot[i]
    return rot is not None and rot.call_eligible and not rot.night and facts.can_call(p.r, i)


def _targets(
    facts: Facts, people: list[_Person], able: list[list[int]], per_night: int
) -> list[tuple[float, float, float]]:
    """Per resident: the cohort's even share of calls, weekend calls and holiday calls (cohort = PGY level)."""
    on_night: dict[int, list[int]] = {}
    for r, days in enumerate(able):
        for i in days:
            on_night.setdefault(i, []).append(r)
    cohort: dict[int, list[int]] = {}
    for r, days in enumerate(able):
        if days:
            cohort.setdefault(facts.residents[r].pgy, []).append(r)
    share = [[0.0, 0.0, 0.0] for _ in people]
    for i, members in on_night.items():
        part = per_night / len(members)
        for r in members:
            share[r][0] += part
            share[r][1] += part if i in facts.weekends else 0.0
            share[r][2] += part if i in facts.holidays else 0.0
    targets = [(0.0, 0.0, 0.0)] * len(people)
    for members in cohort.values():
        sums = [sum(share[r][k] for r in members) / len(members) for k in range(3)]
        for r in members:
            targets[r] = (sums[0], sums[1], sums[2])
    return targets


def _fmit_phase(facts: Facts, rng: random.Random, seeded: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """FMIT attendings week by week, furthest below target first, keeping the consecutive and gap rules."""
    problem = facts.problem
    rules = problem.rules
    weeks = facts.fmit_weeks
    chosen: set[tuple[int, int]] = set()
    count = [0] * len(facts.faculty)
    order = list(range(len(facts.faculty)))
    rng.shuffle(order)
    rank = {fi: pos for pos, fi in enumerate(order)}

    def ok(fi: int, w: int) -> bool:
        if not facts.fmit_available(fi, weeks[w]):
            return False
        mine = {ww for (ff, ww) in chosen if ff == fi} | {w}
        mc = rules.fmit_max_consecutive_weeks
        for start in range(w - mc, w + 1):
            if all(start + k in mine for k in range(mc + 1)):
                return False
        for a in mine:
            if a + 1 in mine:
                continue
            if any(a + k in mine for k in range(2, rules.fmit_min_gap_weeks + 1)):
                return False
        return True

    for fi, w in sorted(seeded, key=lambda item: item[1]):
        if ok(fi, w):
            chosen.add((fi, w))
            count[fi] += 1
    req = problem.requirements
    off = wished_off(facts)
    # first every week's minimum, then second attendings for whoever is still below target; a faculty member
    # who wished the week off comes last (and is never a second attending then)
    for wanted, only_below_target in ((req.fmit_min_attendings, False), (req.fmit_max_attendings, True)):
        for week in weeks:
            have = sum(1 for (_, w) in chosen if w == week.index)
            wished = {fi for fi, fac in enumerate(facts.faculty) if any((fac.id, i) in off for i in week.days)}
            candidates = sorted(
                (fi for fi in range(len(facts.faculty)) if not (only_below_target and fi in wished)),
                key=lambda fi: (fi in wished, count[fi] - facts.fmit_target(facts.faculty[fi]), rank[fi]),
            )
            for fi in candidates:
                if have >= wanted:
                    break
                if only_below_target and count[fi] >= facts.fmit_target(facts.faculty[fi]):
                    continue
                if (fi, week.index) not in chosen and ok(fi, week.index):
                    chosen.add((fi, week.index))
                    count[fi] += 1
                    have += 1
    return chosen


def _spared_weeks(facts: Facts) -> set[tuple[str, int]]:
    """(faculty, day) of the weeks a faculty member wished off whose preference costs more than the whole week's
    clinic shortfall: the week is kept free of their minimum clinic (it then costs the shortfall only)."""
    problem = facts.problem
    unit, shortfall = problem.weights.preferences, problem.weights.clinic_continuity
    ties = problem.rules.wish_min_granted_percent > 0  # a program that sets a minimum share: ties go to the wish
    out: set[tuple[str, int]] = set()
    for pref in problem.preferences:
        if pref.kind not in ("blocked_week", "preferred_week") or pref.week_start is None:
            continue
        if pref.person not in facts.faculty_index:
            continue
        fac = facts.faculty[facts.faculty_index[pref.person]]
        cost = pref.weight * unit * (fac.clinic_min_per_week if pref.kind == "blocked_week" else 1)
        if cost > shortfall * fac.clinic_min_per_week or (ties and cost == shortfall * fac.clinic_min_per_week):
            days = (pref.week_start + timedelta(days=k) for k in range(7))
            out |= {(pref.person, facts.day_index[d]) for d in days if d in facts.day_index}
    return out


class _ClinicPlanner:
    """Continuity clinic half-days week by week, opening supervised faculty sessions as residents need them,
    then faculty clinic up to each faculty member's weekly minimum."""

    def __init__(self, facts: Facts, people: list[_Person], fmit: set[tuple[int, int]], rng: random.Random) -> None:
        self.f = facts
        self.rules = facts.problem.rules
        self.ratio = self.rules.supervision
        self.people = people
        self.fmit = fmit
        self.rng = rng
        self.clinic: set[tuple[int, int, int]] = set()
        self.fclinic: set[tuple[int, int, int]] = set()
        self.used: dict[int, int] = {}  # this week's half-days per faculty member
        self.load: dict[tuple[int, int], int] = {}  # session -> supervision units
        self.heads: dict[tuple[int, int], int] = {}  # session -> residents
        self.staff: dict[tuple[int, int], int] = {}  # session -> faculty
        self.off = wished_off(facts)
        self.post_call: set[tuple[int, int]] = set()  # (faculty, day after their attending call): no clinic
        # a clinic half-day that costs more in preferences than its absence costs in continuity is left out
        shortfall = facts.problem.weights.clinic_continuity
        ties = facts.problem.rules.wish_min_granted_percent > 0  # a minimum share set: ties go to the wish
        self.refused = {
            key for key, cost in wished_off_cost(facts).items() if cost > shortfall or (ties and cost == shortfall)
        }
        self.spared = self.refused | _spared_weeks(facts) if ties else _spared_weeks(facts)

    def resident_can(self, p: _Person, i: int) -> bool:
        rot = p.rot[i]
        if rot is None or not rot.continuity_clinic or not p.work[i] or self.f.clinic_capacity(i) <= 0:
            return False
        return not (p.leave[i] or (i > 0 and (p.call[i - 1] or p.night[i - 1])))

    def faculty_can(self, fi: int, i: int) -> bool:
        fac = self.f.faculty[fi]
        if fac.clinic_max_per_week <= 0 or not self.f.clinic_open(i) or self.f.is_absent(fac.id, i):
            return False
        if (fi, i) in self.post_call:
            return False
        w = self.f.fmit_week_of[i]
        if (fi, w) in self.fmit:
            return False
        recovery = self.rules.fmit_recovery_day and i > 0 and self.f.fmit_week_of[i - 1] != w
        return not (recovery and (fi, w - 1) in self.fmit)

    def units(self, r: int) -> int:
        return self.ratio.units(self.f.residents[r].pgy)

    def supervised(self, i: int, s: int, extra: int) -> bool:
        return self.ratio.capacity(self.staff.get((i, s), 0)) >= self.load.get((i, s), 0) + extra

    def add_faculty(self, fi: int, i: int, s: int) -> None:
        self.fclinic.add((fi, i, s))
        self.used[fi] += 1
        self.staff[i, s] = self.staff.get((i, s), 0) + 1

    def open_session(self, i: int, s: int) -> bool:
        """Bring one more faculty member into session (i, s), the one furthest below their minimum."""
        options = [
            fi
            for fi, fac in enumerate(self.f.faculty)
            if self.used[fi] < fac.clinic_max_per_week
            and self.faculty_can(fi, i)
            and not self.f.session_absent(fac.id, i, s)
            and (fi, i, s) not in self.fclinic
        ]
        if not options:
            return False
        self.add_faculty(
            min(
                options,
                key=lambda fi: (
                    (self.f.faculty[fi].id, i) in self.off,
                    self.used[fi] - self.f.faculty[fi].clinic_min_per_week,
                    fi,
                ),
            ),
            i,
            s,
        )
        return True

    def plan_week(self, week: Week, seeded: set[tuple[str, int, int]]) -> None:
        f = self.f
        self.used = dict.fromkeys(range(len(f.faculty)), 0)
        self.load, self.heads, self.staff = {}, {}, {}
        for person, i, s in sorted(seeded, key=lambda item: (item[1], item[2])):
            if i in week.days and person in f.faculty_index:
                fi = f.faculty_index[person]
                if (
                    self.faculty_can(fi, i)
                    and not f.session_absent(person, i, s)
                    and self.used[fi] < f.faculty[fi].clinic_max_per_week
                ):
                    self.add_faculty(fi, i, s)
        residents = list(range(len(self.people)))
        self.rng.shuffle(residents)
        for r in residents:
            self.plan_resident(r, week, seeded)
        for fi, fac in enumerate(f.faculty):
            # up to the weekly minimum, never on a day wished off whose preference costs more than the shortfall
            open_days = [i for i in week.days if self.faculty_can(fi, i) and (fac.id, i) not in self.spared]
            for i in open_days:
                for s in range(2):
                    if (
                        self.used[fi] < fac.clinic_min_per_week
                        and (fi, i, s) not in self.fclinic
                        and not f.session_absent(fac.id, i, s)
                    ):
                        self.add_faculty(fi, i, s)

    def plan_resident(self, r: int, week: Week, seeded: set[tuple[str, int, int]]) -> None:
        f = self.f
        p = self.people[r]
        target = f.problem.requirements.clinic_sessions_per_week.get(f.residents[r].pgy, 0)
        if not target:
            return
        days = [i for i in week.days if self.resident_can(p, i)]
        continuity = [
            i
            for i in week.days
            if (rot := p.rot[i]) is not None and rot.continuity_clinic and p.work[i] and f.clinic_capacity(i) > 0
        ]
        need = min(target, max(0, -(-(target * len(continuity) - 4) // 5)))  # the model's prorated weekly demand
        res_id = f.residents[r].id
        mine = [
            (i, s)
            for person, i, s in seeded
            if person == res_id and i in days and (i, s) not in f.didactics and not f.session_absent(res_id, i, s)
        ]
        options = [
            (i, s)
            for i in days
            for s in range(2)
            if (i, s) not in mine
            and (res_id, i) not in self.refused
            and (i, s) not in f.didactics
            and not f.session_absent(res_id, i, s)
        ]
        self.rng.shuffle(options)
        options.sort(
            key=lambda o: (
                (res_id, o[0]) in self.off,
                not self.supervised(o[0], o[1], self.units(r)),
                self.heads.get(o, 0),
            )
        )
        taken = 0
        for i, s in mine + options:
            if taken >= max(need, len(mine)):
                break
            if self.heads.get((i, s), 0) >= f.clinic_capacity(i) or (r, i, s) in self.clinic:
                continue
            while not self.supervised(i, s, self.units(r)) and self.open_session(i, s):
                pass
            if not self.supervised(i, s, self.units(r)):
                continue
            self.clinic.add((r, i, s))
            self.load[i, s] = self.load.get((i, s), 0) + self.units(r)
            self.heads[i, s] = self.heads.get((i, s), 0) + 1
            taken += 1


def heuristic(
    facts: Facts,
    *,
    seed: int,
    time_limit: float,
    workers: int,
    work_limit: float | None = None,
    start: dict[tuple[int, int], int] | None = None,
) -> Hint | None:
    """A complete starting schedule, or None when the rotation phase finds nothing in time (or work); `start`:
    the rotations of an earlier one, which the rotation phase improves on."""
    proven: list[bool] = []
    rotations = rotation_phase(
        facts, seed=seed, time_limit=time_limit, workers=workers, work_limit=work_limit, start=start, proven=proven
    )
    if rotations is None:
        return None
    rng = random.Random(seed)  # noqa: S311 - reproducible search, not security
    problem = facts.problem
    ref = problem.reference
    seeded_calls: set[tuple[int, int]] = set()
    seeded_fmit: set[tuple[int, int]] = set()
    seeded_clinic: set[tuple[str, int, int]] = set()
    for lock in problem.locks:
        if lock.kind == "call" and lock.date in facts.day_index:
            seeded_calls.add((facts.resident_index[lock.person], facts.day_index[lock.date]))
        elif lock.kind == "fmit" and lock.date in facts.day_index:
            seeded_fmit.add((facts.faculty_index[lock.person], facts.fmit_week_of[facts.day_index[lock.date]]))
        elif lock.kind == "clinic" and lock.date in facts.day_index and lock.session is not None:
            seeded_clinic.add((lock.person, facts.day_index[lock.date], SESSIONS.index(lock.session)))
    if ref is not None:
        seeded_calls |= {
            (facts.resident_index[p], facts.day_index[d])
            for p, d in ref.calls
            if p in facts.resident_index and d in facts.day_index
        }
        seeded_fmit |= {
            (facts.faculty_index[p], w)
            for p, d in ref.fmit_weeks
            if p in facts.faculty_index and (w := facts.fmit_week_index(d)) is not None
        }
        seeded_clinic |= {(p, facts.day_index[d], SESSIONS.index(s)) for p, d, s in ref.clinic if d in facts.day_index}
    fmit = _fmit_phase(facts, rng, seeded_fmit)
    planner = _CallPlanner(facts, rotations, rng)
    calls = planner.plan(seeded_calls)
    people = planner.people
    resident_seeds = {(p, i, s) for p, i, s in seeded_clinic if p in facts.resident_index}
    faculty_seeds = {(p, i, s) for p, i, s in seeded_clinic if p in facts.faculty_index}
    seeded_fcalls = {
        (facts.faculty_index[p], facts.day_index[d])
        for p, d in (ref.calls if ref is not None else ())
        if p in facts.faculty_index and d in facts.day_index
    }
    fcalls = faculty_call.plan(facts, fmit, rng, seeded_fcalls)
    clinics = _ClinicPlanner(facts, people, fmit, rng)
    clinics.post_call = faculty_call.post_call_days(fcalls) | faculty_call.edge_post_call(facts)
    for week in facts.clinic_weeks:
        clinics.plan_week(week, faculty_seeds | resident_seeds)
    return Hint(
        rotations,
        calls,
        frozenset(clinics.clinic),
        frozenset(clinics.fclinic),
        frozenset(fmit),
        frozenset(fcalls),
        settled=bool(proven and proven[0]),
    )
