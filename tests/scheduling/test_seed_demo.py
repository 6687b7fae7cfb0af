"""manage.py seed_demo: an idempotent demo data set with a login per role, refused in production."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from credentials.models import CertificationType, PersonCertification
from credentials.selectors import expiring_soon
from scheduling.demo import DEMO_PASSWORD
from scheduling.engine_io import problem_for
from scheduling.models import (
    AcademicYear,
    Block,
    CalendarDay,
    Person,
    RotationRequirement,
    RotationTemplate,
    SessionTime,
)
from scheduling.program_settings import scheduling_settings
from tenants.models import Membership, Organization, Role, User

pytestmark = pytest.mark.django_db

COUNTED = (
    Organization,
    Membership,
    User,
    Person,
    RotationTemplate,
    RotationRequirement,
    Block,
    CalendarDay,
    AcademicYear,
    SessionTime,
    CertificationType,
    PersonCertification,
)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def family_medicine() -> Organization:
    seed()
    return Organization.objects.get(slug="family-medicine")


def test_seed_demo_twice_gives_the_same_row_counts():
    seed()
    first = row_counts()

    seed()

    assert row_counts() == first
    assert first["Organization"] == 3  # the institution and its two programs


def test_seed_demo_builds_a_family_medicine_program(family_medicine):
    people = Person.objects.for_program(family_medicine)
    residents = people.filter(kind=Person.Kind.RESIDENT)
    faculty = people.filter(kind=Person.Kind.FACULTY)

    assert family_medicine.parent.name == "Demo Health System"
    assert family_medicine.time_zone == "America/New_York"
    assert residents.count() == 24
    assert {pgy: residents.filter(pgy=pgy).count() for pgy in (1, 2, 3)} == {1: 8, 2: 8, 3: 8}
    assert faculty.count() == 12
    roles = list(faculty.values_list("faculty_role", flat=True))
    assert (roles.count("pd"), roles.count("apd"), roles.count("oic"), roles.count("sports_med")) == (1, 2, 1, 1)
    assert "core" in roles and "adjunct" in roles
    assert all(member.clinic_min_per_week <= member.clinic_max_per_week for member in faculty)
    assert faculty.filter(faculty_role="core", fmit_target_weeks=6).count() == 5
    assert 9 <= RotationTemplate.objects.for_program(family_medicine).count() <= 12
    assert SessionTime.objects.for_program(family_medicine).count() == 2


def test_seed_demo_creates_the_current_year_with_13_blocks_and_holidays(family_medicine):
    year = AcademicYear.objects.for_program(family_medicine).get(is_current=True)

    assert (year.start_date.month, year.start_date.day) == (7, 1)
    assert year.blocks.count() == 13
    assert all(block.days in (28, 29) for block in year.blocks.all())
    holidays = CalendarDay.objects.for_program(family_medicine).filter(day_type=CalendarDay.DayType.FEDERAL_HOLIDAY)
    assert holidays.count() == 11


def test_seed_demo_every_role_has_a_demo_login(family_medicine):
    for role in Role:
        user = authenticate(email=f"{role.value}@demo.example.org", password=DEMO_PASSWORD)
        assert user is not None, role
        assert Membership.objects.get(user=user, organization=family_medicine).role == role


def test_seed_demo_links_faculty_and_resident_logins_to_people(family_medicine):
    faculty = Person.objects.get(program=family_medicine, user__email="faculty@demo.example.org")
    resident = Person.objects.get(program=family_medicine, user__email="resident@demo.example.org")

    assert faculty.kind == Person.Kind.FACULTY
    assert resident.kind == Person.Kind.RESIDENT


def test_seed_demo_second_program_has_its_own_rows(family_medicine):
    internal = Organization.objects.get(slug="internal-medicine")

    assert internal.parent_id == family_medicine.parent_id
    assert Person.objects.for_program(internal).filter(kind=Person.Kind.RESIDENT).exists()
    assert Person.objects.for_program(internal).filter(kind=Person.Kind.FACULTY).exists()
    assert RotationTemplate.objects.for_program(internal).exists()
    assert Block.objects.for_program(internal).count() == 13
    assert AcademicYear.objects.for_program(internal).get(is_current=True).name == (
        AcademicYear.objects.for_program(family_medicine).get(is_current=True).name
    )
    coordinator = authenticate(email="coordinator-im@demo.example.org", password=DEMO_PASSWORD)
    assert list(coordinator.memberships.values_list("organization__slug", "role")) == [
        ("internal-medicine", Role.COORDINATOR)
    ]


def test_seed_demo_multi_program_user_coordinates_both(family_medicine):
    multi = authenticate(email="multi@demo.example.org", password=DEMO_PASSWORD)

    assert sorted(multi.memberships.values_list("organization__slug", "role")) == [
        ("family-medicine", Role.COORDINATOR),
        ("internal-medicine", Role.COORDINATOR),
    ]


def test_seed_demo_prints_the_logins_password_and_counts():
    out = seed()

    assert "admin@demo.example.org" in out
    assert "multi@demo.example.org" in out
    assert "Internal Medicine" in out
    assert f"Password: {DEMO_PASSWORD}" in out
    assert "2 programs" in out and "26 blocks" in out


def test_seed_demo_keeps_passwords_unless_asked_to_reset():
    seed("--password", "first-demo-secret-1")

    seed("--password", "second-demo-secret-2")
    assert authenticate(email="admin@demo.example.org", password="first-demo-secret-1") is not None

    seed("--password", "second-demo-secret-2", "--reset-passwords")
    assert authenticate(email="admin@demo.example.org", password="second-demo-secret-2") is not None


def test_seed_demo_refuses_a_weak_password():
    with pytest.raises(CommandError, match="too short"):
        seed("--password", "short")

    assert not User.objects.exists()


def test_seed_demo_refuses_production_without_force(settings):
    settings.DEBUG = False
    settings.TESTING = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        seed()
    assert not Organization.objects.exists()

    seed("--force")
    assert Organization.objects.filter(slug="family-medicine").exists()


def test_seed_demo_gives_family_medicine_engine_settings(family_medicine):
    settings = scheduling_settings(family_medicine)
    rotations = {r.abbreviation: r for r in RotationTemplate.objects.for_program(family_medicine)}

    assert settings.requirements.clinic_sessions_per_week == {1: 1, 2: 2, 3: 3}
    assert [(c.per_night, c.min_pgy) for c in settings.requirements.call] == [(1, 1)]
    assert (settings.requirements.fmit_min_attendings, settings.requirements.fmit_max_attendings) == (1, 2)
    assert {abbreviation for abbreviation, r in rotations.items() if r.call_eligible} >= {"FMIT", "ICU"}
    assert [abbreviation for abbreviation, r in rotations.items() if r.is_night] == ["NF"]
    assert not rotations["NF"].continuity_clinic and rotations["FMC"].continuity_clinic
    assert sum(r.continuity_clinic for r in rotations.values()) > len(rotations) / 2
    minimum = sum(r.min_residents for r in rotations.values())
    maximum = sum(r.max_residents or 24 for r in rotations.values())
    assert minimum <= 24 <= maximum  # 24 residents fit every block's staffing
    required = RotationRequirement.objects.for_program(family_medicine)
    assert set(required.values_list("pgy", flat=True)) == {1, 2, 3}
    for pgy in (1, 2, 3):
        assert sum(required.filter(pgy=pgy).values_list("min_blocks", flat=True)) <= 13
    year = AcademicYear.objects.for_program(family_medicine).get(is_current=True)
    problem = problem_for(academic_year=year)
    assert len(problem.residents) == 24 and len(problem.faculty) == 12


def test_seed_demo_keeps_engine_settings_a_coordinator_changed(family_medicine):
    nights = RotationTemplate.objects.get(program=family_medicine, abbreviation="NF")
    nights.work_days = [0, 1, 2, 3]
    nights.save()
    family_medicine.settings["scheduling"]["requirements"]["clinic_capacity"] = 3
    family_medicine.save()

    seed()

    nights.refresh_from_db()
    family_medicine.refresh_from_db()
    assert nights.work_days == [0, 1, 2, 3]
    assert scheduling_settings(family_medicine).requirements.clinic_capacity == 3


def test_seed_demo_sets_up_the_engine_of_a_program_seeded_before_it_had_settings(family_medicine):
    RotationTemplate.objects.for_program(family_medicine).update(call_eligible=False, is_night=False)
    family_medicine.settings = {}
    family_medicine.save()

    seed()

    family_medicine.refresh_from_db()
    assert scheduling_settings(family_medicine).requirements.clinic_capacity == 8
    assert RotationTemplate.objects.get(program=family_medicine, abbreviation="NF").is_night
    assert RotationTemplate.objects.get(program=family_medicine, abbreviation="FMIT").call_eligible


def test_seed_demo_gives_everyone_life_support_cards_and_some_expire_soon(family_medicine):
    people = Person.objects.for_program(family_medicine)
    acls = PersonCertification.objects.filter(program=family_medicine, type__code="ACLS")
    assert acls.count() == people.count()
    soon = expiring_soon(program=family_medicine)
    assert 0 < soon.count() < people.count() // 2
    assert {c.type.code for c in soon} == {"ACLS"}
