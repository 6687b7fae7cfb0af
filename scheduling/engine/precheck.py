"""Fast pre-check: the obvious reasons a problem cannot be scheduled, in coordinator language.

`precheck` returns (hard, coverage): hard conflicts make the problem infeasible (no schedule is built);
coverage conflicts name soft coverage requirements (staffing minimum, call per night, FMIT attendings)
that no schedule can meet: the solve goes on and reports them as shortfalls.
"""

from __future__ import annotations

from collections import Counter

from scheduling.engine.facts import Facts
from scheduling.engine.problem import SESSIONS
from scheduling.engine.solution import Conflict


def _who(facts: Facts, person: str) -> str:
    for member in (*facts.residents, *facts.faculty):
        if member.id == person:
            return member.name or member.id
    return person


def precheck(facts: Facts) -> tuple[list[Conflict], list[Conflict]]:
    """Hard conflicts (the problem is infeasible) and impossible coverage (reported as shortfalls)."""
    hard: list[Conflict] = []
    coverage: list[Conflict] = []
    _eligibility(facts, hard)
    _clock(facts, hard)
    _required(facts, hard)
    _capacity(facts, hard)
    _locks(facts, hard)
    _coverage(facts, coverage)
    return hard, coverage


def _eligibility(facts: Facts, hard: list[Conflict]) -> None:
    blocks = facts.problem.calendar.blocks
    for r, res in enumerate(facts.residents):
        for b, block in enumerate(blocks):
            if facts.eligible[r][b] or facts.half_eligible[r][b][0]:  # a whole block, or two halves
                continue
            reasons = sorted({facts.ineligibility(res, rot, b) for rot in facts.rotations})
            hard.append(
                Conflict(
                    f"eligible:{res.id}:{block.number}",
                    f"Block {block.number}: {res.name or res.id} (PGY-{res.pgy}) has no rotation they are eligible "
                    f"for ({'; '.join(reasons)})",
                )
            )


def _clock(facts: Facts, hard: list[Conflict]) -> None:
    """A call period longer than the ACGME limit cannot be scheduled at all."""
    if not facts.problem.requirements.call:
        return
    limit = facts.limits.max_period_hours * 60
    longest = max(
        (round((end - start).total_seconds() / 60), i) for i in range(facts.n) for start, end in [facts.call_span(i)]
    )
    if longest[0] > limit:
        rules = facts.problem.rules
        hard.append(
            Conflict(
                "call_length",
                f"In-house call from {facts.problem.calendar.sessions.am_start:%H:%M} to {rules.call_end:%H:%M} the "
                f"next day lasts {longest[0] / 60:g} h, over the {facts.limits.max_period_hours:g}-hour ACGME limit",
            )
        )


