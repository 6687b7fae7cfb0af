"""The demo data set: an institution with two programs, their people and rotations, and a login per role.

`demo_seed` is idempotent: it creates what is missing and leaves what exists (passwords included) alone.
`demo_schedule_publish` then has the engine generate the family-medicine year and publishes it, once; the apps
above scheduling (swaps) add what needs a published schedule through `demo_after_publish_register`, since
scheduling cannot import them.
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from credentials.models import CertificationType, PersonCertification
from scheduling.engine.calendar import academic_year_start
from scheduling.models import (
    AcademicYear,
    Block,
    CalendarDay,
    Person,
    Preference,
    RotationRequirement,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    WishWindow,
)
from scheduling.program_settings import SETTINGS_KEY, settings_from_json, settings_to_json
from scheduling.services import (
    academic_year_create,
    calendar_holidays_load,
    schedule_run_execute,
    schedule_run_start,
    schedule_version_publish,
    session_times_ensure_defaults,
)
from tenants.errors import DomainError
from tenants.mfa import email_verified_ensure, totp_enrol
from tenants.models import Membership, Organization, Role, User

DEMO_PASSWORD = "demo-password-2026"
DEMO_EMAIL_DOMAIN = "demo.example.org"
# The demo's admins and coordinators must pass a second factor like any manager: they are enrolled with this
# authenticator-app secret (add it to an app, or run `manage.py demo_totp <email>` for the current code).
DEMO_TOTP_SECRET = "DEMOTOTPSECRETDEMOTOTPSECRET2345"
INSTITUTION_NAME = "Demo Health System"
INSTITUTION_SLUG = "demo-health-system"

FacultyRole = Person.FacultyRole
Kind = RotationTemplate.Kind
WEEKDAYS = (0, 1, 2, 3, 4)
SUNDAY_TO_THURSDAY = (6, 0, 1, 2, 3)  # night shifts starting on these evenings; Friday and Saturday nights are call


@dataclass(frozen=True)
class ResidentSpec:
    first_name: str
    last_name: str
    pgy: int


@dataclass(frozen=True)
class FacultySpec:
    first_name: str
    last_name: str
    role: str
    clinic_min: int
    clinic_max: int
    fmit_weeks: int | None = 6
    specialties: str = ""


@dataclass(frozen=True)
class RotationSpec:
    name: str
    abbreviation: str
    kind: str
    colour: str
    min_pgy: int
    max_pgy: int
    min_residents: int
    max_residents: int | None
    leave_allowed: bool = True
    requires_supervision: bool = True
    allows_half_block: bool = False
    clinic_sessions_per_week: int = 0
    work_days: tuple[int, ...] = WEEKDAYS
    is_night: bool = False
    continuity_clinic: bool = True
    call_eligible: bool = False

    def engine_fields(self) -> dict:
        return {
            "work_days": list(self.work_days),
            "is_night": self.is_night,
            "continuity_clinic": self.continuity_clinic,
            "call_eligible": self.call_eligible,
        }


@dataclass(frozen=True)
class RequirementSpec:
    """Blocks of a rotation (by abbreviation) each resident of a PGY level spends in the year."""

    pgy: int
    rotation: str
    min_blocks: int
    max_blocks: int | None


def _required(pgy: int, text: str) -> tuple[RequirementSpec, ...]:
    """Requirements of one PGY level written as "FMIT 3-4, ICU 1" (one number is both minimum and maximum)."""
    specs = []
    for item in text.split(", "):
        rotation, blocks = item.split(" ")
        low, _, high = blocks.partition("-")
        specs.append(RequirementSpec(pgy, rotation, int(low), int(high or low)))
    return tuple(specs)


@dataclass(frozen=True)
class ProgramSpec:
    slug: str
    name: str
    time_zone: str
    residents: tuple[ResidentSpec, ...]
    faculty: tuple[FacultySpec, ...]
    rotations: tuple[RotationSpec, ...]
    requirements: tuple[RequirementSpec, ...] = ()
    scheduling: dict = field(default_factory=dict)  # Organization.settings["scheduling"]
    fmit: dict = field(default_factory=dict)  # the FMIT configuration of its academic year (FmitYearConfig)


@dataclass(frozen=True)
class LoginSpec:
    """A demo user: `roles` maps program slugs to the role there; `person` names the Person it is."""

    email: str
    first_name: str
    last_name: str
    roles: tuple[tuple[str, str], ...]
    person: str | None = None


def _residents(pgy: int, names: str) -> tuple[ResidentSpec, ...]:
    return tuple(ResidentSpec(*name.split(" ", 1), pgy=pgy) for name in names.split(", "))


FAMILY_MEDICINE = ProgramSpec(
    slug="family-medicine",
    name="Family Medicine",
    time_zone="America/New_York",
    residents=(
        _residents(1, "Amara Okafor, Daniel Nguyen, Sofia Ramirez, Ethan Goldberg, Priya Raman, Marcus Johnson, "
                      "Hannah Kowalski, Yusuf Haddad")
        + _residents(2, "Grace Kim, Mateo Alvarez, Olivia Bennett, Samuel Osei, Aisha Rahman, Lucas Ferreira, "
                        "Emily Chen, Tomás Herrera")
        + _residents(3, "Noah Williams, Mei Tanaka, Isabella Rossi, Kwame Mensah, Chloe Dubois, Ravi Patel, "
                        "Laila Ahmadi, Jonah Fischer")
    ),
    faculty=(
        FacultySpec("Margaret", "Sullivan", FacultyRole.PD, 1, 2, fmit_weeks=4),
        FacultySpec("Anthony", "Russo", FacultyRole.APD, 2, 3, fmit_weeks=5),
        FacultySpec("Keisha", "Washington", FacultyRole.APD, 2, 3, fmit_weeks=5, specialties="OB"),
        FacultySpec("Robert", "Lindqvist", FacultyRole.OIC, 2, 4, fmit_weeks=5, specialties="Clinic operations"),
        FacultySpec("Elena", "Petrova", FacultyRole.CORE, 3, 4, specialties="OB"),
        FacultySpec("David", "Cho", FacultyRole.CORE, 3, 4, specialties="Procedures"),
        FacultySpec("Fatima", "Al-Sayed", FacultyRole.CORE, 3, 4, specialties="Geriatrics"),
        FacultySpec("Michael", "O'Brien", FacultyRole.CORE, 3, 4),
        FacultySpec("Naomi", "Friedman", FacultyRole.CORE, 3, 4, specialties="Pediatrics"),
        FacultySpec("Jamal", "Carter", FacultyRole.SPORTS_MED, 2, 3, fmit_weeks=4, specialties="Sports medicine"),
        FacultySpec("Linda", "Hoffmann", FacultyRole.ADJUNCT, 1, 2, fmit_weeks=2),
        FacultySpec("Victor", "Mendes", FacultyRole.ADJUNCT, 1, 2, fmit_weeks=2, specialties="Procedures"),
    ),
    # A family-medicine curriculum: each PGY's rotations fill its 13 blocks (a minimum and a maximum of each, so
    # no rotation takes more than a third of a cohort's year and electives stay capped); didactics are a
    # protected Wednesday afternoon for everyone at work (a program setting), not a block rotation.
    rotations=(
        RotationSpec("Family Medicine Clinic", "FMC", Kind.OUTPATIENT_CLINIC, "#2e7d32", 1, 3, 3, 7,
                     allows_half_block=True, clinic_sessions_per_week=6),
        RotationSpec("FMIT Inpatient", "FMIT", Kind.FMIT, "#1565c0", 1, 3, 4, 6,
                     leave_allowed=False, clinic_sessions_per_week=1, call_eligible=True),
        RotationSpec("Night Float", "NF", Kind.NIGHT_FLOAT, "#37474f", 1, 3, 1, 2,
                     leave_allowed=False, allows_half_block=True, is_night=True, continuity_clinic=False,
                     work_days=SUNDAY_TO_THURSDAY),
        RotationSpec("Intensive Care Unit", "ICU", Kind.INPATIENT, "#c62828", 1, 2, 1, 2,
                     leave_allowed=False, call_eligible=True, continuity_clinic=False),
        RotationSpec("Obstetrics", "OB", Kind.INPATIENT, "#ad1457", 1, 1, 1, 2, clinic_sessions_per_week=1,
                     call_eligible=True),
        RotationSpec("Pediatrics Inpatient", "PEDS", Kind.INPATIENT, "#f9a825", 1, 2, 1, 2,
                     clinic_sessions_per_week=1, call_eligible=True),
        RotationSpec("Emergency Medicine", "EM", Kind.INPATIENT, "#ef6c00", 1, 3, 1, 3, continuity_clinic=False),
        RotationSpec("General Surgery", "SURG", Kind.INPATIENT, "#5d4037", 1, 1, 0, 1, clinic_sessions_per_week=1),
        RotationSpec("Outpatient Pediatrics", "OPEDS", Kind.OUTPATIENT_CLINIC, "#fbc02d", 1, 1, 0, 1,
                     clinic_sessions_per_week=1),
        RotationSpec("Cardiology", "CARD", Kind.INPATIENT, "#b71c1c", 2, 2, 0, 1, clinic_sessions_per_week=2),
        RotationSpec("Gynecology", "GYN", Kind.OUTPATIENT_CLINIC, "#d81b60", 2, 2, 0, 1, clinic_sessions_per_week=2),
        RotationSpec("Sports Medicine", "SPMED", Kind.OUTPATIENT_CLINIC, "#00838f", 2, 2, 0, 1,
                     allows_half_block=True, clinic_sessions_per_week=2),
        RotationSpec("Geriatrics", "GERI", Kind.OUTPATIENT_CLINIC, "#558b2f", 3, 3, 0, 1, clinic_sessions_per_week=3),
        RotationSpec("Community Medicine", "COMM", Kind.OUTPATIENT_CLINIC, "#00695c", 3, 3, 0, 1,
                     clinic_sessions_per_week=3),
        RotationSpec("Procedures", "PROC", Kind.PROCEDURE, "#6a1b9a", 3, 3, 0, 1,
                     allows_half_block=True, clinic_sessions_per_week=3),
        RotationSpec("Electives", "ELEC", Kind.ELECTIVE, "#8d6e63", 2, 3, 0, 4,
                     allows_half_block=True, clinic_sessions_per_week=2),
    ),
    requirements=(
        _required(1, "FMIT 3-4, OB 1-2, PEDS 1, ICU 1, EM 1, NF 1, SURG 1, OPEDS 1, FMC 1-2")
        + _required(2, "FMIT 2-3, NF 1, ICU 1, EM 1, PEDS 1, CARD 1, GYN 1, SPMED 1, ELEC 1-2, FMC 2-3")
        + _required(3, "FMIT 2, NF 1, EM 1, GERI 1, COMM 1, PROC 0-1, ELEC 2-3, FMC 3-4")
    ),
    scheduling={
        "requirements": {
            "clinic_sessions_per_week": {"1": 1, "2": 2, "3": 3},
            "clinic_capacity": 8,
            "call": [{"kind": "in_house", "per_night": 1, "min_pgy": 1}],
            "didactics": {"weekday": 2, "session": "PM"},
            # attending call Sunday-Thursday (the FMIT attending takes the FMIT weekend), adjuncts not on it
            "faculty_call": {"nights": [0, 1, 2, 3, 6], "per_night": 1, "min_days_between": 3},
        },
    },
    fmit={"week_start_day": 4, "min_attendings": 1, "max_attendings": 2},
)  # fmt: skip

INTERNAL_MEDICINE = ProgramSpec(
    slug="internal-medicine",
    name="Internal Medicine",
    time_zone="America/New_York",
    residents=(
        _residents(1, "Benjamin Hart, Zara Qureshi")
        + _residents(2, "Diego Castillo, Ingrid Larsen")
        + _residents(3, "Oluwaseun Adeyemi, Rachel Stein")
    ),
    faculty=(
        FacultySpec("Harold", "Whitman", FacultyRole.PD, 1, 2, fmit_weeks=None),
        FacultySpec("Sunita", "Reddy", FacultyRole.APD, 2, 3, fmit_weeks=None),
        FacultySpec("Peter", "Novak", FacultyRole.CORE, 3, 4, fmit_weeks=None, specialties="Cardiology"),
    ),
    rotations=(
        RotationSpec("Inpatient Wards", "WARDS", Kind.INPATIENT, "#1565c0", 1, 3, 2, 4,
                     leave_allowed=False, clinic_sessions_per_week=1, call_eligible=True),
        RotationSpec("Continuity Clinic", "CLINIC", Kind.OUTPATIENT_CLINIC, "#2e7d32", 1, 3, 1, 3,
                     clinic_sessions_per_week=6),
        RotationSpec("Medical ICU", "MICU", Kind.INPATIENT, "#c62828", 1, 3, 1, 2, leave_allowed=False,
                     call_eligible=True, continuity_clinic=False),
        RotationSpec("Night Float", "NF", Kind.NIGHT_FLOAT, "#37474f", 2, 3, 1, 1,
                     leave_allowed=False, allows_half_block=True, is_night=True, continuity_clinic=False,
                     work_days=SUNDAY_TO_THURSDAY),
        RotationSpec("Cardiology", "CARD", Kind.ELECTIVE, "#8d6e63", 2, 3, 0, 2, allows_half_block=True),
    ),
    requirements=_required(1, "WARDS 3-6, MICU 1-2") + _required(2, "WARDS 2-4, NF 2-4") + _required(3, "NF 2-4"),
    scheduling={
        "requirements": {
            "clinic_sessions_per_week": {"1": 1, "2": 1, "3": 1},
            "clinic_capacity": 4,
            "call": [{"kind": "in_house", "per_night": 1, "min_pgy": 1}],
            "didactics": {"weekday": 3, "session": "PM"},
        },
    },
    fmit={"min_attendings": 0, "max_attendings": 0},
)  # fmt: skip

PROGRAMS = (FAMILY_MEDICINE, INTERNAL_MEDICINE)

FM, IM = FAMILY_MEDICINE.slug, INTERNAL_MEDICINE.slug
LOGINS = (
    LoginSpec(f"admin@{DEMO_EMAIL_DOMAIN}", "Jordan", "Blake", ((FM, Role.ADMIN),)),
    LoginSpec(f"coordinator@{DEMO_EMAIL_DOMAIN}", "Renee", "Dawson", ((FM, Role.COORDINATOR),)),
    LoginSpec(f"faculty@{DEMO_EMAIL_DOMAIN}", "Elena", "Petrova", ((FM, Role.FACULTY),), person="Elena Petrova"),
    LoginSpec(f"resident@{DEMO_EMAIL_DOMAIN}", "Grace", "Kim", ((FM, Role.RESIDENT),), person="Grace Kim"),
    LoginSpec(f"clinical_staff@{DEMO_EMAIL_DOMAIN}", "Luis", "Ortega", ((FM, Role.CLINICAL_STAFF),)),
    LoginSpec(f"rn@{DEMO_EMAIL_DOMAIN}", "Dana", "Whitfield", ((FM, Role.RN),)),
    LoginSpec(f"lpn@{DEMO_EMAIL_DOMAIN}", "Tara", "Singh", ((FM, Role.LPN),)),
    LoginSpec(f"msa@{DEMO_EMAIL_DOMAIN}", "Brianna", "Scott", ((FM, Role.MSA),)),
    LoginSpec(f"coordinator-im@{DEMO_EMAIL_DOMAIN}", "Helen", "Park", ((IM, Role.COORDINATOR),)),
    LoginSpec(f"multi@{DEMO_EMAIL_DOMAIN}", "Casey", "Morgan", ((FM, Role.COORDINATOR), (IM, Role.COORDINATOR))),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    program: str


@dataclass
class DemoSeedResult:
    """What `demo_seed` leaves behind: the logins, their password and row counts of the demo programs."""

    password: str
    logins: list[DemoLogin] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    passwords_kept: int = 0


@transaction.atomic
def demo_seed(*, password: str = DEMO_PASSWORD, reset_passwords: bool = False) -> DemoSeedResult:
    """Create what is missing of the demo institution, programs, current year and logins; idempotent.

    Users that already exist keep their password unless `reset_passwords` is set.
    """
    try:
        validate_password(password)
    except ValidationError as exc:
        raise DomainError("The demo password is too weak: " + " ".join(exc.messages)) from exc
    institution, _ = Organization.objects.get_or_create(
        slug=INSTITUTION_SLUG, defaults={"kind": Organization.Kind.INSTITUTION, "name": INSTITUTION_NAME}
    )
    if institution.kind != Organization.Kind.INSTITUTION:
        raise DomainError(f"The slug {INSTITUTION_SLUG} is taken by {institution}, which is not an institution.")
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(FAMILY_MEDICINE.time_zone))
    programs = {spec.slug: _program_seed(spec, institution, academic_year_start(today)) for spec in PROGRAMS}
    for number, program in enumerate(programs.values()):
        _certifications_seed(program, today)
        _contacts_seed(program, DEMO_AREA_CODES[number % len(DEMO_AREA_CODES)])
    _wishes_seed(programs[FAMILY_MEDICINE.slug], today)
    result = DemoSeedResult(password=password)
    for login in LOGINS:
        user, kept = _login_seed(login, programs, password, reset_passwords)
        result.passwords_kept += kept
        result.logins += [DemoLogin(user.email, Role(role).label, programs[slug].name) for slug, role in login.roles]
    result.counts = _counts(list(programs.values()))
    return result


@dataclass(frozen=True)
class DemoSchedule:
    """What `demo_schedule_publish` did: the version published now (None if it published none) and a sentence."""

    version: ScheduleVersion | None
    message: str


# What the apps above scheduling add to the demo once its year is published (registered in AppConfig.ready): each
# takes the published version and returns a sentence for the command's output.
DemoAfterPublish = Callable[[ScheduleVersion], str]
_after_publish: list[DemoAfterPublish] = []


def demo_after_publish_register(seeder: DemoAfterPublish) -> None:
    """Run `seeder` on the demo's version right after `demo_schedule_publish` publishes it (once per seeder)."""
    if seeder not in _after_publish:
        _after_publish.append(seeder)


