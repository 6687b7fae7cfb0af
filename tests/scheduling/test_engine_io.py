"""engine_io: the program's rows and settings become the engine's Problem; a Solution becomes a draft version."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling import engine_io
from scheduling.engine.problem import (
    Block,
    CallCoverage,
    Didactics,
    Faculty,
    Lock,
    RequiredRotation,
    Resident,
    SessionClock,
    Staffing,
    problem_from_json,
    problem_to_json,
)
from scheduling.engine.solution import (
    CallAssignment as EngineCall,
)
from scheduling.engine.solution import (
    FmitWeek,
    RotationAssignment,
    Solution,
    Statistics,
)
from scheduling.engine.solution import (
    SessionAssignment as EngineSession,
)
from scheduling.engine_io import person_key, problem_for, rotation_key, solution_write
from scheduling.models import (
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    Person,
    RotationRequirement,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
    SessionTime,
)
from scheduling.program_settings import (
    CallSettings,
    SchedulingSettings,
    SettingsError,
    scheduling_settings,
    settings_from_json,
    settings_to_json,
)
from scheduling.services import (
    academic_year_create,
    calendar_holidays_load,
    fmit_year_config_update,
    scheduling_settings_update,
)
from tenants.errors import DomainError
from tenants.models import Role
from tests.scheduling.factories import (
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleRunFactory,
    ScheduleVersionFactory,
)

pytestmark = pytest.mark.django_db

JULY_1 = dt.date(2026, 7, 1)
ZONE = zoneinfo.ZoneInfo("America/New_York")
SETTINGS = {
    "requirements": {
        "clinic_sessions_per_week": {"1": 1, "2": 2},
        "clinic_capacity": 5,
        "call": [{"kind": "in_house", "per_night": 1, "min_pgy": 2}],
    },
    "rules": {"call_start": "18:00", "max_consecutive_calls": 1},
    "acgme": {"weekly_hours": 88},
    "weights": {"change": 7},
}
FMIT = {"week_start_day": 0, "min_attendings": 0, "max_attendings": 1, "max_consecutive_weeks": 2, "min_gap_weeks": 3}


@pytest.fixture
def year(program):
    return academic_year_create(program=program, start_date=JULY_1)


@pytest.fixture
def rows(program, year, coordinator):
    """A small program: residents of PGY 1-2, two faculty, three rotations, settings and a requirement."""
    people = {
        "ann": ResidentFactory(program=program, first_name="Ann", last_name="Ames", pgy=1),
        "bob": ResidentFactory(program=program, first_name="Bob", last_name="Baker", pgy=2),
        "gone": ResidentFactory(program=program, first_name="Gone", last_name="Away", pgy=2, is_active=False),
        "fay": FacultyFactory(program=program, first_name="Fay", last_name="Ford", fmit_target_weeks=5),
        "gus": FacultyFactory(
            program=program, first_name="Gus", last_name="Gray", fmit_target_weeks=None, clinic_max_per_week=None
        ),
        "sam": Person.objects.create(program=program, kind=Person.Kind.STAFF, first_name="Sam", last_name="Staff"),
    }
    rotations = {
        "wards": RotationTemplateFactory(
            program=program, name="Wards", abbreviation="W", min_residents=1, max_residents=2, call_eligible=True
        ),
        "nights": RotationTemplateFactory(
            program=program,
            name="Nights",
            abbreviation="NF",
            kind=RotationTemplate.Kind.NIGHT_FLOAT,
            is_night=True,
            continuity_clinic=False,
            work_days=[0, 1, 2, 3, 4, 5, 6],
            max_pgy=2,
            leave_allowed=False,
        ),
        "clinic": RotationTemplateFactory(
            program=program, name="Clinic", abbreviation="C", kind=RotationTemplate.Kind.OUTPATIENT_CLINIC
        ),
        "old": RotationTemplateFactory(program=program, name="Old", abbreviation="OLD", is_active=False),
    }
    RotationRequirement.objects.create(program=program, pgy=1, rotation=rotations["wards"], min_blocks=2, max_blocks=4)
    RotationRequirement.objects.create(program=program, pgy=2, rotation=rotations["nights"], min_blocks=12)
    SessionTime.objects.create(program=program, session="AM", start_time=dt.time(8), end_time=dt.time(12, 30))
    calendar_holidays_load(academic_year=year)
    scheduling_settings_update(program=program, user=coordinator, settings=SETTINGS)
    fmit_year_config_update(academic_year=year, user=coordinator, values=FMIT)
    program.refresh_from_db()
    return {**people, **rotations}


@pytest.fixture
def theirs(other_program):
    """Another program's people and rotation, which must never reach this program's problem."""
    academic_year_create(program=other_program, start_date=JULY_1)
    return [
        ResidentFactory(program=other_program, pgy=1),
        FacultyFactory(program=other_program),
        RotationTemplateFactory(program=other_program, name="Their wards", abbreviation="TW"),
    ]


# Problem


def test_problem_for_maps_people_rotations_calendar_and_settings(year, rows):
    problem = problem_for(academic_year=year)

    assert problem.residents == (
        Resident(id=person_key(rows["ann"].pk), name="Ann Ames", pgy=1),
        Resident(id=person_key(rows["bob"].pk), name="Bob Baker", pgy=2),
    )
    assert problem.faculty == (
        Faculty(
            id=person_key(rows["fay"].pk),
            name="Fay Ford",
            role="core",
            clinic_min_per_week=2,
            clinic_max_per_week=4,
            fmit_target_weeks=5,
            fmit_eligible=True,
        ),
        Faculty(
            id=person_key(rows["gus"].pk),
            name="Gus Gray",
            role="core",
            clinic_min_per_week=2,
            clinic_max_per_week=4,
            fmit_target_weeks=0,
            fmit_eligible=False,
        ),
    )
    rotations = {rotation.abbreviation: rotation for rotation in problem.rotations}
    assert set(rotations) == {"W", "NF", "C"}
    nights = rotations["NF"]
    assert (nights.id, nights.kind, nights.night, nights.work_days) == (
        rotation_key(rows["nights"].pk),
        "night_float",
        True,
        (0, 1, 2, 3, 4, 5, 6),
    )
    assert (nights.continuity_clinic, nights.leave_allowed, nights.max_pgy) == (False, False, 2)
    assert rotations["W"].call_eligible and rotations["W"].work_days == (0, 1, 2, 3, 4)
    assert problem.requirements.staffing == (
        Staffing(rotation=rotation_key(rows["wards"].pk), min_residents=1, max_residents=2),
    )
    assert problem.requirements.required_rotations == (
        RequiredRotation(pgy=1, rotation=rotation_key(rows["wards"].pk), min_blocks=2, max_blocks=4),
        RequiredRotation(pgy=2, rotation=rotation_key(rows["nights"].pk), min_blocks=12, max_blocks=None),
    )
    assert problem.requirements.clinic_sessions_per_week == {1: 1, 2: 2}
    assert problem.requirements.clinic_capacity == 5
    assert problem.requirements.call == (CallCoverage(kind="in_house", per_night=1, min_pgy=2),)
    assert (problem.requirements.fmit_min_attendings, problem.requirements.fmit_max_attendings) == (0, 1)
    assert (problem.rules.fmit_max_consecutive_weeks, problem.rules.fmit_min_gap_weeks) == (2, 3)
    assert problem.rules.call_start == dt.time(18) and problem.rules.max_consecutive_calls == 1
    assert problem.acgme == {"weekly_hours": 88}
    assert problem.weights.change == 7
    assert problem.reference is None and problem.locks == ()


def test_problem_for_takes_the_calendar_from_the_year_and_program(year, rows):
    problem = problem_for(academic_year=year)

    calendar = problem.calendar
    assert calendar.timezone == "America/New_York"
    assert [block.number for block in calendar.blocks] == list(range(1, 14))
    assert (calendar.start, calendar.end) == (JULY_1, dt.date(2027, 6, 30))
    assert calendar.sessions == SessionClock(am_start=dt.time(8), am_end=dt.time(12, 30))
    assert calendar.fmit_week_start == 0
    holidays = {day.date: day for day in calendar.days}
    assert len(holidays) == 11
    assert holidays[dt.date(2026, 7, 3)].day_type == "federal_holiday"
    assert holidays[dt.date(2026, 7, 3)].capacity_factor == 0


def test_problem_for_a_block_range_requires_only_what_the_other_blocks_cannot_cover(year, rows):
    problem = problem_for(academic_year=year, blocks=range(2, 4))

    assert problem.calendar.blocks == (
        Block(2, dt.date(2026, 7, 29), dt.date(2026, 8, 25)),
        Block(3, dt.date(2026, 8, 26), dt.date(2026, 9, 22)),
    )
    # PGY-1 wards 2-4 a year: 11 blocks outside the range can hold both, so only the maximum stays;
    # PGY-2 nights 12 a year: one of them must fall in these two blocks.
    assert problem.requirements.required_rotations == (
        RequiredRotation(pgy=1, rotation=rotation_key(rows["wards"].pk), min_blocks=0, max_blocks=4),
        RequiredRotation(pgy=2, rotation=rotation_key(rows["nights"].pk), min_blocks=1, max_blocks=None),
    )
    assert all(dt.date(2026, 7, 29) <= day.date <= dt.date(2026, 9, 22) for day in problem.calendar.days)
    assert [day.name for day in problem.calendar.days] == ["Labor Day"]


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        (range(12, 15), r"^2026-2027 has blocks 1-13; block 14 is not one of them\.$"),
        (range(0, 2), r"^2026-2027 has blocks 1-13; block 0 is not one of them\.$"),
        (range(5, 5), r"^No blocks of 2026-2027 were chosen to schedule\.$"),
    ],
)
def test_problem_for_refuses_blocks_the_year_does_not_have(year, rows, blocks, message):
    with pytest.raises(DomainError, match=message):
        problem_for(academic_year=year, blocks=blocks)


def test_problem_for_never_includes_another_programs_rows(year, rows, theirs):
    problem = problem_for(academic_year=year)

    ids = {p.id for p in problem.residents} | {f.id for f in problem.faculty} | {r.id for r in problem.rotations}
    assert person_key(theirs[0].pk) not in ids
    assert person_key(theirs[1].pk) not in ids
    assert rotation_key(theirs[2].pk) not in ids
    assert {p.id for p in problem.residents} == {person_key(rows["ann"].pk), person_key(rows["bob"].pk)}


def test_problem_for_round_trips_through_problem_json(year, rows):
    problem = problem_for(academic_year=year)

    assert problem_from_json(problem_to_json(problem)) == problem


def test_problem_for_refuses_invalid_stored_settings_naming_the_setting(program, year, rows):
    program.settings = {"scheduling": {"requirements": {"clinic_capacity": -1}}}
    program.save()

    with pytest.raises(SettingsError, match=r"scheduling\.requirements\.clinic_capacity: must be a whole number"):
        problem_for(academic_year=year)


def test_problem_for_refuses_data_the_engine_rejects_with_the_field_named(program, year, rows):
    SessionTime.objects.create(program=program, session="PM", start_time=dt.time(12), end_time=dt.time(17))

    with pytest.raises(DomainError, match=r"calendar\.sessions: times must run am_start < am_end <= pm_start"):
        problem_for(academic_year=year)


def test_problem_for_reference_version_gives_reference_and_manual_locks(program, year, rows):
    version = ScheduleVersionFactory(academic_year=year, number=1, status=ScheduleVersion.Status.DRAFT)
    block1, block2 = year.blocks.get(number=1), year.blocks.get(number=2)
    ann, bob, fay = rows["ann"], rows["bob"], rows["fay"]

    def assign(model, **fields):
        return model.objects.create(program=program, version=version, **fields)

    assign(BlockAssignment, person=ann, block=block1, rotation=rows["wards"], source="manual")
    assign(BlockAssignment, person=bob, block=block1, rotation=rows["nights"], source="solver")
    assign(BlockAssignment, person=ann, block=block2, rotation=rows["old"], source="manual")  # inactive: left out
    night = dt.datetime(2026, 7, 7, 17, tzinfo=ZONE)
    assign(CallAssignment, person=bob, kind="in_house", start=night, end=night + dt.timedelta(hours=15))
    assign(SessionAssignment, person=ann, date=dt.date(2026, 7, 8), session="PM", activity="clinic", source="solver")
    # A day of work on a clinic rotation is not a continuity clinic half-day.
    assign(
        SessionAssignment,
        person=bob,
        date=dt.date(2026, 7, 8),
        session="PM",
        activity="clinic",
        rotation=rows["clinic"],
    )
    assign(SessionAssignment, person=fay, date=dt.date(2026, 7, 8), session="AM", activity="clinic", source="manual")
    for day in (dt.date(2026, 7, 13), dt.date(2026, 7, 14)):  # a Monday-start FMIT week
        assign(SessionAssignment, person=fay, date=day, session="AM", activity="fmit", source="manual")

    problem = problem_for(academic_year=year, reference_version=version)

    ann_id, bob_id, fay_id = person_key(ann.pk), person_key(bob.pk), person_key(fay.pk)
    reference = problem.reference
    assert reference.rotations == {
        (ann_id, 1): rotation_key(rows["wards"].pk),
        (bob_id, 1): rotation_key(rows["nights"].pk),
    }
    assert reference.calls == frozenset({(bob_id, dt.date(2026, 7, 7))})
    assert reference.clinic == frozenset({(ann_id, dt.date(2026, 7, 8), "PM"), (fay_id, dt.date(2026, 7, 8), "AM")})
    assert reference.fmit_weeks == frozenset({(fay_id, dt.date(2026, 7, 13))})
    assert set(problem.locks) == {
        Lock(kind="rotation", person=ann_id, block=1, rotation=rotation_key(rows["wards"].pk)),
        Lock(kind="call", person=bob_id, date=dt.date(2026, 7, 7)),
        Lock(kind="clinic", person=fay_id, date=dt.date(2026, 7, 8), session="AM"),
        Lock(kind="fmit", person=fay_id, date=dt.date(2026, 7, 13)),
    }


def test_problem_for_query_count_does_not_grow_with_people_and_rotations(program, year, rows):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            problem_for(academic_year=year)
        return len(context.captured_queries)

    few = queries()
    for n in range(5):
        ResidentFactory(program=program, pgy=2)
        FacultyFactory(program=program)
        rotation = RotationTemplateFactory(program=program, min_residents=0, max_residents=3)
        RotationRequirement.objects.create(program=program, pgy=2, rotation=rotation, min_blocks=n % 2)
    assert queries() == few <= 11  # the year's FMIT rules are one of them


# Settings


def test_settings_defaults_round_trip_and_equal_the_engine_defaults():
    settings = settings_from_json(None)

    assert settings == SchedulingSettings()
    assert settings_from_json(settings_to_json(settings)) == settings


def test_settings_round_trip_keeps_every_value():
    settings = settings_from_json(SETTINGS)

    assert settings.requirements.call == (CallSettings(per_night=1, min_pgy=2),)
    assert settings.rules.call_start == dt.time(18)
    assert settings_from_json(settings_to_json(settings)) == settings


def test_settings_didactics_half_day_reaches_the_engine_and_none_is_the_default(program, year):
    assert settings_from_json(None).requirements.didactics is None
    RotationTemplateFactory(program=program)
    document = {"requirements": {"didactics": {"weekday": 2}}}  # Wednesday, the PM session by default
    program.settings = {"scheduling": settings_to_json(settings_from_json(document))}
    program.save()

    assert problem_for(academic_year=year).requirements.didactics == Didactics(weekday=2, session="PM")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], r"^Scheduling setting scheduling: must be an object"),
        (
            {"colour": "red"},
            r"scheduling\.colour: unknown setting \(known: acgme, faculty_clinic_max_per_week, requirements",
        ),
        ({"requirements": {"clinic_capacity": "6"}}, r"requirements\.clinic_capacity: must be a whole number"),
        ({"requirements": {"clinic_sessions_per_week": {"9": 1}}}, r"clinic_sessions_per_week\.9: unknown setting"),
        ({"requirements": {"clinic_sessions_per_week": {"1": 11}}}, r"clinic_sessions_per_week\.1: must be a whole"),
        ({"requirements": {"call": {"per_night": 1}}}, r"requirements\.call: must be a list"),
        ({"requirements": {"call": [{"kind": "home"}]}}, r"call\[0\]\.kind: must be one of in_house"),
        ({"requirements": {"fmit_min_attendings": 1}}, r"requirements\.fmit_min_attendings: FMIT rules are kept per"),
        ({"rules": {"fmit_min_gap_weeks": 1}}, r"rules\.fmit_min_gap_weeks: FMIT rules are kept per academic year"),
        ({"rules": {"post_call_day_off": "yes"}}, r"rules\.post_call_day_off: must be true or false"),
        ({"rules": {"call_end": "8am"}}, r"rules\.call_end: must be a clock time HH:MM"),
        (
            {"rules": {"supervision_units_per_faculty": 0}},
            r"supervision_units_per_faculty: must be a whole number from 1",
        ),
        ({"acgme": {"weekly_hours": "80"}}, r"acgme\.weekly_hours: must be a number"),
        ({"acgme": {"window_days": 27.5}}, r"acgme\.window_days: must be a whole number"),
        ({"acgme": {"naps": 2}}, r"acgme\.naps: unknown setting"),
        ({"weights": {"change": -1}}, r"weights\.change: must be a whole number from 0 to 1000000"),
        ({"fmit_week_start": 4}, r"scheduling\.fmit_week_start: FMIT rules are kept per academic year"),
        ({"requirements": {"didactics": {"weekday": 7}}}, r"didactics\.weekday: must be a whole number from 0 to 6"),
        ({"requirements": {"didactics": {"session": "noon"}}}, r"didactics\.session: must be AM or PM"),
        ({"requirements": {"didactics": {"day": 2}}}, r"didactics\.day: unknown setting"),
    ],
)
def test_settings_refuse_bad_values_naming_the_setting(document, message):
    with pytest.raises(SettingsError, match=message):
        settings_from_json(document)


def test_scheduling_settings_update_stores_the_complete_document_and_keeps_other_keys(program, coordinator):
    program.settings = {"theme": "dark"}
    program.save()

    scheduling_settings_update(program=program, user=coordinator, settings={"requirements": {"clinic_capacity": 9}})

    program.refresh_from_db()
    assert program.settings["theme"] == "dark"
    assert program.settings["scheduling"]["requirements"]["clinic_capacity"] == 9
    assert program.settings["scheduling"]["weights"]["change"] == 50
    assert scheduling_settings(program).requirements.clinic_capacity == 9


def test_scheduling_settings_update_refuses_bad_settings_and_stores_nothing(program, coordinator):
    with pytest.raises(SettingsError, match="clinic_capacity"):
        scheduling_settings_update(
            program=program, user=coordinator, settings={"requirements": {"clinic_capacity": 999}}
        )

    program.refresh_from_db()
    assert "scheduling" not in program.settings


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.RN])
def test_scheduling_settings_update_is_for_admins_and_coordinators(program, member, role):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        scheduling_settings_update(program=program, user=member(role), settings={})


# Solution -> rows


@pytest.fixture
def run(year, rows, coordinator):
    return ScheduleRunFactory(academic_year=year, status="running", created_by=coordinator)


def night(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(17), ZONE)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(8), ZONE)


def a_solution(rows, *, call_person: str | None = None, activity: str = "clinic") -> Solution:
    """Two residents over blocks 1-2, a few sessions and calls, and one FMIT week (Friday to Thursday)."""
    ann, bob, fay = (person_key(rows[name].pk) for name in ("ann", "bob", "fay"))
    wards, nights = rotation_key(rows["wards"].pk), rotation_key(rows["nights"].pk)
    return Solution(
        statistics=Statistics(status="feasible", objective=12, best_bound=10, gap=2 / 12, solutions_found=3),
        rotations=(
            RotationAssignment(ann, 1, wards),
            RotationAssignment(ann, 2, wards),
            RotationAssignment(bob, 1, nights),
            RotationAssignment(bob, 2, wards),
        ),
        sessions=(
            EngineSession(ann, dt.date(2026, 7, 6), "AM", "inpatient", wards),
            EngineSession(ann, dt.date(2026, 7, 6), "PM", activity, wards),  # continuity clinic: stored rotation-less
            EngineSession(bob, dt.date(2026, 7, 6), "PM", "outpatient_clinic", nights),
            EngineSession(bob, dt.date(2026, 7, 6), "AM", "post_call", nights),
            EngineSession(fay, dt.date(2026, 7, 6), "PM", "supervising", None),
            EngineSession(fay, dt.date(2026, 7, 10), "AM", "fmit", None),  # also inside the FMIT week
        ),
        calls=(EngineCall(call_person or ann, "in_house", *night(dt.date(2026, 7, 7))),),
        fmit_weeks=(FmitWeek(fay, dt.date(2026, 7, 10), dt.date(2026, 7, 16)),),
    )


def test_solution_write_writes_exactly_the_solutions_rows_as_a_solver_draft(year, rows, run):
    version = solution_write(run=run, solution=a_solution(rows))

    assert (version.status, version.number, version.run, version.academic_year) == ("draft", 1, run, year)
    blocks = BlockAssignment.objects.filter(version=version)
    assert sorted((b.person.first_name, b.block.number, b.rotation.abbreviation) for b in blocks) == [
        ("Ann", 1, "W"),
        ("Ann", 2, "W"),
        ("Bob", 1, "NF"),
        ("Bob", 2, "W"),
    ]
    sessions = SessionAssignment.objects.filter(version=version)
    fmit = sessions.filter(activity="fmit", person=rows["fay"])
    assert fmit.count() == 14  # 7 days x AM and PM, the engine's own fmit session included once
    assert {(s.person.first_name, s.session, s.activity, s.rotation) for s in sessions.exclude(activity="fmit")} == {
        ("Ann", "AM", "inpatient", rows["wards"]),
        ("Ann", "PM", "clinic", None),
        ("Bob", "AM", "post_call", rows["nights"]),
        ("Bob", "PM", "clinic", rows["nights"]),
        ("Fay", "PM", "supervising", None),
    }
    call = CallAssignment.objects.get(version=version)
    assert (call.person, call.kind, call.start, call.end) == (rows["ann"], "in_house", *night(dt.date(2026, 7, 7)))
    for model in (BlockAssignment, SessionAssignment, CallAssignment):
        assert set(model.objects.filter(version=version).values_list("source", "program", flat=False)) == {
            ("solver", year.program_id)
        }
        history = model.history.filter(version_id=version.pk)
        assert history.count() == model.objects.filter(version=version).count()
        assert set(history.values_list("history_type", "history_user", "history_change_reason")) == {
            ("+", run.created_by_id, f"Schedule run #{run.pk}")
        }


def test_solution_write_numbers_versions_of_the_year_in_order(year, rows, run):
    ScheduleVersionFactory(academic_year=year, number=4, status="published", published_at=dt.datetime.now(dt.UTC))

    first = solution_write(run=run, solution=a_solution(rows))
    second = solution_write(run=run, solution=a_solution(rows))

    assert (first.number, second.number) == (5, 6)


@pytest.fixture
def published(year, rows):
    version = ScheduleVersionFactory(
        academic_year=year, number=1, status="published", published_at=dt.datetime.now(dt.UTC)
    )
    BlockAssignment.objects.create(
        program=year.program,
        version=version,
        person=rows["ann"],
        block=year.blocks.get(number=1),
        rotation=rows["clinic"],
    )
    return version


def assert_only_the_published_version(published):
    assert list(ScheduleVersion.objects.all()) == [published]
    assert BlockAssignment.objects.get().version == published
    assert not SessionAssignment.objects.exists() and not CallAssignment.objects.exists()
    published.refresh_from_db()
    assert published.status == "published"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"call_person": "p999999"}, r"unknown person 'p999999'; nothing was saved"),
        ({"activity": "nap"}, r"unknown activity 'nap' .*; nothing was saved"),
    ],
)
def test_solution_write_refuses_a_bad_solution_midway_and_leaves_nothing(year, rows, run, published, change, message):
    with pytest.raises(DomainError, match=message):
        solution_write(run=run, solution=a_solution(rows, **change))

    assert_only_the_published_version(published)


def test_solution_write_refuses_another_programs_person(year, rows, run, published, theirs):
    with pytest.raises(DomainError, match="unknown person"):
        solution_write(run=run, solution=a_solution(rows, call_person=person_key(theirs[0].pk)))

    assert_only_the_published_version(published)


def test_solution_write_crash_while_writing_rows_leaves_nothing(year, rows, run, published, monkeypatch):
    real = engine_io.bulk_create_with_history

    def crash_on_calls(objs, model, **kwargs):
        if model is CallAssignment:
            raise RuntimeError("disk full")
        return real(objs, model, **kwargs)

    monkeypatch.setattr(engine_io, "bulk_create_with_history", crash_on_calls)

    with pytest.raises(RuntimeError, match="disk full"):
        solution_write(run=run, solution=a_solution(rows))

    assert_only_the_published_version(published)


def test_solution_write_refuses_a_faculty_block_rotation_and_a_resident_fmit_week(year, rows, run):
    fay, wards = person_key(rows["fay"].pk), rotation_key(rows["wards"].pk)
    bad_rotation = Solution(statistics=Statistics(status="feasible"), rotations=(RotationAssignment(fay, 1, wards),))
    bad_fmit = Solution(
        statistics=Statistics(status="feasible"),
        fmit_weeks=(FmitWeek(person_key(rows["ann"].pk), dt.date(2026, 7, 10), dt.date(2026, 7, 16)),),
    )

    with pytest.raises(DomainError, match="Fay Ford \\(faculty\\) a resident's assignment"):
        solution_write(run=run, solution=bad_rotation)
    with pytest.raises(DomainError, match="Ann Ames \\(resident\\) a faculty's assignment"):
        solution_write(run=run, solution=bad_fmit)
    assert not ScheduleVersion.objects.exists()


def test_solution_write_query_count_does_not_grow_with_rows(year, rows, run, program):
    def solution_for(people: list[Person]) -> Solution:
        wards = rotation_key(rows["wards"].pk)
        return Solution(
            statistics=Statistics(status="feasible"),
            rotations=tuple(RotationAssignment(person_key(p.pk), b, wards) for p in people for b in (1, 2, 3)),
            sessions=tuple(
                EngineSession(person_key(p.pk), JULY_1 + dt.timedelta(days=d), s, "inpatient", wards)
                for p in people
                for d in range(20)
                for s in ("AM", "PM")
            ),
            calls=tuple(
                EngineCall(person_key(p.pk), "in_house", *night(JULY_1 + dt.timedelta(days=3 * d)))
                for p in people
                for d in range(5)
            ),
        )

    def queries(people: list[Person]) -> int:
        with CaptureQueriesContext(connection) as context:
            solution_write(run=run, solution=solution_for(people))
        return len(context.captured_queries)

    few = queries([rows["ann"], rows["bob"]])
    many = queries([rows["ann"], rows["bob"], *(ResidentFactory(program=program, pgy=1) for _ in range(30))])
    rows_written = 32 * (3 + 40 + 5) * 2  # assignments and their history rows
    # Batched inserts: the count grows with batches (SQLite caps a batch by its parameter limit), never per row.
    assert few <= 20
    assert many <= few + rows_written // 50


def test_capacity_factor_of_a_special_day_reaches_the_problem(program, year, rows):
    CalendarDay.objects.create(
        program=program, date=dt.date(2026, 8, 14), day_type="minimal_manning", capacity_factor=Decimal("0.50")
    )

    days = {day.date: day for day in problem_for(academic_year=year).calendar.days}

    assert (days[dt.date(2026, 8, 14)].day_type, days[dt.date(2026, 8, 14)].capacity_factor) == ("minimal_manning", 0.5)
