"""The import wizard's writes: start an import from an upload, choose sheet kinds, map columns (remembered per
program), answer the questions about people, then run it: a dry run (everything written inside one transaction
and rolled back, every problem named by sheet, row and column) or the commit (all or nothing).

`import_session_run(session_id=..., user_id=..., commit=...)` takes ids only: a file of more than IMPORT_JOB_ROWS
rows is checked and imported by a background job (integrations/imports/jobs.py) with its progress.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from integrations.imports.matching import NOBODY, Candidate, Match, Matcher, name_key, reference_key
from integrations.imports.models import ImportMapping, ImportSession
from integrations.imports.reading import Sheet, read_sheets
from integrations.imports.resources import RESOURCES, Context, PersonResource, people_candidates
from integrations.imports.sheets import KINDS_BY_KEY, ORDER, SheetKind, suggest_columns, suggest_kind
from integrations.imports.text import clean, fold
from integrations.imports.upload import detect_format
from scheduling.models import AcademicYear, Person
from scheduling.services import schedule_version_breaches, schedule_version_draft_create
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can

CHUNK_ROWS = 500  # rows imported between progress reports
MAX_PROBLEMS = 5000  # the report keeps this many; a file with more has a wrong mapping, not many typos


def may_import(user, program: Organization) -> bool:
    """Admins and coordinators of the program import (they add to its schedule); nobody else."""
    return can(user, Action.ADD, Resource.SCHEDULE, program)


def _require(user, program: Organization) -> None:
    if not may_import(user, program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can import into it.")


def _editable(session: ImportSession) -> None:
    if session.status == ImportSession.Status.COMMITTED:
        raise ConflictError("This file is already imported; upload it again to import it once more.")


@transaction.atomic
def import_session_start(
    *, program: Organization, user, upload, academic_year: AcademicYear | None = None
) -> ImportSession:
    """Keep an upload (xlsx, xls or CSV, told by its bytes, under the cap) with its sheets read and a kind and a
    column mapping suggested for each (the program's earlier choices first)."""
    _require(user, program)
    if academic_year is not None and academic_year.program_id != program.pk:
        raise DomainError("That academic year belongs to another program.")
    file_format = detect_format(upload)
    upload.seek(0)
    content = upload.read()
    sheets = read_sheets(content, file_format)
    session = ImportSession(
        program=program,
        created_by=user,
        filename=(upload.name or "upload")[:255],
        file_format=file_format,
        size=len(content),
        content=content,
        academic_year=academic_year,
        sheets=[sheet.summary() for sheet in sheets],
    )
    remembered = _remembered(program)
    for sheet in sheets:
        kind = suggest_kind(sheet.name, sheet.headers)
        session.kinds[sheet.name] = kind
        if kind:
            columns = suggest_columns(KINDS_BY_KEY[kind], sheet.headers, remembered.get(kind, {}))
            session.mapping[sheet.name] = {str(index): key for index, key in columns.items()}
    session.save()
    return session


def _remembered(program: Organization) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for kind, header, key in ImportMapping.objects.filter(program=program).values_list("kind", "header", "field"):
        found.setdefault(kind, {})[header] = key
    return found


@transaction.atomic
def import_session_kinds_set(*, session: ImportSession, user, kinds: dict[str, str], year: AcademicYear | None):
    """Choose what each sheet holds ('' leaves it out) and the academic year; a newly chosen kind gets a
    suggested mapping."""
    _require(user, session.program)
    _editable(session)
    names = {sheet["name"] for sheet in session.sheets}
    unknown = [name for name, kind in kinds.items() if name not in names or (kind and kind not in KINDS_BY_KEY)]
    if unknown:
        raise DomainError(f"Unknown sheet or kind: {', '.join(unknown)}.")
    if not any(kinds.values()):
        raise DomainError("Choose what at least one sheet holds.")
    if year is not None and year.program_id != session.program_id:
        raise DomainError("That academic year belongs to another program.")
    needs_year = any(kind and KINDS_BY_KEY[kind].assignments for kind in kinds.values())
    if needs_year and year is None:
        raise DomainError("Choose the academic year of the schedule: a sheet holds assignments.")
    remembered = _remembered(session.program)
    for sheet in session.sheets:
        kind = kinds.get(sheet["name"], "")
        if kind and kind != session.kinds.get(sheet["name"]):
            headers = [header["text"] for header in sheet["headers"]]
            columns = suggest_columns(KINDS_BY_KEY[kind], headers, remembered.get(kind, {}))
            session.mapping[sheet["name"]] = {str(index): key for index, key in columns.items()}
        session.kinds[sheet["name"]] = kind
    session.academic_year = year
    session.status, session.report = ImportSession.Status.UPLOADED, {}
    session.save()
    return session


def mapping_problems(session: ImportSession) -> list[str]:
    """What keeps the mapping from being used: a required column not mapped, a field mapped twice."""
    problems = []
    for sheet in session.sheets:
        kind_key = session.kinds.get(sheet["name"])
        if not kind_key:
            continue
        kind = KINDS_BY_KEY[kind_key]
        chosen = [key for key in session.mapping.get(sheet["name"], {}).values() if key]
        for key in sorted({key for key in chosen if chosen.count(key) > 1}):
            problems.append(f"Sheet “{sheet['name']}”: two columns are mapped to {kind.column(key).label}.")
        required = set(kind.required)
        if kind.key == "people" and not ({"first_name", "last_name"} <= set(chosen) or "name" in chosen):
            problems.append(f"Sheet “{sheet['name']}”: map the First name and Last name columns, or a Name column.")
        for key in sorted(required - set(chosen)):
            problems.append(f"Sheet “{sheet['name']}”: no column is mapped to {kind.column(key).label}.")
    return problems


@transaction.atomic
def import_session_mapping_set(*, session: ImportSession, user, mapping: dict[str, dict[str, str]]) -> ImportSession:
    """Map each column of each chosen sheet to a field of its kind ('' ignores it), remembered for the program's
    next upload; a required column left out or a field mapped twice is refused."""
    _require(user, session.program)
    _editable(session)
    cleaned: dict[str, dict[str, str]] = {}
    for sheet in session.sheets:
        kind_key = session.kinds.get(sheet["name"])
        if not kind_key:
            continue
        keys = {column.key for column in KINDS_BY_KEY[kind_key].columns}
        given = mapping.get(sheet["name"], {})
        columns = {}
        for header in sheet["headers"]:
            key = given.get(str(header["index"]), "")
            if key and key not in keys:
                raise DomainError(f"“{key}” is not a column of a {KINDS_BY_KEY[kind_key].label} sheet.")
            if key:
                columns[str(header["index"])] = key
        cleaned[sheet["name"]] = columns
    session.mapping = cleaned
    problems = mapping_problems(session)
    if problems:
        raise DomainError(" ".join(problems))
    for sheet in session.sheets:
        kind_key = session.kinds.get(sheet["name"])
        for header in sheet["headers"]:
            key = cleaned.get(sheet["name"], {}).get(str(header["index"]))
            if kind_key and key and fold(header["text"]):
                ImportMapping.objects.update_or_create(
                    program=session.program, kind=kind_key, header=fold(header["text"])[:200], defaults={"field": key}
                )
    session.status, session.report = ImportSession.Status.UPLOADED, {}
    session.save()
    return session


# People: who each name in the file is.


@dataclass(slots=True)
class Question:
    """A name (or email) of the file and what it matched: sure, a choice to make, or nobody; where it appears."""

    key: str
    match: Match
    cells: list[str] = field(default_factory=list)
    answer: str | None = None


def _planned(session: ImportSession, sheets: list[Sheet]) -> list[tuple[Sheet, SheetKind, dict[int, str]]]:
    by_name = {sheet.name: sheet for sheet in sheets}
    plan = []
    for name, kind_key in session.kinds.items():
        if kind_key and name in by_name:
            columns = {int(index): key for index, key in session.mapping.get(name, {}).items() if key}
            plan.append((by_name[name], KINDS_BY_KEY[kind_key], columns))
    return sorted(plan, key=lambda item: ORDER[item[1].key])


def _file_people(plan, known: list[Candidate]) -> list[Candidate]:
    """People of the file's People sheets who are not already in the program (they will be written first)."""
    names = {c.name for c in known}
    emails = {c.email for c in known if c.email}
    found: dict[str, Candidate] = {}
    for sheet, kind, columns in plan:
        if kind.key != "people":
            continue
        for _line, values in sheet.rows:
            row = {key: values[index] for index, key in columns.items() if index < len(values)}
            first, last = PersonResource.names(row)
            key, email = name_key(f"{first} {last}"), fold(row.get("email"))
            if key and key not in names and not (email and email in emails):
                found.setdefault(key, Candidate(f"f:{key}", f"{first} {last} (People sheet)", key, email))
    return list(found.values())


def import_session_questions(*, session: ImportSession) -> list[Question]:
    """Every distinct person named in the chosen sheets, with its match against the program's people and the
    file's People sheet, and the answer already given. Only the program's people are ever candidates."""
    plan = _planned(session, read_sheets(bytes(session.content), session.file_format))
    known = people_candidates(list(Person.objects.filter(program=session.program)))
    matcher = Matcher([*known, *_file_people(plan, known)])
    questions: dict[str, Question] = {}
    for sheet, _kind, columns in plan:
        person_columns = [index for index, key in columns.items() if key == "person"]
        for line, values in sheet.rows:
            for index in person_columns:
                text = clean(values[index] if index < len(values) else None)
                if not text:
                    continue
                key = reference_key(text)
                if key not in questions:
                    questions[key] = Question(key, matcher.match(text), answer=session.answers.get(key))
                if len(questions[key].cells) < 5:
                    questions[key].cells.append(f"{sheet.name}!{sheet.letter(index)}{line}")
    return list(questions.values())


@transaction.atomic
def import_session_answers_set(*, session: ImportSession, user, answers: dict[str, str]) -> ImportSession:
    """Say who each unsure name is: one of the people it was compared with, or nobody (its rows are then
    reported). An answer naming anyone else, another program's person included, is refused."""
    _require(user, session.program)
    _editable(session)
    questions = {q.key: q for q in import_session_questions(session=session) if q.match.choices}
    for key, answer in answers.items():
        question = questions.get(key)
        if question is None:
            raise DomainError("An answer was given for a name that is not asked about; reload the page.")
        allowed = {choice.key for choice in question.match.choices} | {NOBODY}
        if answer not in allowed:
            raise DomainError(f"Choose one of the people offered for “{question.match.text}”, or nobody.")
    session.answers = {**session.answers, **{key: answer for key, answer in answers.items() if answer}}
    session.status, session.report = ImportSession.Status.UPLOADED, {}
    session.save()
    return session


# The run: a dry run or the commit.


def _dataset(sheet: Sheet, kind: SheetKind, columns: dict[int, str]) -> tuple[tablib.Dataset, list[int]]:
    """The sheet's rows with the kind's column keys as headers (unmapped columns empty) and their file rows."""
    headers = [column.key for column in kind.columns]
    dataset, lines = tablib.Dataset(headers=headers), []
    for line, values in sheet.rows:
        row = dict.fromkeys(headers)
        for index, key in columns.items():
            if index < len(values):
                value = values[index]
                row[key] = value.strip() if isinstance(value, str) else value
        if any(clean(value) for value in row.values()):
            dataset.append([row[key] for key in headers])
            lines.append(line)
    return dataset, lines


def _problems(result, sheet: Sheet, kind: SheetKind, columns: dict[int, str], lines, dataset) -> list[dict]:
    where = {key: index for index, key in columns.items()}
    headers = dataset.headers

    def problem(number: int, key: str, message: str) -> dict[str, Any]:
        index = where.get(key)
        value = dataset[number - 1][headers.index(key)] if key in headers and number else None
        return {
            "sheet": sheet.name,
            "row": lines[number - 1] if number else sheet.header_row,
            "column": sheet.letter(index) if index is not None else "",
            "header": sheet.headers[index] if index is not None else "",
            "value": "" if value is None else str(value),
            "message": message,
        }

    found = [problem(0, "", str(error.error)) for error in result.base_errors]
    for invalid in result.invalid_rows:
        error = invalid.error
        items = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
        for key, messages in items:
            key = "" if key == "__all__" else key
            found.extend(problem(invalid.number, key, message) for message in messages)
    for number, errors in result.row_errors():
        found.extend(problem(number, "", f"This row could not be read: {error.error}") for error in errors)
    return found


def _breach_rows(version) -> list[dict[str, Any]]:
    return [
        {"rule": b.title, "person": b.person, "start": b.start.date().isoformat(), "value": b.value, "limit": b.limit}
        for b in schedule_version_breaches(version=version)
    ]


def import_session_rows(session: ImportSession) -> int:
    """The rows of the sheets chosen for import (as read at upload): what decides whether it runs in the
    background (more than IMPORT_JOB_ROWS)."""
    return sum(int(sheet.get("rows") or 0) for sheet in session.sheets if session.kinds.get(sheet.get("name")))


def import_session_run(
    *, session_id: int, user_id: int, commit: bool, progress: Callable[[int, int], None] | None = None
) -> ImportSession:
    """Import the session's chosen sheets in order (people, rotations, certifications, absences, blocks,
    half-days, call, FMIT), assignments into a new draft version of its year (source "import"), inside one
    transaction. A dry run rolls it all back and keeps the report; a commit keeps it only when no row of any
    sheet has a problem, else nothing is written. The report lists every problem by sheet, row and column and
    the draft's ACGME violations (the checker's, as the versions page shows them).

    Rows are imported CHUNK_ROWS at a time; `progress(done, total)` is called after each chunk (a background
    job's report, which raises to stop it: the transaction then rolls back and nothing is written)."""
    session = ImportSession.objects.select_related("program", "academic_year").get(pk=session_id)
    user = get_user_model().objects.get(pk=user_id)
    _require(user, session.program)
    _editable(session)
    if problems := mapping_problems(session):
        raise DomainError(" ".join(problems))
    plan = _planned(session, read_sheets(bytes(session.content), session.file_format))
    if not plan:
        raise DomainError("Choose what at least one sheet holds.")
    found: list[dict[str, Any]] = []
    totals: dict[str, dict[str, int]] = {}
    breaches: list[dict[str, Any]] = []
    reason = f"Imported from {session.filename}"
    with transaction.atomic():
        if commit:
            locked = ImportSession.objects.select_for_update().get(pk=session.pk)
            _editable(locked)
        context = Context(
            program=session.program, user=user, year=session.academic_year, answers=session.answers, reason=reason
        )
        if any(kind.assignments for _s, kind, _c in plan):
            if session.academic_year is None:
                raise DomainError("Choose the academic year of the schedule: a sheet holds assignments.")
            context.version = schedule_version_draft_create(academic_year=session.academic_year, note=reason, user=user)
        datasets = [_dataset(sheet, kind, columns) for sheet, kind, columns in plan]
        total, done = sum(len(dataset) for dataset, _lines in datasets), 0
        for (sheet, kind, columns), (dataset, lines) in zip(plan, datasets, strict=True):
            resource = RESOURCES[kind.key](context=context)
            counts = totals.setdefault(sheet.name, {"kind": kind.label, "rows": len(dataset), "new": 0, "update": 0})
            for first in range(0, max(len(dataset), 1), CHUNK_ROWS):
                chunk = tablib.Dataset(*dataset[first : first + CHUNK_ROWS], headers=dataset.headers)
                part = lines[first : first + CHUNK_ROWS]
                result = resource.import_data(
                    chunk, dry_run=False, use_transactions=False, raise_errors=False, user=user
                )
                for problem in _problems(result, sheet, kind, columns, part, chunk):
                    if first == 0 or problem["row"] != sheet.header_row:  # a sheet's own problems once
                        found.append(problem)
                counts["new"] += result.totals.get("new", 0)
                counts["update"] += result.totals.get("update", 0)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
            if kind.key == "people":
                context.refresh_people()
            elif kind.key == "rotations":
                context.refresh_rotations()
        if context.version is not None and not found:
            breaches = _breach_rows(context.version)
        written = commit and not found
        report = {
            "dry_run": not commit,
            "imported": written,
            "at": timezone.now().isoformat(),
            "problems": found[:MAX_PROBLEMS],
            "problem_count": len(found),
            "totals": totals,
            "breaches": breaches[:50],
            "breach_count": len(breaches),
        }
        if written:
            session.version = context.version
            session.status, session.committed_at = ImportSession.Status.COMMITTED, timezone.now()
            session.report = report
            session.save(update_fields=["version", "status", "committed_at", "report", "updated_at"])
        else:
            transaction.set_rollback(True)
    if not written:
        session.report, session.status = report, ImportSession.Status.CHECKED if not found else session.status
        session.save(update_fields=["report", "status", "updated_at"])
    return session


def import_session_ready(session: ImportSession) -> bool:
    """A dry run of the current mapping and answers found no problem: the commit may go ahead."""
    report = session.report or {}
    return session.status == ImportSession.Status.CHECKED and report.get("dry_run") and not report.get("problems")


def import_session_delete(*, session: ImportSession, user) -> None:
    """Forget an upload (its file and answers); what it imported stays."""
    _require(user, session.program)
    session.delete()


def sessions_recent(*, program: Organization, days: int = 30):
    """The program's imports of the last `days` days, newest first (without their files)."""
    since = timezone.now() - dt.timedelta(days=days)
    return (
        ImportSession.objects.filter(program=program, created_at__gte=since)
        .defer("content")
        .select_related("created_by", "version")
    )
