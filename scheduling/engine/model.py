"""The joint CP-SAT model (block rotations, in-house call, continuity clinic, faculty clinic and FMIT) and `solve`.

Hard: eligibility, one rotation per block, maximum staffing, required rotations, locks, clinic capacity,
supervision ratio, a credentialed supervisor on the work days of rotations that need one, faculty clinic
maximum, FMIT maximum/consecutive/gap/no-clinic/recovery rules, call spacing and post-call day, and the
ACGME rules as exact or conservative linear constraints (docs/engine.md).
Soft (weighted, each cost reported): coverage shortfall, call/weekend/holiday/FMIT fairness, preferences,
clinic continuity and change from a reference schedule.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ortools.sat.python import cp_model

from scheduling.engine import faculty_call
from scheduling.engine.equity import gini
from scheduling.engine.facts import Facts
from scheduling.engine.hints import Hint, heuristic
from scheduling.engine.limits import limit_search
from scheduling.engine.problem import WEIGHT_NAMES, Problem, Reference
from scheduling.engine.solution import Conflict, Progress, Solution, Statistics, Status

SESSIONS = ("AM", "PM")
Expr = cp_model.LinearExprT
Var = cp_model.IntVar


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A soft coverage requirement's shortfall variable, with the words to report it when it is not met."""

    var: Var
    requirement: str
    message: Callable[[int], str]


def _sum(items: Iterable[Expr]) -> Expr:
    return cp_model.LinearExpr.sum(list(items))


