"""Reads of absences: lists scoped to the program and the reader, balances per academic year, the calendar."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from absences.models import Absence, AbsenceKind, AbsenceLimit
from tenants.models import Organization
from tenants.permissions import Action, Resource, can

YEAR_START_MONTH = 7  # the academic year runs 1 July to 30 June (DESIGN.md section 3)
ENGINE_PERSON_KINDS = ("resident", "faculty")  # the people the engine schedules


def person_model():
    """scheduling.Person, reached through the foreign key (absences never import scheduling)."""
    return Absence._meta.get_field("person").related_model


def is_absence_manager(user, program: Organization | None) -> bool:
    """Admins and coordinators (and superusers) approve and see every absence of the program."""
    return can(user, Action.APPROVE, Resource.ABSENCE, program)


def person_of_user(*, program: Organization, user):
    """The person of the program linked to the user, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return person_model().objects.filter(program=program, user=user).first()


def absence_on_day(*, program: Organization, person, day: dt.date):
    """The person's requested or approved absence covering `day`, or None."""
    found = Absence.objects.active().filter(program=program, person_id=person.pk).overlapping(day, day)
    return found.order_by("start_date").first()


def program_people(*, program: Organization) -> QuerySet:
    """Active people of the program by name, for choosing whom an absence is for."""
    return person_model().objects.filter(program=program, is_active=True).order_by("last_name", "first_name")


def absence_list(
    *,
    program: Organization,
    user,
    person_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Absence]:
    """Absences the user may see, filtered: managers see the program's, everyone else only their own."""
    absences = Absence.objects.for_program(program).select_related("person", "requested_by", "decided_by")
    if not is_absence_manager(user, program):
        absences = absences.filter(person__user=user)
    if person_id:
        absences = absences.filter(person_id=person_id)
    if kind:
        absences = absences.filter(kind=kind)
    if status:
        absences = absences.filter(status=status)
    if start:
        absences = absences.filter(end_date__gte=start)
    if end:
        absences = absences.filter(start_date__lte=end)
    return absences.order_by("-start_date", "person__last_name", "pk")


def note_visible(*, absence: Absence, user, program: Organization) -> bool:
    """The private note shows to the absent person and the program's managers only."""
    return is_absence_manager(user, program) or (user.is_authenticated and absence.person.user_id == user.pk)


def engine_absences(*, program: Organization, start: dt.date, end: dt.date) -> QuerySet[Absence]:
    """Approved absences of active residents and faculty overlapping start..end (the engine's unavailability:
    whole days, and the one session of a half-day absence)."""
    return (
        Absence.objects.for_program(program)
        .approved()
        .overlapping(start, end)
        .filter(person__is_active=True, person__kind__in=ENGINE_PERSON_KINDS)
        .order_by("person_id", "start_date", "pk")
    )


# Balances.


def academic_year_span(day: dt.date) -> tuple[dt.date, dt.date]:
    """The academic year (1 July to 30 June) holding the day."""
    first = day.year if day.month >= YEAR_START_MONTH else day.year - 1
    return dt.date(first, YEAR_START_MONTH, 1), dt.date(first + 1, YEAR_START_MONTH, 1) - dt.timedelta(days=1)


def year_label(span: tuple[dt.date, dt.date]) -> str:
    return f"{span[0].year}-{span[1].year}"


def days_within(absence: Absence, start: dt.date, end: dt.date) -> float:
    """Calendar days of the absence inside start..end (a half-day absence counts 0.5)."""
    low, high = max(absence.start_date, start), min(absence.end_date, end)
    if high < low:
        return 0.0
    return 0.5 if absence.half_day else float((high - low).days + 1)


@dataclass(frozen=True)
class Balance:
    """One kind of absence in one academic year: the limit (None: no limit), days approved, days pending."""

    kind: str
    label: str
    limit: int | None
    used: float
    pending: float

    @property
    def remaining(self) -> float | None:
        return None if self.limit is None else max(0.0, self.limit - self.used - self.pending)


def absence_limits(*, program: Organization) -> dict[str, int]:
    """Kind -> days per academic year, for the kinds the program limits."""
    return dict(AbsenceLimit.objects.for_program(program).values_list("kind", "days_per_year"))


def absence_balances(
    *, program: Organization, person, day: dt.date, exclude_pk: int | None = None
) -> dict[str, Balance]:
    """Per kind, the person's approved (used) and requested (pending) days in the academic year holding `day`,
    against the program's limits; `exclude_pk` leaves one absence out (the one being changed)."""
    span = academic_year_span(day)
    limits = absence_limits(program=program)
    used: dict[str, float] = defaultdict(float)
    pending: dict[str, float] = defaultdict(float)
    rows = Absence.objects.for_program(program).active().overlapping(*span).filter(person=person)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    for absence in rows:
        target = used if absence.status == Absence.Status.APPROVED else pending
        target[absence.kind] += days_within(absence, *span)
    return {
        kind: Balance(kind=kind, label=label, limit=limits.get(kind), used=used[kind], pending=pending[kind])
        for kind, label in AbsenceKind.choices
    }


# The month calendar.


@dataclass
class CalendarRow:
    """One person's month: per day, the absence shown there (or None)."""

    person: object
    cells: list[Absence | None] = field(default_factory=list)


@dataclass
class AbsenceCalendar:
    month: dt.date
    days: list[dt.date]
    rows: list[CalendarRow]
    previous: dt.date
    next: dt.date


def absence_calendar(*, program: Organization, user, month: dt.date, statuses: tuple[str, ...]) -> AbsenceCalendar:
    """People x days of the month with their absences of the given statuses, in two queries.

    Managers see everyone with an absence that month; others see their own row only.
    """
    first = month.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    absences = list(
        absence_list(program=program, user=user, start=first, end=last).filter(status__in=statuses).order_by("pk")
    )
    by_person: dict[int, CalendarRow] = {}
    for absence in absences:
        row = by_person.setdefault(absence.person_id, CalendarRow(person=absence.person, cells=[None] * len(days)))
        for i, day in enumerate(days):
            if absence.start_date <= day <= absence.end_date:
                row.cells[i] = absence
    rows = sorted(by_person.values(), key=lambda r: (r.person.last_name, r.person.first_name, r.person.pk))
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return AbsenceCalendar(month=first, days=days, rows=rows, previous=previous, next=last + dt.timedelta(days=1))
