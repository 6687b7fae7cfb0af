"""Faculty overnight call and faculty clinic caps by role, through the real database: the program's settings reach
the engine, a run stores the attending calls and post-call half-days, the pages, feeds and exports show tonight's
attending, compliance leaves faculty calls out of the residents' rules, and another program's faculty never appear."""

import datetime as dt
import io

import icalendar
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from integrations.feeds.tokens import feed_token_get_or_create
from scheduling.compliance import version_duties
from scheduling.engine_io import person_key, problem_for
from scheduling.models import CallAssignment, Person, RotationTemplate, ScheduleRun, SessionAssignment
from scheduling.program_settings import SettingsError, scheduling_settings
from scheduling.services import (
    academic_year_create,
    schedule_run_execute,
    schedule_run_start,
    scheduling_settings_update,
)
from tenants.models import Role
from tests.scheduling.factories import (
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
)
from tests.scheduling.reading_data import published, year_holding

pytestmark = pytest.mark.django_db

Activity = SessionAssignment.Activity
Role_ = Person.FacultyRole
JULY_1 = dt.date(2026, 7, 1)
FACULTY_CALL = {"nights": [0, 1, 2, 3, 6], "per_night": 1, "min_days_between": 3}
REQUIREMENTS = {
    "clinic_sessions_per_week": {"1": 1, "2": 1, "3": 1},
    "clinic_capacity": 6,
    "call": [{"per_night": 1}],
}
NO_FMIT = {"min_attendings": 0, "max_attendings": 0}


def faculty(program, role, **fields):
    """A faculty member of `role` with no clinic minimum or maximum of their own (the role's cap applies)."""
    values = {"clinic_min_per_week": None, "clinic_max_per_week": None, "fmit_target_weeks": None} | fields
    return FacultyFactory(program=program, faculty_role=role, **values)


@pytest.fixture
def year(program):
    return academic_year_create(program=program, start_date=JULY_1, make_current=True, fmit=NO_FMIT)


@pytest.fixture
def staff(program, year, coordinator):
    """Six residents, wards with call and a clinic; a PD, three core faculty, an adjunct; faculty call on."""
    for pgy in (1, 1, 2, 2, 3, 3):
        ResidentFactory(program=program, pgy=pgy)
    RotationTemplateFactory(
        program=program, name="Wards", abbreviation="W", min_residents=2, max_residents=4, call_eligible=True
    )
    RotationTemplateFactory(
        program=program, name="Clinic", abbreviation="C", kind=RotationTemplate.Kind.OUTPATIENT_CLINIC
    )
    people = {
        "pd": faculty(program, Role_.PD, last_name="Director"),
        "adjunct": faculty(program, Role_.ADJUNCT, last_name="Adjunct"),
        **{f"core{n}": faculty(program, Role_.CORE, last_name=f"Core{n}") for n in range(3)},
    }
    settings = {"requirements": REQUIREMENTS | {"faculty_call": FACULTY_CALL}}
    scheduling_settings_update(program=program, user=coordinator, settings=settings)
    program.refresh_from_db()
    return people


# --- Settings and the Problem ---


def test_faculty_call_settings_are_stored_complete_and_reach_the_engine(program, year, staff):
    call = scheduling_settings(program).requirements.faculty_call
    assert call is not None and call.nights == (0, 1, 2, 3, 6) and "adjunct" not in call.roles

    problem = problem_for(academic_year=year, blocks=range(1, 2))

    assert problem.requirements.faculty_call is not None
    assert problem.requirements.faculty_call.min_days_between == 3
    eligible = {f.id: f.call_eligible for f in problem.faculty}
    assert eligible[person_key(staff["adjunct"].pk)] is False
    assert eligible[person_key(staff["pd"].pk)] is True
    assert all(eligible[person_key(staff[f"core{n}"].pk)] for n in range(3))


def test_programs_without_the_setting_have_no_faculty_call(program, year, coordinator):
    scheduling_settings_update(program=program, user=coordinator, settings={"requirements": REQUIREMENTS})
    program.refresh_from_db()
    FacultyFactory(program=program)
    ResidentFactory(program=program, pgy=1)
    RotationTemplateFactory(program=program)

    assert problem_for(academic_year=year, blocks=range(1, 2)).requirements.faculty_call is None


