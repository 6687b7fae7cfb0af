"""Reading the command line's input so that every bad input ends in one line naming the field and exit 2.

JSON files are read with finite numbers only (NaN, Infinity and 1e999 are refused), whole numbers of at most
MAX_DIGITS digits and nesting at most MAX_DEPTH deep; a PROBLEM.json is checked against schema.json (jsonschema)
before problem_from_json reads it; options are bounded (`bounded_int`, `bounded_float`); an output path is
checked writable before the work starts. Errors are `BadInput`, whose message is the line after "bad input: ".
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

MAX_DEPTH = 64
MAX_DIGITS = 30
MAX_LINE = 300
SCHEMA_PATH = Path(__file__).with_name("schema.json")


class BadInput(Exception):
    """The one line printed after "bad input: "."""


def one_line(text: str) -> str:
    """The text on one line, cut to MAX_LINE characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a usage error as BadInput (one line) instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(message)


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in ASCII digits from low to high."""

    def read(text: str) -> int:
        digits = text.strip().removeprefix("-")
        if not (digits.isascii() and digits.isdigit() and len(digits) <= MAX_DIGITS):
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high} (got {text[:40]!r})")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high} (got {value})")
        return value

    return read


def bounded_float(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a finite number greater than low and at most high."""

    def read(text: str) -> float:
        try:
            value = float(text) if len(text) <= MAX_DIGITS else math.nan
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low < value <= high):
            raise argparse.ArgumentTypeError(f"must be a number above {low:g} and at most {high:g} (got {text[:40]!r})")
        return value

    return read


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _whole(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a whole number of {len(text.lstrip('-'))} digits (at most {MAX_DIGITS})")
    return int(text)


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def load_json(name: str, what: str = "") -> Any:
    """The JSON in file `name` ("-": stdin) with the limits of the module's docstring; errors start with what
    the file is (`problem`, `reference`) and its name."""
    where = f"{what} {name}".strip()
    try:
        if name == "-":
            raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        else:
            raw = Path(name).read_bytes()
        text = raw.decode("utf-8")
    except OSError as error:
        raise BadInput(f"{where}: cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise BadInput(f"{where}: not UTF-8 text") from None
    try:
        data = json.loads(text, parse_float=_number, parse_int=_whole, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise BadInput(f"{where}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    except RecursionError:
        raise BadInput(f"{where}: not valid JSON (nested deeper than {MAX_DEPTH} levels)") from None
    except ValueError as error:
        raise BadInput(f"{where}: not valid JSON ({error})") from None
    if _depth(data) > MAX_DEPTH:
        raise BadInput(f"{where}: not valid JSON (nested deeper than {MAX_DEPTH} levels)")
    return data


@cache
def _problem_validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def check_problem_schema(data: Any) -> None:
    """PROBLEM.json against schema.json: the first error (the shallowest) with its path."""
    from jsonschema.exceptions import best_match

    error = best_match(_problem_validator().iter_errors(data))
    if error is None:
        return
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path).lstrip(".")
    raise BadInput(f"{path or 'problem'}: {error.message}")


def check_writable(name: str | None, what: str = "-o") -> None:
    """Refuses an output path that cannot be written before any work is done ("-" and None are stdout)."""
    if name is None or name == "-":
        return
    path = Path(name)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadInput(f"{what} {name}: is a folder")
    if not folder.is_dir():
        raise BadInput(f"{what} {name}: no folder {folder}")
    try:  # a real write, as the permission bits do not tell (root, read-only mounts, /proc)
        with tempfile.TemporaryFile(dir=folder):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as error:
        raise BadInput(f"{what} {name}: cannot write ({error.strerror or error})") from None


def write_text(text: str, name: str, what: str = "-o") -> None:
    try:
        Path(name).write_text(text, encoding="utf-8")
    except OSError as error:
        raise BadInput(f"{what} {name}: cannot write ({error.strerror or error})") from None
