"""Engine benchmark: generate S/M/L(/XL) programs, solve them, check the result, print the figures.

    .venv/bin/python bench/engine.py              # S M L
    .venv/bin/python bench/engine.py XL           # the 150-resident program (minutes)
    .venv/bin/python bench/engine.py M --time-limit 120 --workers 2 --seed 3

Never run as a test. Figures: time to the first schedule and to the returned one, objective, best bound,
gap (DESIGN.md section 6), status, each soft term's cost, and the ACGME checker's verdict and time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduling.engine.acgme import check  # noqa: E402
from scheduling.engine.duties import parse_duties  # noqa: E402
from scheduling.engine.generate import SIZES, generate  # noqa: E402
from scheduling.engine.model import solve  # noqa: E402

TIME_LIMITS = {"S": 20.0, "M": 60.0, "L": 60.0, "XL": 300.0}


def run(size: str, *, seed: int, workers: int, time_limit: float) -> None:
    residents, faculty, blocks = SIZES[size]
    problem = generate(residents, faculty, blocks, seed=seed)
    started = time.monotonic()
    solution = solve(problem, time_limit=time_limit, workers=workers, seed=seed)
    wall = time.monotonic() - started
    stats = solution.statistics
    print(f"\n== {size}: {residents} residents, {faculty} faculty, {blocks} block(s); seed {seed}, {workers} workers")
    print(f"status            {stats.status}  ({stats.message})")
    print(f"wall              {wall:.1f} s (time limit {time_limit:g} s)")
    print(f"first schedule    {_seconds(stats.first_solution_seconds)}")
    print(f"best schedule     {_seconds(stats.best_solution_seconds)}  ({stats.solutions_found} solutions)")
    print(f"objective         {stats.objective}")
    print(f"best bound        {stats.best_bound}")
    print(f"gap               {'-' if stats.gap is None else f'{100 * stats.gap:.2f}%'}")
    costs = ", ".join(f"{name} {cost:g}" for name, cost in stats.soft_costs.items() if cost)
    print(f"soft costs        {costs or 'none'}")
    if not solution.has_schedule:
        return
    checked = time.monotonic()
    report = check(parse_duties(solution.duties))
    elapsed = time.monotonic() - checked
    violations = [v for v in report.violations if v.severity == "violation"]
    warnings = [v for v in report.violations if v.severity == "warning"]
    verdict = "compliant" if report.compliant else "NOT COMPLIANT"
    print(
        f"ACGME checker     {verdict}: {len(violations)} violations, {len(warnings)} warnings, "
        f"{report.people_checked} residents in {elapsed:.2f} s"
    )
    print(f"assignments       {len(solution.calls)} calls, {len(solution.fmit_weeks)} FMIT weeks, "
          f"{sum(1 for s in solution.sessions if s.activity == 'clinic')} clinic half-days")  # fmt: skip


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", choices=[*SIZES, []], default=["S", "M", "L"], metavar="SIZE")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, help="seconds per size (default S 20, M 60, L 60, XL 300)")
    args = parser.parse_args()
    for size in args.sizes or ["S", "M", "L"]:
        run(size, seed=args.seed, workers=args.workers, time_limit=args.time_limit or TIME_LIMITS[size])


if __name__ == "__main__":
    main()