@pytest.mark.parametrize(
    ("faculty_call", "path", "message"),
    [
        ({"nights": [0, 0]}, "faculty_call.nights", "weekdays must not repeat"),
        ({"nights": [7]}, "faculty_call.nights[0]", "from 0 to 6"),
        ({"min_days_between": -1}, "faculty_call.min_days_between", "from 0 to 28"),
        ({"protected_sessions": [{"weekday": 0, "session": "noon"}]}, "faculty_call.protected_sessions[0]", "AM or PM"),
        ({"roles": ["adjunct"]}, "faculty_call.roles", "faculty roles among"),
        ({"shift": 1}, "faculty_call.shift", "unknown setting"),
    ],
)
def test_bad_faculty_call_settings_are_refused_by_name_and_nothing_is_stored(
    program, coordinator, faculty_call, path, message
):
    scheduling_settings_update(program=program, user=coordinator, settings={"requirements": REQUIREMENTS})
    program.refresh_from_db()
    before = dict(program.settings)

    with pytest.raises(SettingsError, match=message) as caught:
        scheduling_settings_update(
            program=program, user=coordinator, settings={"requirements": {"faculty_call": faculty_call}}
        )

    assert caught.value.path == f"scheduling.requirements.{path}"
    program.refresh_from_db()
    assert program.settings == before


# --- Clinic caps by role ---


def caps(year) -> dict[str, int]:
    return {f.id: f.clinic_max_per_week for f in problem_for(academic_year=year, blocks=range(1, 2)).faculty}


def test_each_role_has_its_weekly_clinic_cap_and_a_program_director_gets_no_clinic(program, year, staff):
    apd = faculty(program, Role_.APD)
    oic = faculty(program, Role_.OIC)
    chief = faculty(program, Role_.CHIEF)
    sports = faculty(program, Role_.SPORTS_MED)

    found = caps(year)

    expected = {"pd": 0, "adjunct": 0, "core0": 4}
    assert {name: found[person_key(staff[name].pk)] for name in expected} == expected
    assert [found[person_key(p.pk)] for p in (apd, oic, chief, sports)] == [2, 2, 1, 4]


def test_a_persons_own_clinic_maximum_wins_over_the_role(program, year, staff):
    pd = faculty(program, Role_.PD, clinic_min_per_week=1, clinic_max_per_week=3)

    assert caps(year)[person_key(pd.pk)] == 3


def test_the_programs_cap_for_a_role_wins_over_the_built_in_one(program, year, staff, coordinator):
    settings = {"requirements": REQUIREMENTS, "faculty_clinic_max_per_week": {"core": 3, "pd": 1}}
    scheduling_settings_update(program=program, user=coordinator, settings=settings)
    program.refresh_from_db()

    found = caps(year)

    assert found[person_key(staff["core0"].pk)] == 3 and found[person_key(staff["pd"].pk)] == 1
    with pytest.raises(SettingsError, match="must be 0") as caught:
        scheduling_settings_update(
            program=program, user=coordinator, settings={"faculty_clinic_max_per_week": {"adjunct": 2}}
        )
    assert caught.value.path == "scheduling.faculty_clinic_max_per_week.adjunct"


# --- A run stores the roster ---


def test_a_run_stores_attending_calls_and_post_call_half_days_and_keeps_them_out_of_the_acgme_duties(
    client, program, year, staff, coordinator
):
    run = schedule_run_start(academic_year=year, user=coordinator, time_limit=30, first_block=1, last_block=1)
    schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.SUCCEEDED, run.message
    version = run.versions.get()

    attending = list(CallAssignment.objects.filter(version=version, kind=CallAssignment.Kind.ATTENDING))
    zone = program.zone
    nights = sorted(c.start.astimezone(zone).date() for c in attending)
    block = year.blocks.get(number=1)
    wanted = [
        block.start_date + dt.timedelta(days=k)
        for k in range((block.end_date - block.start_date).days + 1)
        if (block.start_date + dt.timedelta(days=k)).weekday() in (0, 1, 2, 3, 6)
    ]
    assert nights == wanted  # one attending every chosen night
    assert {c.person.kind for c in attending} == {Person.Kind.FACULTY}
    assert staff["adjunct"] not in {c.person for c in attending}
    in_house = CallAssignment.objects.filter(version=version, kind=CallAssignment.Kind.IN_HOUSE)
    assert in_house.exists() and {c.person.kind for c in in_house} == {Person.Kind.RESIDENT}
    for call in attending:
        after = call.start.astimezone(zone).date() + dt.timedelta(days=1)
        rows = dict(
            SessionAssignment.objects.filter(version=version, person=call.person, date=after).values_list(
                "session", "activity"
            )
        )
        if rows and after <= block.end_date:
            assert rows == {"AM": Activity.POST_CALL, "PM": Activity.OFF}
    assert not SessionAssignment.objects.filter(version=version, person=staff["pd"], activity=Activity.CLINIC)
    duties = version_duties(version=version)
    assert {entry["id"] for entry in duties["people"]} == {
        person_key(p.pk) for p in Person.objects.filter(program=program, kind=Person.Kind.RESIDENT)
    }
    assert run.statistics["counts"]["attending_calls"] == len(attending)
    assert run.statistics["fairness"]["call_nights"]["faculty"]["people"] == 4  # the PD and the core faculty
    client.force_login(coordinator)
    page = body_of(client.get(reverse("run-detail", args=[run.pk])))
    assert f"<dt>Attending (faculty) calls</dt><dd>{len(attending)}</dd>" in page
    assert "<td>Call nights</td><td>Faculty</td><td>4</td>" in page