def _required(facts: Facts, hard: list[Conflict]) -> None:
    req = facts.problem.requirements
    blocks = len(facts.block_days)
    per_pgy: dict[int, list[str]] = {}
    totals: Counter[int] = Counter()
    for required in req.required_rotations:
        rot = facts.rotations[facts.rotation_index[required.rotation]]
        totals[required.pgy] += required.min_blocks
        per_pgy.setdefault(required.pgy, []).append(f"{required.min_blocks} on {rot.name or rot.id}")
        for r, res in enumerate(facts.residents):
            if res.pgy != required.pgy:
                continue
            k = facts.rotation_index[rot.id]
            # blocks it may hold, a half counting half a block
            halves = sum(
                2 if k in facts.eligible[r][b] else sum(k in ks for ks in facts.half_eligible[r][b])
                for b in range(blocks)
            )
            possible = halves // 2 if halves % 2 == 0 else halves / 2
            if possible < required.min_blocks:
                reasons = (facts.ineligibility(res, rot, b) for b in range(blocks))
                why = next((reason for reason in reasons if reason), "it is not open to them in enough blocks")
                hard.append(
                    Conflict(
                        f"required:{required.pgy}:{rot.id}",
                        f"{res.name or res.id} (PGY-{res.pgy}) must spend {required.min_blocks} block(s) on "
                        f"{rot.name or rot.id} but can hold it in only {possible} ({why})",
                    )
                )
    for pgy, total in sorted(totals.items()):
        if total > blocks and any(res.pgy == pgy for res in facts.residents):
            hard.append(
                Conflict(
                    f"required:{pgy}",
                    f"PGY-{pgy} residents need {total} blocks of required rotations ({', '.join(per_pgy[pgy])}); "
                    f"the schedule has {blocks}",
                )
            )
    # every required block must fit under the rotation's maximum staffing
    for rot in facts.rotations:
        needed = sum(
            required.min_blocks
            for required in req.required_rotations
            if required.rotation == rot.id
            for res in facts.residents
            if res.pgy == required.pgy
        )
        if not needed:
            continue
        room = 0
        for b in range(blocks):
            caps = [
                s.max_residents
                for s in req.staffing
                if s.rotation == rot.id
                and s.max_residents is not None
                and (not s.blocks or facts.problem.calendar.blocks[b].number in s.blocks)
            ]
            room += min(caps) if caps else len(facts.residents)
        if needed > room:
            hard.append(
                Conflict(
                    f"required_capacity:{rot.id}",
                    f"{rot.name or rot.id}: required rotations need {needed} resident-blocks but its maximum staffing "
                    f"allows {room} in the schedule",
                )
            )


def _capacity(facts: Facts, hard: list[Conflict]) -> None:
    """In each block, the rotations' maximum staffing must leave room for every resident."""
    req = facts.problem.requirements
    for b, block in enumerate(facts.problem.calendar.blocks):
        room = 0
        for k, rot in enumerate(facts.rotations):
            eligible = sum(1 for r in range(len(facts.residents)) if k in facts.eligible[r][b])
            caps = [
                s.max_residents
                for s in req.staffing
                if s.rotation == rot.id and s.max_residents is not None and (not s.blocks or block.number in s.blocks)
            ]
            room += min([eligible, *caps])
        if room < len(facts.residents):
            hard.append(
                Conflict(
                    f"capacity:{block.number}",
                    f"Block {block.number}: the rotations take at most {room} residents in all; "
                    f"{len(facts.residents)} need a rotation",
                )
            )


