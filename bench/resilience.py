"""Contingency benchmark: N-1 over the M demo program (24 residents and 12 faculty: 36 scenarios) for one block, as
the embedded default runs it (one scenario after another in this process), against the published year.

    .venv/bin/python bench/resilience.py                  # the block holding today, depth 1
    .venv/bin/python bench/resilience.py --block 3 --depth 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rs_bench .venv/bin/python bench/resilience.py

The program is the demo's family-medicine program, seeded and generated as `manage.py seed_demo --schedule` does,
in the database DATABASE_URL names, else in its own SQLite file var/bench-resilience.sqlite3 (a second run reuses
it). An analysis is started as the weekly job starts it (`analytics.contingency.contingency_start`, no user) and run
by `contingency_run_in_process`, the body of the embedded background thread: each scenario is the engine's
check (`ScenarioChecker`: the pre-check, then the first schedule covering every requirement, on the joint model
built once for the analysis) with its finding written. Prints the
total wall time (target: within 60 s for N-1 of one block), the scenario times (median, p95, max), the verdicts
and the sole providers. Never run as a test; `uptime`'s load is printed (figures on a busy machine are slower).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-resilience.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.pop("REDIS_URL", None)  # the embedded default: no broker, the scenarios run in this process

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from analytics.contingency import contingency_run_in_process, contingency_start  # noqa: E402
from analytics.models import ContingencyAnalysis, ContingencyFinding  # noqa: E402
from scheduling.demo import FAMILY_MEDICINE, demo_schedule_publish, demo_seed  # noqa: E402
from scheduling.models import Block, ScheduleVersion  # noqa: E402
from tenants.models import Organization  # noqa: E402


def program_ready() -> tuple[Organization, ScheduleVersion]:
    """The M program with its published year (seeded and generated on the first run, a few minutes)."""
    call_command("migrate", verbosity=0)
    program = Organization.objects.filter(slug=FAMILY_MEDICINE.slug).first()
    if program is None:
        print("seeding the demo programs...", flush=True)
        demo_seed()
        program = Organization.objects.get(slug=FAMILY_MEDICINE.slug)
    version = ScheduleVersion.objects.filter(program=program, status=ScheduleVersion.Status.PUBLISHED).first()
    if version is None:
        print("generating and publishing the year (the engine)...", flush=True)
        outcome = demo_schedule_publish()
        print(outcome.message, flush=True)
        version = outcome.version
        if version is None:
            raise SystemExit("no published schedule: " + outcome.message)
    return program, version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--block", type=int, default=None, help="block number (default: the block holding today)")
    parser.add_argument("--depth", type=int, default=1, choices=(1, 2))
    args = parser.parse_args()
    program, version = program_ready()
    year = version.academic_year
    today = program.today()
    holding = Block.objects.filter(academic_year=year, start_date__lte=today, end_date__gte=today).first()
    block = args.block or (holding.number if holding else 1)
    ContingencyAnalysis.objects.filter(academic_year=year, status__in=("queued", "running")).update(status="failed")
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", flush=True)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    analysis = contingency_start(academic_year=year, first_block=block, last_block=block, depth=args.depth, user=None)
    prepared = time.monotonic() - started
    finished = contingency_run_in_process(analysis.pk)
    total = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    if finished is None:
        raise SystemExit(f"the analysis did not finish: {ContingencyAnalysis.objects.get(pk=analysis.pk).message}")
    findings = list(ContingencyFinding.objects.filter(analysis=analysis).order_by("pk"))
    seconds = sorted(f.seconds for f in findings)
    p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
    verdicts = {r: sum(f.result == r for f in findings) for r in ("feasible", "infeasible", "unknown")}
    summary = finished.summary
    print(f"program: {program.name}, {year.name}, block {block}, N-{args.depth}: {len(findings)} scenarios")
    print(f"total: {total:.1f} s (of which {prepared:.1f} s reading the program and the published schedule)")
    print(f"CPU time of this process: {cpu_seconds:.1f} s (the wall time on an idle machine, less the database's)")
    print(
        f"per scenario: median {statistics.median(seconds):.2f} s, p95 {p95:.2f} s, max {seconds[-1]:.2f} s "
        f"(mean {statistics.fmean(seconds):.2f} s)"
    )
    print(f"verdicts: {verdicts['feasible']} covered, {verdicts['infeasible']} not covered (infeasible), "
          f"{verdicts['unknown']} undecided")  # fmt: skip
    for item in summary.get("critical", []):
        print(f"  cannot lose {item['name']}: {'; '.join(item['uncoverable'][:2])}")
    sole = summary.get("sole_providers", [])
    print(f"sole providers: {len(sole)}")
    for item in sole:
        print(f"  {item['people'][0]}: {item['message']}")
    if args.depth == 2:
        print(f"fatal pairs: {len(summary.get('fatal_pairs', []))} of {summary.get('pairs_checked', 0)} checked")
    thin = [r for r in summary.get("redundancy", []) if r["level"] in ("N+0", "below")]
    print(f"requirements with no spare (N+0 or below): {len(thin)}")
    print(f"within 60 s: {'yes' if total <= 60 else 'NO'}")


if __name__ == "__main__":
    main()
