"""Scheduling invariants hold twice: the database refuses bad rows, and full_clean() explains why.

Database tests save with .save()/objects.create(), which skip full_clean(); each runs in its own
transaction.atomic() so the failed statement leaves the test database usable. Rows that mix two
programs are refused by the EnforceSameProgram triggers (scheduling/migrations/0003), which
surface as django.db.IntegrityError on both SQLite and PostgreSQL.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    Person,
    RotationRequirement,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
    SessionTime,
)
from tests.scheduling.factories import (
    AcademicYearFactory,
    BlockFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleRunFactory,
    ScheduleVersionFactory,
)
from tests.tenants.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

SAME_PROGRAM_TRIGGER = "must belong to the same program"
CALL_START = dt.datetime(2026, 7, 6, 21, 0, tzinfo=dt.UTC)


def validation_errors(instance) -> dict[str, list[str]]:
    """The messages full_clean() gives a user, by field."""
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


@pytest.fixture
def year(program) -> AcademicYear:
    return AcademicYearFactory(program=program, name="2026-2027")


@pytest.fixture
def block(year) -> Block:
    """Block 1: 1 to 28 July 2026."""
    return BlockFactory(academic_year=year, number=1)


@pytest.fixture
def version(year) -> ScheduleVersion:
    return ScheduleVersionFactory(academic_year=year, program=year.program, number=1)


@pytest.fixture
def resident(program) -> Person:
    return ResidentFactory(program=program, first_name="Ann", last_name="Lee", pgy=1)


@pytest.fixture
def rotation(program) -> RotationTemplate:
    return RotationTemplateFactory(program=program, name="Inpatient medicine", abbreviation="IM")


@pytest.fixture
def foreign_resident(other_program) -> Person:
    return ResidentFactory(program=other_program, pgy=1)


@pytest.fixture
def foreign_rotation(other_program) -> RotationTemplate:
    return RotationTemplateFactory(program=other_program, name="Cardiology", abbreviation="CARD")


# Academic years


def test_academic_year_ending_before_start_is_refused_by_database(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        AcademicYear.objects.create(
            program=program, name="Backwards", start_date=dt.date(2027, 6, 30), end_date=dt.date(2026, 7, 1)
        )

    assert not AcademicYear.objects.exists()


def test_academic_year_ending_before_start_is_refused_by_full_clean(program):
    year = AcademicYear(
        program=program, name="Backwards", start_date=dt.date(2027, 6, 30), end_date=dt.date(2026, 7, 1)
    )

    assert validation_errors(year) == {"end_date": ["The academic year must end after it starts."]}


def test_second_current_academic_year_in_program_is_refused_by_database(program):
    AcademicYearFactory(program=program, name="2026-2027", is_current=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        AcademicYearFactory(program=program, name="2027-2028", is_current=True)

    assert list(AcademicYear.objects.values_list("name", "is_current")) == [("2026-2027", True)]


def test_each_program_may_have_one_current_academic_year(program, other_program):
    AcademicYearFactory(program=program, name="2026-2027", is_current=True)
    AcademicYearFactory(program=program, name="2027-2028", is_current=False)
    AcademicYearFactory(program=other_program, name="2026-2027", is_current=True)

    assert AcademicYear.objects.filter(is_current=True).count() == 2


# Blocks


def test_duplicate_block_number_in_year_is_refused_by_database(block):
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(
            program=block.program,
            academic_year=block.academic_year,
            number=1,
            start_date=dt.date(2026, 7, 29),
            end_date=dt.date(2026, 8, 25),
        )

    assert list(Block.objects.values_list("number", "start_date")) == [(1, dt.date(2026, 7, 1))]


def test_duplicate_block_number_in_year_is_refused_by_full_clean(block):
    duplicate = Block(
        program=block.program,
        academic_year=block.academic_year,
        number=1,
        start_date=dt.date(2026, 7, 29),
        end_date=dt.date(2026, 8, 25),
    )

    assert validation_errors(duplicate) == {
        NON_FIELD_ERRORS: ["This academic year already has a block with this number."]
    }


def test_block_ending_before_start_is_refused_by_database(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(
            program=year.program,
            academic_year=year,
            number=2,
            start_date=dt.date(2026, 8, 25),
            end_date=dt.date(2026, 7, 29),
        )

    assert not Block.objects.exists()


def test_block_ending_before_start_is_refused_by_full_clean(year):
    backwards = Block(
        program=year.program,
        academic_year=year,
        number=2,
        start_date=dt.date(2026, 8, 25),
        end_date=dt.date(2026, 7, 29),
    )

    assert validation_errors(backwards) == {"end_date": ["A block cannot end before it starts."]}


def test_block_outside_its_academic_year_is_refused_by_full_clean(year):
    late = Block(
        program=year.program,
        academic_year=year,
        number=13,
        start_date=dt.date(2027, 6, 10),
        end_date=dt.date(2027, 7, 7),
    )

    assert validation_errors(late) == {
        NON_FIELD_ERRORS: ["Block dates must lie within 2026-2027 (2026-07-01 – 2027-06-30)."]
    }


def test_block_overlapping_another_block_is_refused_by_full_clean(block):
    overlapping = Block(
        program=block.program,
        academic_year=block.academic_year,
        number=2,
        start_date=dt.date(2026, 7, 15),
        end_date=dt.date(2026, 8, 11),
    )

    assert validation_errors(overlapping) == {NON_FIELD_ERRORS: ["This block overlaps another block of the same year."]}


def test_block_may_be_edited_without_overlapping_itself(block):
    block.end_date = dt.date(2026, 7, 27)

    block.full_clean()


def test_block_of_another_programs_year_is_refused_by_trigger(year, other_program):
    with pytest.raises(IntegrityError, match=SAME_PROGRAM_TRIGGER), transaction.atomic():
        Block.objects.create(
            program=other_program,
            academic_year=year,
            number=1,
            start_date=dt.date(2026, 7, 1),
            end_date=dt.date(2026, 7, 28),
        )

    assert not Block.objects.exists()


# Session times and calendar days


def test_session_time_ending_before_start_is_refused_by_database(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionTime.objects.create(program=program, session="AM", start_time=dt.time(12), end_time=dt.time(7))

    assert not SessionTime.objects.exists()


def test_session_time_ending_before_start_is_refused_by_full_clean(program):
    backwards = SessionTime(program=program, session="AM", start_time=dt.time(12), end_time=dt.time(7))

    assert validation_errors(backwards) == {"end_time": ["A session must end after it starts."]}


def test_second_day_type_on_a_date_is_refused_by_database(program):
    CalendarDay.objects.create(program=program, date=dt.date(2026, 7, 4), day_type=CalendarDay.DayType.FEDERAL_HOLIDAY)

    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(program=program, date=dt.date(2026, 7, 4), day_type=CalendarDay.DayType.CLOSURE)

    assert list(CalendarDay.objects.values_list("day_type", flat=True)) == [CalendarDay.DayType.FEDERAL_HOLIDAY]


def test_second_day_type_on_a_date_is_refused_by_full_clean(program):
    CalendarDay.objects.create(program=program, date=dt.date(2026, 7, 4), day_type=CalendarDay.DayType.FEDERAL_HOLIDAY)
    second = CalendarDay(program=program, date=dt.date(2026, 7, 4), day_type=CalendarDay.DayType.CLOSURE)

    assert validation_errors(second) == {NON_FIELD_ERRORS: ["This date already has a day type in this program."]}


def test_same_date_may_have_a_day_type_in_each_program(program, other_program):
    CalendarDay.objects.create(program=program, date=dt.date(2026, 7, 4), day_type=CalendarDay.DayType.FEDERAL_HOLIDAY)
    other = CalendarDay(program=other_program, date=dt.date(2026, 7, 4), day_type=CalendarDay.DayType.CLOSURE)

    other.full_clean()
    other.save()


@pytest.mark.parametrize("factor", [Decimal("1.50"), Decimal("-0.25")])
def test_capacity_factor_outside_zero_to_one_is_refused_by_database(program, factor):
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(program=program, date=dt.date(2026, 7, 4), capacity_factor=factor)

    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        (Decimal("1.50"), "Ensure this value is less than or equal to 1."),
        (Decimal("-0.25"), "Ensure this value is greater than or equal to 0."),
    ],
)
def test_capacity_factor_outside_zero_to_one_is_refused_by_full_clean(program, factor, message):
    day = CalendarDay(program=program, date=dt.date(2026, 7, 4), capacity_factor=factor)

    assert validation_errors(day) == {"capacity_factor": [message]}


# People


def test_resident_without_pgy_is_refused_by_full_clean(program):
    person = Person(program=program, kind=Person.Kind.RESIDENT, first_name="Ann", last_name="Lee")

    assert validation_errors(person) == {"pgy": ["A resident needs a PGY level (1-8)."]}


def test_resident_pgy_9_is_refused_by_database(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(program=program, kind=Person.Kind.RESIDENT, first_name="Ann", last_name="Lee", pgy=9)

    assert not Person.objects.exists()


def test_resident_pgy_9_is_refused_by_full_clean(program):
    person = Person(program=program, kind=Person.Kind.RESIDENT, first_name="Ann", last_name="Lee", pgy=9)

    assert validation_errors(person) == {"pgy": ["Ensure this value is less than or equal to 8."]}


def test_faculty_with_pgy_is_refused_by_database(program):
    faculty = FacultyFactory(program=program)

    faculty.pgy = 3
    with pytest.raises(IntegrityError), transaction.atomic():
        faculty.save()

    faculty.refresh_from_db()
    assert faculty.pgy is None


def test_faculty_with_pgy_is_refused_by_full_clean(program):
    faculty = FacultyFactory(program=program)

    faculty.pgy = 3

    assert validation_errors(faculty) == {"pgy": ["Only residents have a PGY level."]}


def test_staff_with_faculty_role_is_refused_by_database(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            program=program,
            kind=Person.Kind.STAFF,
            first_name="Sam",
            last_name="Ray",
            faculty_role=Person.FacultyRole.PD,
        )

    assert not Person.objects.exists()


def test_staff_with_faculty_role_is_refused_by_full_clean(program):
    staff = Person(
        program=program, kind=Person.Kind.STAFF, first_name="Sam", last_name="Ray", faculty_role=Person.FacultyRole.PD
    )

    assert validation_errors(staff) == {"faculty_role": ["Only faculty have a faculty role."]}


def test_resident_with_faculty_role_is_refused_by_database(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentFactory(program=program, faculty_role=Person.FacultyRole.CHIEF)

    assert not Person.objects.exists()


def test_faculty_clinic_minimum_above_maximum_is_refused_by_database(program):
    faculty = FacultyFactory(program=program, clinic_min_per_week=2, clinic_max_per_week=4)

    faculty.clinic_min_per_week = 5
    with pytest.raises(IntegrityError), transaction.atomic():
        faculty.save()

    faculty.refresh_from_db()
    assert (faculty.clinic_min_per_week, faculty.clinic_max_per_week) == (2, 4)


def test_faculty_clinic_minimum_above_maximum_is_refused_by_full_clean(program):
    faculty = FacultyFactory.build(program=program, clinic_min_per_week=5, clinic_max_per_week=4)

    assert validation_errors(faculty) == {"clinic_min_per_week": ["Weekly clinic minimum cannot exceed the maximum."]}


def test_user_linked_to_two_people_in_one_program_is_refused_by_database(program):
    user = UserFactory()
    ResidentFactory(program=program, user=user)

    with pytest.raises(IntegrityError), transaction.atomic():
        FacultyFactory(program=program, user=user)

    assert Person.objects.filter(user=user).count() == 1


def test_user_linked_to_two_people_in_one_program_is_refused_by_full_clean(program):
    user = UserFactory()
    ResidentFactory(program=program, user=user)
    second = FacultyFactory.build(program=program, user=user)

    assert validation_errors(second) == {NON_FIELD_ERRORS: ["This user is already linked to a person in this program."]}


def test_user_may_be_linked_to_a_person_in_each_program(program, other_program):
    user = UserFactory()
    ResidentFactory(program=program, user=user)
    other = FacultyFactory.build(program=other_program, user=user)

    other.full_clean()
    other.save()

    assert Person.objects.filter(user=user).count() == 2


# Rotation templates


def test_rotation_min_pgy_above_max_pgy_is_refused_by_database(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        RotationTemplateFactory(program=program, min_pgy=3, max_pgy=2)

    assert not RotationTemplate.objects.exists()


def test_rotation_min_pgy_above_max_pgy_is_refused_by_full_clean(program):
    rotation = RotationTemplateFactory.build(program=program, min_pgy=3, max_pgy=2)

    assert validation_errors(rotation) == {"max_pgy": ["The maximum PGY cannot be below the minimum."]}


def test_rotation_min_residents_above_max_residents_is_refused_by_database(rotation):
    rotation.min_residents, rotation.max_residents = 4, 2
    with pytest.raises(IntegrityError), transaction.atomic():
        rotation.save()

    rotation.refresh_from_db()
    assert (rotation.min_residents, rotation.max_residents) == (0, None)


def test_rotation_min_residents_above_max_residents_is_refused_by_full_clean(program):
    rotation = RotationTemplateFactory.build(program=program, min_residents=4, max_residents=2)

    assert validation_errors(rotation) == {"max_residents": ["The maximum residents cannot be below the minimum."]}


def test_duplicate_rotation_abbreviation_in_program_is_refused_by_database(rotation):
    with pytest.raises(IntegrityError), transaction.atomic():
        RotationTemplateFactory(program=rotation.program, name="Intensive care", abbreviation="IM")

    assert list(RotationTemplate.objects.values_list("name", flat=True)) == ["Inpatient medicine"]


def test_duplicate_rotation_abbreviation_in_program_is_refused_by_full_clean(rotation):
    duplicate = RotationTemplateFactory.build(program=rotation.program, name="Intensive care", abbreviation="IM")

    assert validation_errors(duplicate) == {
        NON_FIELD_ERRORS: ["Another rotation of this program uses this abbreviation."]
    }


def test_same_rotation_abbreviation_is_allowed_in_another_program(rotation, other_program):
    other = RotationTemplateFactory.build(program=other_program, name="Internal medicine", abbreviation="IM")

    other.full_clean()
    other.save()

    assert RotationTemplate.objects.filter(abbreviation="IM").count() == 2


def test_rotation_colour_must_be_hex_in_full_clean(program):
    rotation = RotationTemplateFactory.build(program=program, colour="#12345z")

    assert validation_errors(rotation) == {"colour": ["Use a hex colour such as #1f77b4."]}


# Schedule runs and versions


def test_schedule_run_first_block_after_last_is_refused_by_database(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleRunFactory(academic_year=year, first_block=5, last_block=3)

    assert not ScheduleRun.objects.exists()


def test_schedule_run_first_block_after_last_is_refused_by_full_clean(year):
    run = ScheduleRunFactory.build(academic_year=year, first_block=5, last_block=3)

    assert validation_errors(run) == {"last_block": ["The first block cannot come after the last block."]}


def test_second_published_version_of_a_year_is_refused_by_database(year):
    ScheduleVersionFactory(academic_year=year, number=1, status="published", published_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleVersionFactory(academic_year=year, number=2, status="published", published_at=timezone.now())

    assert list(ScheduleVersion.objects.values_list("number", flat=True)) == [1]


def test_second_published_version_of_a_year_is_refused_by_full_clean(year):
    ScheduleVersionFactory(academic_year=year, number=1, status="published", published_at=timezone.now())
    second = ScheduleVersionFactory.build(academic_year=year, number=2, status="published", published_at=timezone.now())

    assert validation_errors(second) == {NON_FIELD_ERRORS: ["An academic year has only one published schedule."]}


def test_draft_versions_may_sit_beside_the_published_one(year):
    ScheduleVersionFactory(academic_year=year, number=1, status="published", published_at=timezone.now())
    draft = ScheduleVersionFactory.build(academic_year=year, number=2)

    draft.full_clean()
    draft.save()


# Block assignments


def test_duplicate_block_assignment_is_refused_by_database(version, resident, block, rotation):
    fields = {"program": version.program, "version": version, "person": resident, "block": block}
    BlockAssignment.objects.create(**fields, rotation=rotation)
    second_rotation = RotationTemplateFactory(program=version.program)

    with pytest.raises(IntegrityError), transaction.atomic():
        BlockAssignment.objects.create(**fields, rotation=second_rotation)

    assert list(BlockAssignment.objects.values_list("rotation", flat=True)) == [rotation.pk]


def test_duplicate_block_assignment_is_refused_by_full_clean(version, resident, block, rotation):
    fields = {"program": version.program, "version": version, "person": resident, "block": block}
    BlockAssignment.objects.create(**fields, rotation=rotation)
    duplicate = BlockAssignment(**fields, rotation=RotationTemplateFactory(program=version.program))

    errors = validation_errors(duplicate)

    assert list(errors) == [NON_FIELD_ERRORS]
    assert "This person already has a rotation for (part of) this block." in errors[NON_FIELD_ERRORS]


def test_block_assignment_refuses_rotation_of_other_program(version, resident, block, foreign_rotation):
    with pytest.raises(IntegrityError, match=SAME_PROGRAM_TRIGGER), transaction.atomic():
        BlockAssignment(
            program=version.program, version=version, person=resident, block=block, rotation=foreign_rotation
        ).save()

    assert not BlockAssignment.objects.exists()


def test_block_assignment_refuses_change_to_rotation_of_other_program(
    version, resident, block, rotation, foreign_rotation
):
    assignment = BlockAssignment.objects.create(
        program=version.program, version=version, person=resident, block=block, rotation=rotation
    )

    assignment.rotation = foreign_rotation
    with pytest.raises(IntegrityError, match=SAME_PROGRAM_TRIGGER), transaction.atomic():
        assignment.save()

    assignment.refresh_from_db()
    assert assignment.rotation == rotation


def test_block_assignment_refuses_rotation_of_other_program_in_full_clean(version, resident, block, foreign_rotation):
    assignment = BlockAssignment(
        program=version.program, version=version, person=resident, block=block, rotation=foreign_rotation
    )

    assert validation_errors(assignment) == {"rotation": ["This rotation belongs to another program."]}


def test_block_assignment_refuses_resident_of_other_program(version, foreign_resident, block, rotation):
    with pytest.raises(IntegrityError, match=SAME_PROGRAM_TRIGGER), transaction.atomic():
        BlockAssignment.objects.create(
            program=version.program, version=version, person=foreign_resident, block=block, rotation=rotation
        )

    assert not BlockAssignment.objects.exists()


def test_block_assignment_refuses_faculty_in_full_clean(version, block, rotation):
    faculty = FacultyFactory(program=version.program)
    assignment = BlockAssignment(
        program=version.program, version=version, person=faculty, block=block, rotation=rotation
    )

    assert validation_errors(assignment) == {"person": ["Block rotations are for residents."]}


def test_block_assignment_refuses_pgy_below_rotation_minimum_in_full_clean(version, resident, block, rotation):
    rotation.min_pgy = 2
    rotation.save()
    assignment = BlockAssignment(
        program=version.program, version=version, person=resident, block=block, rotation=rotation
    )

    assert validation_errors(assignment) == {"rotation": ["Inpatient medicine takes PGY 2-8; Ann Lee is PGY-1."]}


def test_block_assignment_refuses_half_block_of_whole_block_rotation_in_full_clean(version, resident, block, rotation):
    assignment = BlockAssignment(
        program=version.program,
        version=version,
        person=resident,
        block=block,
        rotation=rotation,
        half=BlockAssignment.Half.FIRST,
    )

    assert validation_errors(assignment) == {"half": ["Inpatient medicine cannot be assigned for half a block."]}


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        (BlockAssignment.Half.WHOLE, BlockAssignment.Half.FIRST),
        (BlockAssignment.Half.SECOND, BlockAssignment.Half.WHOLE),
    ],
)
def test_block_assignment_refuses_whole_and_half_block_overlap_in_full_clean(version, resident, block, existing, new):
    rotation = RotationTemplateFactory(program=version.program, allows_half_block=True)
    fields = {"program": version.program, "version": version, "person": resident, "block": block, "rotation": rotation}
    BlockAssignment.objects.create(**fields, half=existing)
    overlapping = BlockAssignment(**fields, half=new)

    assert validation_errors(overlapping) == {
        NON_FIELD_ERRORS: ["This person already has a rotation for (part of) this block."]
    }


def test_block_assignment_allows_two_halves_of_a_block(version, resident, block):
    rotation = RotationTemplateFactory(program=version.program, allows_half_block=True)
    fields = {"program": version.program, "version": version, "person": resident, "block": block, "rotation": rotation}
    BlockAssignment.objects.create(**fields, half=BlockAssignment.Half.FIRST)
    second_half = BlockAssignment(**fields, half=BlockAssignment.Half.SECOND)

    second_half.full_clean()
    second_half.save()


# Session assignments


def test_two_activities_in_one_session_are_refused_by_database(version, resident):
    fields = {"program": version.program, "version": version, "person": resident, "date": dt.date(2026, 7, 6)}
    SessionAssignment.objects.create(**fields, session="AM", activity=SessionAssignment.Activity.CLINIC)

    with pytest.raises(IntegrityError), transaction.atomic():
        SessionAssignment.objects.create(**fields, session="AM", activity=SessionAssignment.Activity.CONFERENCE)

    assert list(SessionAssignment.objects.values_list("activity", flat=True)) == [SessionAssignment.Activity.CLINIC]


def test_two_activities_in_one_session_are_refused_by_full_clean(version, resident):
    fields = {"program": version.program, "version": version, "person": resident, "date": dt.date(2026, 7, 6)}
    SessionAssignment.objects.create(**fields, session="AM", activity=SessionAssignment.Activity.CLINIC)
    second = SessionAssignment(**fields, session="AM", activity=SessionAssignment.Activity.CONFERENCE)

    assert validation_errors(second) == {NON_FIELD_ERRORS: ["This person already has an activity in this session."]}


def test_morning_and_afternoon_activities_on_one_date_are_allowed(version, resident):
    fields = {"program": version.program, "version": version, "person": resident, "date": dt.date(2026, 7, 6)}
    SessionAssignment.objects.create(**fields, session="AM", activity=SessionAssignment.Activity.CLINIC)
    afternoon = SessionAssignment(**fields, session="PM", activity=SessionAssignment.Activity.CONFERENCE)

    afternoon.full_clean()
    afternoon.save()


def test_session_assignment_refuses_person_of_other_program(version, foreign_resident):
    with pytest.raises(IntegrityError, match=SAME_PROGRAM_TRIGGER), transaction.atomic():
        SessionAssignment.objects.create(
            program=version.program,
            version=version,
            person=foreign_resident,
            date=dt.date(2026, 7, 6),
            session="AM",
            activity=SessionAssignment.Activity.CLINIC,
        )

    assert not SessionAssignment.objects.exists()


def test_session_assignment_refuses_person_of_other_program_in_full_clean(version, foreign_resident):
    assignment = SessionAssignment(
        program=version.program,
        version=version,
        person=foreign_resident,
        date=dt.date(2026, 7, 6),
        session="AM",
        activity=SessionAssignment.Activity.CLINIC,
    )

    assert validation_errors(assignment) == {"person": ["This person belongs to another program."]}


# Call assignments


def call(version, person, *, hours: float = 15, kind: str = CallAssignment.Kind.IN_HOUSE, **fields) -> CallAssignment:
    """An unsaved call starting at CALL_START and lasting `hours`."""
    return CallAssignment(
        program=version.program,
        version=version,
        person=person,
        kind=kind,
        start=CALL_START,
        end=CALL_START + dt.timedelta(hours=hours),
        **fields,
    )


@pytest.mark.parametrize("hours", [0, -1])
def test_call_ending_at_or_before_start_is_refused_by_database(version, resident, hours):
    with pytest.raises(IntegrityError), transaction.atomic():
        call(version, resident, hours=hours).save()

    assert not CallAssignment.objects.exists()


@pytest.mark.parametrize("hours", [0, -1])
def test_call_ending_at_or_before_start_is_refused_by_full_clean(version, resident, hours):
    assert validation_errors(call(version, resident, hours=hours)) == {"end": ["A call must end after it starts."]}


def test_call_longer_than_28_hours_is_refused_by_full_clean(version, resident):
    assert validation_errors(call(version, resident, hours=28.5)) == {
        "end": ["A call lasts at most 28 hours (24 + 4 h transition)."]
    }


def test_call_of_exactly_28_hours_is_allowed(version, resident):
    call(version, resident, hours=28).full_clean()


def test_call_assignment_refuses_person_of_other_program(version, foreign_resident):
    with pytest.raises(IntegrityError, match=SAME_PROGRAM_TRIGGER), transaction.atomic():
        call(version, foreign_resident).save()

    assert not CallAssignment.objects.exists()


def test_call_assignment_refuses_person_of_other_program_in_full_clean(version, foreign_resident):
    assert validation_errors(call(version, foreign_resident)) == {"person": ["This person belongs to another program."]}


def test_call_negative_worked_hours_are_refused_by_database(version, resident):
    home_call = call(version, resident, kind=CallAssignment.Kind.HOME, worked_hours=Decimal("2.5"))
    home_call.save()

    home_call.worked_hours = Decimal("-1.0")
    with pytest.raises(IntegrityError), transaction.atomic():
        home_call.save()

    home_call.refresh_from_db()
    assert home_call.worked_hours == Decimal("2.5")


def test_resident_without_pgy_is_refused_by_database(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(program=program, kind=Person.Kind.RESIDENT, first_name="Ann", last_name="Lee")

    assert not Person.objects.exists()


def test_second_current_academic_year_in_program_is_refused_by_full_clean(program):
    AcademicYearFactory(program=program, name="2026-2027", is_current=True)
    second = AcademicYearFactory.build(program=program, name="2027-2028", is_current=True)

    assert validation_errors(second) == {NON_FIELD_ERRORS: ["This program already has a current academic year."]}


def test_call_negative_worked_hours_are_refused_by_full_clean(version, resident):
    home_call = call(version, resident, kind=CallAssignment.Kind.HOME, worked_hours=Decimal("-1.0"))

    assert validation_errors(home_call)["worked_hours"] == ["Ensure this value is greater than or equal to 0."]


def test_block_of_another_programs_year_is_refused_by_full_clean(year, other_program):
    block = Block(
        program=other_program,
        academic_year=year,
        number=1,
        start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 7, 28),
    )

    assert validation_errors(block) == {"academic_year": ["This academic year belongs to another program."]}


@pytest.mark.parametrize("factory", [ResidentFactory, RotationTemplateFactory, AcademicYearFactory])
def test_row_cannot_move_to_another_program(factory, program, other_program):
    row = factory(program=program)
    row.program = other_program

    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()

    row.refresh_from_db()
    assert row.program == program


# Engine fields of rotations and required rotations (migration 0005)


def test_rotation_works_monday_to_friday_by_default(program):
    rotation = RotationTemplate.objects.create(program=program, name="Wards", abbreviation="W", kind="inpatient")

    rotation.refresh_from_db()
    assert (rotation.work_days, rotation.is_night, rotation.continuity_clinic, rotation.call_eligible) == (
        [0, 1, 2, 3, 4],
        False,
        True,
        False,
    )
    assert rotation.work_days_display == "Mon, Tue, Wed, Thu, Fri"


@pytest.mark.parametrize(
    ("work_days", "message"),
    [
        ("Mon-Fri", "Work days must be a list of weekdays from 0 (Monday) to 6 (Sunday), e.g. [0, 1, 2, 3, 4]."),
        ([0, "1"], "Work days must be a list of weekdays from 0 (Monday) to 6 (Sunday), e.g. [0, 1, 2, 3, 4]."),
        ([0, True], "Work days must be a list of weekdays from 0 (Monday) to 6 (Sunday), e.g. [0, 1, 2, 3, 4]."),
        ([0, 7], "Work days are weekdays from 0 (Monday) to 6 (Sunday)."),
        ([1, 1], "A weekday appears twice in the work days."),
    ],
)
def test_rotation_work_days_must_be_distinct_weekdays_in_full_clean(rotation, work_days, message):
    rotation.work_days = work_days

    assert validation_errors(rotation)["work_days"] == [message]


def test_rotation_with_no_work_days_is_allowed(rotation):
    rotation.work_days = []
    rotation.full_clean()


def requirement(rotation, **fields) -> RotationRequirement:
    return RotationRequirement(program=rotation.program, rotation=rotation, **{"pgy": 1, "min_blocks": 1, **fields})


def test_rotation_requirement_minimum_above_maximum_is_refused_by_database(rotation):
    with pytest.raises(IntegrityError), transaction.atomic():
        requirement(rotation, min_blocks=3, max_blocks=2).save()

    assert not RotationRequirement.objects.exists()


def test_rotation_requirement_minimum_above_maximum_is_refused_by_full_clean(rotation):
    assert validation_errors(requirement(rotation, min_blocks=3, max_blocks=2)) == {
        "max_blocks": ["The maximum blocks cannot be below the minimum."]
    }


def test_second_requirement_for_a_pgy_and_rotation_is_refused(rotation):
    requirement(rotation).save()

    with pytest.raises(IntegrityError), transaction.atomic():
        requirement(rotation, min_blocks=2).save()
    assert validation_errors(requirement(rotation, min_blocks=2)) == {
        NON_FIELD_ERRORS: ["This PGY level already has a requirement for this rotation."]
    }


def test_rotation_requirement_pgy_9_is_refused_by_database(rotation):
    with pytest.raises(IntegrityError), transaction.atomic():
        requirement(rotation, pgy=9).save()

    assert not RotationRequirement.objects.exists()


def test_rotation_requirement_outside_the_rotations_pgy_range_is_refused_by_full_clean(program):
    senior = RotationTemplateFactory(program=program, name="Electives", min_pgy=2, max_pgy=3)

    assert validation_errors(requirement(senior, pgy=1)) == {"pgy": ["Electives takes PGY 2-3, not PGY-1."]}


def test_rotation_requirement_refuses_rotation_of_other_program(program, foreign_rotation):
    with pytest.raises(IntegrityError, match=SAME_PROGRAM_TRIGGER), transaction.atomic():
        RotationRequirement.objects.create(program=program, rotation=foreign_rotation, pgy=1)

    assert validation_errors(RotationRequirement(program=program, rotation=foreign_rotation, pgy=1)) == {
        "rotation": ["This rotation belongs to another program."]
    }


def test_rotation_requirement_cannot_move_to_another_program(rotation, other_program):
    row = requirement(rotation)
    row.save()
    row.program = other_program

    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_tenancy_triggers_survive_the_engine_fields_migration():
    """SQLite rebuilt the rotation table to add its columns; 0005 re-installs the triggers it had to drop."""
    expected = {
        "scheduling_rotationtemplate_program_frozen",
        "scheduling_blockassignment_same_program",
        "scheduling_sessionassignment_same_program",
        "scheduling_rotationrequirement_same_program",
        "scheduling_rotationrequirement_program_frozen",
    }
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {name.removesuffix("_insert").removesuffix("_update") for (name,) in cursor.fetchall()}
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            names = {name for (name,) in cursor.fetchall()}

    assert expected <= names


def test_block_assignment_of_a_rebuilt_rotation_table_still_refuses_other_programs(version, resident, block, program):
    """The trigger on blockassignment reads the rotation table SQLite rebuilt in 0005."""
    foreign = RotationTemplateFactory(program=ProgramFactory(), name="Elsewhere")

    with pytest.raises(IntegrityError, match=SAME_PROGRAM_TRIGGER), transaction.atomic():
        BlockAssignment.objects.create(program=program, version=version, person=resident, block=block, rotation=foreign)
