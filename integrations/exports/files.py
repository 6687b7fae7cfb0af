"""A template's Table as a file: xlsx, CSV, PDF or an ICS calendar. Text goes through spreadsheet_safety (never a
formula); the calendar is made with the feeds' own builders (same calendar header, time zone and event shape)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from weasyprint import HTML

from integrations.exports import catalogue
from integrations.exports.excel import BOLD, CENTER, GROUP_FILL, HEADER_FILL, HEADER_FONT, XLSX_CONTENT_TYPE
from integrations.exports.tables import Table
from integrations.feeds.calendars import _calendar, _event, _uid
from scheduling.day_view import session_clock
from scheduling.spreadsheet_safety import CsvWriter, xlsx_append

CONTENT_TYPES = {
    catalogue.XLSX: XLSX_CONTENT_TYPE,
    catalogue.CSV: "text/csv; charset=utf-8",
    catalogue.PDF: "application/pdf",
    catalogue.ICS: "text/calendar; charset=utf-8",
}


@dataclass(frozen=True)
class ExportFile:
    """A file to download or attach."""

    name: str
    content_type: str
    body: bytes


def _xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31].translate(str.maketrans("", "", "[]:*?/\\")) or "Export"
    xlsx_append(sheet, [c.label for c in table.columns])
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, CENTER
    for label, rows in table.groups:
        if label:
            xlsx_append(sheet, [label])
            for column in range(1, len(table.columns) + 1):
                sheet.cell(row=sheet.max_row, column=column).fill = GROUP_FILL
            sheet.cell(row=sheet.max_row, column=1).font = BOLD
        for row in rows:
            xlsx_append(sheet, [row.get(c.key, "") for c in table.columns])
            for column, c in enumerate(table.columns, start=1):
                if isinstance(row.get(c.key), dt.date):
                    sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow([c.key for c in table.columns])
    for row in table.rows():
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _pdf(table: Table) -> bytes:
    printed_at = timezone.now().astimezone(table.program.zone)
    groups = [(label, [[row.get(c.key, "") for c in table.columns] for row in rows]) for label, rows in table.groups]
    context = {"table": table, "program": table.program, "groups": groups, "printed_at": printed_at}
    context["version_label"] = f"{table.title} · {table.range_label}"
    return HTML(string=render_to_string("integrations/export_table_pdf.html", context)).write_pdf()


def _ics(table: Table) -> bytes:
    program = table.program
    zone = program.zone
    cal = _calendar(f"{table.title} · {program.name}", program.time_zone, table.versions)
    clock = session_clock(program)
    stamp = max((v.published_at for v in table.versions if v.published_at), default=timezone.now())
    for _, rows in table.groups:
        for row in rows:
            if not row.get("_calendar"):
                continue
            if "_span" in row:
                start, end = row["_span"]
            else:
                start = dt.datetime.combine(row["date"], clock[row["session"]][0], tzinfo=zone)
                end = dt.datetime.combine(row["date"], clock[row["session"]][1], tzinfo=zone)
            uid = _uid("export", program.pk, row["_person"][1], row["date"], row["session"])
            about = f"Rotation: {row['rotation']}" if row.get("rotation") else ""
            cal.add_component(_event(uid, f"{row['person']}: {row['label']}", start, end, stamp, about))
    return cal.to_ical()


RENDERERS = {catalogue.XLSX: _xlsx, catalogue.CSV: _csv, catalogue.PDF: _pdf, catalogue.ICS: _ics}


def table_file(table: Table, file_format: str) -> ExportFile:
    """The table in a format; the name says the program, the template and the days it covers."""
    days = f"-{table.start}-to-{table.end}" if table.start else f"-{timezone.localdate()}"
    name = f"{table.program.slug}-{slugify(table.title) or 'export'}{days}.{file_format}"
    return ExportFile(name=name, content_type=CONTENT_TYPES[file_format], body=RENDERERS[file_format](table))