# One worker and a work limit (engine.limits), not the clock, end the demo's solve: the same year on every machine,
# however busy (its rotations alone take about 3 units of work, 6 s on an idle core, and the year is then optimal).
DEMO_SCHEDULE_WORK_LIMIT = 5.0
DEMO_SCHEDULE_TIME_LIMIT = 600.0  # seconds: only a safety net


def demo_schedule_publish(
    *,
    time_limit: float = DEMO_SCHEDULE_TIME_LIMIT,
    work_limit: float = DEMO_SCHEDULE_WORK_LIMIT,
    seed: int = 0,
    days_ahead: int | None = None,
) -> DemoSchedule:
    """Have the engine generate the family-medicine program's current year and publish it, as a coordinator
    would; nothing when the year already has a published schedule. A run that ends without a compliant
    schedule publishes nothing and says why. With `days_ahead`, only the blocks from today to that many days
    ahead (a few seconds instead of the year: what the Lighthouse check needs)."""
    program = Organization.objects.get(slug=FAMILY_MEDICINE.slug)
    year = AcademicYear.objects.for_program(program).get(is_current=True)
    published = ScheduleVersion.objects.filter(academic_year=year, status=ScheduleVersion.Status.PUBLISHED).first()
    if published is not None:
        return DemoSchedule(None, f"{program} {year} already has a published schedule (version {published.number}).")
    blocks = Block.objects.filter(academic_year=year)
    first_block, last_block = 1, None
    if days_ahead is not None:
        today = program.today()
        ahead = blocks.filter(end_date__gte=today, start_date__lte=today + dt.timedelta(days=days_ahead))
        numbers = sorted(ahead.values_list("number", flat=True)) or [blocks.order_by("-number").first().number]
        first_block, last_block = numbers[0], numbers[-1]
    run = schedule_run_start(
        academic_year=year,
        user=None,
        first_block=first_block,
        last_block=last_block,
        time_limit=time_limit,
        work_limit=work_limit,
        seed=seed,
        workers=1,
        queue=False,
    )
    run = schedule_run_execute(run_id=run.pk)
    version_id = (run.statistics or {}).get("version_id") if run is not None else None
    if run is None or run.status != ScheduleRun.Status.SUCCEEDED or not version_id:
        return DemoSchedule(None, f"No demo schedule was published: {run.message if run else 'the run vanished'}")
    try:
        version = schedule_version_publish(version=ScheduleVersion.objects.get(pk=version_id), user=None)
    except DomainError as exc:
        return DemoSchedule(None, f"No demo schedule was published: {exc}")
    message = f"Published version {version.number} of {program} {year}, generated in {run.elapsed_seconds:.1f} s."
    extras = [seeder(version) for seeder in _after_publish]
    return DemoSchedule(version, " ".join([message, *filter(None, extras)]))


