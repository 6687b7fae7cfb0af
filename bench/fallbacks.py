"""Fallback schedule benchmark: how long the demo program's fallback for a named scenario takes, and what it gives.

    .venv/bin/python bench/fallbacks.py                       # lose the 2 most critical PGY-2s for block 6
    .venv/bin/python bench/fallbacks.py --pgy 3 --count 1 --block 4 --time-limit 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rs_bench .venv/bin/python bench/fallbacks.py

The M program (the demo's family medicine: 24 residents, 12 faculty, a year generated and published) is built on
the first run as bench/swaps.py builds it. The fallback runs in-process (`schedule_run_execute`, as the solver
queue's worker does) and the script prints: the people picked, the blocks re-solved, wall time, attempts and the
services shed, the coverage left short, the ACGME verdict on the whole year, and how many cells differ from the
published schedule. Never run as a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-swaps.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from analytics.fallbacks import fallback_create_for_cohort, fallback_rows  # noqa: E402
from analytics.models_fallbacks import Fallback  # noqa: E402
from scheduling.selectors import version_changes  # noqa: E402
from scheduling.services import schedule_run_execute  # noqa: E402
from tenants.models import Membership, Role  # noqa: E402


def _bench_swaps():
    spec = importlib.util.spec_from_file_location("bench_swaps", ROOT / "bench" / "swaps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pgy", type=int, default=2)
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument("--block", type=int, default=6)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    program, published = _bench_swaps().program_ready()
    coordinator = Membership.objects.filter(organization=program, role__in=(Role.COORDINATOR, Role.ADMIN)).first()
    name = f"Lose {args.count} PGY-{args.pgy}s for block {args.block} (bench)"
    started = time.perf_counter()
    fallback = fallback_create_for_cohort(
        academic_year=published.academic_year,
        pgy=args.pgy,
        count=args.count,
        first_block=args.block,
        last_block=args.block,
        name=name,
        user=coordinator.user,
        time_limit=args.time_limit,
        workers=args.workers,
    )
    created = time.perf_counter() - started
    run = schedule_run_execute(run_id=fallback.run_id)
    wall = time.perf_counter() - started
    row = fallback_rows(program=program, fallbacks=[Fallback.objects.get(pk=fallback.pk)])[0]
    stats = run.statistics or {}
    print(f"program: {program} ({published.academic_year}), published v{published.number}")
    print(f"lost: {', '.join(p.full_name for p in fallback.lost.all())} ({fallback.picked})")
    print(f"re-solved blocks {run.first_block}-{run.last_block}; checks and queueing {created:.1f} s")
    print(f"status: {run.status}; wall {wall:.1f} s; attempts {stats.get('scenario', {}).get('attempts')}")
    print(f"shed: {', '.join(row.shed) or 'nothing'}")
    print(f"left uncovered: {len(row.uncovered)}" + "".join(f"\n  - {u}" for u in row.uncovered[:10]))
    print(f"ACGME over the whole year: compliant={row.compliant}, violations={row.violations}")
    if row.version is not None:
        changes = version_changes(version=row.version, base=published)
        print(
            f"draft v{row.version.number}: {changes.block_count} rotations, {changes.session_count} half-days, "
            f"{changes.call_count} calls differ from the published schedule"
        )


if __name__ == "__main__":
    main()
