"""PROBLEM.json: round trip, errors that name the field at fault, and the JSON Schema agreeing with the reader."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scheduling.engine.generate import SIZES, generate
from scheduling.engine.problem import ProblemError, problem_from_json, problem_to_json

SCHEMA = json.loads((Path(__file__).parents[2] / "scheduling" / "engine" / "schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def document() -> dict[str, Any]:
    problem = generate(6, 3, 1, seed=4)
    data = problem_to_json(problem)
    data["locks"] = [{"kind": "call", "person": "r001", "date": "2026-07-03"}]
    data["reference"] = {
        "rotations": [{"person": "r001", "block": 1, "rotation": "CLINIC"}],
        "calls": [{"person": "r001", "date": "2026-07-02"}],
        "fmit_weeks": [],
        "clinic": [{"person": "f001", "date": "2026-07-02", "session": "AM"}],
    }
    return data


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_generated_problems_validate_against_the_schema_and_round_trip(size: str):
    problem = generate(*SIZES[size], seed=1)
    data = problem_to_json(problem)

    assert list(VALIDATOR.iter_errors(data)) == []
    assert problem_from_json(data) == problem
    assert problem_to_json(problem_from_json(json.loads(json.dumps(data)))) == data


def test_problem_with_locks_and_reference_round_trips():
    data = document()

    problem = problem_from_json(data)

    assert list(VALIDATOR.iter_errors(data)) == []
    assert problem_to_json(problem)["reference"] == data["reference"]
    assert problem_from_json(problem_to_json(problem)) == problem


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


BAD = [
    (_set(["residents", 3, "pgy"], 9), "residents[3].pgy", "must be an integer from 1 to 8 (got 9)"),
    (_set(["residents", 0, "pgy"], "2"), "residents[0].pgy", "must be an integer"),
    (_set(["version"], 3), "version", "unsupported version"),
    (_drop(["calendar"]), "calendar", "is required"),
    (_set(["calendar", "blocks", 0, "start"], "2026-13-01"), "calendar.blocks[0].start", "ISO date"),
    (_set(["calendar", "sessions", "am_start"], "7am"), "calendar.sessions.am_start", "HH:MM"),
    (_set(["rotations", 0, "kind"], "surgery"), "rotations[0].kind", "must be one of"),
    (_set(["rotations", 0, "work_days"], [0, 7]), "rotations[0].work_days[1]", "from 0 to 6"),
    (_set(["requirements", "clinic_capacity"], -1), "requirements.clinic_capacity", "from 0 to 200"),
    (_set(["requirements", "call", 0, "per_night"], 50), "requirements.call[0].per_night", "from 0 to 20"),
    (_set(["absences", 0, "kind"], "holiday"), "absences[0].kind", "must be one of"),
    (_set(["locks", 0], {"kind": "clinic", "person": "r001", "date": "2026-07-03"}), "locks[0].session", "required"),
    (_set(["preferences", 0, "kind"], "rotation_wish"), "preferences[0].rotation", "required"),
    (_set(["weights", "change"], -5), "weights.change", "from 0 to 1000000"),
    (_set(["acgme", "bogus"], 1), "acgme.bogus", "unknown field"),
    (_set(["rules", "call_end"], "25:00"), "rules.call_end", "HH:MM"),
    (_set(["surprise"], True), "surprise", "unknown field"),
    (_set(["faculty", 0, "fmit_eligible"], "yes"), "faculty[0].fmit_eligible", "true or false"),
    (_set(["reference", "clinic", 0, "session"], "noon"), "reference.clinic[0].session", "must be one of"),
]


@pytest.mark.parametrize(("change", "path", "words"), BAD, ids=[item[1] for item in BAD])
def test_bad_problem_is_refused_by_the_reader_and_the_schema(
    change: Callable[[dict[str, Any]], None], path: str, words: str
):
    data = copy.deepcopy(document())
    change(data)

    with pytest.raises(ProblemError) as caught:
        problem_from_json(data)

    assert caught.value.path == path
    assert words in caught.value.message
    assert list(VALIDATOR.iter_errors(data)), "the schema should refuse it too"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (_set(["locks", 0, "person"], "nobody"), "locks[0].person"),
        (_set(["residents", 1, "id"], "r001"), "residents[1].id"),
        (_set(["calendar", "timezone"], "Mars/Olympus"), "calendar.timezone"),
    ],
)
def test_cross_references_are_checked_by_the_reader(change: Callable[[dict[str, Any]], None], path: str):
    data = copy.deepcopy(document())
    change(data)

    with pytest.raises(ProblemError) as caught:
        problem_from_json(data)

    assert caught.value.path == path


def test_credentials_until_round_trips_and_must_name_a_held_credential():
    data = problem_to_json(generate(residents=3, faculty=2, blocks=1, seed=3))
    data["residents"][0]["credentials"] = ["ACLS"]
    data["residents"][0]["credentials_until"] = {"ACLS": "2027-01-10"}
    problem = problem_from_json(data)
    assert problem.residents[0].credentials_until == (("ACLS", date(2027, 1, 10)),)
    assert problem_to_json(problem)["residents"][0]["credentials_until"] == {"ACLS": "2027-01-10"}
    jsonschema.validate(problem_to_json(problem), SCHEMA)

    data["residents"][0]["credentials_until"] = {"PALS": "2027-01-10"}
    with pytest.raises(ProblemError, match=r"residents\[0\]\.credentials_until\.PALS.*not in credentials"):
        problem_from_json(data)
    data["residents"][0]["credentials_until"] = {"ACLS": "10/01/2027"}
    with pytest.raises(ProblemError, match=r"credentials_until\.ACLS.*ISO date"):
        problem_from_json(data)


def test_supervisor_credentials_and_faculty_credentials_until_round_trip_and_name_a_bad_field():
    data = problem_to_json(generate(residents=3, faculty=2, blocks=1, seed=3))
    data["rotations"][0]["supervisor_credentials"] = ["proc:COLPO"]
    data["faculty"][0]["credentials"] = ["proc:COLPO"]
    data["faculty"][0]["credentials_until"] = {"proc:COLPO": "2026-12-31"}
    problem = problem_from_json(data)
    assert problem.rotations[0].supervisor_credentials == frozenset({"proc:COLPO"})
    assert problem.faculty[0].credentials_until == (("proc:COLPO", date(2026, 12, 31)),)
    assert problem.faculty[0].credential_valid_through("proc:COLPO", date(2026, 12, 31))
    assert not problem.faculty[0].credential_valid_through("proc:COLPO", date(2027, 1, 1))
    assert problem_to_json(problem) == data
    assert list(VALIDATOR.iter_errors(data)) == []

    bad = copy.deepcopy(data)
    bad["rotations"][0]["supervisor_credentials"] = "proc:COLPO"
    with pytest.raises(ProblemError) as caught:
        problem_from_json(bad)
    assert caught.value.path == "rotations[0].supervisor_credentials"
    assert "must be a list" in caught.value.message
    assert list(VALIDATOR.iter_errors(bad))

    bad = copy.deepcopy(data)
    bad["faculty"][0]["credentials_until"] = {"ACLS": "2026-12-31"}
    with pytest.raises(ProblemError, match=r"faculty\[0\]\.credentials_until\.ACLS.*not in credentials"):
        problem_from_json(bad)
