"""The other sheet kinds: certifications through the certification upload's resource, the half-day clinic grid,
an update of people already in the program, faculty attending call and an FMIT week on the wrong weekday."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from credentials.models import PersonCertification
from integrations.imports import services
from scheduling.models import CallAssignment, Person, SessionAssignment
from tests.credentials.factories import CertificationTypeFactory
from tests.integrations.imports.workbook import upload
from tests.scheduling.factories import FacultyFactory, ResidentFactory, RotationTemplateFactory

pytestmark = pytest.mark.django_db


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(program, user, year, sheets, *, commit):
    session = services.import_session_start(
        program=program, user=user, upload=upload(workbook(sheets)), academic_year=year
    )
    services.import_session_kinds_set(session=session, user=user, kinds=session.kinds, year=year)
    services.import_session_mapping_set(session=session, user=user, mapping=session.mapping)
    session = services.import_session_run(session_id=session.pk, user_id=user.pk, commit=False)
    if commit and not session.report["problems"]:
        session = services.import_session_run(session_id=session.pk, user_id=user.pk, commit=True)
    return session


@pytest.fixture
def people(program):
    return {
        "ada": ResidentFactory(program=program, first_name="Ada", last_name="Lovelace", email="ada@example.org"),
        "grace": FacultyFactory(program=program, first_name="Grace", last_name="Hopper", email="grace@example.org"),
    }


def test_certifications_clinic_grid_and_people_updates_import(program, coordinator, year, people):
    CertificationTypeFactory(program=program, code="ACLS", renewal_months=24)
    RotationTemplateFactory(program=program, name="Family medicine clinic", abbreviation="FMC")
    sheets = {
        "People": [["Name", "E-mail", "PGY", "Phone"], ["Lovelace, Ada", "ADA@example.org", "PGY-3", "555-0101"]],
        "Certs": [
            ["Person", "Certification", "Card number", "Issued", "Expires"],
            ["ada@example.org", "acls", "A-1", dt.date(2026, 3, 1), None],
        ],
        "Clinic grid": [
            ["Person", "Date", "AM/PM", "Activity", "Rotation"],
            ["Ada Lovelace", dt.date(2026, 7, 6), "Morning", "Clinic", "FMC"],
            ["Grace Hopper", "07/06/2026", "AM", "Supervising", None],
        ],
        "Attending call": [["Faculty", "Night", "Call type"], ["Grace Hopper", dt.date(2026, 7, 7), None]],
    }
    session = run(program, coordinator, year, sheets, commit=True)

    assert session.kinds == {
        "People": "people",
        "Certs": "certifications",
        "Clinic grid": "sessions",
        "Attending call": "calls",
    }
    assert session.report["problems"] == [] and session.report["imported"]
    assert session.report["totals"]["People"]["update"] == 1
    people["ada"].refresh_from_db()
    assert (people["ada"].pgy, people["ada"].phone) == (3, "555-0101")
    assert Person.objects.filter(program=program).count() == 2
    cert = PersonCertification.objects.get(person=people["ada"])
    assert (cert.number, cert.expires_on, cert.verified_by) == ("A-1", dt.date(2028, 3, 1), coordinator)
    rows = SessionAssignment.objects.filter(version=session.version).order_by("person__last_name")
    assert [(r.person.last_name, r.session, r.activity, r.rotation_id is not None) for r in rows] == [
        ("Hopper", "AM", "supervising", False),
        ("Lovelace", "AM", "clinic", True),
    ]
    call = CallAssignment.objects.get(version=session.version)
    assert call.kind == CallAssignment.Kind.ATTENDING and call.person == people["grace"]


def test_fmit_week_on_the_wrong_weekday_and_a_resident_on_fmit_are_reported(program, coordinator, year, people):
    sheets = {
        "FMIT": [["Attending", "Week of"], ["Grace Hopper", dt.date(2026, 7, 6)], ["Ada Lovelace", dt.date(2026, 7, 3)]]
    }
    session = run(program, coordinator, year, sheets, commit=False)

    problems = {(p["row"], p["column"]): p["message"] for p in session.report["problems"]}
    assert problems == {
        (2, "B"): "FMIT weeks start on a Friday in this program; 06 Jul 2026 is a Monday.",
        (3, "A"): "Ada Lovelace is not faculty; FMIT weeks are for faculty.",
    }
    assert not SessionAssignment.objects.exists()


def test_a_block_outside_the_year_and_a_duplicate_row_are_reported(program, coordinator, year, people):
    RotationTemplateFactory(program=program, name="Inpatient", abbreviation="IM")
    sheets = {
        "Blocks": [
            ["Resident", "Block", "Rotation"],
            ["Ada Lovelace", 14, "IM"],
            ["Ada Lovelace", 1, "IM"],
            ["Ada Lovelace", 1, "IM"],
            ["Grace Hopper", 2, "IM"],
        ]
    }
    session = run(program, coordinator, year, sheets, commit=False)

    problems = {(p["row"], p["column"]): p["message"] for p in session.report["problems"]}
    assert problems[(2, "B")] == "2026-2027 has no block 14 (it has blocks 1-2)."
    assert "already has a rotation" in problems[(4, "")]
    assert problems[(5, "A")].startswith("Grace Hopper is not a resident")
    assert len(problems) == 3
