"""The supervision ratio in the checker (`supervision_ratio`, a program rule) and the DUTIES "sessions" section.

A PGY-1 counts 2 units, others 1, a faculty member supervises 4 (DESIGN.md section 5), the same arithmetic as
the model's (`ProgramRules.supervision`). No database.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduling.engine.acgme import check, report_to_json
from scheduling.engine.duties import (
    DutiesError,
    SupervisionRatio,
    parse_duties,
    roster_to_json,
)
from scheduling.engine.problem import ProgramRules
from tests.engine.test_cli_check import run_check, write

TZ = "America/New_York"
DAY_SHIFT = {"start": "2026-07-01T07:00", "end": "2026-07-01T17:00", "kind": "work"}
TOO_LONG = {"start": "2026-07-01T07:00", "end": "2026-07-02T12:00", "kind": "work"}


def residents(count: int, pgy: int = 1, first: int = 1) -> list[dict]:
    return [{"id": f"r{n}", "pgy": pgy, "duties": [DAY_SHIFT]} for n in range(first, first + count)]


def clinic(residents_in: list[str], faculty: list[str], *, session: str = "AM", day: str = "2026-07-01") -> dict:
    return {"date": day, "session": session, "site": "clinic", "residents": residents_in, "faculty": faculty}


def document(people: list[dict], sessions: list[dict] | None = None, **extra) -> dict:
    data = {"timezone": TZ, "people": people, **extra}
    if sessions is not None:
        data["sessions"] = sessions
    return data


def supervision_findings(data: dict) -> list:
    return [v for v in check(parse_duties(data)).violations if v.rule == "supervision_ratio"]


def test_five_pgy1_residents_and_two_faculty_in_a_clinic_session_break_the_ratio():
    people = residents(5)
    data = document(people, [clinic([p["id"] for p in people], ["f1", "f2"])])

    report = check(parse_duties(data))

    assert report.compliant is False
    [finding] = report.violations
    zone = ZoneInfo(TZ)
    assert (finding.rule, finding.clause, finding.severity) == ("supervision_ratio", "program rule", "violation")
    assert (finding.value, finding.limit) == (10, 8)
    assert (finding.site, finding.session, finding.person) == ("clinic", "AM", "")
    assert (finding.start, finding.end) == (datetime(2026, 7, 1, 7, tzinfo=zone), datetime(2026, 7, 1, 12, tzinfo=zone))
    assert finding.residents == ("r1", "r2", "r3", "r4", "r5")
    assert finding.faculty == ("f1", "f2")


def test_four_pgy1_residents_and_two_faculty_pass():
    people = residents(4)

    report = check(parse_duties(document(people, [clinic([p["id"] for p in people], ["f1", "f2"])])))

    assert report.compliant is True
    assert report.violations == []


def test_a_pgy1_counts_two_units_and_others_one_rounded_up_per_faculty_member():
    people = residents(1, pgy=1) + residents(3, pgy=2, first=2)  # 2 + 3 = 5 units: two faculty needed
    ids = [p["id"] for p in people]

    assert [(v.value, v.limit) for v in supervision_findings(document(people, [clinic(ids, ["f1"])]))] == [(5, 4)]
    assert supervision_findings(document(people, [clinic(ids, ["f1", "f2"])])) == []


def test_residents_without_faculty_are_unsupervised_whatever_their_number():
    people = residents(1, pgy=3)

    [finding] = supervision_findings(document(people, [clinic(["r1"], [], session="PM")]))

    assert (finding.value, finding.limit, finding.session) == (1, 0, "PM")
    assert finding.start.hour == 13 and finding.end.hour == 17


def test_sessions_are_reported_each_once_by_date_session_and_site():
    people = residents(3)
    ids = [p["id"] for p in people]
    sessions = [
        clinic(ids, ["f1"], session="PM"),
        clinic(ids, ["f1"], day="2026-06-30"),
        {**clinic(ids[:1], []), "site": "Procedures"},
        clinic(ids[1:], ["f2"]),
    ]

    found = supervision_findings(document(people, sessions))

    assert [(v.start.date(), v.session, v.site, v.value, v.limit) for v in found] == [
        (date(2026, 6, 30), "AM", "clinic", 6, 4),
        (date(2026, 7, 1), "AM", "Procedures", 2, 0),
        (date(2026, 7, 1), "PM", "clinic", 6, 4),
    ]


def test_a_document_without_sessions_is_checked_exactly_as_before():
    people = [{"id": "r1", "pgy": 1, "duties": [TOO_LONG]}, *residents(4, first=2)]
    without = document(people)
    supervised = document(people, [clinic(["r2", "r3", "r4", "r5"], ["f1", "f2"])])

    before = report_to_json(check(parse_duties(without)))

    assert before == {
        "compliant": False,
        "violations": [
            {
                "rule": "continuous_duty",
                "person": "r1",
                "start": "2026-07-01T07:00",
                "end": "2026-07-02T12:00",
                "value": 29.0,
                "limit": 28.0,
                "severity": "violation",
                "clause": "6.22",
            }
        ],
        "people_checked": 5,
    }
    assert report_to_json(check(parse_duties(supervised))) == before
    assert "sessions" not in roster_to_json(parse_duties(without))
    assert roster_to_json(parse_duties(without)) == parse_duties_round_trip(without)


def parse_duties_round_trip(data: dict) -> dict:
    return roster_to_json(parse_duties(roster_to_json(parse_duties(data))))


def test_the_ratio_and_session_times_come_from_the_document_and_round_trip():
    people = residents(5)
    ids = [p["id"] for p in people]
    data = document(
        people,
        [clinic(ids, ["f1", "f2"])],
        rules={"supervision_units_per_faculty": 5, "weekly_hours": 88},
        session_times={"AM": {"start": "08:00", "end": "12:30"}},
    )

    roster = parse_duties(data)

    assert roster.supervision == SupervisionRatio(supervision_units_per_faculty=5)
    assert supervision_findings(data) == []
    tighter = {**data, "rules": {"supervision_units_per_faculty": 5, "pgy1_supervision_units": 3}}
    [finding] = supervision_findings(tighter)
    assert (finding.value, finding.limit, finding.start.strftime("%H:%M"), finding.end.strftime("%H:%M")) == (
        15,
        10,
        "08:00",
        "12:30",
    )
    written = roster_to_json(roster)
    assert written["rules"] == {"weekly_hours": 88.0, "supervision_units_per_faculty": 5}
    assert written["session_times"] == {
        "AM": {"start": "08:00", "end": "12:30"},
        "PM": {"start": "13:00", "end": "17:00"},
    }
    assert written["sessions"] == [clinic(ids, ["f1", "f2"])]
    assert parse_duties(written) == roster


def test_the_model_and_the_checker_share_one_ratio():
    rules = ProgramRules(pgy1_supervision_units=3, supervision_units_per_faculty=6)

    assert rules.supervision == SupervisionRatio(supervision_units_per_faculty=6, pgy1_supervision_units=3)
    assert ProgramRules().supervision == SupervisionRatio()
    assert (SupervisionRatio().units(1), SupervisionRatio().units(2), SupervisionRatio().capacity(2)) == (2, 1, 8)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.update(sessions={}), "sessions", "must be a list"),
        (lambda d: d["sessions"][0].update(session="XM"), "sessions[0].session", "must be one of AM, PM"),
        (lambda d: d["sessions"][0].update(date="2026-13-01"), "sessions[0].date", "not a valid date"),
        (lambda d: d["sessions"][0].update(site=""), "sessions[0].site", "non-empty string"),
        (lambda d: d["sessions"][0].pop("faculty"), "sessions[0].faculty", "is required"),
        (lambda d: d["sessions"][0].update(room=1), "sessions[0].room", "unknown field"),
        (lambda d: d["sessions"][0].update(residents="r1"), "sessions[0].residents", "must be a list"),
        (lambda d: d["sessions"][0]["residents"].append("r9"), "sessions[0].residents[1]", "unknown resident 'r9'"),
        (lambda d: d["sessions"][0]["faculty"].append("f1"), "sessions[0].faculty[1]", "duplicate of"),
        (lambda d: d["sessions"][0]["faculty"].append("r1"), "sessions[0].faculty[1]", "is a resident"),
        (lambda d: d["sessions"].append(copy.deepcopy(d["sessions"][0])), "sessions[1]", "duplicate of sessions[0]"),
        (
            lambda d: d["sessions"].append({**clinic(["r1"], []), "site": "Procedures"}),
            "sessions[1].residents[0]",
            "already in sessions[0]",
        ),
        (lambda d: d.update(rules={"pgy1_supervision_units": -1}), "rules.pgy1_supervision_units", "from 0 to 52"),
        (lambda d: d.update(rules={"supervision_units_per_faculty": 0}), "rules.supervision_units_per_faculty", "1"),
        (
            lambda d: d.update(session_times={"AM": {"start": "12:00", "end": "07:00"}}),
            "session_times.AM.end",
            "must be after start",
        ),
        (lambda d: d.update(session_times={"AM": {"start": "7h", "end": "12:00"}}), "session_times.AM.start", "clock"),
    ],
)
def test_a_bad_sessions_section_is_refused_naming_the_field(change, field, words):
    data = document(residents(1), [clinic(["r1"], ["f1"])])
    change(data)

    with pytest.raises(DutiesError) as caught:
        parse_duties(data)

    assert caught.value.field_path == field
    assert words in caught.value.message


def test_check_command_exits_2_with_one_line_naming_the_field_of_a_bad_session(tmp_path: Path):
    data = document(residents(1), [clinic(["r1", "r7"], ["f1"])])

    result = run_check(write(tmp_path, data))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "bad input: sessions[0].residents[1]: unknown resident 'r7' (not in people)\n"


def test_check_command_exits_1_on_an_undersupervised_session_and_names_it(tmp_path: Path):
    people = residents(5)
    data = document(people, [clinic([p["id"] for p in people], ["f1", "f2"])])

    result = run_check(write(tmp_path, data))

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["compliant"] is False
    assert report["violations"] == [
        {
            "rule": "supervision_ratio",
            "person": "",
            "start": "2026-07-01T07:00",
            "end": "2026-07-01T12:00",
            "value": 10.0,
            "limit": 8.0,
            "severity": "violation",
            "clause": "program rule",
            "session": "AM",
            "site": "clinic",
            "residents": ["r1", "r2", "r3", "r4", "r5"],
            "faculty": ["f1", "f2"],
        }
    ]


def engine(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduling.engine", *args],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_generated_and_solved_program_passes_the_supervision_check_and_breaks_it_without_its_faculty(
    tmp_path: Path,
):
    problem, solution = tmp_path / "problem.json", tmp_path / "solution.json"
    made = engine("generate", "--residents", "12", "--faculty", "6", "--blocks", "1", "--seed", "3", "-o", str(problem))
    assert made.returncode == 0, made.stderr
    solved = engine("solve", str(problem), "--time-limit", "20", "--workers", "2", "--seed", "3", "-o", str(solution))
    assert solved.returncode == 0, solved.stderr

    checked = engine("check", str(solution))

    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["compliant"] is True
    data = json.loads(solution.read_text())
    sessions = data["duties"]["sessions"]
    in_clinic = sum(1 for row in data["sessions"] if row["activity"] == "clinic" and row["person"].startswith("r"))
    assert sum(len(item["residents"]) for item in sessions) == in_clinic > 0
    roster = parse_duties(data)
    busiest = max(roster.sessions, key=lambda item: len(item.residents))
    assert busiest.faculty
    # The same schedule with that session's faculty gone is under-supervised: the section is what is checked.
    for item in sessions:
        if (item["date"], item["session"]) == (busiest.date.isoformat(), busiest.session):
            item["faculty"] = []
    [finding] = supervision_findings(data["duties"])
    assert (finding.start.date(), finding.session, finding.site, finding.limit) == (
        busiest.date,
        busiest.session,
        "clinic",
        0,
    )
