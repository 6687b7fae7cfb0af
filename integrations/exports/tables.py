"""The rows of a saved export template, over the days it resolves to: a `Table` every format renders.

The schedule's half-days are read through scheduling.day_view (leave and calls laid over the stored rows),
never rebuilt from assignment rows. People and absences are read from their own rows; an absence's private
note is never read into a table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from absences.models import Absence
from integrations.exports import catalogue
from integrations.exports.models import ExportTemplate
from scheduling.day_view import CALL, CALL_CODES, session_grid
from scheduling.models import AcademicYear, Block, Person, ScheduleVersion, SessionAssignment
from tenants.errors import DomainError
from tenants.models import Organization

SESSION_ORDER = {"AM": 0, "PM": 1, "Call": 2}
ABSENCE_STATUSES = (Absence.Status.REQUESTED, Absence.Status.APPROVED)


@dataclass
class Table:
    """Named columns and grouped rows (each row a dict by column key), with what and when it covers."""

    title: str
    program: Organization
    start: dt.date | None
    end: dt.date | None
    columns: list[catalogue.Column]
    groups: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    versions: list[ScheduleVersion] = field(default_factory=list)

    @property
    def range_label(self) -> str:
        if self.start is None or self.end is None:
            return "as of today"
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"

    def rows(self) -> list[list[Any]]:
        """Every row's values in column order, groups one after the other."""
        return [[row.get(c.key, "") for c in self.columns] for _, rows in self.groups for row in rows]


def _block_at(program: Organization, day: dt.date, *, after: bool) -> Block | None:
    blocks = Block.objects.for_program(program)
    if after:
        return blocks.filter(start_date__gt=day).order_by("start_date").first()
    return blocks.filter(start_date__lte=day, end_date__gte=day).order_by("-start_date").first()


