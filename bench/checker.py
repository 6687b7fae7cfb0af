"""How fast the ACGME checker reads a full academic year: `.venv/bin/python bench/checker.py [--residents 24 60 150]`.

Each resident (fixed seed): Monday-Friday 07:00-17:00, in-house call 17:00-08:00 every fourth night with the
post-call day off, a home call with some worked hours on one weekend day in four, now and then a moonlighting
shift (PGY-2 and up), and a week of leave. Prints people, duty periods, parse time, check time (best of 5) and
person-years checked per second. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.engine.acgme import check  # noqa: E402
from scheduling.engine.duties import parse_duties  # noqa: E402

YEAR_START = date(2026, 7, 1)
YEAR_DAYS = 365
TIMEZONE = "America/New_York"


def duty(day: date, start: str, end: str, kind: str, worked_hours: float | None = None) -> dict:
    """One duty period on `day`; an end at or before the start is on the next day."""
    end_day = day + timedelta(days=1) if end <= start else day
    item = {"start": f"{day.isoformat()}T{start}", "end": f"{end_day.isoformat()}T{end}", "kind": kind}
    if worked_hours is not None:
        item["worked_hours"] = worked_hours
    return item


def resident(index: int, rng: random.Random) -> dict:
    """A year of duty for one resident, in the DUTIES.json format."""
    pgy = 1 + index % 3
    leave_start = YEAR_START + timedelta(days=rng.randrange(30, YEAR_DAYS - 40))
    leave_days = {leave_start + timedelta(days=n) for n in range(7)}
    call_offset = index % 4
    duties: list[dict] = []
    post_call = False
    for offset in range(YEAR_DAYS):
        day = YEAR_START + timedelta(days=offset)
        if day in leave_days:
            post_call = False
            continue
        weekday = day.weekday() < 5
        if weekday and not post_call:
            duties.append(duty(day, "07:00", "17:00", "work"))
        post_call = False
        if offset % 4 == call_offset:
            duties.append(duty(day, "17:00", "08:00", "inhouse_call"))
            post_call = True
        elif not weekday and rng.random() < 0.25:
            duties.append(duty(day, "08:00", "08:00", "home_call", worked_hours=round(rng.uniform(0, 4), 1)))
        elif pgy > 1 and not weekday and rng.random() < 0.1:
            duties.append(duty(day, "09:00", "17:00", "moonlighting"))
    leave = [{"start": leave_start.isoformat(), "end": (leave_start + timedelta(days=6)).isoformat()}]
    return {"id": f"r{index + 1}", "pgy": pgy, "duties": duties, "leave": leave}


def roster_document(residents: int, seed: int) -> dict:
    rng = random.Random(seed)
    return {"timezone": TIMEZONE, "rules": {}, "people": [resident(index, rng) for index in range(residents)]}


def best_of(repeats: int, action) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[24, 60, 150])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    print(f"{'people':>7} {'duty periods':>13} {'parse s':>8} {'check s':>8} {'person-years/s':>15} {'violations':>11}")
    for residents in args.residents:
        document = roster_document(residents, args.seed)
        roster = parse_duties(document)
        periods = sum(len(person.duties) for person in roster.people)
        parse_seconds = best_of(args.repeats, lambda document=document: parse_duties(document))
        check_seconds = best_of(args.repeats, lambda roster=roster: check(roster))
        report = check(roster)
        print(
            f"{residents:>7} {periods:>13} {parse_seconds:>8.3f} {check_seconds:>8.3f} "
            f"{residents / check_seconds:>15.0f} {len(report.violations):>11}"
        )


if __name__ == "__main__":
    main()