class ScheduleModel:
    """Builds the joint model for a Problem; with `explain`, each hard requirement group is behind a literal."""

    def __init__(
        self, facts: Facts, *, explain: bool = False, rotations_only: bool = False, relaxed: bool = False
    ) -> None:
        """`relaxed` (bounds.py): no ACGME windows, no supervision ratio, no fairness terms; a relaxation."""
        self.f = facts
        self.problem = facts.problem
        self.explain = explain
        self.rotations_only = rotations_only
        self.relaxed = relaxed
        self.m = cp_model.CpModel()
        self.guards: dict[str, Var] = {}
        self.messages: dict[str, str] = {}
        self.costs: dict[str, list[Expr]] = {name: [] for name in WEIGHT_NAMES}
        self.shortfalls: list[Shortfall] = []
        self.x: dict[tuple[int, int, int], Var] = {}
        # half-block rotations (resident, block, rotation, half 1|2), only where `Facts.half_eligible` allows two
        # different ones; `split` holds those (resident, block): their days follow the rotation of their half
        self.h: dict[tuple[int, int, int, int], Var] = {}
        self.split: set[tuple[int, int]] = set()
        self.call: dict[tuple[int, int], Var] = {}
        self.call_entry: dict[tuple[int, int, int], Var] = {}
        self.clinic: dict[tuple[int, int, int], Var] = {}  # (resident, day, session)
        self.fclinic: dict[tuple[int, int, int], Var] = {}  # (faculty, day, session)
        self.fmit: dict[tuple[int, int], Var] = {}  # (faculty, FMIT week)
        self.fcall: dict[tuple[int, int], Var] = {}  # (faculty, night): attending call (faculty_call.py)
        self.cost_expr: dict[str, Expr] = {}
        self.refused: list[tuple[str, int, Expr]] = []  # (person, weight, 1 when the wish is refused)
        # (person, indices of a week's clinic half-day vars) -> (shortfall, lower bounds of shortfall + held
        # half-days, away vars that cancel a constant bound, the largest bound)
        self.week_floor: dict[tuple[str, frozenset[int]], tuple[Var, list[Expr], list[Var], int]] = {}
        self.objective: Expr = 0
        self._build()

    # -- helpers --------------------------------------------------------------------------------------

    def guard(self, requirement: str, message: str) -> list[Var]:
        """The enforcement literal of a requirement group (explain mode only)."""
        if not self.explain:
            return []
        if requirement not in self.guards:
            self.guards[requirement] = self.m.NewBoolVar(f"req:{requirement}")
            self.messages[requirement] = message
        return [self.guards[requirement]]

    def add(self, constraint: cp_model.BoundedLinearExpression | bool, requirement: str, message: str) -> None:
        """Add a hard constraint that belongs to a requirement group (guarded when explaining)."""
        if isinstance(constraint, bool):
            if constraint:
                return
            constraint = cp_model.LinearExpr.sum([]) >= 1  # type: ignore[assignment]
        ct = self.m.Add(constraint)
        literals = self.guard(requirement, message)
        if literals:
            ct.OnlyEnforceIf(literals)

    def rname(self, r: int) -> str:
        res = self.f.residents[r]
        return res.name or res.id

    def fname(self, f: int) -> str:
        fac = self.f.faculty[f]
        return fac.name or fac.id

    def rot_name(self, k: int) -> str:
        rot = self.f.rotations[k]
        return rot.name or rot.id

    def block_number(self, b: int) -> int:
        return self.problem.calendar.blocks[b].number

    def xs(self, r: int, b: int, ks: Iterable[int]) -> list[Var]:
        return [self.x[r, b, k] for k in ks if (r, b, k) in self.x]

    def on_day(self, r: int, i: int) -> list[tuple[int, Var]]:
        """The rotation variables (rotation index, var) that may put resident r on a rotation on day i: the block's
        whole-block ones, then those of the half holding the day (exactly one of them is 1)."""
        f = self.f
        b = f.block_of[i]
        out = [(k, self.x[r, b, k]) for k in f.eligible[r][b]]
        if (r, b) in self.split:
            half = f.half_of[i]
            out += [(k, self.h[r, b, k, half]) for k in f.half_eligible[r][b][half - 1]]
        return out

    def period(self, r: int, i: int) -> tuple[int, int]:
        """The stretch of days over which resident r's rotation variables are the same: the block, or its half."""
        b = self.f.block_of[i]
        return (b, self.f.half_of[i]) if (r, b) in self.split else (b, 0)

    def not_on(self, r: int, b: int, k: int, half: int = 0) -> list[Var]:
        """Variables summing to 1 exactly when resident r is not on rotation k for the whole block b (half 0) or
        in its half (a half on k is not the whole block)."""
        out = [v for (_, _, kk), v in self._block_vars(r, b) if kk != k]
        if (r, b) in self.split:
            ks = self.f.half_eligible[r][b][max(half, 1) - 1]
            out += [self.h[r, b, kk, max(half, 1)] for kk in ks if half == 0 or kk != k]
        return out

    def held(self, r: int, k: int, b: int) -> list[Var]:
        """Resident r's variables of rotation k in block b: the whole block and each half."""
        return self.xs(r, b, [k]) + [self.h[r, b, k, half] for half in (1, 2) if (r, b, k, half) in self.h]

    # -- build ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self._rotations()
        if self.rotations_only:
            self._rotation_balance()
        else:
            self._faculty_vars()
            for r in range(len(self.f.residents)):
                self._resident_days(r)
            self._call_coverage()
            self._clinic_sessions()
            self._faculty_rules()
            if not self.relaxed:  # a one-person relaxation (bounds.py) has no faculty to supervise with
                self._credentialed_supervisors()
                faculty_call.add_to_model(self)  # nor others to share the faculty call with
        self._locks()
        self._preferences()
        if not self.rotations_only and not self.relaxed:
            self._fairness()
        self._changes()
        weights = self.problem.weights
        for name in WEIGHT_NAMES:
            self.cost_expr[name] = _sum(self.costs[name])
        self.objective = _sum(getattr(weights, name) * self.cost_expr[name] for name in WEIGHT_NAMES)
        if not self.explain:
            self.m.Minimize(self.objective)

    def _rotations(self) -> None:
        f = self.f
        for r, res in enumerate(f.residents):
            for b in range(len(f.block_days)):
                for k in f.eligible[r][b]:
                    self.x[r, b, k] = self.m.NewBoolVar(f"x[{res.id},{b},{f.rotations[k].id}]")
                halves = f.half_eligible[r][b]
                if halves[0] and not self.rotations_only:  # the hint's rotations are whole blocks
                    self.split.add((r, b))
                    for half, ks in enumerate(halves, start=1):
                        for k in ks:
                            self.h[r, b, k, half] = self.m.NewBoolVar(f"h[{res.id},{b},{f.rotations[k].id},{half}]")
                    for k in set(halves[0]) & set(halves[1]):  # the same rotation in both halves is the whole block
                        self.m.Add(self.h[r, b, k, 1] + self.h[r, b, k, 2] <= 1)
                for half in (1, 2) if (r, b) in self.split else (0,):
                    held = self.xs(r, b, f.eligible[r][b]) + [self.h[r, b, k, half] for k in halves[half - 1] if half]
                    self.add(
                        _sum(held) == 1,
                        f"eligible:{res.id}:{self.block_number(b)}",
                        f"Block {self.block_number(b)}: {self.rname(r)} needs a rotation they are eligible for",
                    )
        req = self.problem.requirements
        for staffing in req.staffing:
            k = f.rotation_index[staffing.rotation]
            positions = [f.block_position[n] for n in staffing.blocks] if staffing.blocks else range(len(f.block_days))
            for b in positions:
                whole = [self.x[r, b, k] for r in range(len(f.residents)) if (r, b, k) in self.x]
                halves = [[v for (_, bb, kk, hh), v in self.h.items() if (bb, kk, hh) == (b, k, h)] for h in (1, 2)]
                # staffing holds in each half when residents may hold this rotation for a half
                for half in (1, 2) if any(halves) else (0,):
                    on = whole + (halves[half - 1] if half else [])
                    number = self.block_number(b)
                    label = f"{number}" + {0: "", 1: " (first half)", 2: " (second half)"}[half]
                    tag = f"{number}" if not half else f"{number}:{half}"
                    if staffing.max_residents is not None:
                        self.add(
                            _sum(on) <= staffing.max_residents,
                            f"staffing_max:{staffing.rotation}:{tag}",
                            f"Block {label}: {self.rot_name(k)} takes at most {staffing.max_residents} residents",
                        )
                    if staffing.min_residents > 0:
                        short = self.m.NewIntVar(0, staffing.min_residents, f"short_staff[{staffing.rotation},{tag}]")
                        self.m.Add(_sum(on) + short >= staffing.min_residents)
                        self.costs["coverage_shortfall"].append(short)
                        eligible = len(on)
                        self.shortfalls.append(
                            Shortfall(
                                short,
                                f"staffing:{staffing.rotation}:block:{tag}",
                                _staffing_message(label, self.rot_name(k), staffing.min_residents, eligible),
                            )
                        )
        for required in req.required_rotations:
            k = f.rotation_index[required.rotation]
            high = required.max_blocks
            span = (
                f"{required.min_blocks}"
                if high == required.min_blocks
                else (f"at least {required.min_blocks}" if high is None else f"{required.min_blocks} to {high}")
            )
            key = f"required:{required.pgy}:{required.rotation}"
            message = f"PGY-{required.pgy} residents must spend {span} block(s) on {self.rot_name(k)}"
            for r, res in enumerate(f.residents):
                if res.pgy != required.pgy:
                    continue
                held = _sum(self.x[r, b, k] for b in range(len(f.block_days)) if (r, b, k) in self.x)
                low, top = required.min_blocks, high
                halves = [self.h[r, b, k, half] for b in range(len(f.block_days)) for half in (1, 2)
                          if (r, b, k, half) in self.h]  # fmt: skip
                if halves:  # counted in halves: a half is half a block
                    held = 2 * held + _sum(halves)
                    low, top = 2 * low, None if high is None else 2 * high
                if required.min_blocks:
                    self.add(held >= low, key, message)
                if top is not None:
                    self.add(held <= top, key, message)

    def _rotation_balance(self) -> None:
        """Rotation phase of the hint only: enough call-eligible residents per block, CE blocks spread evenly."""
        f = self.f
        per_night = sum(c.per_night for c in self.problem.requirements.call)
        if not per_night:
            return
        call_rots = {k for k, rot in enumerate(f.rotations) if rot.call_eligible and not rot.night}
        weight = max(1, self.problem.weights.coverage_shortfall // 10)
        for b in range(len(f.block_days)):
            on = [v for (r, bb, k), v in self.x.items() if bb == b and k in call_rots and f.call_pgy(f.residents[r])]
            need = 5 * per_night + 1
            short = self.m.NewIntVar(0, need, f"short_ce[{b}]")
            self.m.Add(_sum(on) + short >= need)
            self.costs["coverage_shortfall"].append(weight * short)
        cohorts: dict[int, list[int]] = {}
        held: dict[int, list[Var]] = {}
        for (r, _, k), var in self.x.items():
            if k in call_rots:
                held.setdefault(r, []).append(var)
        for r, res in enumerate(f.residents):
            if f.call_pgy(res):
                cohorts.setdefault(res.pgy, []).append(r)
        for pgy, members in sorted(cohorts.items()):
            counts = [_sum(held.get(r, [])) for r in members]
            self._spread(counts, len(f.block_days), f"ce_spread[{pgy}]", "call_fairness")

    def _resident_days(self, r: int) -> None:
        """Calls, day duty, nights, clinic and the ACGME windows of one resident (see docs/engine.md)."""
        f = self.f
        res = f.residents[r]
        rules = self.problem.rules
        n = f.n
        entries = f.call_pgy(res)
        work: list[list[Var]] = []
        night: list[list[Var]] = []
        on = [self.on_day(r, i) for i in range(n)]  # the rotation variables of each day (its block or half)
        for i in range(n):
            absent = f.is_absent(res.id, i) or f.rests(res.id, i)  # no day duty on leave or in the context's rest
            work.append([] if absent else [v for k, v in on[i] if f.works_day(f.rotations[k], i)])
            night.append([v for k, v in on[i] if f.works_night(f.rotations[k], res.id, i)])
        call_rots = [
            [v for k, v in on[i] if f.rotations[k].call_eligible and not f.rotations[k].night] for i in range(n)
        ]
        calls: list[Var | None] = [None] * (n + 1)
        if entries:
            for i in range(n):
                if f.can_call(r, i):
                    var = self.m.NewBoolVar(f"call[{res.id},{i}]")
                    calls[i] = var
                    self.call[r, i] = var
                    self.m.Add(var <= _sum(call_rots[i]))
                    if len(self.problem.requirements.call) == 1:
                        self.call_entry[r, i, 0] = var
                    else:
                        parts = []
                        for c in entries:
                            part = self.m.NewBoolVar(f"call[{res.id},{i},{c}]")
                            self.call_entry[r, i, c] = part
                            parts.append(part)
                        self.m.Add(_sum(parts) == var)

        def and_call(call_var: Var | None, call_day: int, i: int, name: str) -> Expr:
            """call (on night call_day) AND day duty on day i, as a linear expression."""
            if call_var is None or not work[i]:
                return 0
            if self.period(r, call_day) == self.period(r, i):  # the same rotation variables on both days
                working = {v.Index() for v in work[i]}
                ce = {v.Index() for v in call_rots[call_day]}
                if ce <= working:
                    return call_var
                if not ce & working:
                    return 0
            return self._and_sums([call_var], work[i], name)

        day_duty: list[Expr] = []  # D: day duty not covered by a call
        night_x: list[Expr] = [_sum(night[i]) for i in range(n)] + [0]
        touched: list[Expr] = []  # a night shift touches the day
        for i in range(n + 1):
            same = i > 0 and i < n and self.period(r, i - 1) == self.period(r, i)
            if i < n:
                p1 = and_call(calls[i], i, i, f"p1[{res.id},{i}]")
                p2 = and_call(calls[i - 1], i - 1, i, f"p2[{res.id},{i}]") if i > 0 else 0
                p3: Expr = 0
                if i > 0 and not same and night[i - 1] and work[i]:
                    p3 = self._and_sums(night[i - 1], work[i], f"p3[{res.id},{i}]")
                day_duty.append(_sum(work[i]) - p2 - p3 - p1)
                # where blocks change: no night shift on the post-call day (14 h rest after a 25-h call) and no
                # call right after a night shift (one period over 28 h); part of the duty model, never relaxed
                if i > 0 and not same:
                    if calls[i - 1] is not None and night[i]:
                        self.m.Add(calls[i - 1] + night_x[i] <= 1)
                    if calls[i] is not None and night[i - 1]:
                        self.m.Add(calls[i] + night_x[i - 1] <= 1)
            if i == 0:
                touched.append(night_x[0])
            elif i == n or same:
                if i == n:
                    touched.append(night_x[n - 1])
                else:
                    touched.append(
                        _sum(
                            v
                            for k, v in on[i]
                            if f.works_night(f.rotations[k], res.id, i) or f.works_night(f.rotations[k], res.id, i - 1)
                        )
                    )
            elif night[i] and night[i - 1]:
                nt = self.m.NewBoolVar(f"nt[{res.id},{i}]")
                self.m.Add(nt >= night_x[i])
                self.m.Add(nt >= night_x[i - 1])
                self.m.Add(nt <= night_x[i] + night_x[i - 1])
                touched.append(nt)
            else:
                touched.append(night_x[i] + night_x[i - 1])
        self._resident_clinic(r, work, calls, night, on)

        # call spacing: no call within min_days_between_calls days after a call (at least the post-call day)
        gap = max(1, rules.min_days_between_calls)
        if self.explain:  # two calls in a row would be one 49-h period: never a requirement to relax
            for i in range(n - 1):
                if calls[i] is not None and calls[i + 1] is not None:
                    self.m.Add(calls[i] + calls[i + 1] <= 1)
        for i in range(n):
            window = [c for c in calls[i : i + gap + 1] if c is not None]
            if len(window) > 1 and calls[i] is not None:
                self.add(
                    _sum(window) <= 1,
                    f"call_spacing:{res.id}",
                    f"{self.rname(r)}: at least {gap} day(s) between in-house calls",
                )
        if not self.relaxed:
            self._acgme_windows(r, work, night, calls, day_duty, night_x, touched, gap)

    def _and_sums(self, a: list[Var], b: list[Var], name: str) -> Var:
        """A bool equal to (sum a) AND (sum b), each sum being 0 or 1."""
        p = self.m.NewBoolVar(name)
        self.m.Add(p <= _sum(a))
        self.m.Add(p <= _sum(b))
        self.m.Add(p >= _sum(a) + _sum(b) - 1)
        return p

    def _acgme_message(self, r: int) -> str:
        lim = self.f.limits
        return (
            f"{self.rname(r)}: ACGME limits ({lim.weekly_hours:g} h a week averaged over {lim.window_days} days, "
            f"{lim.days_off_per_window} days off per {lim.window_days} days, in-house call at most every "
            f"{lim.inhouse_call_every_nth_night}rd night, a day off after a 24-hour call)"
        )

    def _acgme_windows(
        self,
        r: int,
        work: list[list[Var]],
        night: list[list[Var]],
        calls: list[Var | None],
        day_duty: list[Expr],
        night_x: list[Expr],
        touched: list[Expr],
        gap: int,
    ) -> None:
        """Rolling-window hours, days off and call nights as sums over days 0..n (n = spill day)."""
        f = self.f
        res = f.residents[r]
        lim = f.limits
        n = f.n
        width = lim.window_days
        key, message = f"acgme:{res.id}", self._acgme_message(r)
        minutes = f.clock_minutes
        edge = f.edges.get(res.id)  # the fixed schedule around the horizon (scheduling/engine/context.py)
        leave = [f.is_absent(res.id, i) for i in range(n)] + [edge is not None and n in edge.leave]
        context_busy = edge.busy if edge is not None else frozenset()

        def call_at(i: int) -> Var | None:
            return calls[i] if 0 <= i < n else None

        hours: list[Expr] = []
        upper: list[int] = []
        free: list[Expr] = []
        sure_free: list[bool] = []
        for i in range(n + 1):
            m_day, c0, c1, n0, n1 = minutes[i]
            c_now, c_prev = call_at(i), call_at(i - 1)
            terms: list[Expr] = []
            if i < n:
                terms.append(m_day * day_duty[i])
                terms.append(n0 * night_x[i])
            if c_now is not None:
                terms.append(c0 * c_now)
            if c_prev is not None:
                terms.append(c1 * c_prev)
            if i > 0:
                terms.append(n1 * night_x[i - 1])
            hours.append(_sum(terms))
            has_work = i < n and bool(work[i])
            has_night = i < n and bool(night[i])
            prev_night = i > 0 and bool(night[i - 1])
            upper.append(
                max(m_day * has_work, c0 * (c_now is not None), n0 * has_night)
                + max(c1 * (c_prev is not None), n1 * prev_night)
            )
            counted = not leave[i] and not f.short_day(i) and i not in context_busy
            if counted:
                parts: list[Expr] = [1, -touched[i]]
                if i < n:
                    parts.append(-day_duty[i])
                if c_now is not None:
                    parts.append(-c_now)
                if c_prev is not None:
                    parts.append(-c_prev)
                free.append(_sum(parts))
            else:
                free.append(0)
            sure_free.append(
                counted and not has_work and not has_night and not prev_night and c_now is None and c_prev is None
            )

        def window(values: list[Expr], lo: int, hi: int) -> Expr:
            # a direct sum over the window's days, no running-total variables: a call or a rotation that moves
            # then changes only the windows holding it, so CP-SAT's local search and LNS can move it (with
            # running totals every later total moves too, and they found no improving move in 60 s on M)
            return _sum(values[lo : hi + 1])

        # each window's limit less what the context around the horizon puts in it; without a context, hours and
        # call nights in the windows inside days 0..n (they dominate those sticking out), free days in every
        # window touching days 0..n with the days outside counted free (history is not known)
        limits = f.window_limits(res.id)

        def part(s: int) -> tuple[int, int]:
            return max(s, 0), min(s + width - 1, n)

        for s, limit in limits.hours.items():
            lo, hi = part(s)
            if sum(upper[lo : hi + 1]) > limit:
                self.add(window(hours, lo, hi) <= limit, key, message)
        nights = [c if c is not None else 0 for c in calls[:n]] + [0]
        for s, allowed in limits.calls.items():
            lo, hi = part(s)
            possible = sum(1 for i in range(lo, min(hi, n - 1) + 1) if calls[i] is not None)
            span_days = min(hi, n - 1) - lo + 1
            if possible > allowed and -(-span_days // (gap + 1)) > allowed:
                self.add(window(nights, lo, hi) <= allowed, key, message)
        for s, needed in limits.days_off.items():
            lo, hi = part(s)
            if sum(sure_free[lo : hi + 1]) < needed:
                self.add(window(free, lo, hi) >= needed, key, message)

    def _resident_clinic(
        self,
        r: int,
        work: list[list[Var]],
        calls: list[Var | None],
        night: list[list[Var]],
        on: list[list[tuple[int, Var]]],
    ) -> None:
        """Continuity clinic half-days inside day duty; weekly target per PGY (shortfall soft, cap hard)."""
        f = self.f
        res = f.residents[r]
        target = self.problem.requirements.clinic_sessions_per_week.get(res.pgy, 0)
        locked = any(lock.kind == "clinic" and lock.person == res.id for lock in self.problem.locks)
        if target == 0 and not locked:
            return
        continuity: dict[int, list[Var]] = {}
        for i in range(f.n):
            if f.clinic_capacity(i) <= 0 or f.is_absent(res.id, i) or f.rests(res.id, i):
                continue
            held = [v for k, v in on[i] if f.rotations[k].continuity_clinic and f.works_day(f.rotations[k], i)]
            if not held:
                continue
            continuity[i] = held
            for s, session in enumerate(SESSIONS):
                if (i, s) in f.didactics or f.session_absent(res.id, i, s):  # at didactics, or a half-day absence
                    continue
                var = self.m.NewBoolVar(f"clinic[{res.id},{i},{session}]")
                self.clinic[r, i, s] = var
                self.m.Add(var <= _sum(continuity[i]))
                if i > 0 and calls[i - 1] is not None:
                    self.m.Add(var + calls[i - 1] <= 1)
                if i > 0 and night[i - 1] and self.period(r, i - 1) != self.period(r, i):
                    self.m.Add(var + _sum(night[i - 1]) <= 1)
        for week in f.clinic_weeks:
            held = [self.clinic[r, i, s] for i in week.days for s in range(2) if (r, i, s) in self.clinic]
            if not held:
                continue
            locked_here = sum(
                1
                for lock in self.problem.locks
                if lock.kind == "clinic" and lock.person == res.id and f.day_index.get(lock.date) in week.days  # type: ignore[arg-type]
            )
            self.add(
                _sum(held) <= max(target, locked_here),
                f"clinic_week:{res.id}",
                f"{self.rname(r)}: at most {target} continuity clinic half-day(s) a week",
            )
            if target:
                demand = _sum(target * v for i in week.days if i in continuity for v in continuity[i])
                short = self.m.NewIntVar(0, target, f"short_clinic[{res.id},{week.index}]")
                self.m.Add(5 * short >= demand - 5 * _sum(held) - 4)
                self.costs["clinic_continuity"].append(short)
                if not self.explain:  # the cuts rest on one rotation per block, which explaining may relax
                    self._continuity_cuts(r, week.days, continuity, target, short, held)

    def _continuity_cuts(
        self, r: int, days: Sequence[int], continuity: dict[int, list[Var]], target: int, short: Var, held: list[Var]
    ) -> None:
        """Redundant, LP-tightening form of a resident's weekly continuity shortfall (integer rounding).

        `5 short >= target x D - 5 held - 4` with D the week's continuity days means short + held >=
        ceil((target x D - 4) / 5). D is a sum of the block rotations' day counts (one rotation per block), and
        ceil((a + b - 4) / 5) >= max(0, ceil((a - 4) / 5)) + floor(b / 5), so each block of the week in turn
        takes the rounded-up part. The floor of a (person, week) is kept for the preference cuts below.
        """
        per_block: dict[tuple[int, int], dict[Var, int]] = {}
        for i in days:
            for var in continuity.get(i, []):
                counts = per_block.setdefault(self.period(r, i), {})
                counts[var] = counts.get(var, 0) + 1
        if not per_block:
            return
        floors: list[Expr] = []
        for b in per_block:
            terms: list[Expr] = []
            for bb, counts in per_block.items():
                for var, d in counts.items():
                    c = max(0, -(-(target * d - 4) // 5)) if bb == b else target * d // 5
                    if c:
                        terms.append(c * var)
            if terms:
                floor = _sum(terms)
                self.m.Add(short + _sum(held) >= floor)
                floors.append(floor)
        self.week_floor[self.f.residents[r].id, frozenset(v.Index() for v in held)] = (short, floors, [], target)

    def _faculty_vars(self) -> None:
        f = self.f
        for fi, fac in enumerate(f.faculty):
            if fac.clinic_max_per_week > 0:
                for i in range(f.n):
                    if f.clinic_open(i) and not f.is_absent(fac.id, i):
                        for s, session in enumerate(SESSIONS):
                            if f.session_absent(fac.id, i, s):  # a half-day absence
                                continue
                            self.fclinic[fi, i, s] = self.m.NewBoolVar(f"fclinic[{fac.id},{i},{session}]")
            for week in f.fmit_weeks:
                if f.fmit_available(fi, week):
                    self.fmit[fi, week.index] = self.m.NewBoolVar(f"fmit[{fac.id},{week.index}]")

    def _call_coverage(self) -> None:
        f = self.f
        for c, coverage in enumerate(self.problem.requirements.call):
            if coverage.per_night <= 0:
                continue
            for i in range(f.n):
                on = [self.call_entry[r, i, c] for r in range(len(f.residents)) if (r, i, c) in self.call_entry]
                short = self.m.NewIntVar(0, coverage.per_night, f"short_call[{i},{c}]")
                self.add(
                    _sum(on) + short == coverage.per_night,
                    f"call_cap:{f.days[i]}",
                    f"Night of {f.days[i]}: in-house call takes {coverage.per_night} resident(s)",
                )
                self.costs["coverage_shortfall"].append(short)
                self.shortfalls.append(
                    Shortfall(short, f"call:{f.days[i]}", _call_message(f.days[i], coverage.per_night, len(on)))
                )

    def _clinic_sessions(self) -> None:
        """Clinic capacity per session (hard) and the faculty supervision ratio (hard)."""
        f = self.f
        ratio = self.problem.rules.supervision  # the checker's arithmetic (supervision_ratio), never a copy
        by_day: dict[tuple[int, int], list[tuple[int, Var]]] = {}
        for (r, i, s), var in self.clinic.items():
            by_day.setdefault((i, s), []).append((ratio.units(f.residents[r].pgy), var))
        faculty_by_day: dict[tuple[int, int], list[Var]] = {}
        for (_fi, i, s), var in self.fclinic.items():
            faculty_by_day.setdefault((i, s), []).append(var)
        for (i, s), items in sorted(by_day.items()):
            when = f"{f.days[i]} {SESSIONS[s]}"
            self.add(
                _sum(v for _, v in items) <= f.clinic_capacity(i),
                f"clinic_capacity:{f.days[i]}:{SESSIONS[s]}",
                f"{when}: the clinic takes at most {f.clinic_capacity(i)} residents",
            )
            if self.relaxed:  # a one-person relaxation (bounds.py) has no faculty to supervise with
                continue
            self.add(
                ratio.supervision_units_per_faculty * _sum(faculty_by_day.get((i, s), []))
                >= _sum(u * v for u, v in items),
                f"supervision:{f.days[i]}:{SESSIONS[s]}",
                f"{when}: residents in clinic need one supervising faculty per "
                f"{ratio.supervision_units_per_faculty} units (a PGY-1 counts {ratio.pgy1_supervision_units})",
            )

    def _faculty_rules(self) -> None:
        f = self.f
        rules = self.problem.rules
        req = self.problem.requirements
        weeks = f.fmit_weeks
        by_faculty: dict[int, list[tuple[int, Var]]] = {}
        for (fi, i, _s), var in self.fclinic.items():
            by_faculty.setdefault(fi, []).append((i, var))
        for fi, fac in enumerate(f.faculty):
            name = self.fname(fi)
            for i, var in by_faculty.get(fi, []):
                week = f.fmit_week_of[i]
                if (fi, week) in self.fmit:
                    self.add(
                        var + self.fmit[fi, week] <= 1,
                        f"fmit_clinic:{fac.id}",
                        f"{name}: no clinic during an FMIT week",
                    )
                recovery = rules.fmit_recovery_day and i > 0 and f.fmit_week_of[i - 1] != week
                if recovery and (fi, week - 1) in self.fmit:
                    self.add(
                        var + self.fmit[fi, week - 1] <= 1,
                        f"fmit_clinic:{fac.id}",
                        f"{name}: no clinic during an FMIT week or on the recovery day after it",
                    )
            for week in f.clinic_weeks:
                held = [self.fclinic[fi, i, s] for i in week.days for s in range(2) if (fi, i, s) in self.fclinic]
                if not held:
                    continue
                self.add(
                    _sum(held) <= fac.clinic_max_per_week,
                    f"faculty_clinic:{fac.id}",
                    f"{name}: at most {fac.clinic_max_per_week} clinic half-days a week",
                )
                if fac.clinic_min_per_week:
                    open_days = [i for i in week.days if f.clinic_open(i) and not f.is_absent(fac.id, i)]
                    away: list[Expr] = []
                    for i in open_days:
                        wk = f.fmit_week_of[i]
                        if (fi, wk) in self.fmit:
                            away.append(self.fmit[fi, wk])
                        if (
                            rules.fmit_recovery_day
                            and i > 0
                            and f.fmit_week_of[i - 1] != wk
                            and (fi, wk - 1) in self.fmit
                        ):
                            away.append(self.fmit[fi, wk - 1])
                    short = self.m.NewIntVar(0, fac.clinic_min_per_week, f"short_fclinic[{fac.id},{week.index}]")
                    demand = fac.clinic_min_per_week * len(open_days) - fac.clinic_min_per_week * _sum(away)
                    self.m.Add(5 * short >= demand - 5 * _sum(held) - 4)
                    self.costs["clinic_continuity"].append(short)
                    # the same, rounded (redundant; tightens the LP): short + held >= c unless a day is away
                    c = max(0, -(-(fac.clinic_min_per_week * len(open_days) - 4) // 5))
                    if c and not self.explain:
                        floor = c - c * _sum(away)
                        self.m.Add(short + _sum(held) >= floor)
                        self.week_floor[fac.id, frozenset(v.Index() for v in held)] = (short, [c], away, c)
            mine = [self.fmit.get((fi, w.index)) for w in weeks]
            consecutive = rules.fmit_max_consecutive_weeks
            for w in range(len(weeks) - consecutive):
                window = [v for v in mine[w : w + consecutive + 1] if v is not None]
                if len(window) > consecutive:
                    self.add(
                        _sum(window) <= consecutive,
                        f"fmit_consecutive:{fac.id}",
                        f"{name}: at most {consecutive} FMIT week(s) in a row",
                    )
            gap = rules.fmit_min_gap_weeks
            for w in range(len(weeks)):
                if mine[w] is None:
                    continue
                follow = mine[w + 1] if w + 1 < len(weeks) else None
                for k in range(2, gap + 1):
                    if w + k < len(weeks) and mine[w + k] is not None:
                        self.add(
                            mine[w] - (follow if follow is not None else 0) + mine[w + k] <= 1,
                            f"fmit_gap:{fac.id}",
                            f"{name}: at least {gap} weeks between FMIT stints",
                        )
                if consecutive == 0:
                    self.add(mine[w] == 0, f"fmit_consecutive:{fac.id}", f"{name}: no FMIT weeks allowed")
        for week in weeks:
            on = [self.fmit[fi, week.index] for fi in range(len(f.faculty)) if (fi, week.index) in self.fmit]
            start = f.days[week.days[0]]
            self.add(
                _sum(on) <= req.fmit_max_attendings,
                f"fmit_max:{start}",
                f"FMIT week of {start}: at most {req.fmit_max_attendings} attending(s)",
            )
            if req.fmit_min_attendings:
                short = self.m.NewIntVar(0, req.fmit_min_attendings, f"short_fmit[{week.index}]")
                self.m.Add(_sum(on) + short >= req.fmit_min_attendings)
                self.costs["coverage_shortfall"].append(short)
                self.shortfalls.append(
                    Shortfall(short, f"fmit:{start}", _fmit_message(start, req.fmit_min_attendings, len(on)))
                )

    def _credentialed_supervisors(self) -> None:
        """A rotation with `supervisor_credentials` held by someone in a block needs, on each of its work days, a
        faculty member holding them (valid that day), not absent and not on FMIT that week (y[r,b] >= x)."""
        f = self.f
        for k, rot in enumerate(f.rotations):
            if not rot.supervisor_credentials or rot.night:
                continue
            codes = ", ".join(sorted(rot.supervisor_credentials))
            for b in range(len(f.block_days)):
                # a half on the rotation needs its supervisor on the whole block's work days (conservative)
                on = [v for r in range(len(f.residents)) for v in self.held(r, k, b)]
                if not on:
                    continue
                number = self.block_number(b)
                key = f"supervisor:{rot.id}:{number}"
                message = (
                    f"Block {number}: {self.rot_name(k)} needs a supervisor holding {codes} on each of its work days "
                    "who is not absent and not on FMIT that week"
                )
                used: Var | None = None
                for i in f.block_days[b]:
                    if not f.works_day(rot, i):
                        continue
                    week = f.fmit_week_of[i]
                    free: list[Expr] = []
                    for fi in f.supervisors(rot, i):
                        if (fi, week) not in self.fmit:  # available and never on FMIT that week: always there
                            break
                        free.append(1 - self.fmit[fi, week])
                    else:
                        if used is None:
                            used = self.m.NewBoolVar(f"supervised[{rot.id},{b}]")
                            for var in on:
                                self.m.Add(used >= var)
                        self.add(_sum(free) >= used, key, message)

    def _locks(self) -> None:
        f = self.f
        for index, lock in enumerate(self.problem.locks):
            key = f"lock:{index}"
            if self.rotations_only and lock.kind != "rotation":
                continue
            if lock.kind == "rotation":
                r = f.resident_index[lock.person]
                b = f.block_position[lock.block]  # type: ignore[index]
                k = f.rotation_index[lock.rotation]  # type: ignore[index]
                message = f"Lock: {self.rname(r)} on {self.rot_name(k)} in block {lock.block}"
                var = self.x.get((r, b, k))
                self.add(var == 1 if var is not None else False, key, message)
            elif lock.kind == "call":
                r = f.resident_index[lock.person]
                i = f.day_index[lock.date]  # type: ignore[index]
                var = self.call.get((r, i))
                self.add(var == 1 if var is not None else False, key, f"Lock: {self.rname(r)} on call {lock.date}")
            elif lock.kind == "fmit":
                fi = f.faculty_index[lock.person]
                w = f.fmit_week_of[f.day_index[lock.date]]  # type: ignore[index]
                var = self.fmit.get((fi, w))
                start = f.days[f.fmit_weeks[w].days[0]]
                self.add(var == 1 if var is not None else False, key, f"Lock: {self.fname(fi)} on FMIT week of {start}")
            else:
                i = f.day_index[lock.date]  # type: ignore[index]
                s = SESSIONS.index(lock.session)  # type: ignore[arg-type]
                if lock.person in f.resident_index:
                    r = f.resident_index[lock.person]
                    var = self.clinic.get((r, i, s))
                    who = self.rname(r)
                else:
                    fi = f.faculty_index[lock.person]
                    var = self.fclinic.get((fi, i, s))
                    who = self.fname(fi)
                self.add(
                    var == 1 if var is not None else False, key, f"Lock: {who} in clinic {lock.date} {lock.session}"
                )

    def _week_items(self, person: str, start: date) -> list[Var]:
        """The engine-placed assignments of a person in the 7 days from `start`: calls, clinic, FMIT weeks."""
        f = self.f
        days = [
            f.day_index[d] for d in (start.fromordinal(start.toordinal() + k) for k in range(7)) if d in f.day_index
        ]
        items: list[Var] = []
        if person in f.resident_index:
            r = f.resident_index[person]
            for i in days:
                if (r, i) in self.call:
                    items.append(self.call[r, i])
                items.extend(self.clinic[r, i, s] for s in range(2) if (r, i, s) in self.clinic)
        else:
            fi = f.faculty_index[person]
            for i in days:
                if (fi, i) in self.fcall:  # attending call (faculty_call.py)
                    items.append(self.fcall[fi, i])
                items.extend(self.fclinic[fi, i, s] for s in range(2) if (fi, i, s) in self.fclinic)
            for w in sorted({f.fmit_week_of[i] for i in days}):
                if (fi, w) in self.fmit:
                    items.append(self.fmit[fi, w])
        return items

    def _week_continuity(self, person: str, start: date) -> list[Var]:
        """Rotation phase of the hint only: a resident's block rotations with continuity clinic over a week kept
        free (that week then owes clinic half-days or a shortfall; a rotation without clinic owes neither)."""
        f = self.f
        if person not in f.resident_index:
            return []
        r = f.resident_index[person]
        if not self.problem.requirements.clinic_sessions_per_week.get(f.residents[r].pgy, 0):
            return []
        days = [f.day_index[d] for d in (start + timedelta(days=k) for k in range(7)) if d in f.day_index]
        blocks = sorted({f.block_of[i] for i in days if f.clinic_capacity(i) > 0})
        return [self.x[r, b, k] for b in blocks for k in f.eligible[r][b] if f.rotations[k].continuity_clinic]

    def _preferences(self) -> None:
        f = self.f
        blocks = range(len(f.block_days))
        track = not self.rotations_only and not self.relaxed and self.problem.weights.wish_fairness > 0
        for index, pref in enumerate(self.problem.preferences):
            cost = self.costs["preferences"]
            if pref.kind in ("blocked_week", "preferred_week"):
                if self.rotations_only:
                    cost.append(pref.weight * _sum(self._week_continuity(pref.person, pref.week_start)))  # type: ignore[arg-type]
                    continue
                items = self._week_items(pref.person, pref.week_start)  # type: ignore[arg-type]
                if not items:
                    self.refused.append((pref.person, pref.weight, 0))
                    continue
                if pref.kind == "blocked_week":
                    cost.append(pref.weight * _sum(items))
                    if track:
                        self.refused.append((pref.person, pref.weight, self._any(items, f"refused[{index}]")))
                else:
                    broken = self.m.NewBoolVar(f"pref[{index}]")
                    for item in items:
                        self.m.Add(broken >= item)
                    cost.append(pref.weight * broken)
                    self._preferred_week_cuts(pref.person, broken, items)
                    self.refused.append((pref.person, pref.weight, broken))
                continue
            if pref.person not in f.resident_index:
                continue
            r = f.resident_index[pref.person]
            k = f.rotation_index[pref.rotation]  # type: ignore[index]
            chosen = [f.block_position[pref.block]] if pref.block is not None else list(blocks)
            if pref.kind == "rotation_avoid":  # each block or half on it
                on = [v for b in chosen for v in self.held(r, k, b)]
                cost.append(pref.weight * _sum(on))
                if track:
                    self.refused.append((pref.person, pref.weight, self._any(on, f"refused[{index}]") if on else 0))
            elif pref.block is not None:  # a half on it is not the block wished for
                b = chosen[0]
                cost.append(pref.weight * _sum(self.not_on(r, b, k)))
                self.refused.append((pref.person, pref.weight, 1 - self.x[r, b, k] if (r, b, k) in self.x else 1))
            else:
                missed = self.m.NewBoolVar(f"pref[{index}]")
                self.m.Add(missed + _sum(v for b in chosen for v in self.held(r, k, b)) >= 1)
                cost.append(pref.weight * missed)
                self.refused.append((pref.person, pref.weight, missed))
        if track:
            self._wish_fairness()

    def _any(self, items: list[Var], name: str) -> Var:
        """A bool that is 1 when any of the items is (at least; minimising pushes it down to exactly)."""
        var = self.m.NewBoolVar(name)
        for item in items:
            self.m.Add(var >= item)
        return var

    def _wish_fairness(self) -> None:
        """Per cohort (PGY-n, Faculty): the largest share (percent) of a person's wish weight refused, and per person
        ten times what their refused share exceeds the program's allowance (100 - `wish_min_granted_percent`).
        Minimising it spreads refusals: nobody's wishes all refused while others get all of theirs."""
        f = self.f
        totals: dict[str, int] = {}
        refused: dict[str, list[Expr]] = {}
        for person, weight, expr in self.refused:
            totals[person] = totals.get(person, 0) + weight
            if not isinstance(expr, int) or expr:
                refused.setdefault(person, []).append(weight * expr)
        cohorts: dict[str, list[str]] = {}
        for person in totals:
            label = f"PGY-{f.residents[f.resident_index[person]].pgy}" if person in f.resident_index else "Faculty"
            cohorts.setdefault(label, []).append(person)
        allowance = 100 - self.problem.rules.wish_min_granted_percent
        for label, members in sorted(cohorts.items()):
            if len(members) < 2 and allowance == 100:  # fairness compares people: one alone has nobody to envy
                continue
            worst = self.m.NewIntVar(0, 100, f"wish_refused_max[{label}]")
            for person in members:
                if totals[person] and person in refused:
                    self.m.Add(totals[person] * worst >= 100 * _sum(refused[person]))
                    if allowance < 100:  # each person's own excess: a local move that mends one person pays
                        over = self.m.NewIntVar(0, 100, f"wish_refused_over[{person}]")
                        self.m.Add(totals[person] * over >= 100 * _sum(refused[person]) - allowance * totals[person])
                        self.costs["wish_fairness"].append(10 * over)
            self.costs["wish_fairness"].append(worst)

    def _preferred_week_cuts(self, person: str, broken: Var, items: list[Var]) -> None:
        """A week kept free costs its clinic shortfall: when none of the week's items is placed (broken = 0),
        a clinic week whose half-days are all among the items holds none, so its shortfall is at least its
        floor (unless an away day outside the items lowers the demand). Redundant; it tightens the LP, which
        otherwise spreads fractions of half-days to break the preference by a fraction only."""
        inside = {v.Index() for v in items}
        for (who, held), (short, floors, away, top) in self.week_floor.items():
            if who != person or not held or not held <= inside:
                continue
            outside = [v for v in away if v.Index() not in inside]
            for floor in floors:
                if isinstance(floor, int):
                    self.m.Add(short + floor * broken + floor * _sum(outside) >= floor)
                else:
                    self.m.Add(short + top * broken >= floor)

    def _block_vars(self, r: int, b: int) -> list[tuple[tuple[int, int, int], Var]]:
        return [((r, b, k), self.x[r, b, k]) for k in self.f.eligible[r][b]]

    def _fairness(self) -> None:
        """Call, weekend and holiday spread within each PGY cohort, charged beyond 1; FMIT deviation from target."""
        f = self.f
        cohorts: dict[int, list[int]] = {}
        for r, res in enumerate(f.residents):
            if any((r, i) in self.call for i in range(f.n)):
                cohorts.setdefault(res.pgy, []).append(r)
        for term, days in (
            ("call_fairness", range(f.n)),
            ("weekend_fairness", sorted(f.weekends)),
            ("holiday_fairness", sorted(f.holidays)),
        ):
            for pgy, members in sorted(cohorts.items()):
                counts = [_sum(self.call[r, i] for i in days if (r, i) in self.call) for r in members]
                self._spread(counts, len(days), f"{term}[{pgy}]", term)
        eligible = [fi for fi in range(len(f.faculty)) if any((fi, w.index) in self.fmit for w in f.fmit_weeks)]
        deviations: list[Expr] = []
        for fi in eligible:
            count = _sum(self.fmit[fi, w.index] for w in f.fmit_weeks if (fi, w.index) in self.fmit)
            deviation = count - f.fmit_target(f.faculty[fi])
            size = len(f.fmit_weeks)
            excess = self.m.NewIntVar(0, size + 60, f"fmit_dev[{fi}]")
            self.m.Add(excess >= deviation)
            self.m.Add(excess >= -deviation)
            self.costs["fmit_fairness"].append(excess)
            deviations.append(deviation)
        self._spread(deviations, len(f.fmit_weeks) + 60, "fmit_spread", "fmit_fairness", low=-60)

    def _spread(self, counts: Sequence[Expr], high: int, name: str, term: str, low: int = 0) -> None:
        if len(counts) < 2:
            return
        top = self.m.NewIntVar(low, high, f"{name}_max")
        bottom = self.m.NewIntVar(low, high, f"{name}_min")
        for count in counts:
            self.m.Add(top >= count)
            self.m.Add(bottom <= count)
        excess = self.m.NewIntVar(0, high - low, f"{name}_excess")
        self.m.Add(excess >= top - bottom - 1)
        self.costs[term].append(excess)

    def _changes(self) -> None:
        """Minimal change: each assignment that differs from the reference schedule costs 1."""
        ref = self.problem.reference
        if ref is None:
            return
        f = self.f
        cost = self.costs["change"]
        for (person, number), rotation in ref.rotations.items():
            if person not in f.resident_index or number not in f.block_position:
                continue
            r, b = f.resident_index[person], f.block_position[number]
            k = f.rotation_index.get(rotation, -1)
            cost.append(_sum(self.not_on(r, b, k)))
        for (person, number, half), rotation in ref.halves.items():  # each half that differs counts 1
            if person not in f.resident_index or number not in f.block_position:
                continue
            r, b = f.resident_index[person], f.block_position[number]
            cost.append(_sum(self.not_on(r, b, f.rotation_index.get(rotation, -1), half)))
        if self.rotations_only:
            return
        reference_calls = {
            (f.resident_index[p], f.day_index[d]) for p, d in ref.calls if p in f.resident_index and d in f.day_index
        }
        for key, var in self.call.items():
            cost.append(var.Not() if key in reference_calls else var)
        cost.extend(1 for key in reference_calls if key not in self.call)
        reference_fmit: set[tuple[int, int]] = set()
        for person, day in ref.fmit_weeks:
            w = f.fmit_week_index(day)
            if person in f.faculty_index and w is not None:
                reference_fmit.add((f.faculty_index[person], w))
        for key, var in self.fmit.items():
            cost.append(var.Not() if key in reference_fmit else var)
        cost.extend(1 for key in reference_fmit if key not in self.fmit)
        reference_clinic: set[tuple[str, int, int]] = {
            (p, f.day_index[d], SESSIONS.index(s)) for p, d, s in ref.clinic if d in f.day_index
        }
        seen: set[tuple[str, int, int]] = set()
        for (r, i, s), var in self.clinic.items():
            key = (f.residents[r].id, i, s)
            seen.add(key)
            cost.append(var.Not() if key in reference_clinic else var)
        for (fi, i, s), var in self.fclinic.items():
            key = (f.faculty[fi].id, i, s)
            seen.add(key)
            cost.append(var.Not() if key in reference_clinic else var)
        cost.extend(1 for key in reference_clinic if key not in seen)
        cost.extend(faculty_call.changes(self, ref))

    def add_floor(self, names: Sequence[str], floor: int) -> None:
        """A proven lower bound of some soft terms' weighted sum (bounds.py): redundant, no schedule excluded.
        Added as a constraint and, as every other term is non-negative, as the objective's domain, so CP-SAT's
        bound starts there (presolve rewrites the objective, and a constraint alone reaches it only through the
        LP, after many seconds on M)."""
        weights = self.problem.weights
        self.m.Add(_sum(getattr(weights, name) * self.cost_expr[name] for name in names) >= floor)
        objective = self.m.Proto().objective
        if self.explain or (objective.scaling_factor not in (0, 1)) or objective.offset != int(objective.offset):
            return
        objective.domain.clear()
        objective.domain.extend([floor - int(objective.offset), cp_model.INT_MAX // 4])

    # -- reading a solution ---------------------------------------------------------------------------

    def assignments(self, value: Callable[[Var], int]) -> Reference:
        """The schedule of a solution as a Reference (the same shape a re-solve takes)."""
        f = self.f
        cal = self.problem.calendar
        rotations = {
            (f.residents[r].id, cal.blocks[b].number): f.rotations[k].id for (r, b, k), v in self.x.items() if value(v)
        }
        halves = {
            (f.residents[r].id, cal.blocks[b].number, half): f.rotations[k].id
            for (r, b, k, half), v in self.h.items()
            if value(v)
        }
        calls = frozenset((f.residents[r].id, f.days[i]) for (r, i), v in self.call.items() if value(v))
        calls |= frozenset((f.faculty[fi].id, f.days[i]) for (fi, i), v in self.fcall.items() if value(v))
        fmit = frozenset(
            (f.faculty[fi].id, f.days[f.fmit_weeks[w].days[0]]) for (fi, w), v in self.fmit.items() if value(v)
        )
        clinic = frozenset(
            [(f.residents[r].id, f.days[i], SESSIONS[s]) for (r, i, s), v in self.clinic.items() if value(v)]
            + [(f.faculty[fi].id, f.days[i], SESSIONS[s]) for (fi, i, s), v in self.fclinic.items() if value(v)]
        )
        return Reference(rotations=rotations, calls=calls, fmit_weeks=fmit, clinic=clinic, halves=halves)


def _staffing_message(block: int | str, rotation: str, needed: int, eligible: int) -> Callable[[int], str]:
    def message(short: int) -> str:
        if eligible < needed:
            return f"Block {block}: {rotation} needs {needed} residents; {eligible} are eligible and available"
        return f"Block {block}: {rotation} needs {needed} residents; only {needed - short} could be placed"

    return message


def _call_message(night: date, needed: int, eligible: int) -> Callable[[int], str]:
    def message(short: int) -> str:
        who = "resident" if needed == 1 else "residents"
        if eligible == 0:
            return f"Night of {night}: in-house call needs {needed} {who}; none is eligible and available"
        if eligible < needed:
            return f"Night of {night}: in-house call needs {needed} {who}; {eligible} are eligible and available"
        return f"Night of {night}: in-house call needs {needed} {who}; only {needed - short} could be placed"

    return message


def _fmit_message(start: date, needed: int, eligible: int) -> Callable[[int], str]:
    def message(short: int) -> str:
        who = "attending" if needed == 1 else "attendings"
        if eligible == 0:
            return f"FMIT week of {start}: needs {needed} {who}; none is eligible and available"
        if eligible < needed:
            return f"FMIT week of {start}: needs {needed} {who}; {eligible} are eligible and available"
        return f"FMIT week of {start}: needs {needed} {who}; only {needed - short} could be placed"

    return message


# ---------------------------------------------------------------------------------------------
# Solving


class _Search(cp_model.CpSolverSolutionCallback):
    """Counts solutions, reports progress at most once a second, and stops the search when asked."""

    def __init__(
        self,
        started: float,
        on_progress: Callable[[Progress], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        super().__init__()
        self.started = started
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.solutions = 0
        self.first: float | None = None
        self.best: float | None = None
        self.best_objective: float | None = None
        self.last_report = -1.0
        self.cancelled = False
        self.floor = 0  # the personal bounds' sum: a proven lower bound
        self.lock = threading.Lock()

    def seed(self, objective: float, bound: float, at: float, *, again: bool = False) -> None:
        """Count the constructive schedule (checked against the whole model), found `at` seconds after the start,
        as the first one found (`again`: a better one found after it)."""
        now = at
        if again:
            self.solutions, self.best, self.best_objective = self.solutions + 1, now, objective
        else:
            self.solutions, self.first, self.best, self.best_objective = 1, now, now, objective
        if self.on_progress is not None:
            self.last_report = now
            self.on_progress(Progress(self.solutions, objective, bound, gap_of(objective, bound), now))

    def on_bound(self, bound: float) -> None:
        """CP-SAT's best bound improved: reported (at most once a second) with the best objective so far."""
        now = clock.monotonic() - self.started
        if self.on_progress is not None and self.best_objective is not None and now - self.last_report >= 1.0:
            self.last_report = now
            bound = max(float(self.floor), bound)
            self.on_progress(
                Progress(self.solutions, self.best_objective, bound, gap_of(self.best_objective, bound), now)
            )

    def on_solution_callback(self) -> None:
        now = clock.monotonic() - self.started
        self.solutions += 1
        objective = self.ObjectiveValue()
        if self.best_objective is None or objective < self.best_objective:  # the time the returned one was found
            self.best, self.best_objective = now, objective
        if self.first is None:
            self.first = now
        if self.should_stop is not None and self.should_stop():
            self.cancelled = True
            self.StopSearch()
        if self.on_progress is not None and now - self.last_report >= 1.0:
            self.last_report = now
            objective, bound = self.ObjectiveValue(), max(float(self.floor), self.BestObjectiveBound())
            self.on_progress(Progress(self.solutions, objective, bound, gap_of(objective, bound), now))


def gap_of(objective: float | None, bound: float | None) -> float | None:
    """DESIGN.md section 6: (objective - bound) / max(|objective|, 1) on the minimised objective."""
    if objective is None or bound is None:
        return None
    return max(0.0, (objective - bound) / max(abs(objective), 1.0))


def solve(
    problem: Problem,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    work_limit: float | None = None,
) -> Solution:
    """Build the joint model, search within the time limit and return the best schedule found.

    Status: "optimal" (proven), "feasible" (the time limit ended the search with a schedule), "timeout"
    (no schedule in time), "infeasible" (proven; statistics.conflicts says why), "cancelled" (should_stop
    turned true; the best schedule so far is kept), "invalid" (a bug: the model was rejected).

    `work_limit` (CP-SAT deterministic time, see limits.py) ends the search, and each phase before it, after that
    much work; the time limit then only guards the wall clock. With one worker the same problem, seed and work
    limit give the same schedule however loaded the machine.
    """
    from scheduling.engine.bounds import PERSONAL_TERMS, personal_bounds
    from scheduling.engine.derive import build_solution
    from scheduling.engine.explain import explain
    from scheduling.engine.precheck import precheck
    from scheduling.engine.wishes import wishes_statistics

    started = clock.monotonic()
    facts = Facts(problem)
    hard, _coverage = precheck(facts)
    if hard:
        stats = Statistics(
            status="infeasible",
            wall_seconds=clock.monotonic() - started,
            conflicts=tuple(hard),
            message=_infeasible_message(hard),
        )
        return Solution(statistics=stats)
    built = ScheduleModel(facts)
    # The phases before the search get shares of the time limit. With a work limit each may do up to that much work
    # instead (most stop early, proven; a share of it would starve some: work and seconds differ per model), and
    # the time limit only guards the clock.
    # Every phase, the search and the reading of the schedule after it fit in the time limit: each phase's share is
    # also capped by what is left (building the model, above, is the one part that cannot be cut short).
    deadline = started + time_limit - _reading_seconds(facts)

    def left(share: float = 1.0) -> float:
        return max(0.0, share * (deadline - clock.monotonic()))

    walls = _phase_budgets(time_limit) if work_limit is None else (time_limit,) * 3
    # the constructive schedule first (it is the first schedule found), then the personal bounds. Against the clock
    # the rotation phase gets a short share first (a schedule soon) and then, from those rotations, the rest of
    # its share; the better of the two schedules hints the search
    quick = walls[1] if work_limit is not None else min(walls[1], max(1.0, 0.15 * walls[1]))
    hint = heuristic(facts, seed=seed, time_limit=max(0.05, min(quick, left(0.4))), workers=workers,
                     work_limit=work_limit)  # fmt: skip
    if hint is None and quick < walls[1]:
        quick = walls[1]
        hint = heuristic(facts, seed=seed, time_limit=max(0.05, min(quick, left(0.4))), workers=workers)
    hinted = (
        add_hints(built, hint, time_limit=max(0.05, min(walls[2], left(0.5))), work_limit=work_limit)
        if hint is not None
        else None
    )
    hinted_at = clock.monotonic() - started
    first_objective = hinted.ObjectiveValue() if hinted is not None else None
    improved_at: float | None = None
    more = min(walls[1] - quick, left(0.3))
    if hint is not None and hinted is not None and not hint.settled and more >= 1.0:
        better = heuristic(facts, seed=seed, time_limit=more, workers=workers, start=hint.rotations)
        solver = complete_hint(built, better, time_limit=max(0.05, min(walls[2], left(0.5)))) if better else None
        if solver is not None and solver.ObjectiveValue() < hinted.ObjectiveValue():
            apply_hint(built, solver)
            hinted, improved_at = solver, clock.monotonic() - started
    floor = sum(
        personal_bounds(
            problem, time_limit=min(walls[0], left(0.25)), seed=seed, work_limit=work_limit, deadline=deadline
        ).values()
    )
    if floor:
        built.add_floor(PERSONAL_TERMS, floor)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, workers)
    params.random_seed = seed
    limit_search(solver, seconds=max(0.05, left()), work=work_limit)
    params.log_search_progress = False
    size = len(built.m.Proto().variables)
    if size > 5000:
        # large models: a lighter presolve reaches the first schedule sooner (docs/engine.md, "Performance")
        params.symmetry_level = 0
        params.cp_model_probing_level = 0
    if size > 100_000:
        # XL (5 M terms in the window sums): one presolve pass instead of several, 15 s instead of 50 s
        params.max_presolve_iterations = 1
    search = _Search(started, on_progress, should_stop)
    if on_progress is not None:
        solver.best_bound_callback = search.on_bound
    search.floor = floor
    if hinted is not None:  # the constructive schedule satisfies every hard rule: the first schedule found
        search.seed(first_objective or 0.0, float(floor), hinted_at)
        if improved_at is not None:  # the second constructive schedule, from the longer rotation phase
            search.seed(hinted.ObjectiveValue(), float(floor), improved_at, again=True)
    done = threading.Event()

    def watchdog() -> None:
        while not done.wait(0.2):
            if should_stop is not None and should_stop():
                search.cancelled = True
                solver.StopSearch()
                return

    searched = not (should_stop is not None and should_stop())
    proven = searched and _meets_floor(hinted, floor)
    if not searched:  # cancelled while the model and the hint were being built
        search.cancelled = True
        code = cp_model.UNKNOWN
    elif not proven and hinted is not None and left() < 0.05:  # the time limit is used up: the constructive one
        searched, code = False, cp_model.UNKNOWN
    elif proven:
        code = cp_model.OPTIMAL
    else:
        watcher = threading.Thread(target=watchdog, name="solve-watchdog", daemon=True) if should_stop else None
        if watcher is not None:
            watcher.start()
        try:
            code = solver.Solve(built.m, search)
        finally:
            done.set()
            if watcher is not None:
                watcher.join()
    has_solution = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    source: cp_model.CpSolver = solver
    if proven or (not has_solution and hinted is not None and code != cp_model.MODEL_INVALID):
        has_solution, source = True, hinted  # stopped before the search improved on the constructive schedule
    status: Status
    if code == cp_model.OPTIMAL:
        status = "optimal"
    elif code == cp_model.INFEASIBLE:
        status = "infeasible"
    elif code == cp_model.MODEL_INVALID:
        status = "invalid"
    elif search.cancelled:
        status = "cancelled"
    else:
        status = "feasible" if has_solution else "timeout"
    objective = source.ObjectiveValue() if has_solution else None
    # every soft term is a non-negative count, so 0 is always a valid bound (CP-SAT's first one can be looser)
    bound = (
        max(0.0, solver.BestObjectiveBound())
        if searched and not proven and (has_solution or code == cp_model.UNKNOWN)
        else None
    )
    if source is hinted:
        bound = float(floor) if not searched else max(float(floor), bound or 0.0)
    elif bound is not None:  # the personal bounds are proven too (CP-SAT's reported bound may not include them)
        bound = max(float(floor), bound)
    if status == "infeasible":
        remaining = max(10.0, time_limit - (clock.monotonic() - started))
        conflicts = explain(problem, facts, time_limit=min(remaining, 60.0), seed=seed)
        stats = Statistics(
            status="infeasible",
            wall_seconds=clock.monotonic() - started,
            conflicts=tuple(conflicts),
            message=_infeasible_message(conflicts),
        )
        if on_progress is not None:
            on_progress(Progress(search.solutions, None, None, None, stats.wall_seconds))
        return Solution(statistics=stats)
    if not has_solution:
        stats = Statistics(
            status=status,
            best_bound=bound,
            wall_seconds=clock.monotonic() - started,
            solutions_found=search.solutions,
            message=solver.SolutionInfo() if status == "invalid" else _no_schedule_message(status),
        )
        if on_progress is not None:
            on_progress(Progress(search.solutions, None, bound, None, stats.wall_seconds))
        return Solution(statistics=stats)
    assignments = built.assignments(source.Value)
    weights = problem.weights
    soft_costs = {name: float(getattr(weights, name) * source.Value(built.cost_expr[name])) for name in WEIGHT_NAMES}
    shortfalls = [
        Conflict(item.requirement, item.message(source.Value(item.var)))
        for item in built.shortfalls
        if source.Value(item.var) > 0
    ]
    gap = gap_of(objective, bound)
    wall = clock.monotonic() - started
    stats = Statistics(
        status=status,
        objective=objective,
        best_bound=bound,
        gap=gap,
        wall_seconds=wall,
        first_solution_seconds=search.first,
        best_solution_seconds=search.best,
        solutions_found=max(search.solutions, 1),
        soft_costs=soft_costs,
        fairness=fairness_figures(facts, assignments),
        conflicts=tuple(shortfalls),
        message=_solved_message(status, gap, shortfalls, by_work=work_limit is not None and wall < 0.95 * time_limit),
    )
    if on_progress is not None:
        on_progress(Progress(stats.solutions_found, objective, bound, gap, wall))
    solution = build_solution(problem, assignments, stats, facts)
    if problem.preferences:
        solution = replace(solution, statistics=replace(stats, wishes=wishes_statistics(problem, solution, facts)))
    return solution


def _reading_seconds(facts: Facts) -> float:
    """About how long reading a schedule out of the model takes (sessions, duties, fairness, wishes): it is kept
    out of the search's share so that the whole solve ends within its time limit."""
    people = len(facts.residents) + len(facts.faculty)
    return 0.002 * people * len(facts.block_days) + 0.0005 * len(facts.problem.preferences)


def _phase_budgets(time_limit: float) -> tuple[float, float, float]:
    """The personal bounds', the constructive schedule's and its completion's shares of the time limit (seconds)."""
    return min(15.0, max(0.5, 0.15 * time_limit)), min(10.0, max(0.5, 0.1 * time_limit)), max(1.0, 0.2 * time_limit)


def _meets_floor(hinted: cp_model.CpSolver | None, floor: int) -> bool:
    """The constructive schedule already costs the proven lower bound (0, or the personal bounds' sum): it is
    optimal, so the search is skipped (CP-SAT would spend seconds, 30 on the demo year, re-proving it)."""
    return hinted is not None and hinted.ObjectiveValue() <= floor


def _infeasible_message(conflicts: Sequence[Conflict]) -> str:
    if not conflicts:
        return "No schedule meets every hard rule; no smaller conflicting set was found in time."
    lines = "; ".join(c.message for c in conflicts)
    return f"No schedule meets every hard rule. These requirements conflict: {lines}"


def _no_schedule_message(status: str) -> str:
    if status == "cancelled":
        return "Cancelled before any schedule was found."
    return "No schedule was found within the time limit (the problem was not proven infeasible)."


def _solved_message(status: str, gap: float | None, shortfalls: Sequence[Conflict], *, by_work: bool = False) -> str:
    limit = "work limit" if by_work else "time limit"  # a work limit ends a search before the clock does
    head = {
        "optimal": "Optimal schedule.",
        "feasible": f"Schedule found; the {limit} ended the search with a gap of {100 * (gap or 0):.1f}%.",
        "cancelled": f"Cancelled; the best schedule found so far is kept (gap {100 * (gap or 0):.1f}%).",
    }[status]
    if not shortfalls:
        return head
    shown = "; ".join(c.message for c in shortfalls[:5])
    more = f" (and {len(shortfalls) - 5} more)" if len(shortfalls) > 5 else ""
    return f"{head} {len(shortfalls)} coverage requirement(s) not met: {shown}{more}."


def _figures(values: Sequence[int]) -> dict[str, float | int]:
    g = gini(values)
    return {
        "people": len(values),
        "gini": round(g, 4),
        "fairness": round(1 - g, 4),
        "min": min(values),
        "max": max(values),
    }


def fairness_figures(facts: Facts, assignments: Reference) -> dict[str, dict[str, dict[str, float | int]]]:
    """Per PGY cohort (residents who could take call): Gini of call nights, weekends, holidays; FMIT weeks."""
    calls: dict[str, list[int]] = {}
    for person, day in assignments.calls:
        calls.setdefault(person, []).append(facts.day_index[day])
    out: dict[str, dict[str, dict[str, float | int]]] = {"call_nights": {}, "weekend_calls": {}, "holiday_calls": {}}
    cohorts: dict[int, list[str]] = {}
    for r, res in enumerate(facts.residents):
        if any(facts.can_call(r, i) for i in range(facts.n)):
            cohorts.setdefault(res.pgy, []).append(res.id)
    for pgy, members in sorted(cohorts.items()):
        label = f"PGY-{pgy}"
        out["call_nights"][label] = _figures([len(calls.get(p, [])) for p in members])
        out["weekend_calls"][label] = _figures([sum(i in facts.weekends for i in calls.get(p, [])) for p in members])
        out["holiday_calls"][label] = _figures([sum(i in facts.holidays for i in calls.get(p, [])) for p in members])
    eligible = [fac.id for fac in facts.faculty if fac.fmit_eligible]
    if eligible:
        weeks = dict.fromkeys(eligible, 0)
        for person, _ in assignments.fmit_weeks:
            if person in weeks:
                weeks[person] += 1
        out["fmit_weeks"] = {"faculty": _figures(list(weeks.values()))}
    for measure, figures in faculty_call.figures(facts, assignments, _figures).items():
        out[measure]["faculty"] = figures  # attending call, beside the residents' cohorts
    return out


def add_hints(
    built: ScheduleModel, hint: Hint, *, time_limit: float, work_limit: float | None = None
) -> cp_model.CpSolver | None:
    """Hint the joint model with the constructive schedule: every variable when the schedule satisfies the
    model (its auxiliary values come from a solve with the decisions fixed), else the decisions only.

    Returns the solver of that fixed solve when it succeeded: its values are a complete schedule of the joint
    model (a clone, so variable indices agree), which `solve` reports and keeps as its first schedule.
    """
    solver = complete_hint(built, hint, time_limit=time_limit, work_limit=work_limit)
    if solver is not None:
        apply_hint(built, solver)
        return solver
    for var, value in _hint_values(built, hint):
        built.m.AddHint(var, value)
    return None


def complete_hint(
    built: ScheduleModel, hint: Hint, *, time_limit: float, work_limit: float | None = None
) -> cp_model.CpSolver | None:
    """The joint model solved with the constructive schedule's decisions fixed (every auxiliary value), or None."""
    fixed = built.m.Clone()
    fixed.ClearHints()
    for var, value in _hint_values(built, hint):
        fixed.Add(fixed.GetIntVarFromProtoIndex(var.Index()) == value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    limit_search(solver, seconds=max(0.1, time_limit), work=work_limit)
    if solver.Solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver.fixed_model = fixed  # type: ignore[attr-defined]
        return solver
    return None


def apply_hint(built: ScheduleModel, solver: cp_model.CpSolver) -> None:
    """Hint every variable of the joint model with the values of a `complete_hint` solve (replacing any hint)."""
    fixed = solver.fixed_model  # type: ignore[attr-defined]
    built.m.ClearHints()
    for index in range(len(built.m.Proto().variables)):
        built.m.AddHint(built.m.GetIntVarFromProtoIndex(index), solver.Value(fixed.GetIntVarFromProtoIndex(index)))


def _hint_values(built: ScheduleModel, hint: Hint) -> list[tuple[Var, int]]:
    """The decision variables of the joint model with their values in the constructive schedule."""
    values: list[tuple[Var, int]] = []
    for (r, b, k), var in built.x.items():
        values.append((var, int(hint.rotations.get((r, b)) == k)))
    values.extend((var, 0) for var in built.h.values())  # the constructive schedule holds whole blocks
    for (r, i), var in built.call.items():
        values.append((var, int((r, i) in hint.calls)))
    if len(built.problem.requirements.call) > 1:
        for (r, i, c), var in built.call_entry.items():
            values.append((var, int(hint.calls.get((r, i)) == c)))
    for key, var in built.clinic.items():
        values.append((var, int(key in hint.clinic)))
    for key, var in built.fclinic.items():
        values.append((var, int(key in hint.fclinic)))
    for key, var in built.fmit.items():
        values.append((var, int(key in hint.fmit)))
    for key, var in built.fcall.items():
        values.append((var, int(key in hint.fcall)))
    return values