def _locks(facts: Facts, hard: list[Conflict]) -> None:
    problem = facts.problem
    rotation_locks: dict[tuple[str, int], tuple[int, str]] = {}
    call_locks: dict[str, list[int]] = {}
    gap = max(1, problem.rules.min_days_between_calls)
    for index, lock in enumerate(problem.locks):
        key = f"lock:{index}"
        who = _who(facts, lock.person)
        whole = all(facts.is_absent(lock.person, i) for i in range(facts.n))
        if whole:
            hard.append(Conflict(key, f"{who} is absent for the whole schedule but is locked ({lock.kind})"))
            continue
        if lock.kind == "rotation":
            r = facts.resident_index[lock.person]
            b = facts.block_position[lock.block]  # type: ignore[index]
            k = facts.rotation_index[lock.rotation]  # type: ignore[index]
            rot = facts.rotations[k]
            why = facts.ineligibility(facts.residents[r], rot, b)
            if why:
                hard.append(
                    Conflict(
                        key,
                        f"Lock: {who} (PGY-{facts.residents[r].pgy}) on {rot.name or rot.id} in block {lock.block}, "
                        f"but {why}",
                    )
                )
            previous = rotation_locks.get((lock.person, b))
            if previous is not None and previous[1] != rot.id:
                other = facts.rotations[facts.rotation_index[previous[1]]]
                hard.append(
                    Conflict(
                        key,
                        f"Locks {previous[0]} and {index}: {who} is locked on both {other.name or other.id} and "
                        f"{rot.name or rot.id} in block {lock.block}",
                    )
                )
            rotation_locks[(lock.person, b)] = (index, rot.id)
        elif lock.kind == "call":
            r = facts.resident_index[lock.person]
            i = facts.day_index[lock.date]  # type: ignore[index]
            if not facts.can_call(r, i):
                hard.append(
                    Conflict(key, f"Lock: {who} on call the night of {lock.date}, but they cannot take call that night")
                )
            for j in call_locks.get(lock.person, []):
                if 0 < abs(i - j) <= gap:
                    hard.append(
                        Conflict(
                            key, f"Lock: {who} on call {facts.days[j]} and {lock.date}: less than {gap} day(s) apart"
                        )
                    )
            call_locks.setdefault(lock.person, []).append(i)
        elif lock.kind == "fmit":
            fi = facts.faculty_index[lock.person]
            week = facts.fmit_weeks[facts.fmit_week_of[facts.day_index[lock.date]]]  # type: ignore[index]
            if not facts.fmit_available(fi, week):
                reason = (
                    "they do not attend FMIT" if not facts.faculty[fi].fmit_eligible else "they are absent that week"
                )
                hard.append(Conflict(key, f"Lock: {who} on the FMIT week of {lock.date}, but {reason}"))
        else:
            i = facts.day_index[lock.date]  # type: ignore[index]
            if facts.session_absent(lock.person, i, SESSIONS.index(str(lock.session))):
                hard.append(Conflict(key, f"Lock: {who} in clinic {lock.date} {lock.session}, but they are absent"))
            elif not facts.clinic_open(i) or (lock.person in facts.resident_index and facts.clinic_capacity(i) <= 0):
                hard.append(
                    Conflict(key, f"Lock: {who} in clinic {lock.date} {lock.session}, but the clinic is closed")
                )
            elif lock.person in facts.resident_index and (i, SESSIONS.index(str(lock.session))) in facts.didactics:
                hard.append(
                    Conflict(key, f"Lock: {who} in clinic {lock.date} {lock.session}, the protected didactics half-day")
                )


def _coverage(facts: Facts, coverage: list[Conflict]) -> None:
    req = facts.problem.requirements
    blocks = facts.problem.calendar.blocks
    for staffing in req.staffing:
        k = facts.rotation_index[staffing.rotation]
        rot = facts.rotations[k]
        for b, block in enumerate(blocks):
            if staffing.blocks and block.number not in staffing.blocks:
                continue
            eligible = sum(1 for r in range(len(facts.residents)) if k in facts.eligible[r][b])
            if eligible < staffing.min_residents:
                coverage.append(
                    Conflict(
                        f"staffing:{rot.id}:block:{block.number}",
                        f"Block {block.number}: {rot.name or rot.id} needs {staffing.min_residents} residents; "
                        f"{eligible} are eligible and available",
                    )
                )
    for coverage_rule in req.call:
        for i, day in enumerate(facts.days):
            able = sum(
                1 for r, res in enumerate(facts.residents) if res.pgy >= coverage_rule.min_pgy and facts.can_call(r, i)
            )
            if able < coverage_rule.per_night:
                who = "resident" if coverage_rule.per_night == 1 else "residents"
                have = "none is" if able == 0 else f"{able} are"
                coverage.append(
                    Conflict(
                        f"call:{day}",
                        f"Night of {day}: in-house call needs {coverage_rule.per_night} {who}; "
                        f"{have} eligible and available",
                    )
                )
    for week in facts.fmit_weeks:
        able = sum(1 for fi in range(len(facts.faculty)) if facts.fmit_available(fi, week))
        if able < req.fmit_min_attendings:
            start = facts.days[week.days[0]]
            have = "none is" if able == 0 else f"{able} are"
            coverage.append(
                Conflict(
                    f"fmit:{start}",
                    f"FMIT week of {start}: needs {req.fmit_min_attendings} attending(s); "
                    f"{have} eligible and available",
                )
            )