def _program_seed(spec: ProgramSpec, institution: Organization, year_start: dt.date) -> Organization:
    program, _ = Organization.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "kind": Organization.Kind.PROGRAM,
            "parent": institution,
            "name": spec.name,
            "time_zone": spec.time_zone,
        },
    )
    if program.parent_id != institution.pk:
        raise DomainError(f"The slug {spec.slug} is taken by {program}, which is not a program of {institution}.")
    for resident in spec.residents:
        Person.objects.get_or_create(
            program=program,
            kind=Person.Kind.RESIDENT,
            first_name=resident.first_name,
            last_name=resident.last_name,
            defaults={"pgy": resident.pgy, "email": _email(resident.first_name, resident.last_name)},
        )
    for member in spec.faculty:
        Person.objects.get_or_create(
            program=program,
            kind=Person.Kind.FACULTY,
            first_name=member.first_name,
            last_name=member.last_name,
            defaults={
                "email": _email(member.first_name, member.last_name),
                "faculty_role": member.role,
                "clinic_min_per_week": member.clinic_min,
                "clinic_max_per_week": member.clinic_max,
                "fmit_target_weeks": member.fmit_weeks,
                "specialties": member.specialties,
            },
        )
    for rotation in spec.rotations:
        fields = {**asdict(rotation), **rotation.engine_fields()}
        RotationTemplate.objects.get_or_create(program=program, name=fields.pop("name"), defaults=fields)
    _engine_setup_seed(spec, program)
    session_times_ensure_defaults(program=program)
    year = AcademicYear.objects.for_program(program).filter(start_date=year_start).first()
    if year is None:
        has_current = AcademicYear.objects.for_program(program).filter(is_current=True).exists()
        year = academic_year_create(
            program=program, start_date=year_start, make_current=not has_current, fmit=spec.fmit
        )
    calendar_holidays_load(academic_year=year)
    return program


