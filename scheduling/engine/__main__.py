"""`python -m scheduling.engine {solve,check,generate} ...`: the engine's command line (DESIGN.md section 6).

Exit codes: 0 solved (optimal, feasible, or cancelled with a schedule) / compliant / generated; 1 infeasible,
timed out or cancelled without a schedule / violations found; 2 bad input, with one line on stderr naming
the field at fault (`bad input: residents[3].pgy: must be an integer from 1 to 8 (got 9)`).
"""

from __future__ import annotations

import dataclasses
import json
import signal
import sys
from collections.abc import Sequence
from typing import Any

from scheduling.engine.cli_input import (
    ArgumentParser,
    BadInput,
    bounded_float,
    bounded_int,
    check_problem_schema,
    check_writable,
    load_json,
    one_line,
    write_text,
)

COMMANDS = ("solve", "check", "generate")
EXIT_OK, EXIT_NO_SCHEDULE, EXIT_BAD_INPUT = 0, 1, 2
SEED_MAX = 2**31 - 1  # OR-Tools' random_seed is a 32-bit integer
WORKERS_MAX = 64
TIME_LIMIT_MAX = 7 * 24 * 3600.0


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the subcommand, which parses the rest of the arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(f"usage: python -m scheduling.engine {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args[0] == "check":
        from scheduling.engine import cli_check

        return cli_check.main(args[1:])
    try:
        return solve_main(args[1:]) if args[0] == "solve" else generate_main(args[1:])
    except BadInput as error:
        print(f"bad input: {one_line(str(error))}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _write_json(data: Any, name: str | None) -> None:
    text = json.dumps(data, indent=1) + "\n"
    if name is None or name == "-":
        sys.stdout.write(text)
        return
    write_text(text, name)


def solve_main(argv: Sequence[str]) -> int:
    """`solve PROBLEM.json [--time-limit S] [--workers N] [--seed K] [--reference OLD.json] [-o SOLUTION.json]`."""
    from scheduling.engine.model import solve
    from scheduling.engine.problem import ProblemError, problem_from_json
    from scheduling.engine.solution import Progress
    from scheduling.engine.solution_io import (
        SolutionError,
        reference_from_solution,
        solution_from_json,
        solution_to_json,
    )

    parser = ArgumentParser(prog="python -m scheduling.engine solve", description="Build a schedule.")
    parser.add_argument("problem", metavar="PROBLEM.json", help='the problem; "-" reads stdin')
    parser.add_argument(
        "--time-limit", type=bounded_float(0, TIME_LIMIT_MAX), default=60.0, help="seconds (default 60)"
    )
    parser.add_argument(
        "--workers", type=bounded_int(1, WORKERS_MAX), default=2, help=f"search workers, 1-{WORKERS_MAX} (default 2)"
    )
    parser.add_argument("--seed", type=bounded_int(0, SEED_MAX), default=0, help="random seed (default 0)")
    parser.add_argument("--reference", metavar="OLD_SOLUTION.json", help="stay close to this schedule")
    parser.add_argument("-o", "--output", metavar="SOLUTION.json", help='where to write the solution ("-" = stdout)')
    args = parser.parse_args(argv)
    check_writable(args.output)
    data = load_json(args.problem, "problem")
    try:
        problem = problem_from_json(data)
    except ProblemError as error:
        raise BadInput(f"{error.path}: {error.message}") from None
    except Exception as error:  # a shape problem_from_json does not expect: the schema names the field
        check_problem_schema(data)
        raise BadInput(f"problem: cannot be read ({type(error).__name__}: {error})") from None
    check_problem_schema(data)  # what the reader lets through, the schema may still refuse (ranges)
    if args.reference:
        try:
            old = solution_from_json(load_json(args.reference, "reference"))
        except SolutionError as error:
            raise BadInput(f"reference {error.path}: {error.message}") from None
        problem = dataclasses.replace(problem, reference=reference_from_solution(old))

    stop = {"asked": False}

    def interrupt(_signum: int, _frame: object) -> None:
        stop["asked"] = True

    previous = signal.signal(signal.SIGINT, interrupt)

    def progress(p: Progress) -> None:
        objective = "-" if p.objective is None else f"{p.objective:g}"
        bound = "-" if p.best_bound is None else f"{p.best_bound:g}"
        gap = "-" if p.gap is None else f"{100 * p.gap:.1f}%"
        print(
            f"progress: {p.elapsed_seconds:6.1f}s solutions={p.solutions} "
            f"objective={objective} bound={bound} gap={gap}",
            file=sys.stderr,
        )

    try:
        solution = solve(
            problem,
            time_limit=args.time_limit,
            workers=args.workers,
            seed=args.seed,
            on_progress=progress,
            should_stop=lambda: stop["asked"],
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    stats = solution.statistics
    _write_json(solution_to_json(solution), args.output)
    print(f"status: {stats.status}; {stats.message}", file=sys.stderr)
    if stats.wishes:
        print(f"wishes: {_wish_line(stats.wishes['summary'])}", file=sys.stderr)
    if solution.has_schedule:
        return EXIT_OK
    for conflict in stats.conflicts:
        print(f"conflict: {conflict.message}", file=sys.stderr)
    return EXIT_NO_SCHEDULE


def _wish_line(summary: dict[str, Any]) -> str:
    """`180 of 210 granted (86% of the weight); PGY-1 worst-served 50%, minimum 30% held; ...`."""
    total = summary["overall"]
    parts = [f"{total['granted']} of {total['wishes']} granted ({100 * total['weight_share']:.0f}% of the weight)"]
    for label, row in summary["cohorts"].items():
        held = "held" if row["minimum_held"] else "NOT held"
        parts.append(
            f"{label} worst-served {100 * row['min_weight_share']:.0f}%, minimum {100 * row['minimum']:.0f}% {held}"
        )
    return "; ".join(parts)


def generate_main(argv: Sequence[str]) -> int:
    """`generate [--size S|M|L|XL] [--residents R --faculty F --blocks B] [--seed K] [-o PROBLEM.json]`."""
    from scheduling.engine.generate import SIZES, generate
    from scheduling.engine.problem import problem_to_json

    parser = ArgumentParser(prog="python -m scheduling.engine generate", description="A synthetic program.")
    parser.add_argument("--size", choices=sorted(SIZES), help="a preset: S, M, L or XL")
    parser.add_argument("--residents", type=bounded_int(3, 1000))
    parser.add_argument("--faculty", type=bounded_int(2, 1000))
    parser.add_argument("--blocks", type=bounded_int(1, 13))
    parser.add_argument("--seed", type=bounded_int(0, SEED_MAX), default=1)
    parser.add_argument("--wishes", action="store_true", help="add everyone's realistic wishes (weeks, rotations)")
    parser.add_argument("-o", "--output", metavar="PROBLEM.json", help='where to write it ("-" = stdout)')
    args = parser.parse_args(argv)
    check_writable(args.output)
    residents, faculty, blocks = SIZES[args.size or "M"]
    try:
        problem = generate(
            args.residents or residents,
            args.faculty or faculty,
            args.blocks or blocks,
            seed=args.seed,
            wishes=args.wishes,
        )
    except ValueError as error:
        raise BadInput(str(error)) from None
    _write_json(problem_to_json(problem), args.output)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
