"""Engine benchmark: generate S/M/L(/XL) programs without and with everyone's wishes, solve them, print the figures.

    .venv/bin/python bench/engine.py                       # S M L, without and with wishes, seeds 1 2 3
    .venv/bin/python bench/engine.py M --wishes yes --seeds 1   # one run
    .venv/bin/python bench/engine.py XL --time-limit 300 --workers 2
    .venv/bin/python bench/engine.py M --best-known        # also a 10-minute run per problem: the best known

Never run as a test. Per run: the time to the first schedule, the objective, bound and gap (DESIGN.md section 6)
at 10, 30 and 60 s (and 120, 300 where the time limit reaches; read off the solver's progress reports, at most
a second apart, of one run with the size's time limit), the final status and wall time (the time limit is
honoured when it stays within 10% of it), the share of wishes granted, and the ACGME checker's verdict. With
`--best-known`, a run of `--best-seconds` (600) per problem gives the best objective known, and each run's gap to
it. `uptime`'s load is printed: figures on a busy machine are slower.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduling.engine.acgme import check  # noqa: E402
from scheduling.engine.duties import parse_duties  # noqa: E402
from scheduling.engine.generate import SIZES, generate  # noqa: E402
from scheduling.engine.model import gap_of, solve  # noqa: E402
from scheduling.engine.solution import Progress, Solution  # noqa: E402

TIME_LIMITS = {"S": 20.0, "M": 60.0, "L": 120.0, "XL": 300.0}
CHECKPOINTS = (10.0, 30.0, 60.0, 120.0, 300.0)


@dataclass
class Run:
    size: str
    wishes: bool
    seed: int
    time_limit: float
    solution: Solution | None = None
    wall: float = 0.0
    trace: list[Progress] = field(default_factory=list)

    def at(self, seconds: float) -> tuple[float | None, float | None]:
        """The best objective and bound reported by `seconds` (None before the first schedule)."""
        seen = [p for p in self.trace if p.elapsed_seconds <= seconds + 1e-9 and p.objective is not None]
        if not seen:
            return None, None
        best = min(p.objective for p in seen if p.objective is not None)
        bounds = [p.best_bound for p in seen if p.best_bound is not None]
        return best, max(bounds) if bounds else None


def run(size: str, *, wishes: bool, seed: int, workers: int, time_limit: float) -> Run:
    residents, faculty, blocks = SIZES[size]
    problem = generate(residents, faculty, blocks, seed=seed, wishes=wishes)
    out = Run(size, wishes, seed, time_limit)
    started = time.monotonic()
    out.solution = solve(problem, time_limit=time_limit, workers=workers, seed=seed, on_progress=out.trace.append)
    out.wall = time.monotonic() - started
    return out


def _num(value: float | None, pattern: str = "{:g}") -> str:
    return "-" if value is None else pattern.format(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def report(r: Run, best_known: float | None) -> None:
    solution = r.solution
    assert solution is not None
    stats = solution.statistics
    label = f"{r.size} {'with' if r.wishes else 'without'} wishes, seed {r.seed}"
    over = r.wall / r.time_limit - 1
    print(f"\n== {label}: time limit {r.time_limit:g} s, wall {r.wall:.1f} s ({100 * over:+.0f}%), {stats.status}")
    print(f"first schedule    {_num(stats.first_solution_seconds, '{:.1f} s')}")
    for t in CHECKPOINTS:
        if t > r.time_limit + 1e-9:
            break
        objective, bound = r.at(t)
        to_best = "" if best_known is None or objective is None else f", {_pct(gap_of(objective, best_known))} to best"
        gap = _pct(gap_of(objective, bound))
        print(f"at {t:>5g} s        objective {_num(objective)}, bound {_num(bound)}, gap {gap}{to_best}")
    print(f"final             objective {_num(stats.objective)}, bound {_num(stats.best_bound)}, gap {_pct(stats.gap)}")
    if best_known is not None:
        print(f"best known        {best_known:g} (a {args_best_seconds:g} s run); final to best: "
              f"{_pct(gap_of(stats.objective, best_known))}")  # fmt: skip
    costs = ", ".join(f"{name} {cost:g}" for name, cost in stats.soft_costs.items() if cost)
    print(f"soft costs        {costs or 'none'}")
    if stats.wishes:
        total = stats.wishes["summary"]["overall"]
        worst = {c: row["min_weight_share"] for c, row in stats.wishes["summary"]["cohorts"].items()}
        print(
            f"wishes            {total['granted']} of {total['wishes']} granted, {_pct(total['weight_share'])} of the "
            f"weight; worst-served per cohort " + ", ".join(f"{c} {_pct(v)}" for c, v in worst.items())
        )
    if solution.has_schedule:
        report_ = check(parse_duties(solution.duties))
        verdict = "compliant" if report_.compliant else "NOT COMPLIANT"
        print(f"ACGME checker     {verdict}: {len(report_.violations)} findings")


args_best_seconds = 600.0


def main() -> None:
    global args_best_seconds
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", metavar="SIZE", help="S, M, L, XL (default S M L)")
    parser.add_argument("--wishes", choices=("both", "yes", "no"), default="both")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, help="seconds per run (default S 20, M 60, L 120, XL 300)")
    parser.add_argument("--best-known", action="store_true", help="also a long run per problem (slow)")
    parser.add_argument("--best-seconds", type=float, default=600.0, help="the long run's time limit (600)")
    args = parser.parse_args()
    args_best_seconds = args.best_seconds
    sizes = args.sizes or ["S", "M", "L"]
    for size in sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size!r} (S, M, L, XL)")
    print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}; "
          f"{os.cpu_count()} cores; {args.workers} workers")  # fmt: skip
    variants = {"both": (False, True), "yes": (True,), "no": (False,)}[args.wishes]
    rows: list[tuple[Run, float | None]] = []
    for size in sizes:
        for wishes in variants:
            for seed in args.seeds:
                r = run(
                    size,
                    wishes=wishes,
                    seed=seed,
                    workers=args.workers,
                    time_limit=args.time_limit or TIME_LIMITS[size],
                )
                best = None
                if args.best_known:
                    long = run(size, wishes=wishes, seed=seed, workers=args.workers, time_limit=args.best_seconds)
                    objectives = [
                        x
                        for x in (long.solution.statistics.objective, r.solution.statistics.objective)
                        if x is not None
                    ]  # type: ignore[union-attr]
                    best = min(objectives) if objectives else None
                report(r, best)
                rows.append((r, best))
    print("\n| size | wishes | seed | first | obj/bound/gap at 10 s | at 30 s | at 60 s | final | best known | wall |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r, best in rows:
        stats = r.solution.statistics  # type: ignore[union-attr]
        cells = []
        for t in (10.0, 30.0, 60.0):
            if t > r.time_limit + 1e-9:
                cells.append("-")
                continue
            o, b = r.at(t)
            cells.append(f"{_num(o)} / {_num(b)} / {_pct(gap_of(o, b))}")
        final = f"{_num(stats.objective)} / {_num(stats.best_bound)} / {_pct(stats.gap)} ({stats.status})"
        first = _num(stats.first_solution_seconds, "{:.1f} s")
        head = f"| {r.size} | {'yes' if r.wishes else 'no'} | {r.seed} | {first} | "
        print(f"{head}{' | '.join(cells)} | {final} | {_num(best)} | {r.wall:.1f} s |")


if __name__ == "__main__":
    main()
