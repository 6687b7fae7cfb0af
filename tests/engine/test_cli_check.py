"""`python -m scheduling.engine check FILE`: JSON report on stdout, exit 0/1/2, one line on stderr. No database."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduling.engine import cli_check

ROOT = Path(__file__).resolve().parents[2]


def duties_document(*duties: dict, pgy: int = 2) -> dict:
    return {"timezone": "America/New_York", "people": [{"id": "r1", "pgy": pgy, "duties": list(duties)}]}


DAY_SHIFT = {"start": "2026-07-01T07:00", "end": "2026-07-01T17:00", "kind": "work"}
TOO_LONG = {"start": "2026-07-01T07:00", "end": "2026-07-02T12:00", "kind": "work"}
SHORT_REST = {"start": "2026-07-02T00:00", "end": "2026-07-02T06:00", "kind": "work"}


def run_check(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduling.engine", "check", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write(tmp_path: Path, data: object, name: str = "DUTIES.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_check_compliant_file_exits_0_with_the_json_report(tmp_path):
    result = run_check(write(tmp_path, duties_document(DAY_SHIFT)))

    assert result.returncode == 0
    assert json.loads(result.stdout) == {"compliant": True, "violations": [], "people_checked": 1}
    assert result.stderr == ""


def test_check_violations_exit_1_with_the_json_report(tmp_path):
    result = run_check(write(tmp_path, duties_document(TOO_LONG)))

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["compliant"] is False
    assert [(v["rule"], v["value"], v["limit"]) for v in report["violations"]] == [("continuous_duty", 29.0, 28.0)]
    assert result.stderr == ""


def test_check_warnings_only_exit_0(tmp_path):
    result = run_check(write(tmp_path, duties_document(DAY_SHIFT, SHORT_REST)))

    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["compliant"] is True
    assert [v["severity"] for v in report["violations"]] == ["warning"]


def test_check_reads_a_solution_file_through_its_embedded_duties(tmp_path):
    solution = {"statistics": {"status": "optimal"}, "rotations": [], "duties": duties_document(TOO_LONG)}

    result = run_check(write(tmp_path, solution, "SOLUTION.json"))

    assert result.returncode == 1
    assert json.loads(result.stdout)["violations"][0]["rule"] == "continuous_duty"


def test_check_reads_stdin_for_a_dash():
    result = run_check("-", stdin=json.dumps(duties_document(DAY_SHIFT)))

    assert result.returncode == 0
    assert json.loads(result.stdout)["compliant"] is True


def test_check_bad_field_exits_2_with_one_line_naming_it(tmp_path):
    bad = duties_document({**DAY_SHIFT, "start": "1 July 2026 07:00"})

    result = run_check(write(tmp_path, bad))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("bad input: people[0].duties[0].start: not an ISO local date-time")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", ": not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
        ('{"timezone": NaN}', ": not valid JSON (NaN is not a JSON number)"),
        ("[1, 2]", ": the document must be a JSON object"),
        ("", ": not valid JSON"),
    ],
)
def test_check_unusable_file_exits_2_naming_the_file(tmp_path, content, fragment):
    path = write(tmp_path, content)

    result = run_check(path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"bad input: {path}{fragment}")
    assert result.stderr.count("\n") == 1


def test_check_missing_file_exits_2(tmp_path):
    missing = str(tmp_path / "nowhere.json")

    result = run_check(missing)

    assert result.returncode == 2
    assert result.stderr == f"bad input: {missing}: cannot read (No such file or directory)\n"


def test_check_file_that_is_not_utf8_exits_2(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"timezone": "Am\xe9rica"}')

    result = run_check(str(path))

    assert result.returncode == 2
    assert result.stderr == f"bad input: {path}: not UTF-8 text\n"


def test_main_in_process_returns_the_exit_code_and_prints_the_report(tmp_path, capsys):
    assert cli_check.main([write(tmp_path, duties_document(TOO_LONG, pgy=1))]) == 1

    captured = capsys.readouterr()
    assert json.loads(captured.out)["people_checked"] == 1
    assert captured.err == ""


def test_main_in_process_bad_rule_override(tmp_path, capsys):
    document = {**duties_document(DAY_SHIFT), "rules": {"max_hours": 88}}

    assert cli_check.main([write(tmp_path, document)]) == 2

    assert capsys.readouterr().err.startswith("bad input: rules.max_hours: unknown field")


def test_main_in_process_usage_errors_return_2_instead_of_exiting(capsys):
    assert cli_check.main([]) == 2
    assert cli_check.main(["--help"]) == 0
    assert "FILE" in capsys.readouterr().out