# --- Tonight's attending everywhere ---


@pytest.fixture
def tonight(program, other_program):
    """Grace (faculty) is the attending on call tonight in the published schedule; the other program has its own
    attending, Olga, the same night."""
    today = program.today()
    grace = FacultyFactory(program=program, first_name="Grace", last_name="Hopper", phone="(802) 555-0102")
    version = published(year_holding(program, today))
    start = dt.datetime.combine(today, dt.time(17), tzinfo=program.zone)
    CallAssignmentFactory(
        version=version,
        person=grace,
        kind=CallAssignment.Kind.ATTENDING,
        start=start,
        end=start + dt.timedelta(hours=15),
    )
    olga = FacultyFactory(program=other_program, first_name="Olga", last_name="Elsewhere")
    theirs = published(year_holding(other_program, today))
    CallAssignmentFactory(
        version=theirs, person=olga, kind=CallAssignment.Kind.ATTENDING, start=start, end=start + dt.timedelta(hours=15)
    )
    return grace


def body_of(response) -> str:
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


@pytest.mark.parametrize("role", [Role.RN, Role.RESIDENT, Role.COORDINATOR])
def test_today_and_the_on_call_page_name_tonights_attending_and_never_another_programs(client, member, tonight, role):
    client.force_login(member(role))

    today = body_of(client.get(reverse("today")))
    on_call = body_of(client.get(reverse("on-call")))

    for body in (today, on_call):
        assert "Grace Hopper" in body and "Attending call · 17:00 – " in body
        assert "Olga" not in body


def test_the_person_page_feed_and_exports_show_the_attending_call(client, member, program, tonight):
    client.force_login(member(Role.COORDINATOR))

    page = body_of(client.get(reverse("person-schedule", args=[tonight.pk])))
    token = feed_token_get_or_create(program=program, person=tonight)
    feed = icalendar.Calendar.from_ical(client.get(reverse("feed-person", kwargs={"token": token.token})).content)
    today = program.today().isoformat()
    book = load_workbook(io.BytesIO(client.get(reverse("export-range-xlsx"), {"start": today, "end": today}).content))

    week = body_of(client.get(reverse("schedule-week"), {"start": today}))
    assert "Attending call, 17:00" in page
    assert "Hopper <small>ATT</small>" in week and "Olga" not in week
    assert "ATT Attending call" in week  # the legend names the on-call row's code
    assert "Attending call" in {str(event["SUMMARY"]) for event in feed.walk("VEVENT")}
    rows = [[cell.value for cell in row] for row in book["Calls"].iter_rows(min_row=2)]
    assert any("Attending" in row and "Grace Hopper" in row for row in rows)
    assert not any("Olga Elsewhere" in row for row in rows)


def test_a_re_solve_of_some_blocks_gets_the_faculty_calls_and_clinic_around_them(program, year, staff):
    version = published(year)
    block = year.blocks.get(number=2)
    night = block.start_date - dt.timedelta(days=1)
    start = dt.datetime.combine(night, dt.time(17), tzinfo=program.zone)
    CallAssignmentFactory(
        version=version, person=staff["core0"], kind=CallAssignment.Kind.ATTENDING, start=start,
        end=start + dt.timedelta(hours=15),
    )  # fmt: skip
    after = block.end_date + dt.timedelta(days=1)
    SessionAssignment.objects.create(
        program=program, version=version, person=staff["core1"], date=after, session="AM", activity=Activity.CLINIC
    )

    context = problem_for(academic_year=year, blocks=range(2, 3), reference_version=version).context

    assert context is not None
    assert context.faculty_calls == ((person_key(staff["core0"].pk), night),)
    assert context.faculty_clinic == ((person_key(staff["core1"].pk), after),)
