"""Import wizard benchmark: how long the dry run and the commit of a program workbook take (people, rotations,
the block schedule, `--weeks` weeks of clinic half-days and a year of call), and the rows per second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rs_bench .venv/bin/python bench/imports.py
    ... bench/imports.py --residents 24 --weeks 4

A throwaway program is made in the database DATABASE_URL names (migrated first: `manage.py migrate`), else in
var/bench-imports.sqlite3, and rolled back afterwards. Never run as a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-imports.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from integrations.imports import services  # noqa: E402
from tenants.models import Role  # noqa: E402
from tests.scheduling.factories import AcademicYearFactory, BlockFactory  # noqa: E402
from tests.tenants.factories import MembershipFactory, ProgramFactory, UserFactory  # noqa: E402

ROTATIONS = [
    ("Inpatient", "IM", "Inpatient"),
    ("Clinic", "FMC", "Outpatient clinic"),
    ("Elective", "EL", "Elective"),
    ("Nights", "NF", "Night float"),
]


def workbook(residents: int, weeks: int, start: dt.date) -> tuple[bytes, int]:
    book = Workbook()
    book.remove(book.active)
    people = book.create_sheet("People")
    people.append(["First name", "Last name", "Email", "PGY"])
    names = [(f"Resident{i}", f"Núñez{i}") for i in range(residents)]
    for i, (first, last) in enumerate(names):
        people.append([first, last, f"r{i}@example.org", i % 3 + 1])
    rotations = book.create_sheet("Rotations")
    rotations.append(["Name", "Abbreviation", "Kind"])
    for row in ROTATIONS:
        rotations.append(list(row))
    blocks = book.create_sheet("Block schedule")
    blocks.append(["Resident", "Block", "Rotation"])
    for i, (first, last) in enumerate(names):
        for block in range(1, 14):
            blocks.append([f"{first} {last}", block, ROTATIONS[(i + block) % 3][1]])
    sessions = book.create_sheet("Clinic grid")
    sessions.append(["Person", "Date", "Session", "Activity"])
    for day in range(weeks * 7):
        date = start + dt.timedelta(days=day)
        if date.weekday() < 5:
            for first, last in names:
                for half in ("AM", "PM"):
                    sessions.append([f"{last}, {first}", date, half, "Clinic"])
    calls = book.create_sheet("Call")
    calls.append(["Resident", "Night"])
    for day in range(364):
        first, last = names[(day * 7) % residents]
        calls.append([f"{first} {last}", start + dt.timedelta(days=day)])
    out = io.BytesIO()
    book.save(out)
    rows = sum(sheet.max_row - 1 for sheet in book.worksheets)
    return out.getvalue(), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=24)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    with transaction.atomic():  # everything made here is rolled back at the end
        tag = uuid.uuid4().hex[:8]
        program = ProgramFactory(name="Import bench", slug=f"bench-{tag}", parent__slug=f"bench-institution-{tag}")
        user = UserFactory(email=f"{tag}@example.org")
        MembershipFactory(user=user, organization=program, role=Role.COORDINATOR)
        year = AcademicYearFactory(program=program, name="2026-2027")
        for number in range(1, 14):
            BlockFactory(program=program, academic_year=year, number=number)
        content, rows = workbook(args.residents, args.weeks, year.start_date)
        upload = SimpleUploadedFile("bench.xlsx", content)
        began = time.perf_counter()
        session = services.import_session_start(program=program, user=user, upload=upload, academic_year=year)
        services.import_session_kinds_set(session=session, user=user, kinds=session.kinds, year=year)
        services.import_session_mapping_set(session=session, user=user, mapping=session.mapping)
        services.import_session_questions(session=session)
        prepared = time.perf_counter() - began
        began = time.perf_counter()
        session = services.import_session_run(session_id=session.pk, user_id=user.pk, commit=False)
        dry = time.perf_counter() - began
        assert not session.report["problems"], session.report["problems"][:3]
        began = time.perf_counter()
        session = services.import_session_run(session_id=session.pk, user_id=user.pk, commit=True)
        commit = time.perf_counter() - began
        print(f"workbook: {rows} rows, {len(content) / 1000:.0f} kB ({args.residents} residents, {args.weeks} weeks)")
        print(f"upload + sheets + columns + people questions: {prepared:.2f} s")
        print(f"dry run (with the ACGME check): {dry:.2f} s, {rows / dry:.0f} rows/s")
        print(f"commit: {commit:.2f} s, {rows / commit:.0f} rows/s; ACGME violations: {session.report['breach_count']}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