def _engine_setup_seed(spec: ProgramSpec, program: Organization) -> None:
    """The program's required rotations (missing ones) and, the first time, its scheduling settings.

    A program seeded before it had settings also gets the engine flags of its existing demo rotations then.
    """
    names = {rotation.abbreviation: rotation.name for rotation in spec.rotations}
    rotations = {r.name: r for r in RotationTemplate.objects.for_program(program).filter(name__in=names.values())}
    for requirement in spec.requirements:
        RotationRequirement.objects.get_or_create(
            program=program,
            pgy=requirement.pgy,
            rotation=rotations[names[requirement.rotation]],
            defaults={"min_blocks": requirement.min_blocks, "max_blocks": requirement.max_blocks},
        )
    if SETTINGS_KEY in (program.settings or {}):
        return
    for rotation in spec.rotations:
        row = rotations[rotation.name]
        for name, value in rotation.engine_fields().items():
            setattr(row, name, value)
        row.save(update_fields=list(rotation.engine_fields()))
    program.settings = {**(program.settings or {}), SETTINGS_KEY: settings_to_json(settings_from_json(spec.scheduling))}
    program.save(update_fields=["settings"])


# Life-support cards every clinician holds, and an obstetric one for faculty who deliver babies.
CERTIFICATIONS = (
    ("BLS", "Basic Life Support", True, True, ""),
    ("ACLS", "Advanced Cardiovascular Life Support", True, True, ""),
    ("NRP", "Neonatal Resuscitation Program", False, False, "OB"),
)
EXPIRING_EVERY = 7  # every 7th person's ACLS runs out within three months, so the reminders and lists show it


