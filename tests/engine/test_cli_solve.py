"""`python -m scheduling.engine solve|generate`: exit codes, one-line bad-input errors, and `check` on the output."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduling.engine.__main__ import main
from scheduling.engine.problem import Lock, Rotation, problem_to_json
from tests.engine.test_model import tiny


def write(path: Path, data: object) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def test_solve_writes_a_solution_that_check_accepts_as_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    problem = write(tmp_path / "problem.json", problem_to_json(tiny(residents=5, faculty=2)))
    out = tmp_path / "solution.json"

    code = main(["solve", problem, "--time-limit", "5", "--workers", "1", "--seed", "2", "-o", str(out)])

    assert code == 0
    solution = json.loads(out.read_text())
    assert solution["version"] == 1
    assert solution["statistics"]["status"] in ("optimal", "feasible")
    assert set(solution) == {"version", "statistics", "rotations", "sessions", "calls", "fmit_weeks", "duties"}
    assert "status: " in capsys.readouterr().err
    checked = subprocess.run(
        [sys.executable, "-m", "scheduling.engine", "check", str(out)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["compliant"] is True


def test_solve_with_a_reference_keeps_the_old_schedule(tmp_path: Path):
    problem = write(tmp_path / "problem.json", problem_to_json(tiny(residents=5, faculty=2)))
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert main(["solve", problem, "--time-limit", "5", "--workers", "1", "-o", str(first)]) == 0

    code = main(["solve", problem, "--time-limit", "5", "--workers", "1", "--reference", str(first), "-o", str(second)])

    assert code == 0
    assert json.loads(second.read_text())["statistics"]["soft_costs"]["change"] == 0


def test_solve_to_stdout_with_dash(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    problem = write(tmp_path / "problem.json", problem_to_json(tiny(residents=4, faculty=1, days=7)))

    assert main(["solve", problem, "--time-limit", "3", "--workers", "1", "-o", "-"]) == 0

    assert json.loads(capsys.readouterr().out)["version"] == 1


def test_solve_bad_problem_exits_2_with_one_line_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    data = problem_to_json(tiny())
    data["residents"][3]["pgy"] = 9
    problem = write(tmp_path / "problem.json", data)

    code = main(["solve", problem])

    err = capsys.readouterr().err
    assert code == 2
    assert err == "bad input: residents[3].pgy: must be an integer from 1 to 8 (got 9)\n"


@pytest.mark.parametrize(
    ("content", "words"),
    [("{not json", "not valid JSON"), ("[]", "(document): must be a JSON object")],
)
def test_solve_unreadable_problem_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, words: str):
    path = tmp_path / "problem.json"
    path.write_text(content)

    assert main(["solve", str(path)]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bad input: ") and words in err


def test_solve_infeasible_problem_exits_1_and_prints_the_conflict(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    problem = tiny()
    senior = Rotation("SEN", "Senior electives", "SEN", "elective", min_pgy=3)
    problem = dataclasses.replace(
        problem, rotations=(*problem.rotations, senior), locks=(Lock("rotation", "r0", block=1, rotation="SEN"),)
    )
    out = tmp_path / "solution.json"

    code = main(["solve", write(tmp_path / "problem.json", problem_to_json(problem)), "-o", str(out)])

    assert code == 1
    assert "conflict: Lock: Resident 0 (PGY-1) on Senior electives in block 1" in capsys.readouterr().err
    assert json.loads(out.read_text())["statistics"]["status"] == "infeasible"


def test_generate_writes_a_problem_that_solve_reads(tmp_path: Path):
    out = tmp_path / "generated.json"

    assert main(["generate", "--residents", "6", "--faculty", "3", "--blocks", "1", "--seed", "4", "-o", str(out)]) == 0
    again = tmp_path / "again.json"
    assert (
        main(["generate", "--residents", "6", "--faculty", "3", "--blocks", "1", "--seed", "4", "-o", str(again)]) == 0
    )

    assert out.read_text() == again.read_text()
    assert len(json.loads(out.read_text())["residents"]) == 6


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]):
    assert main(["optimise"]) == 2
    assert "usage" in capsys.readouterr().err
