"""Reads of certifications and procedure credentials, scoped to one program.

`person_credential_codes` and `credential_validity` are what the engine mapping reads: a certification counts by
its type code ("ACLS"), a procedure credential as "proc:<procedure code>".
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Exists, Max, OuterRef, Q, QuerySet, Value, When

from credentials.models import CertificationType, PersonCertification, Procedure, ProcedureCredential
from tenants.models import Organization

EXPIRING_DAYS = 90
PROCEDURE_PREFIX = "proc:"


def person_model() -> type:
    """scheduling.Person, reached through a foreign key (credentials may not import scheduling)."""
    return PersonCertification._meta.get_field("person").related_model


def person_list(*, program: Organization, active: bool | None = True) -> QuerySet:
    """The program's people (active ones by default), residents first by PGY, then faculty and staff."""
    people = person_model().objects.filter(program=program)
    if active is not None:
        people = people.filter(is_active=active)
    kind_order = Case(When(kind="resident", then=Value(0)), When(kind="faculty", then=Value(1)), default=Value(2))
    return people.order_by(kind_order, "pgy", "last_name", "first_name")


def person_get(*, program: Organization, pk: int):
    """One person of the program, or None (another program's person is as good as missing)."""
    return person_list(program=program, active=None).filter(pk=pk).first()


def person_of_user(*, program: Organization, user):
    """The person linked to `user`'s login in the program, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return person_list(program=program, active=None).filter(user=user).first()


def certification_type_list(*, program: Organization) -> QuerySet[CertificationType]:
    """The program's certification types, by code."""
    return CertificationType.objects.for_program(program).order_by("code")


def procedure_list(*, program: Organization) -> QuerySet[Procedure]:
    """The program's procedures, by category and name."""
    return Procedure.objects.for_program(program).order_by("category", "name")


def certification_list(*, program: Organization) -> QuerySet[PersonCertification]:
    """Every certification of the program (renewals included), with person, type and verifier loaded."""
    return (
        PersonCertification.objects.for_program(program)
        .select_related("person", "type", "verified_by")
        .order_by("person__last_name", "person__first_name", "type__code", "-issued_on")
    )


def procedure_credential_list(*, program: Organization) -> QuerySet[ProcedureCredential]:
    """Every procedure credential of the program, with person and procedure loaded."""
    return (
        ProcedureCredential.objects.for_program(program)
        .select_related("person", "procedure")
        .order_by("person__last_name", "person__first_name", "procedure__name")
    )


def _not_superseded() -> Exists:
    later = PersonCertification.objects.filter(
        person=OuterRef("person"), type=OuterRef("type"), expires_on__gt=OuterRef("expires_on")
    )
    return ~Exists(later)


def current_certifications(*, program: Organization) -> QuerySet[PersonCertification]:
    """Per person and type, the certification that expires last (an older card replaced by a renewal drops out)."""
    return certification_list(program=program).filter(_not_superseded())


def _valid_procedure_credentials(program: Organization, on: dt.date | None) -> QuerySet[ProcedureCredential]:
    rows = ProcedureCredential.objects.for_program(program).filter(
        status=ProcedureCredential.Status.ACTIVE, level__in=ProcedureCredential.PERFORMING_LEVELS
    )
    if on is not None:
        rows = rows.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on), granted_on__lte=on)
    return rows


def person_credential_codes(*, program: Organization, on: dt.date) -> dict[int, set[str]]:
    """Person id -> the codes they hold valid on `on`: certification type codes (issued by then, expiring that day
    or later) and "proc:<code>" for active credentials at level qualified or above, not expired on that day.
    """
    codes: dict[int, set[str]] = defaultdict(set)
    certifications = PersonCertification.objects.for_program(program).filter(issued_on__lte=on, expires_on__gte=on)
    for person_id, code in certifications.values_list("person_id", "type__code"):
        codes[person_id].add(code)
    for person_id, code in _valid_procedure_credentials(program, on).values_list("person_id", "procedure__code"):
        codes[person_id].add(PROCEDURE_PREFIX + code)
    return dict(codes)


def credential_validity(*, program: Organization) -> dict[int, dict[str, dt.date | None]]:
    """Person id -> code -> the last date it is valid (None: it does not expire).

    A certification's date is the latest expiry among the person's cards of that type; a procedure credential
    ("proc:<code>") counts while active at level qualified or above. Suspended and trainee credentials are absent.
    """
    validity: dict[int, dict[str, dt.date | None]] = defaultdict(dict)
    certifications = (
        PersonCertification.objects.for_program(program)
        .values("person_id", "type__code")
        .annotate(last=Max("expires_on"))
        .values_list("person_id", "type__code", "last")
    )
    for person_id, code, last in certifications:
        validity[person_id][code] = last
    rows = _valid_procedure_credentials(program, None).values_list("person_id", "procedure__code", "expires_on")
    for person_id, code, expires_on in rows:
        validity[person_id][PROCEDURE_PREFIX + code] = expires_on
    return dict(validity)


def required_certification_codes(*, program: Organization) -> dict[int, set[str]]:
    """Active person id -> the certification codes their kind (resident, faculty) or specialties require."""
    types = list(certification_type_list(program=program))
    required: dict[int, set[str]] = {}
    for pk, kind, specialties in person_list(program=program).values_list("pk", "kind", "specialties"):
        codes = {t.code for t in types if t.required_for(kind=kind, specialties=specialties)}
        if codes:
            required[pk] = codes
    return required