def _certifications_seed(program: Organization, today: dt.date) -> None:
    """The program's certification types and, for people who have none yet, two-year cards issued last year."""
    types = {}
    for code, name, residents, faculty, specialties in CERTIFICATIONS:
        types[code], _ = CertificationType.objects.get_or_create(
            program=program,
            code=code,
            defaults={
                "name": name,
                "renewal_months": 24,
                "required_for_residents": residents,
                "required_for_faculty": faculty,
                "required_for_specialties": specialties,
            },
        )
    people = Person.objects.for_program(program).exclude(certifications__isnull=False).order_by("pk")
    issued = today - dt.timedelta(days=300)
    cards = []
    for n, person in enumerate(people):
        codes = ["BLS", "ACLS"] + (["NRP"] if "OB" in person.specialties else [])
        for code in codes:
            expires = issued + dt.timedelta(days=730)
            if code == "ACLS" and n % EXPIRING_EVERY == 3:
                expires = today + dt.timedelta(days=20 + 10 * (n % 5))
            cards.append(
                PersonCertification(
                    program=program,
                    person=person,
                    type=types[code],
                    number=f"{code}-{person.pk:05d}",
                    issued_on=issued,
                    expires_on=expires,
                )
            )
    bulk_create_with_history(cards, PersonCertification, default_change_reason="Demo data")