def template_range(template: ExportTemplate, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day (inclusive) the template covers when run on `today` (the program's today)."""
    preset, program = template.range_preset, template.program
    if preset == catalogue.NEXT_4_WEEKS:
        return today, today + dt.timedelta(days=27)
    if preset == catalogue.CUSTOM:
        start = today + dt.timedelta(days=template.start_offset_days)
        return start, start + dt.timedelta(days=template.length_days - 1)
    if preset == catalogue.THIS_YEAR:
        year = AcademicYear.objects.for_program(program).filter(start_date__lte=today, end_date__gte=today).first()
        if year is None:
            raise DomainError(f"No academic year of {program.name} holds today ({today:%d %b %Y}).")
        return year.start_date, year.end_date
    block = _block_at(program, today, after=preset == catalogue.NEXT_BLOCK)
    if block is None:
        which = "follows" if preset == catalogue.NEXT_BLOCK else "holds"
        raise DomainError(f"No block of {program.name} {which} today ({today:%d %b %Y}).")
    return block.start_date, block.end_date


def template_columns(template: ExportTemplate) -> list[catalogue.Column]:
    known = {c.key: c for c in catalogue.COLUMNS[template.dataset]}
    return [known[key] for key in template.columns if key in known] or list(catalogue.COLUMNS[template.dataset])


def _people(template: ExportTemplate, *, active_only: bool = True):
    filters = template.filters or {}
    people = Person.objects.for_program(template.program)
    if active_only:
        people = people.filter(is_active=True)
    if filters.get("people"):
        people = people.filter(pk__in=filters["people"])
    if filters.get("pgy"):
        people = people.filter(pgy__in=filters["pgy"])
    if filters.get("kinds"):
        people = people.filter(kind__in=filters["kinds"])
    return people.order_by("kind", "pgy", "last_name", "first_name")


def _group(rows: list[dict[str, Any]], key, label) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[Any, tuple[str, list[dict[str, Any]]]] = {}
    for row in sorted(rows, key=key):
        groups.setdefault(key(row)[0], (label(row), []))[1].append(row)
    return list(groups.values())


def _schedule(template: ExportTemplate, table: Table) -> None:
    program, zone = template.program, template.program.zone
    start, end = table.start, table.end
    people = list(_people(template))
    order = {p.pk: index for index, p in enumerate(people)}
    rotations = set((template.filters or {}).get("rotations") or [])
    versions = list(
        ScheduleVersion.objects.for_program(program)
        .filter(status=ScheduleVersion.Status.PUBLISHED)
        .filter(academic_year__start_date__lte=end, academic_year__end_date__gte=start)
        .select_related("academic_year", "program")
        .order_by("academic_year__start_date")
    )
    table.versions = versions
    rows: list[dict[str, Any]] = []
    for version in versions:
        year = version.academic_year
        low, high = max(start, year.start_date), min(end, year.end_date)
        grid = session_grid(version=version, start=low, end=high, person_ids=list(order))
        by_id = {p.pk: p for p in grid.people}
        for (person_id, _day, _session), half in grid.halves.items():
            if rotations and (half.rotation is None or half.rotation.pk not in rotations):
                continue
            person = by_id[person_id]
            rows.append(
                {
                    "date": half.date,
                    "session": half.session,
                    "person": person.full_name,
                    "kind": person.get_kind_display(),
                    "pgy": person.pgy or "",
                    "code": half.code,
                    "label": half.label,
                    "rotation": half.rotation.name if half.rotation is not None else "",
                    "call": half.call.get_kind_display() if half.call is not None else "",
                    "_person": (order[person_id], person_id),
                    "_calendar": half.activity not in (SessionAssignment.Activity.OFF, CALL),  # as the feeds do
                }
            )
        if rotations:
            continue  # a call belongs to no rotation
        for call in grid.calls:
            person, local = by_id[call.person_id], call.start.astimezone(zone)
            until = call.end.astimezone(zone)
            rows.append(
                {
                    "date": local.date(),
                    "session": "Call",
                    "person": person.full_name,
                    "kind": person.get_kind_display(),
                    "pgy": person.pgy or "",
                    "code": CALL_CODES.get(call.kind, call.kind),
                    "label": f"{call.get_kind_display()} call {local:%H:%M}–{until:%a %H:%M}",
                    "rotation": "",
                    "call": call.get_kind_display(),
                    "_person": (order[call.person_id], call.person_id),
                    "_calendar": True,
                    "_span": (local, until),
                }
            )
    for row in rows:
        row["_when"] = (row["date"], SESSION_ORDER.get(row["session"], 3))
    if template.grouping == catalogue.BY_DAY:
        table.groups = _group(
            rows, lambda r: (r["date"], r["_when"], r["_person"]), lambda r: f"{r['date']:%a %d %b %Y}"
        )
    elif template.grouping == catalogue.BY_ROTATION:
        table.groups = _group(
            rows, lambda r: (r["rotation"] or "~", r["_person"], r["_when"]), lambda r: r["rotation"] or "No rotation"
        )
    else:
        table.groups = _group(rows, lambda r: (r["_person"], r["_when"]), lambda r: r["person"])


def _people_table(template: ExportTemplate, table: Table) -> None:
    rows = [
        {
            "name": p.full_name,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "email": p.email,
            "kind": p.get_kind_display(),
            "pgy": p.pgy or "",
            "faculty_role": p.get_faculty_role_display() if p.faculty_role else "",
            "specialties": p.specialties,
            "phone": p.phone,
            "pager": p.pager,
            "active": "yes" if p.is_active else "no",
        }
        for p in _people(template, active_only=False)
    ]
    table.groups = [("", rows)] if rows else []


def _absences(template: ExportTemplate, table: Table) -> None:
    people = list(_people(template, active_only=False))
    order = {p.pk: index for index, p in enumerate(people)}
    absences = (
        Absence.objects.for_program(template.program)
        .filter(person_id__in=list(order), status__in=ABSENCE_STATUSES)
        .overlapping(table.start, table.end)
        .select_related("person")
        .only(  # the private note is never read
            "id",
            "program_id",
            "person",
            "kind",
            "start_date",
            "end_date",
            "half_day",
            "status",
            "location",
            "tentative_return_date",
        )
    )
    rows = []
    for a in absences:
        person = a.person
        days = (a.end_date - a.start_date).days + 1
        rows.append(
            {
                "person": person.full_name,
                "pgy": person.pgy or "",
                "kind": a.get_kind_display(),
                "start_date": a.start_date,
                "end_date": a.end_date,
                "half_day": a.get_half_day_display() if a.half_day else "",
                "days": days if not a.half_day else 0.5,
                "status": a.get_status_display(),
                "location": a.location,
                "tentative_return_date": a.tentative_return_date or "",
                "_person": (order[person.pk], person.pk),
                "_when": (a.start_date, a.pk),
            }
        )
    if template.grouping == catalogue.BY_DAY:
        table.groups = _group(rows, lambda r: (r["start_date"], r["_person"]), lambda r: f"{r['start_date']:%d %b %Y}")
    else:
        table.groups = _group(rows, lambda r: (r["_person"], r["_when"]), lambda r: r["person"])


def template_table(*, template: ExportTemplate, today: dt.date | None = None) -> Table:
    """The template's rows as of `today` (the program's today by default), its columns in its order."""
    program = template.program
    today = today or program.today()
    start, end = (None, None) if template.dataset == catalogue.PEOPLE else template_range(template, today)
    table = Table(title=template.name, program=program, start=start, end=end, columns=template_columns(template))
    build = {catalogue.SCHEDULE: _schedule, catalogue.PEOPLE: _people_table, catalogue.ABSENCES: _absences}
    build[template.dataset](template, table)
    return table