def expiring_soon(
    *, program: Organization, within_days: int = EXPIRING_DAYS, today: dt.date | None = None
) -> QuerySet[PersonCertification]:
    """Active people's current certifications expiring between `today` and `within_days` later, soonest first.

    A card already replaced by a renewal is left out. `today` defaults to the program's date.
    """
    today = today or program.today()
    return (
        current_certifications(program=program)
        .filter(person__is_active=True, expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=within_days))
        .order_by("expires_on", "person__last_name")
    )


# The credentials matrix: people x certification types and procedures.


class Status:
    """Cell statuses of the matrix (CSS classes `cred-<status>`)."""

    OK = "ok"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"
    SUSPENDED = "suspended"
    TRAINEE = "trainee"


@dataclass(frozen=True)
class Cell:
    """One person's standing for one certification type or procedure."""

    status: str
    expires_on: dt.date | None = None
    required: bool = False
    level: str = ""

    @property
    def flagged(self) -> bool:
        """Needs attention: required and not held in date, or held but expiring, expired or suspended."""
        if self.status in (Status.EXPIRING, Status.EXPIRED, Status.SUSPENDED):
            return True
        return self.required and self.status == Status.MISSING


@dataclass(frozen=True)
class MatrixRow:
    person: object
    certifications: list[Cell]
    procedures: list[Cell]

    @property
    def flagged(self) -> int:
        return sum(cell.flagged for cell in (*self.certifications, *self.procedures))


@dataclass(frozen=True)
class CredentialsMatrix:
    """Rows of people against the program's certification types and procedures, as of `today`."""

    today: dt.date
    types: list[CertificationType]
    procedures: list[Procedure]
    rows: list[MatrixRow]
    counts: dict[str, int] = field(default_factory=dict)


def _certification_cell(expires_on: dt.date | None, required: bool, today: dt.date, horizon: dt.date) -> Cell:
    if expires_on is None:
        return Cell(Status.MISSING, required=required)
    if expires_on < today:
        return Cell(Status.EXPIRED, expires_on, required)
    if expires_on <= horizon:
        return Cell(Status.EXPIRING, expires_on, required)
    return Cell(Status.OK, expires_on, required)


def _procedure_cell(credential: dict | None, today: dt.date, horizon: dt.date) -> Cell:
    if credential is None:
        return Cell(Status.MISSING)
    expires_on, level = credential["expires_on"], credential["level"]
    if credential["status"] == ProcedureCredential.Status.SUSPENDED:
        return Cell(Status.SUSPENDED, expires_on, level=level)
    if credential["status"] == ProcedureCredential.Status.EXPIRED or (expires_on is not None and expires_on < today):
        return Cell(Status.EXPIRED, expires_on, level=level)
    if level == ProcedureCredential.Level.TRAINEE:
        return Cell(Status.TRAINEE, expires_on, level=level)
    if expires_on is not None and expires_on <= horizon:
        return Cell(Status.EXPIRING, expires_on, level=level)
    return Cell(Status.OK, expires_on, level=level)


def credentials_matrix(
    *,
    program: Organization,
    today: dt.date | None = None,
    person_ids: Iterable[int] | None = None,
    kind: str = "",
    within_days: int = EXPIRING_DAYS,
) -> CredentialsMatrix:
    """People (active ones, or `person_ids`; `kind` narrows to residents/faculty/staff) against every certification
    type and procedure: ok, expiring (within `within_days`), expired, missing (flagged when required), and for
    procedures suspended or trainee. Five queries whatever the size.
    """
    today = today or program.today()
    horizon = today + dt.timedelta(days=within_days)
    people = person_list(program=program, active=None if person_ids is not None else True)
    if person_ids is not None:
        people = people.filter(pk__in=list(person_ids))
    if kind:
        people = people.filter(kind=kind)
    people = list(people)
    types = list(certification_type_list(program=program))
    procedures = list(procedure_list(program=program))
    ids = [person.pk for person in people]
    last_expiry = {
        (person_id, type_id): last
        for person_id, type_id, last in PersonCertification.objects.filter(program=program, person_id__in=ids)
        .values("person_id", "type_id")
        .annotate(last=Max("expires_on"))
        .values_list("person_id", "type_id", "last")
    }
    credentials = {
        (row["person_id"], row["procedure_id"]): row
        for row in ProcedureCredential.objects.filter(program=program, person_id__in=ids).values(
            "person_id", "procedure_id", "level", "status", "expires_on"
        )
    }
    rows, counts = [], defaultdict(int)
    for person in people:
        cert_cells = [
            _certification_cell(
                last_expiry.get((person.pk, t.pk)),
                t.required_for(kind=person.kind, specialties=person.specialties),
                today,
                horizon,
            )
            for t in types
        ]
        proc_cells = [_procedure_cell(credentials.get((person.pk, p.pk)), today, horizon) for p in procedures]
        for cell in cert_cells:
            counts[cell.status] += 1
            counts["required_missing"] += cell.required and cell.status == Status.MISSING
        rows.append(MatrixRow(person, cert_cells, proc_cells))
    return CredentialsMatrix(today, types, procedures, rows, dict(counts))


def person_credentials(*, program: Organization, person) -> dict[str, object]:
    """A person's certifications (renewals included, newest first) and procedure credentials."""
    return {
        "certifications": list(
            PersonCertification.objects.filter(program=program, person=person)
            .select_related("type", "verified_by")
            .order_by("type__code", "-issued_on")
        ),
        "procedure_credentials": list(
            ProcedureCredential.objects.filter(program=program, person=person)
            .select_related("procedure")
            .order_by("procedure__name")
        ),
    }
