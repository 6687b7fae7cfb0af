"""`python -m scheduling.engine check FILE`: the ACGME report of a DUTIES.json (or a SOLUTION.json) on stdout.

Exit 0 when compliant (warnings allowed), 1 when some rule is violated, 2 on bad input with one line on
stderr naming the field at fault: `bad input: people[0].duties[2].start: not an ISO local date-time ...`;
3 (and one "internal error" line) if the checker itself fails, so a crash never reads as "violations found".
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from scheduling.engine.acgme import check, report_to_json
from scheduling.engine.cli_input import ArgumentParser, BadInput, load_json, one_line
from scheduling.engine.duties import DutiesError, parse_duties

EXIT_COMPLIANT, EXIT_VIOLATIONS, EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    """Check FILE ("-" for stdin), print the JSON report; `argv` holds the arguments after `check`."""
    parser = ArgumentParser(
        prog="python -m scheduling.engine check",
        description="Check duty periods against the ACGME rules (DESIGN.md section 5).",
    )
    parser.add_argument("file", metavar="FILE", help='DUTIES.json or SOLUTION.json; "-" reads stdin')
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    except BadInput as error:
        return _bad_input(str(error))
    try:
        data = load_json(args.file)
        roster = parse_duties(data)
    except BadInput as error:
        return _bad_input(str(error))
    except DutiesError as error:
        return _bad_input(f"{error.field_path}: {error.message}" if error.field_path else f"{args.file}: {error}")
    try:
        report = check(roster)
    except Exception as error:  # a bug, not a verdict: never let it pass for exit 1 ("violations found")
        print(f"internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
    json.dump(report_to_json(report), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_COMPLIANT if report.compliant else EXIT_VIOLATIONS


def _bad_input(reason: str) -> int:
    print(f"bad input: {one_line(reason)}", file=sys.stderr)
    return EXIT_BAD_INPUT
