"""django-import-export resources, one per model the wizard imports, all bound to one program through a
`Context` (the program, the importing user, the academic year, the draft version, people and rotations).

Every resource reads the columns of its sheet kind (integrations.imports.sheets) by key; an error is raised as a
ValidationError keyed by the column, so the report names the cell. Rows are saved each in a savepoint inside the
import's one transaction (a refused row leaves the others usable for the rest of the check)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from import_export import resources

from absences.models import Absence, AbsenceKind
from integrations.certifications.resources import PersonCertificationResource
from integrations.imports.matching import Candidate, Matcher, name_key
from integrations.imports.text import clean, fold
from integrations.imports.widgets import Choice, Date, Text, Time, Whole
from scheduling.fmit_config import fmit_settings
from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    Session,
    SessionAssignment,
    Source,
)
from scheduling.program_settings import scheduling_settings
from tenants.models import Organization

HALVES = {"": 0, "whole": 0, "0": 0, "1": 1, "first": 1, "a": 1, "2": 2, "second": 2, "b": 2}
ROLE_ALIASES = {"program director": "pd", "associate program director": "apd", "core": "core", "sports": "sports_med"}
KIND_ALIASES = {
    "res": "resident",
    "resident physician": "resident",
    "attending": "faculty",
    "staff physician": "faculty",
}
ACTIVITY_ALIASES = {"didactics": "conference", "conference": "conference", "fmit": "fmit", "vacation": "leave"}
CALL_ALIASES = {"in house": "in_house", "inhouse": "in_house", "ih": "in_house", "faculty": "attending"}
SESSION_ALIASES = {"morning": "AM", "afternoon": "PM", "a.m.": "AM", "p.m.": "PM"}


class Context:
    """What every resource of one import shares; people and rotations are read again after their sheets."""

    def __init__(
        self,
        *,
        program: Organization,
        user,
        year: AcademicYear | None,
        answers: dict[str, str],
        reason: str,
    ) -> None:
        self.program, self.user, self.year, self.answers, self.reason = program, user, year, answers, reason
        self.version: ScheduleVersion | None = None
        settings = scheduling_settings(program)
        self.call_start, self.call_end = settings.rules.call_start, settings.rules.call_end
        self.fmit_week_start = fmit_settings(year).week_start_day
        self.refresh_people()
        self.refresh_rotations()
        self._blocks = {b.number: b for b in Block.objects.filter(academic_year=year)} if year else {}

    def refresh_people(self) -> None:
        """The program's people as the matcher's candidates; answers naming someone of the file's People sheet
        ("f:<name>") are turned into that person, now written."""
        people = list(Person.objects.filter(program=self.program))
        self.people = {person.pk: person for person in people}
        by_name = {name_key(person.full_name): person for person in people}
        answers = {}
        for text, key in self.answers.items():
            if key.startswith("f:") and key[2:] in by_name:
                key = f"p:{by_name[key[2:]].pk}"
            answers[text] = key
        self.matcher = Matcher(people_candidates(people), answers)

    def refresh_rotations(self) -> None:
        rotations = list(RotationTemplate.objects.filter(program=self.program))
        self.rotations: dict[str, RotationTemplate] = {}
        for rotation in rotations:
            self.rotations.setdefault(fold(rotation.abbreviation), rotation)
            self.rotations.setdefault(fold(rotation.name), rotation)
        self.rotation_codes = sorted(r.abbreviation for r in rotations)

    def person(self, value: Any, kind: str | None = None) -> Person:
        match = self.matcher.match(value)
        if match.person is None:
            raise ValueError(match.message)
        person = self.people[int(match.person[2:])]
        if kind is not None and person.kind != kind:
            raise ValueError(f"{person.full_name} is {person.get_kind_display().lower()}, not {kind}.")
        return person

    def rotation(self, value: Any) -> RotationTemplate:
        text = clean(value)
        found = self.rotations.get(fold(text))
        if found is None:
            known = ", ".join(self.rotation_codes[:20]) or "none yet"
            raise ValueError(f"No rotation “{text}” in this program or the file's Rotations sheet (known: {known}).")
        return found

    def block(self, number: int) -> Block:
        if self.year is None:
            raise ValueError("Choose the academic year of the schedule on the upload step.")
        if number not in self._blocks:
            raise ValueError(f"{self.year} has no block {number} (it has blocks 1-{len(self._blocks)}).")
        return self._blocks[number]

    def in_year(self, day: dt.date) -> dt.date:
        if self.year is None:
            raise ValueError("Choose the academic year of the schedule on the upload step.")
        if not self.year.start_date <= day <= self.year.end_date:
            raise ValueError(f"{day:%d %b %Y} is outside {self.year} ({self.year.start_date} to {self.year.end_date}).")
        return day


def people_candidates(people: list[Person]) -> list[Candidate]:
    return [
        Candidate(
            f"p:{p.pk}", f"{p.full_name}" + (f" ({p.email})" if p.email else ""), name_key(p.full_name), fold(p.email)
        )
        for p in people
    ]


class ImportResource(resources.ModelResource):
    """A sheet kind's resource: `columns` are read by key with `widgets`; `build` sets the instance from the
    cleaned values (raising ValueError or ValidationError keyed by column); errors of model fields are moved to
    the column `FIELD_COLUMNS` names."""

    FIELD_COLUMNS: dict[str, str] = {}
    REQUIRED: tuple[str, ...] = ()

    class Meta:
        skip_diff = True
        clean_model_instances = True
        report_skipped = True

    def __init__(self, *, context: Context, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ctx = context

    def widgets(self) -> dict[str, Any]:
        raise NotImplementedError

    def build(self, instance, values: dict[str, Any], new: bool) -> None:
        raise NotImplementedError

    def get_instance(self, instance_loader, row):
        return None  # assignments always go into the new draft as new rows

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        if new:
            instance.program = self.ctx.program

    def import_instance(self, instance, row, **kwargs) -> None:
        errors: dict[str, Any] = {}
        values: dict[str, Any] = {}
        for key, widget in self.widgets().items():
            try:
                values[key] = widget.clean(row.get(key))
            except ValueError as error:
                errors[key] = str(error)
        for key in self.REQUIRED:
            if key not in errors and values.get(key) in (None, ""):
                errors[key] = "This cell is empty; it is needed."
        if not errors:
            try:
                self.build(instance, values, instance.pk is None)
            except ValidationError as error:
                errors.update(error.message_dict if hasattr(error, "error_dict") else {"": error.messages})
            except ValueError as error:
                errors[""] = str(error)
        if errors:
            raise ValidationError({self.FIELD_COLUMNS.get(k, k): v for k, v in errors.items()})

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:  # the cells first: the model's own checks once they read well
            raise ValidationError(import_validation_errors)
        # The foreign keys were found in this program's own rows (people, rotations, blocks, the draft): checking
        # that each still exists would cost a query per key and row. clean() and the constraints still run.
        resolved = [
            f.name for f in instance._meta.concrete_fields if f.is_relation and getattr(instance, f.attname) is not None
        ]
        try:
            instance.full_clean(exclude=resolved, validate_unique=validate_unique)
        except ValidationError as error:
            raise ValidationError({self.FIELD_COLUMNS.get(k, k): v for k, v in error.message_dict.items()}) from None

    def save_instance(self, instance, is_create, row, **kwargs) -> None:
        instance._history_user = self.ctx.user
        instance._change_reason = self.ctx.reason[:100]
        try:
            with transaction.atomic():
                super().save_instance(instance, is_create, row, **kwargs)
                self.after_save(instance)
        except IntegrityError as error:
            raise ValidationError({"": f"The database refused this row: {_integrity(error)}"}) from None

    def after_save(self, instance) -> None:
        """More rows written with this one (an FMIT week's half-days)."""


def _integrity(error: IntegrityError) -> str:
    text = str(error).splitlines()[0]
    if "unique" in text.lower() or "duplicate" in text.lower():
        return "it repeats another row (the same person at the same time)."
    return text


class PersonResource(ImportResource):
    """People: a row with the email, or the name, of someone already in the program updates them."""

    FIELD_COLUMNS = {"faculty_role": "faculty_role"}

    class Meta(ImportResource.Meta):
        model = Person
        fields = ()

    def widgets(self) -> dict[str, Any]:
        return {
            "first_name": Text(),
            "last_name": Text(),
            "name": Text(),
            "email": Text(),
            "kind": Choice("type of person", Person.Kind.choices, KIND_ALIASES),
            "pgy": Whole("PGY", 1, 8),
            "faculty_role": Choice("faculty role", Person.FacultyRole.choices, ROLE_ALIASES),
            "phone": Text(),
            "pager": Text(),
        }

    @staticmethod
    def names(row: dict[str, Any]) -> tuple[str, str]:
        first, last = clean(row.get("first_name")), clean(row.get("last_name"))
        whole = clean(row.get("name"))
        if whole and not (first or last):
            if "," in whole:
                last, first = (part.strip() for part in whole.split(",", 1))
            else:
                first, _, last = whole.rpartition(" ")
                first, last = (first, last) if first else (last, "")
        return first, last

    def get_instance(self, instance_loader, row):
        email = clean(row.get("email"))
        people = Person.objects.filter(program=self.ctx.program)
        if email and "@" in email:
            found = people.filter(email__iexact=email).first()
            if found is not None:
                return found
        first, last = self.names(row)
        key = name_key(f"{first} {last}")
        return next((p for p in people if key and name_key(p.full_name) == key), None)

    def build(self, person: Person, values: dict[str, Any], new: bool) -> None:
        first, last = self.names(values)
        if not first or not last:
            raise ValidationError({"last_name": "Give the first and last name (or a Name column as “Last, First”)."})
        person.first_name, person.last_name = first, last
        for key in ("email", "phone", "pager"):
            if values[key]:
                setattr(person, key, values[key])
        kind = values["kind"] or (
            Person.Kind.RESIDENT if values["pgy"] else Person.Kind.FACULTY if values["faculty_role"] else None
        )
        if kind is None and new:
            raise ValidationError({"kind": "Say whether this is a resident (give a PGY), faculty or staff."})
        person.kind = kind or person.kind
        if person.kind == Person.Kind.RESIDENT:
            person.pgy = values["pgy"] or person.pgy
            person.faculty_role = ""
        else:
            person.pgy = None
            if values["faculty_role"]:
                person.faculty_role = values["faculty_role"]
            elif person.kind == Person.Kind.FACULTY and not person.faculty_role:
                person.faculty_role = Person.FacultyRole.CORE


class RotationResource(ImportResource):
    """Rotation templates: a row with the abbreviation or name of an existing rotation updates it."""

    REQUIRED = ("name", "abbreviation")

    class Meta(ImportResource.Meta):
        model = RotationTemplate
        fields = ()

    def widgets(self) -> dict[str, Any]:
        return {
            "name": Text(),
            "abbreviation": Text(),
            "kind": Choice("rotation kind", RotationTemplate.Kind.choices, {"clinic": "outpatient_clinic"}),
            "min_pgy": Whole("PGY", 1, 8),
            "max_pgy": Whole("PGY", 1, 8),
            "colour": Text(),
        }

    def get_instance(self, instance_loader, row):
        rotations = RotationTemplate.objects.filter(program=self.ctx.program)
        abbreviation, name = clean(row.get("abbreviation")), clean(row.get("name"))
        return (
            (abbreviation and rotations.filter(abbreviation__iexact=abbreviation).first())
            or (name and rotations.filter(name__iexact=name).first())
            or None
        )

    def build(self, rotation: RotationTemplate, values: dict[str, Any], new: bool) -> None:
        rotation.name, rotation.abbreviation = values["name"], values["abbreviation"]
        if values["kind"]:
            rotation.kind = values["kind"]
        elif new:
            raise ValidationError({"kind": "Give the rotation's kind (Inpatient, Outpatient clinic, Elective...)."})
        for key in ("min_pgy", "max_pgy", "colour"):
            if values[key] is not None:
                setattr(rotation, key, values[key])


class CertificationResource(PersonCertificationResource):
    """The certification upload's resource (integrations.certifications), with the wizard's matching of people."""

    def __init__(self, *, context: Context, **kwargs) -> None:
        super().__init__(program=context.program, **kwargs)
        self.ctx = context
        self.fields["person"].widget = _PersonWidget(context)

    def save_instance(self, instance, is_create, row, **kwargs) -> None:
        try:
            with transaction.atomic():
                super().save_instance(instance, is_create, row, **kwargs)
        except IntegrityError as error:
            raise ValidationError({"": f"The database refused this row: {_integrity(error)}"}) from None


class _PersonWidget(Text):
    def __init__(self, context: Context) -> None:
        super().__init__()
        self.ctx = context

    def clean(self, value: Any, row=None, **kwargs) -> Person:
        return self.ctx.person(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return value.full_name if value is not None else ""


class AbsenceResource(ImportResource):
    """Absences, approved by the importing manager; one overlapping a recorded absence of the person is refused."""

    REQUIRED = ("person", "kind", "start_date", "end_date")
    FIELD_COLUMNS = {"orders_reference": "orders_reference"}

    class Meta(ImportResource.Meta):
        model = Absence
        fields = ()

    def widgets(self) -> dict[str, Any]:
        return {
            "person": _PersonWidget(self.ctx),
            "kind": Choice("kind of absence", AbsenceKind.choices, {"leave": "vacation", "pto": "vacation"}),
            "start_date": Date(),
            "end_date": Date(),
            "half_day": Choice("half day", Absence.HalfDay.choices, {"am": "am", "pm": "pm"}),
            "orders_reference": Text(),
        }

    def build(self, absence: Absence, values: dict[str, Any], new: bool) -> None:
        absence.person, absence.kind = values["person"], values["kind"]
        absence.start_date, absence.end_date = values["start_date"], values["end_date"]
        absence.half_day = values["half_day"] or ""
        absence.orders_reference = values["orders_reference"] or ""
        absence.status, absence.requested_by, absence.decided_by = Absence.Status.APPROVED, self.ctx.user, self.ctx.user
        absence.decided_at = dt.datetime.now(dt.UTC)
        absence.decision_reason = self.ctx.reason
        if absence.end_date >= absence.start_date:
            clash = (
                Absence.objects.active()
                .filter(person=absence.person)
                .overlapping(absence.start_date, absence.end_date)
                .first()
            )
            if clash is not None and not (absence.half_day and clash.half_day and absence.half_day != clash.half_day):
                raise ValidationError({"start_date": f"{absence.person.full_name} already has {clash} on these days."})


class AssignmentResource(ImportResource):
    """An assignment of the import's draft version, source "import"."""

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        instance.version, instance.source = self.ctx.version, Source.IMPORT


class BlockAssignmentResource(AssignmentResource):
    REQUIRED = ("person", "block", "rotation")

    class Meta(ImportResource.Meta):
        model = BlockAssignment
        fields = ()

    def widgets(self) -> dict[str, Any]:
        return {
            "person": _PersonWidget(self.ctx),
            "block": Whole("block number", 1, 26),
            "rotation": Text(),
            "half": Text(),
        }

    def build(self, row: BlockAssignment, values: dict[str, Any], new: bool) -> None:
        errors = {}
        if values["person"].kind != Person.Kind.RESIDENT:
            errors["person"] = f"{values['person'].full_name} is not a resident; block rotations are for residents."
        for key, read in (("block", self.ctx.block), ("rotation", self.ctx.rotation)):
            try:
                setattr(row, key, read(values[key]))
            except ValueError as error:
                errors[key] = str(error)
        half = HALVES.get(fold(values["half"] or ""))
        if half is None:
            errors["half"] = f"“{values['half']}” is not a half: leave it blank for the whole block, or write 1 or 2."
        if errors:
            raise ValidationError(errors)
        row.person, row.half = values["person"], half


class SessionAssignmentResource(AssignmentResource):
    REQUIRED = ("person", "date", "session", "activity")

    class Meta(ImportResource.Meta):
        model = SessionAssignment
        fields = ()

    def widgets(self) -> dict[str, Any]:
        return {
            "person": _PersonWidget(self.ctx),
            "date": Date(),
            "session": Choice("session", Session.choices, SESSION_ALIASES),
            "activity": Choice("activity", SessionAssignment.Activity.choices, ACTIVITY_ALIASES),
            "rotation": Text(),
        }

    def build(self, row: SessionAssignment, values: dict[str, Any], new: bool) -> None:
        errors = {}
        try:
            row.date = self.ctx.in_year(values["date"])
        except ValueError as error:
            errors["date"] = str(error)
        if values["rotation"]:
            try:
                row.rotation = self.ctx.rotation(values["rotation"])
            except ValueError as error:
                errors["rotation"] = str(error)
        if errors:
            raise ValidationError(errors)
        row.person, row.session, row.activity = values["person"], values["session"], values["activity"]


class CallAssignmentResource(AssignmentResource):
    """A night of call: residents' in-house call and faculty's attending call by default, at the program's call
    hours (call start on the night, call end the next morning) unless the sheet gives them."""

    REQUIRED = ("person", "date")
    FIELD_COLUMNS = {"start": "date", "end": "end"}

    class Meta(ImportResource.Meta):
        model = CallAssignment
        fields = ()

    def widgets(self) -> dict[str, Any]:
        return {
            "person": _PersonWidget(self.ctx),
            "date": Date(),
            "kind": Choice("kind of call", CallAssignment.Kind.choices, CALL_ALIASES),
            "start": Time(),
            "end": Time(),
        }

    def build(self, call: CallAssignment, values: dict[str, Any], new: bool) -> None:
        person = values["person"]
        try:
            night = self.ctx.in_year(values["date"])
        except ValueError as error:
            raise ValidationError({"date": str(error)}) from None
        default = CallAssignment.Kind.IN_HOUSE if person.kind == Person.Kind.RESIDENT else CallAssignment.Kind.ATTENDING
        call.person, call.kind = person, values["kind"] or default
        if call.kind == CallAssignment.Kind.ATTENDING and person.kind != Person.Kind.FACULTY:
            raise ValidationError({"kind": f"Attending call is for faculty; {person.full_name} is not faculty."})
        zone = self.ctx.program.zone
        begin, finish = values["start"] or self.ctx.call_start, values["end"] or self.ctx.call_end
        call.start = dt.datetime.combine(night, begin, tzinfo=zone)
        call.end = dt.datetime.combine(night + dt.timedelta(days=1 if finish <= begin else 0), finish, tzinfo=zone)


class FmitWeekResource(AssignmentResource):
    """An FMIT week of a faculty member: FMIT attending in every AM and PM of the 7 days from its first day."""

    REQUIRED = ("person", "week_start")
    FIELD_COLUMNS = {"date": "week_start"}

    class Meta(ImportResource.Meta):
        model = SessionAssignment
        fields = ()

    def widgets(self) -> dict[str, Any]:
        return {"person": _PersonWidget(self.ctx), "week_start": Date()}

    def build(self, row: SessionAssignment, values: dict[str, Any], new: bool) -> None:
        person, start = values["person"], values["week_start"]
        errors = {}
        if person.kind != Person.Kind.FACULTY:
            errors["person"] = f"{person.full_name} is not faculty; FMIT weeks are for faculty."
        weekday = self.ctx.fmit_week_start
        if start.weekday() != weekday:
            errors["week_start"] = (
                f"FMIT weeks start on a {_WEEKDAYS[weekday]} in this program; {start:%d %b %Y} is a "
                f"{_WEEKDAYS[start.weekday()]}."
            )
        else:
            try:
                self.ctx.in_year(start)
            except ValueError as error:
                errors["week_start"] = str(error)
        if errors:
            raise ValidationError(errors)
        row.person, row.date, row.session = person, start, Session.AM
        row.activity = SessionAssignment.Activity.FMIT

    def after_save(self, first: SessionAssignment) -> None:
        rows = []
        for offset in range(7):
            day = first.date + dt.timedelta(days=offset)
            for session in Session.values:
                if (offset, session) != (0, Session.AM):
                    rows.append(
                        SessionAssignment(
                            program=first.program,
                            version=first.version,
                            person=first.person,
                            date=day,
                            session=session,
                            activity=SessionAssignment.Activity.FMIT,
                            source=Source.IMPORT,
                        )
                    )
        for row in rows:
            row._history_user, row._change_reason = self.ctx.user, self.ctx.reason[:100]
            row.save()


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

RESOURCES: dict[str, type] = {
    "people": PersonResource,
    "rotations": RotationResource,
    "certifications": CertificationResource,
    "absences": AbsenceResource,
    "blocks": BlockAssignmentResource,
    "sessions": SessionAssignmentResource,
    "calls": CallAssignmentResource,
    "fmit": FmitWeekResource,
}
