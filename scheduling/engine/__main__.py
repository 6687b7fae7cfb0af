"""`python -m scheduling.engine {solve,check,generate} ...`: the engine's command line (DESIGN.md section 6)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

COMMANDS = ("solve", "check", "generate")


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the subcommand's own `main`, which parses the rest of the arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(f"usage: python -m scheduling.engine {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    if args[0] == "check":
        from scheduling.engine import cli_check

        return cli_check.main(args[1:])
    print(f"bad input: the {args[0]} command is not available yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