# Fictional numbers: 555-0100 to 555-0199 are reserved for fiction in every North American area code.
DEMO_AREA_CODES = ("802", "603")
DEMO_PAGER_OFFSET = 50  # pagers take the upper half of the range


def _contacts_seed(program: Organization, area_code: str) -> None:
    """A 555-01xx phone and pager for each person of the program who has neither (numbers stay unique in it)."""
    people = Person.objects.for_program(program).order_by("kind", "last_name", "first_name", "pk")
    changed = []
    for number, person in enumerate(people[:DEMO_PAGER_OFFSET]):
        if not person.phone and not person.pager:
            person.phone = f"({area_code}) 555-{100 + number:04d}"
            person.pager = f"({area_code}) 555-{100 + DEMO_PAGER_OFFSET + number:04d}"
            changed.append(person)
    if changed:
        bulk_update_with_history(changed, Person, ["phone", "pager"], default_change_reason="Demo data")


# The demo's wishes, in the second half of the year (block 7 on: the browser tests publish and repair blocks 1-4
# and keep their schedules): (person, kind, week number from the year's first Monday or block, rotation, priority,
# reason). Week kinds name a week; rotation kinds a block (None: any block).
DEMO_WISHES = (
    ("Amara Okafor", "blocked_week", 46, None, "high", "My wedding"),
    ("Amara Okafor", "preferred_week", 47, None, "medium", "Honeymoon"),
    ("Daniel Nguyen", "preferred_week", 24, None, "medium", "Christmas with family abroad"),
    ("Sofia Ramirez", "preferred_week", 25, None, "low", "Holidays"),
    ("Ethan Goldberg", "preferred_week", 26, None, "low", "New Year"),
    ("Grace Kim", "blocked_week", 44, None, "high", "STFM spring conference: presenting a poster"),
    ("Grace Kim", "preferred_week", 25, None, "medium", "Holidays"),
    ("Grace Kim", "rotation_wish", 9, "Sports Medicine", "high", "Sports medicine fellowship interviews"),
    ("Mateo Alvarez", "rotation_wish", 10, "Cardiology", "medium", "Thinking about cardiology"),
    ("Mateo Alvarez", "rotation_avoid", 12, "Night Float", "low", "Sister's graduation"),
    ("Olivia Bennett", "blocked_week", 33, None, "high", "Sister's wedding"),
    ("Samuel Osei", "rotation_avoid", 8, "Intensive Care Unit", "medium", ""),
    ("Noah Williams", "blocked_week", 41, None, "high", "ABFM board exam"),
    ("Mei Tanaka", "blocked_week", 41, None, "high", "ABFM board exam"),
    ("Isabella Rossi", "blocked_week", 42, None, "high", "ABFM board exam"),
    ("Kwame Mensah", "rotation_wish", 11, "Geriatrics", "medium", "Geriatrics fellowship application"),
    ("Chloe Dubois", "rotation_avoid", 7, "Night Float", "low", "Holidays at home"),
    ("Ravi Patel", "preferred_week", 30, None, "medium", "Job interviews"),
    ("Ravi Patel", "preferred_week", 31, None, "medium", "Job interviews"),
    ("Elena Petrova", "blocked_week", 44, None, "high", "STFM spring conference"),
    ("Elena Petrova", "preferred_week", 25, None, "low", "Holidays"),
    ("David Cho", "blocked_week", 37, None, "medium", "Procedures course"),
    ("Naomi Friedman", "blocked_week", 25, None, "high", "Family visit abroad"),
    ("Jamal Carter", "blocked_week", 28, None, "medium", "Team physician at a tournament"),
    ("Margaret Sullivan", "blocked_week", 43, None, "high", "ACGME site visit preparation"),
)
DEMO_WISH_LIMITS = {
    "blocked_week_limit": 4,
    "preferred_week_limit": 4,
    "rotation_wish_limit": 2,
    "rotation_avoid_limit": 2,
}


