"""Every bad input to the engine's command line ends in exactly one stderr line naming the field, and exit 2.

Hypothesis breaks a valid PROBLEM.json one field at a time (a value of the wrong type, a whole number of
thousands of digits, NaN, 1e999, a date outside 1900-2200, nesting past 64 levels, an unknown field) and the
options (--seed, --workers, --time-limit out of range or not numbers); the cases found by hand are listed too.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.engine.__main__ import SEED_MAX, TIME_LIMIT_MAX, WORKERS_MAX, main
from scheduling.engine.problem import problem_to_json
from tests.engine.test_model import tiny

VALID = problem_to_json(tiny(residents=3, faculty=1, days=7))
FOLDER = Path(tempfile.mkdtemp(prefix="engine-cli-"))
SOLVE = ["--time-limit", "2", "--workers", "1"]
DEEP = "[" * 1000 + "]" * 1000


def leaves(data: Any, path: tuple = ()) -> list[tuple]:
    """The path of every value in the document (objects and lists too)."""
    found = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += leaves(value, (*path, index))
    return found


PATHS = leaves(VALID)


def put(data: Any, path: tuple, raw: str) -> str:
    """The document as JSON text with the value at path replaced by the raw JSON text `raw`."""
    marker = "\u2603MARK\u2603"
    copy = json.loads(json.dumps(data))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = marker
    return json.dumps(copy).replace(json.dumps(marker), raw)


def get(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def wrong_types(original: Any) -> st.SearchStrategy[str]:
    """JSON text of a value no reader of `original`'s field accepts."""
    kinds = {
        "string": st.just('"?"'),
        "integer": st.just("7"),
        "list": st.just("[1]"),
        "object": st.just('{"x": 1}'),
        "boolean": st.just("true"),
    }
    if isinstance(original, str):
        kinds.pop("string")
    elif isinstance(original, bool):
        kinds.pop("boolean")
    elif isinstance(original, int | float):
        kinds.pop("integer")
    elif isinstance(original, list):
        kinds.pop("list")
    elif isinstance(original, dict):
        kinds.pop("object")
    return st.one_of(*kinds.values())


ALWAYS_BAD = st.one_of(
    st.integers(min_value=31, max_value=6000).map(lambda digits: "9" * digits),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e400", DEEP]),
)
FAR_DATES = st.one_of(
    st.dates(max_value=dt.date(1899, 12, 31)),
    st.dates(min_value=dt.date(2201, 1, 1)),
).map(lambda day: json.dumps(day.isoformat()))


@st.composite
def broken_problems(draw) -> str:
    path = draw(st.sampled_from(PATHS))
    original = get(VALID, path)
    choices = [ALWAYS_BAD, wrong_types(original)]
    if isinstance(original, str) and len(original) == 10 and original[4] == "-" and original[7] == "-":
        choices.append(FAR_DATES)
    if isinstance(original, dict):
        choices.append(st.just(json.dumps({**original, "zz_unknown": 1})))
    return put(VALID, path, draw(st.one_of(*choices)))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(argv)
    return code, capsys.readouterr().err.splitlines()


def assert_one_bad_input_line(code: int, lines: list[str]) -> None:
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("bad input: ") and len(lines[0]) <= 320, lines


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=broken_problems())
def test_solve_ends_every_broken_problem_in_one_line_and_exit_2(text: str, capsys):
    problem = FOLDER / "problem.json"
    problem.write_text(text)
    assert_one_bad_input_line(*run(["solve", str(problem), *SOLVE, "-o", str(FOLDER / "out.json")], capsys))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=broken_problems())
def test_check_ends_every_broken_document_in_one_line_and_exit_2(text: str, capsys):
    """`check` reads DUTIES.json: a broken problem is not one, and nesting, NaN or huge numbers fail before."""
    duties = FOLDER / "duties.json"
    duties.write_text(text)
    assert_one_bad_input_line(*run(["check", str(duties)], capsys))


def _not_a_whole_number_within(low: int, high: int) -> st.SearchStrategy[str]:
    outside = st.integers().filter(lambda n: not low <= n <= high).map(str)
    words = st.text(min_size=1, max_size=30).filter(lambda t: not (t.strip().isascii() and t.strip().isdigit()))
    return st.one_of(outside, words, st.just("9" * 5000), st.just("²"))


def _not_a_time_limit() -> st.SearchStrategy[str]:
    def bad(text: str) -> bool:
        try:
            value = float(text)
        except ValueError:
            return True
        return not (math.isfinite(value) and 0 < value <= TIME_LIMIT_MAX)

    return st.one_of(st.floats().map(repr), st.text(min_size=1, max_size=30)).filter(bad)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    option=st.sampled_from(["--seed", "--workers", "--time-limit"]),
    data=st.data(),
)
def test_solve_options_out_of_range_end_in_one_line_and_exit_2(option: str, data, capsys):
    value = data.draw(
        {
            "--seed": _not_a_whole_number_within(0, SEED_MAX),
            "--workers": _not_a_whole_number_within(1, WORKERS_MAX),
            "--time-limit": _not_a_time_limit(),
        }[option]
    )
    problem = FOLDER / "valid.json"
    problem.write_text(json.dumps(VALID))
    code, lines = run(["solve", str(problem), *SOLVE, f"{option}={value}"], capsys)
    assert_one_bad_input_line(code, lines)
    assert option in lines[0]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["solve", "{valid}", "-o", "/nonexistent-folder/out.json"], "-o /nonexistent-folder/out.json: no folder"),
        (["solve", "{valid}", "-o", "/proc/out.json"], "-o /proc/out.json: cannot write"),
        (["solve", "{valid}", "-o", "{folder}"], "is a folder"),
        (["solve", "/nonexistent-folder/problem.json"], "problem /nonexistent-folder/problem.json: cannot read"),
        (["solve", "{folder}"], "cannot read"),
        (["solve", "{valid}", "--seed", "9" * 5000], "argument --seed: must be a whole number"),
        (["solve", "{valid}", "--workers", "100000"], "argument --workers: must be a whole number from 1 to 64"),
        (["solve", "{valid}", "--time-limit", "nan"], "argument --time-limit"),
        (["solve", "{valid}", "--bogus"], "unrecognized arguments: --bogus"),
        (["solve"], "the following arguments are required"),
        (["generate", "--residents", "9" * 30], "argument --residents"),
        (["generate", "--blocks", "0"], "argument --blocks"),
        (["generate", "-o", "/nonexistent-folder/p.json"], "no folder"),
        (["check", "/nonexistent-folder/duties.json"], "cannot read"),
        (["check"], "the following arguments are required"),
    ],
)
def test_each_case_found_by_hand_ends_in_one_line_and_exit_2(argv, fragment, capsys):
    valid = FOLDER / "valid.json"
    valid.write_text(json.dumps(VALID))
    argv = [arg.format(valid=valid, folder=FOLDER) for arg in argv]
    code, lines = run(argv, capsys)
    assert_one_bad_input_line(code, lines)
    assert fragment in lines[0]
