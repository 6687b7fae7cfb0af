"""The certification upload (CSV): a dry run that reports each line, then all lines written or none.

Used by the upload page (/credentials/import/), the API (`POST /api/v1/certifications/import/`) and, through
the same resource, the admin's import and the spreadsheet wizard. It sits in integrations, the program's edge;
the certifications it writes are credentials' models, checked by their own rules.
"""

from dataclasses import dataclass, field

import tablib
from django.db import transaction

from integrations.certifications.resources import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, PersonCertificationResource
from tenants.access import ensure_allowed
from tenants.models import Organization
from tenants.permissions import Action, Resource

IMPORT_MAX_BYTES = 1_000_000
IMPORT_MAX_ROWS = 5000


@dataclass(frozen=True)
class ImportRow:
    """One line of an upload: what it would do (new, update, skip, error) and why not, if not."""

    line: int
    action: str
    person: str
    type: str
    issued_on: str
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an upload: per line, and problems with the file itself. `imported` once written."""

    dry_run: bool
    imported: bool = False
    rows: tuple[ImportRow, ...] = ()
    errors: tuple[str, ...] = ()
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.action == "error" for row in self.rows)


def _read_dataset(content: bytes) -> tuple[tablib.Dataset | None, list[str]]:
    if len(content) > IMPORT_MAX_BYTES:
        return None, [f"The file is larger than {IMPORT_MAX_BYTES // 1_000_000} MB; split it into smaller files."]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, ["The file is not UTF-8 text; save it from your spreadsheet as “CSV UTF-8”."]
    if not text.strip():
        return None, ["The file is empty."]
    try:
        dataset = tablib.Dataset().load(text, format="csv")
    except Exception:  # tablib raises several kinds for unreadable input
        return None, ["The file could not be read as CSV."]
    headers = [str(header or "").strip().lower().replace(" ", "_") for header in dataset.headers or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in headers]
    if missing:
        expected = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        return None, [f"Missing column(s): {', '.join(missing)}. The first line names the columns: {expected}."]
    if not len(dataset):
        return None, ["The file has a header line but no certifications."]
    if len(dataset) > IMPORT_MAX_ROWS:
        return None, [f"The file has {len(dataset)} rows; upload at most {IMPORT_MAX_ROWS} at a time."]
    dataset.headers = headers
    return dataset, []


def _messages(row_result) -> tuple[str, ...]:
    if row_result.validation_error is not None:
        error = row_result.validation_error
        if hasattr(error, "error_dict"):
            return tuple(message for messages in error.message_dict.values() for message in messages)
        return tuple(error.messages)
    return tuple(str(error.error) for error in row_result.errors)


def import_report(result, dataset: tablib.Dataset, *, dry_run: bool) -> ImportReport:
    """An ImportReport from django-import-export's Result (rows in file order)."""
    rows = []
    for index, (row_result, values) in enumerate(zip(result.rows, dataset.dict, strict=False)):
        failed = row_result.import_type in ("error", "invalid")
        rows.append(
            ImportRow(
                line=index + 2,
                action="error" if failed else row_result.import_type,
                person=str(values.get("person") or ""),
                type=str(values.get("type") or ""),
                issued_on=str(values.get("issued_on") or ""),
                messages=_messages(row_result) if failed else (),
            )
        )
    errors = tuple(str(error.error) for error in result.base_errors)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.action] = totals.get(row.action, 0) + 1
    has_errors = bool(errors) or totals.get("error", 0) > 0
    return ImportReport(dry_run, not dry_run and not has_errors, tuple(rows), errors, totals)


def certifications_import(*, program: Organization, user, content: bytes, dry_run: bool) -> ImportReport:
    """Upload certifications from CSV into `program`: a dry run reports each line (new, update, unchanged, error)
    and writes nothing; otherwise all lines are written, or none if any line has an error.
    """
    ensure_allowed(user, Action.ADD, Resource.CREDENTIAL, program, "upload certifications")
    dataset, errors = _read_dataset(content)
    if dataset is None:
        return ImportReport(dry_run, errors=tuple(errors))
    resource = PersonCertificationResource(program=program)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
        )
        report = import_report(result, dataset, dry_run=dry_run)
        if not report.imported:
            transaction.set_rollback(True)
    return report