def _wishes_seed(program: Organization, today: dt.date) -> None:
    """The current year's wish window (open around today) and a realistic set of wishes (weddings, boards,
    conferences, holidays, rotation wishes), the first time only."""
    year = AcademicYear.objects.for_program(program).filter(is_current=True).first()
    if year is None or WishWindow.objects.filter(academic_year=year).exists():
        return
    WishWindow.objects.create(
        program=program,
        academic_year=year,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=60),
        **DEMO_WISH_LIMITS,
    )
    monday = year.start_date + dt.timedelta(days=-year.start_date.weekday() % 7)
    people = {p.full_name: p for p in Person.objects.for_program(program)}
    rotations = {r.name: r for r in RotationTemplate.objects.for_program(program)}
    blocks = {b.number: b for b in Block.objects.filter(academic_year=year)}
    wishes = []
    for name, kind, when, rotation, priority, reason in DEMO_WISHES:
        person = people.get(name)
        if person is None:
            continue
        week = monday + dt.timedelta(weeks=when) if rotation is None else None
        wishes.append(
            Preference(
                program=program,
                person=person,
                academic_year=year,
                kind=kind,
                week_start=week,
                rotation=rotations.get(rotation) if rotation else None,
                block=blocks.get(when) if rotation and when else None,
                priority=priority,
                reason=reason,
            )
        )
    bulk_create_with_history(
        [w for w in wishes if w.week_start is None or w.week_start <= year.end_date],
        Preference,
        default_change_reason="Demo data",
    )


