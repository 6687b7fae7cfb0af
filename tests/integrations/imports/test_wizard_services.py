"""The import of a whole program from a realistic workbook: sheets and columns suggested, people matched (and
asked about when unsure), a dry run reporting every problem at its cell and writing nothing, an all-or-nothing
commit into a draft version of source "import"."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from absences.models import Absence
from integrations.imports import services
from integrations.imports.matching import NOBODY
from integrations.imports.models import ImportMapping, ImportSession
from scheduling.models import (
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
    Source,
)
from tenants.models import Role
from tests.integrations.imports.workbook import program_workbook, upload
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

EXPECTED_KINDS = {
    "Roster": "people",
    "Rotations": "rotations",
    "Block schedule": "blocks",
    "Leave": "absences",
    "Call": "calls",
    "FMIT": "fmit",
}


def start(program, user, year, **workbook):
    return services.import_session_start(
        program=program, user=user, upload=upload(program_workbook(**workbook)), academic_year=year
    )


def through_mapping(session, user):
    """Accept the suggested kinds and columns, as a coordinator pressing Next twice does."""
    services.import_session_kinds_set(session=session, user=user, kinds=session.kinds, year=session.academic_year)
    services.import_session_mapping_set(session=session, user=user, mapping=session.mapping)
    return session


def nothing_written(program):
    assert not Person.objects.filter(program=program).exists()
    assert not RotationTemplate.objects.filter(program=program).exists()
    assert not ScheduleVersion.objects.filter(program=program).exists()
    assert not Absence.objects.filter(program=program).exists()


def test_sheets_and_columns_are_suggested_from_merged_accented_headings(program, coordinator, year):
    session = start(program, coordinator, year)

    assert session.kinds == EXPECTED_KINDS
    roster = next(sheet for sheet in session.sheets if sheet["name"] == "Roster")
    assert roster["header_row"] == 2 and roster["rows"] == 3  # the merged title above is skipped
    assert session.mapping["Roster"] == {
        "0": "first_name",
        "1": "last_name",
        "2": "email",
        "3": "kind",
        "4": "pgy",
        "5": "faculty_role",
    }
    leave = next(sheet for sheet in session.sheets if sheet["name"] == "Leave")
    assert [h["text"] for h in leave["headers"]] == ["Name", "Type", "Dates From", "Dates Until"]
    assert session.mapping["Leave"] == {"0": "person", "1": "kind", "2": "start_date", "3": "end_date"}
    assert session.mapping["FMIT"] == {"0": "person", "1": "week_start"}


def test_dry_run_reports_every_problem_at_its_cell_and_writes_nothing(program, coordinator, year):
    session = through_mapping(start(program, coordinator, year), coordinator)

    questions = {q.match.text: q for q in services.import_session_questions(session=session)}
    assert questions["Zoë Angstrm"].match.needs_answer  # misspelled: asked, never guessed
    assert [c.label for c in questions["Zoë Angstrm"].match.choices] == ["Zoë Ångström (People sheet)"]
    by_key = {q.key: q for q in questions.values()}
    jose = by_key["jose garcia"]  # accents, order, case and spaces do not count: one name, sure
    assert jose.match.person == "f:jose garcia"
    assert {"Block schedule!A3", "Block schedule!A4", "Leave!A3", "Call!A2"} <= set(jose.cells)

    session = services.import_session_run(session_id=session.pk, user_id=coordinator.pk, commit=False)

    problems = {(p["sheet"], p["row"], p["column"]): p["message"] for p in session.report["problems"]}
    assert set(problems) == {("Block schedule", 5, "A"), ("Block schedule", 6, "C"), ("Leave", 4, "D")}
    assert "did you mean “Zoë Ångström”?" in problems[("Block schedule", 5, "A")]
    assert "No rotation “XRAY”" in problems[("Block schedule", 6, "C")]
    assert "“31/08/2026” is not a date" in problems[("Leave", 4, "D")]
    assert session.report["totals"]["Roster"] == {"kind": "People", "rows": 3, "new": 3, "update": 0}
    assert not services.import_session_ready(session)
    nothing_written(program)


def test_answered_and_fixed_file_commits_everything_into_an_import_draft(program, coordinator, year):
    session = through_mapping(start(program, coordinator, year, rotation="IM", leave_date="2026-08-28"), coordinator)
    question = next(q for q in services.import_session_questions(session=session) if q.match.needs_answer)
    services.import_session_answers_set(
        session=session, user=coordinator, answers={question.key: question.match.choices[0].key}
    )

    session = services.import_session_run(session_id=session.pk, user_id=coordinator.pk, commit=False)
    assert session.report["problems"] == [] and services.import_session_ready(session)
    nothing_written(program)

    session = services.import_session_run(session_id=session.pk, user_id=coordinator.pk, commit=True)

    assert session.status == ImportSession.Status.COMMITTED
    version = session.version
    assert version.status == ScheduleVersion.Status.DRAFT and version.note == "Imported from program.xlsx"
    jose = Person.objects.get(program=program, last_name="García")
    assert (jose.first_name, jose.pgy, jose.email) == ("José", 2, "jose.garcia@example.org")
    zoe = Person.objects.get(program=program, first_name="Zoë")
    assert zoe.last_name == "Ångström" and zoe.pgy == 1
    ana = Person.objects.get(program=program, last_name="Lopez")
    assert ana.kind == Person.Kind.FACULTY and ana.faculty_role == Person.FacultyRole.CORE
    blocks = BlockAssignment.objects.filter(version=version)
    assert sorted((b.person.first_name, b.block.number, b.rotation.abbreviation) for b in blocks) == [
        ("José", 1, "IM"),
        ("José", 2, "FMC"),
        ("Zoë", 1, "FMC"),
        ("Zoë", 2, "IM"),
    ]
    assert {b.source for b in blocks} == {Source.IMPORT}
    call = CallAssignment.objects.get(version=version)
    assert call.person == jose and call.kind == CallAssignment.Kind.IN_HOUSE and call.source == Source.IMPORT
    assert call.start.astimezone(program.zone) == dt.datetime(2026, 7, 10, 17, tzinfo=program.zone)
    fmit = SessionAssignment.objects.filter(version=version, person=ana, activity=SessionAssignment.Activity.FMIT)
    assert fmit.count() == 14 and {s.date for s in fmit} == {dt.date(2026, 7, 3) + dt.timedelta(d) for d in range(7)}
    absences = Absence.objects.filter(program=program).order_by("start_date")
    assert [(a.person, a.kind, a.status) for a in absences] == [
        (jose, "vacation", Absence.Status.APPROVED),
        (ana, "conference", Absence.Status.APPROVED),
    ]
    assert session.report["imported"] and session.report["breach_count"] == len(session.report["breaches"])


def test_a_commit_that_fails_halfway_writes_nothing(program, coordinator, year):
    session = through_mapping(start(program, coordinator, year, rotation="IM", leave_date="2026-08-28"), coordinator)
    question = next(q for q in services.import_session_questions(session=session) if q.match.needs_answer)
    services.import_session_answers_set(
        session=session, user=coordinator, answers={question.key: question.match.choices[0].key}
    )
    services.import_session_run(session_id=session.pk, user_id=coordinator.pk, commit=False)
    # Between the check and the commit, someone records Ana Lopez's leave: the Leave sheet's last row now clashes,
    # after the people, rotations and blocks were written.
    ana = ResidentFactory(program=program, first_name="Ana", last_name="Lopez", email="ana.lopez@example.org", pgy=3)
    Absence.objects.create(
        program=program,
        person=ana,
        kind="sick",
        start_date=dt.date(2026, 8, 28),
        end_date=dt.date(2026, 8, 28),
        status=Absence.Status.APPROVED,
    )

    session = services.import_session_run(session_id=session.pk, user_id=coordinator.pk, commit=True)

    assert session.status != ImportSession.Status.COMMITTED and not session.report["imported"]
    assert any(p["sheet"] in ("Leave", "FMIT") for p in session.report["problems"])
    assert list(Person.objects.filter(program=program)) == [ana]
    assert not RotationTemplate.objects.filter(program=program).exists()
    assert not ScheduleVersion.objects.filter(program=program).exists()
    assert Absence.objects.filter(program=program).count() == 1


def test_another_programs_people_cannot_be_named_or_chosen(program, other_program, coordinator, year):
    stranger = ResidentFactory(program=other_program, first_name="Zoë", last_name="Angstrom", email="z@example.org")
    session = through_mapping(start(program, coordinator, year), coordinator)
    question = next(q for q in services.import_session_questions(session=session) if q.match.needs_answer)
    assert f"p:{stranger.pk}" not in {choice.key for choice in question.match.choices}

    with pytest.raises(services.DomainError, match="Choose one of the people offered"):
        services.import_session_answers_set(
            session=session, user=coordinator, answers={question.key: f"p:{stranger.pk}"}
        )

    session.answers = {question.key: f"p:{stranger.pk}"}  # even an answer forced into the database
    session.save()
    session = services.import_session_run(session_id=session.pk, user_id=coordinator.pk, commit=False)
    messages = [p["message"] for p in session.report["problems"] if p["row"] == 5 and p["sheet"] == "Block schedule"]
    assert messages == ["The answer given for “Zoë Angstrm” is not a person of this program."]
    assert not BlockAssignment.objects.filter(person=stranger).exists()


def test_nobody_answer_reports_the_rows(program, coordinator, year):
    session = through_mapping(start(program, coordinator, year), coordinator)
    question = next(q for q in services.import_session_questions(session=session) if q.match.needs_answer)
    services.import_session_answers_set(session=session, user=coordinator, answers={question.key: NOBODY})
    session = services.import_session_run(session_id=session.pk, user_id=coordinator.pk, commit=False)
    assert any("nobody of this program" in p["message"] for p in session.report["problems"])


def test_mapping_is_remembered_for_the_programs_next_upload(program, coordinator, year):
    session = start(program, coordinator, year)
    services.import_session_kinds_set(session=session, user=coordinator, kinds=session.kinds, year=year)
    mapping = {**session.mapping, "Call": {"0": "person", "1": "date"}}
    mapping["Roster"] = {**mapping["Roster"], "5": ""}  # the Role column left out this time
    services.import_session_mapping_set(session=session, user=coordinator, mapping=mapping)
    assert ImportMapping.objects.filter(program=program, kind="calls", header="night", field="date").exists()

    again = start(program, coordinator, year)
    assert again.mapping["Call"] == {"0": "person", "1": "date"}


def test_required_column_left_unmapped_is_refused(program, coordinator, year):
    session = start(program, coordinator, year)
    services.import_session_kinds_set(session=session, user=coordinator, kinds=session.kinds, year=year)
    mapping = {**session.mapping, "FMIT": {"0": "person"}}
    with pytest.raises(services.DomainError, match="Sheet “FMIT”: no column is mapped to Week start"):
        services.import_session_mapping_set(session=session, user=coordinator, mapping=mapping)


def test_residents_cannot_import(program, member, year):
    resident = member(Role.RESIDENT)
    with pytest.raises(PermissionDenied):
        start(program, resident, year)