def _email(first_name: str, last_name: str) -> str:
    return f"{slugify(first_name)}.{slugify(last_name)}@{DEMO_EMAIL_DOMAIN}"


def _login_seed(
    login: LoginSpec, programs: dict[str, Organization], password: str, reset_password: bool
) -> tuple[User, bool]:
    """Ensure the user, their memberships and Person link; returns the user and whether the password was kept."""
    user = User.objects.filter(email=login.email).first()
    kept = user is not None and not reset_password
    if user is None:
        user = User.objects.create_user(login.email, password, first_name=login.first_name, last_name=login.last_name)
    elif reset_password:
        user.set_password(password)
        user.save(update_fields=["password"])
    email_verified_ensure(user=user)
    if any(role in (Role.ADMIN, Role.COORDINATOR) for _, role in login.roles):
        totp_enrol(user=user, secret=DEMO_TOTP_SECRET)
    for slug, role in login.roles:
        membership, created = Membership.objects.get_or_create(
            user=user, organization=programs[slug], defaults={"role": role}
        )
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    if login.person:
        first_name, last_name = login.person.split(" ", 1)
        person = Person.objects.get(program=programs[login.roles[0][0]], first_name=first_name, last_name=last_name)
        if person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])
    return user, kept


def _counts(programs: list[Organization]) -> dict[str, int]:
    ids = [program.pk for program in programs]
    return {
        "programs": len(ids),
        "users": User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count(),
        "memberships": Membership.objects.filter(organization_id__in=ids).count(),
        "people": Person.objects.for_programs(ids).count(),
        "rotations": RotationTemplate.objects.for_programs(ids).count(),
        "required rotations": RotationRequirement.objects.for_programs(ids).count(),
        "blocks": Block.objects.for_programs(ids).count(),
        "holidays": CalendarDay.objects.for_programs(ids).filter(day_type=CalendarDay.DayType.FEDERAL_HOLIDAY).count(),
    }
