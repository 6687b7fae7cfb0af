"""The read API of block, session and call assignments: the published schedule by default, filters, tenancy."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tenants.models import Role
from tests.scheduling.factories import (
    AcademicYearFactory,
    BlockAssignmentFactory,
    BlockFactory,
    CallAssignmentFactory,
    FacultyFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)

PROBLEM = "application/problem+json"
ENDPOINTS = ["block-assignment", "session-assignment", "call-assignment"]
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def list_url(endpoint: str) -> str:
    return reverse(f"api:{endpoint}-list")


def detail_url(endpoint: str, pk: int) -> str:
    return reverse(f"api:{endpoint}-detail", args=[pk])


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def pks(rows) -> set[int]:
    return {row.pk for row in rows}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NEW_YORK)


class Schedule:
    """Two years of a program with archived, published and draft versions, and one other program's schedule."""

    def __init__(self, program, other_program) -> None:
        now = timezone.now()
        self.year = AcademicYearFactory(program=program, name="2026-2027")
        self.next_year = AcademicYearFactory(program=program, name="2027-2028")
        self.blocks = {n: BlockFactory(academic_year=self.year, number=n) for n in (1, 2, 3)}
        self.ann = ResidentFactory(program=program, first_name="Ann", last_name="Avery", pgy=1)
        self.bob = ResidentFactory(program=program, first_name="Bob", last_name="Berg", pgy=2)
        self.fay = FacultyFactory(program=program, first_name="Fay", last_name="Fox")
        self.wards = RotationTemplateFactory(program=program, name="Wards", abbreviation="W")
        self.clinic = RotationTemplateFactory(
            program=program, name="Clinic", abbreviation="C", kind="outpatient_clinic", allows_half_block=True
        )
        version = ScheduleVersionFactory
        self.archived = version(academic_year=self.year, number=1, status="archived", published_at=now)
        self.published = version(academic_year=self.year, number=2, status="published", published_at=now)
        self.old_draft = version(academic_year=self.year, number=3)
        self.draft = version(academic_year=self.year, number=4)
        self.next_published = version(academic_year=self.next_year, number=1, status="published", published_at=now)

        def rotation(person, block, rotation, version=self.published, half=0):
            return BlockAssignmentFactory(
                version=version, person=person, block=block, rotation=rotation, half=half, source="solver"
            )

        b1, b2, b3 = self.blocks[1], self.blocks[2], self.blocks[3]
        self.block_rows = [
            rotation(self.ann, b1, self.wards),
            rotation(self.ann, b2, self.clinic, half=1),
            rotation(self.ann, b2, self.wards, half=2),
            rotation(self.bob, b1, self.clinic),
            rotation(self.bob, b3, self.wards),
        ]
        next_block = BlockFactory(academic_year=self.next_year, number=1)
        self.next_year_block_rows = [rotation(self.ann, next_block, self.clinic, version=self.next_published)]
        self.draft_block_rows = [rotation(self.bob, b1, self.wards, version=self.draft)]
        self.old_draft_block_rows = [rotation(self.bob, b2, self.wards, version=self.old_draft)]
        self.archived_block_rows = [rotation(self.ann, b3, self.clinic, version=self.archived)]

        def session(person, day, half, activity, rotation=None, version=self.published):
            return SessionAssignmentFactory(
                version=version, person=person, date=day, session=half, activity=activity, rotation=rotation
            )

        july6, aug1 = dt.date(2026, 7, 6), dt.date(2026, 8, 1)
        self.session_rows = [
            session(self.ann, july6, "AM", "clinic", self.clinic),
            session(self.ann, july6, "PM", "inpatient", self.wards),
            session(self.fay, july6, "AM", "supervising"),
            session(self.bob, aug1, "AM", "clinic", self.clinic),
        ]
        self.draft_session_rows = [session(self.bob, july6, "PM", "off", version=self.draft)]

        def call(person, start, hours, kind="in_house", version=self.published):
            return CallAssignmentFactory(
                version=version, person=person, kind=kind, start=start, end=start + dt.timedelta(hours=hours)
            )

        self.call_rows = [
            call(self.ann, local(july6, 17), 15),
            call(self.bob, local(dt.date(2026, 7, 7), 23, 30), 8),  # 03:30 UTC on 8 July: a 7 July call locally
            call(self.fay, local(dt.date(2026, 7, 11), 7), 24, kind="weekend"),
        ]
        self.draft_call_rows = [call(self.fay, local(july6, 17), 15, version=self.draft)]

        their_year = AcademicYearFactory(program=other_program, name="2026-2027")
        theirs = ScheduleVersionFactory(academic_year=their_year, number=1, status="published", published_at=now)
        self.their_version = theirs
        self.their_rows = {
            "block-assignment": [BlockAssignmentFactory(version=theirs, block=BlockFactory(academic_year=their_year))],
            "session-assignment": [SessionAssignmentFactory(version=theirs)],
            "call-assignment": [CallAssignmentFactory(version=theirs)],
        }

    def published_rows(self, endpoint: str) -> list:
        return {
            "block-assignment": self.block_rows + self.next_year_block_rows,
            "session-assignment": self.session_rows,
            "call-assignment": self.call_rows,
        }[endpoint]

    def draft_rows(self, endpoint: str) -> list:
        return {
            "block-assignment": self.draft_block_rows,
            "session-assignment": self.draft_session_rows,
            "call-assignment": self.draft_call_rows,
        }[endpoint]


@pytest.fixture
def schedule(program, other_program) -> Schedule:
    return Schedule(program, other_program)


# Which version


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.COORDINATOR, Role.ADMIN])
def test_lists_show_the_published_schedule_of_each_year_by_default(api_as, member, schedule, endpoint, role):
    response = api_as(member(role)).get(list_url(endpoint))

    assert ids(response) == pks(schedule.published_rows(endpoint))
    assert response.json()["count"] == len(schedule.published_rows(endpoint))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_managers_read_the_newest_draft_or_any_version_by_id(api_as, coordinator, schedule, endpoint):
    client = api_as(coordinator)

    assert ids(client.get(list_url(endpoint), {"version": "draft"})) == pks(schedule.draft_rows(endpoint))
    assert ids(client.get(list_url(endpoint), {"version": schedule.draft.pk})) == pks(schedule.draft_rows(endpoint))
    explicit = client.get(list_url(endpoint), {"version": "published"})
    assert ids(explicit) == pks(schedule.published_rows(endpoint))


def test_version_id_selects_an_archived_or_older_draft_for_managers(api_as, coordinator, schedule):
    client = api_as(coordinator)
    url = list_url("block-assignment")

    assert ids(client.get(url, {"version": schedule.archived.pk})) == pks(schedule.archived_block_rows)
    assert ids(client.get(url, {"version": schedule.old_draft.pk})) == pks(schedule.old_draft_block_rows)
    only_this_year = client.get(url, {"version": schedule.published.pk})
    assert ids(only_this_year) == pks(schedule.block_rows)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_clinicians_cannot_read_drafts_or_archived_versions(api_as, member, schedule, endpoint, role):
    client = api_as(member(role))

    for which in ("draft", schedule.draft.pk, schedule.archived.pk):
        body = assert_problem(client.get(list_url(endpoint), {"version": which}), 403)
        assert (
            body["detail"] == "Draft and archived schedules are visible to the program's admins and coordinators only."
        )
    by_id = client.get(list_url(endpoint), {"version": schedule.published.pk})
    assert ids(by_id) <= pks(schedule.published_rows(endpoint)) and ids(by_id)


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("latest", "Use published (the default), draft or a version id, not 'latest'."),
        ("999999", "The program has no schedule version with id 999999."),
        ("9" * 30, f"Use published (the default), draft or a version id, not '{'9' * 30}'."),
    ],
)
def test_unknown_version_is_a_validation_problem(api_as, coordinator, schedule, which, message):
    body = assert_problem(api_as(coordinator).get(list_url("call-assignment"), {"version": which}), 400)
    assert body["errors"] == {"version": [message]}


def test_another_programs_version_id_is_refused_like_an_unknown_one(api_as, coordinator, schedule):
    their_id = schedule.their_version.pk
    body = assert_problem(api_as(coordinator).get(list_url("block-assignment"), {"version": their_id}), 400)
    assert body["errors"] == {"version": [f"The program has no schedule version with id {their_id}."]}


# One row by id


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_row_by_id_is_shown_if_its_version_is_visible(api_as, coordinator, resident_user, schedule, endpoint):
    published, draft = schedule.published_rows(endpoint)[0], schedule.draft_rows(endpoint)[0]
    manager, resident = api_as(coordinator), api_as(resident_user)

    assert manager.get(detail_url(endpoint, draft.pk)).json()["version"] == schedule.draft.pk
    assert resident.get(detail_url(endpoint, published.pk)).json()["id"] == published.pk
    assert_problem(resident.get(detail_url(endpoint, draft.pk)), 404)


# Tenancy and roles


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_programs_user_sees_only_their_own_rows(api_as, member, other_program, schedule, endpoint):
    stranger = api_as(member(Role.COORDINATOR, in_program=other_program), in_program=other_program)

    assert ids(stranger.get(list_url(endpoint))) == pks(schedule.their_rows[endpoint])
    assert ids(stranger.get(list_url(endpoint), {"version": "draft"})) == set()
    assert_problem(stranger.get(detail_url(endpoint, schedule.published_rows(endpoint)[0].pk)), 404)
    body = assert_problem(stranger.get(list_url(endpoint), {"person": schedule.ann.pk}), 400)
    assert list(body["errors"]) == ["person"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_our_user_never_sees_the_other_programs_rows(api_as, coordinator, schedule, endpoint):
    client = api_as(coordinator)
    theirs = schedule.their_rows[endpoint][0]

    assert theirs.pk not in ids(client.get(list_url(endpoint)))
    assert_problem(client.get(detail_url(endpoint, theirs.pk)), 404)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", [Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA])
def test_clinic_staff_cannot_read_assignments(api_as, member, schedule, endpoint, role):
    body = assert_problem(api_as(member(role)).get(list_url(endpoint)), 403)
    assert body["detail"] == "Your role in this program does not allow this."


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_assignment_rows_are_written_only_through_the_cell_edits(api_as, coordinator, schedule, endpoint):
    """POST to the list is the cell edit (tests/scheduling/test_api_edits.py); rows are never PUT or deleted."""
    client = api_as(coordinator)
    row = schedule.published_rows(endpoint)[0]
    assert "version" in assert_problem(client.post(list_url(endpoint), {}, format="json"), 400)["errors"]
    assert_problem(client.put(detail_url(endpoint, row.pk), {}, format="json"), 405)
    assert_problem(client.delete(detail_url(endpoint, row.pk)), 405)


# Filters


def test_block_assignments_filter_by_person_rotation_year_and_half(api_as, resident_user, schedule):
    client = api_as(resident_user)
    url = list_url("block-assignment")
    ann_rows = [row for row in schedule.block_rows + schedule.next_year_block_rows if row.person == schedule.ann]

    assert ids(client.get(url, {"person": schedule.ann.pk})) == pks(ann_rows)
    clinic = [row for row in schedule.block_rows + schedule.next_year_block_rows if row.rotation == schedule.clinic]
    assert ids(client.get(url, {"rotation": schedule.clinic.pk})) == pks(clinic)
    assert ids(client.get(url, {"academic_year": schedule.next_year.pk})) == pks(schedule.next_year_block_rows)
    assert ids(client.get(url, {"academic_year": schedule.year.pk})) == pks(schedule.block_rows)
    assert ids(client.get(url, {"half": 2})) == {schedule.block_rows[2].pk}
    both = client.get(url, {"person": schedule.bob.pk, "rotation": schedule.wards.pk})
    assert ids(both) == {schedule.block_rows[4].pk}


def test_block_assignments_date_range_keeps_overlapping_blocks(api_as, resident_user, schedule):
    response = api_as(resident_user).get(
        list_url("block-assignment"), {"date_from": "2026-07-28", "date_to": "2026-07-29"}
    )
    blocks_1_and_2 = [row for row in schedule.block_rows if row.block.number in (1, 2)]
    assert ids(response) == pks(blocks_1_and_2)


def test_session_assignments_filter_by_dates_person_rotation_and_activity(api_as, resident_user, schedule):
    client = api_as(resident_user)
    url = list_url("session-assignment")
    july6 = schedule.session_rows[:3]

    assert ids(client.get(url, {"date_from": "2026-07-06", "date_to": "2026-07-06"})) == pks(july6)
    assert ids(client.get(url, {"date_from": "2026-07-07", "date_to": "2026-08-01"})) == {schedule.session_rows[3].pk}
    assert ids(client.get(url, {"person": schedule.fay.pk})) == {schedule.session_rows[2].pk}
    clinic = {schedule.session_rows[0].pk, schedule.session_rows[3].pk}
    assert ids(client.get(url, {"rotation": schedule.clinic.pk})) == clinic
    assert ids(client.get(url, {"activity": "clinic", "session": "AM"})) == clinic


def test_call_assignments_date_range_uses_the_programs_time_zone(api_as, resident_user, schedule):
    client = api_as(resident_user)
    url = list_url("call-assignment")
    ann_call, bob_call, fay_call = schedule.call_rows

    assert ids(client.get(url, {"date_from": "2026-07-07", "date_to": "2026-07-07"})) == {bob_call.pk}
    assert ids(client.get(url, {"date_from": "2026-07-08", "date_to": "2026-07-11"})) == {fay_call.pk}
    assert ids(client.get(url, {"date_from": "2026-07-06", "date_to": "2026-07-06"})) == {ann_call.pk}
    assert ids(client.get(url, {"kind": "weekend"})) == {fay_call.pk}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"date_from": "2026-13-01", "date_to": "2026-12-31"},
            "date_from",
            "Enter a date as YYYY-MM-DD, e.g. 2026-07-01.",
        ),
        (
            {"date_from": "2026-07-01", "date_to": "07/31/2026"},
            "date_to",
            "Enter a date as YYYY-MM-DD, e.g. 2026-07-01.",
        ),
        ({"date_from": "2026-07-01"}, "date_to", "Give a start and an end date as YYYY-MM-DD."),
        ({"date_to": "2026-07-01"}, "date_from", "Give a start and an end date as YYYY-MM-DD."),
        ({"date_from": "2026-07-02", "date_to": "2026-07-01"}, "date_to", "The end date is before the start date."),
        ({"date_from": "2026-07-01", "date_to": "2028-07-01"}, "date_to", "A date range can cover at most two years."),
    ],
)
def test_bad_date_ranges_are_refused_with_a_message(api_as, resident_user, schedule, endpoint, params, field, message):
    body = assert_problem(api_as(resident_user).get(list_url(endpoint), params), 400)
    assert body["errors"] == {field: [message]}
    assert "results" not in body


def test_a_range_of_exactly_two_years_is_served(api_as, resident_user, schedule):
    response = api_as(resident_user).get(
        list_url("block-assignment"), {"date_from": "2026-07-01", "date_to": "2028-06-30"}
    )
    assert ids(response) == pks(schedule.published_rows("block-assignment"))


# Payloads, pages and query counts


def test_block_assignment_payload_gives_the_half_blocks_own_dates(api_as, resident_user, schedule):
    second_half = schedule.block_rows[2]
    body = api_as(resident_user).get(detail_url("block-assignment", second_half.pk)).json()
    assert body == {
        "id": second_half.pk,
        "version": schedule.published.pk,
        "person": schedule.ann.pk,
        "person_name": "Ann Avery",
        "source": "solver",
        "academic_year": schedule.year.pk,
        "block": schedule.blocks[2].pk,
        "block_number": 2,
        "half": 2,
        "start_date": "2026-08-12",
        "end_date": "2026-08-25",
        "rotation": schedule.wards.pk,
        "rotation_name": "Wards",
        "rotation_abbreviation": "W",
    }
    first_half = api_as(resident_user).get(detail_url("block-assignment", schedule.block_rows[1].pk)).json()
    assert (first_half["start_date"], first_half["end_date"]) == ("2026-07-29", "2026-08-11")


def test_session_and_call_payloads(api_as, resident_user, schedule):
    client = api_as(resident_user)
    supervising = client.get(detail_url("session-assignment", schedule.session_rows[2].pk)).json()
    assert {key: supervising[key] for key in ("date", "session", "activity", "rotation", "rotation_abbreviation")} == {
        "date": "2026-07-06",
        "session": "AM",
        "activity": "supervising",
        "rotation": None,
        "rotation_abbreviation": None,
    }
    assert supervising["person_name"] == "Fay Fox" and supervising["academic_year"] == schedule.year.pk
    call = client.get(detail_url("call-assignment", schedule.call_rows[1].pk)).json()
    assert dt.datetime.fromisoformat(call["start"]) == local(dt.date(2026, 7, 7), 23, 30)
    assert dt.datetime.fromisoformat(call["end"]) == local(dt.date(2026, 7, 8), 7, 30)
    assert (call["kind"], call["person_name"], call["worked_hours"]) == ("in_house", "Bob Berg", None)


def test_lists_are_paged_in_a_stable_order(api_as, resident_user, schedule):
    client = api_as(resident_user)
    first = client.get(list_url("session-assignment"), {"limit": 2}).json()
    second = client.get(list_url("session-assignment"), {"limit": 2, "offset": 2}).json()
    assert first["count"] == 4 and first["next"] and len(first["results"]) == 2
    in_order = [row["id"] for row in first["results"] + second["results"]]
    assert in_order == [
        row.pk for row in sorted(schedule.session_rows, key=lambda r: (r.date, r.session, r.person.last_name))
    ]


def add_rows(endpoint: str, version, people, numbers: range) -> None:
    """Rows numbered `numbers` of the endpoint's kind in the version, spread over the people and the year."""
    year = version.academic_year
    for i in numbers:
        person = people[i % len(people)]
        day = year.start_date + dt.timedelta(days=i // len(people) + 100)
        if endpoint == "block-assignment":
            block = BlockFactory(academic_year=year, number=i + 4)
            BlockAssignmentFactory(version=version, person=person, block=block)
        elif endpoint == "session-assignment":
            rotation = RotationTemplateFactory(program=version.program)
            SessionAssignmentFactory(version=version, person=person, date=day, rotation=rotation)
        else:
            start = local(day, 17)
            CallAssignmentFactory(version=version, person=person, start=start, end=start + dt.timedelta(hours=15))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_change_to_the_published_schedule_shows_in_the_next_answer(
    api_as, resident_user, coordinator, schedule, endpoint
):
    """Pages of the published schedule are kept between requests (integrators poll them): any change to what they
    show is in the very next answer, a new publication too."""
    client = api_as(resident_user)
    before = ids(client.get(list_url(endpoint)))
    gone = schedule.published_rows(endpoint)[0]
    gone_id = gone.pk
    gone.delete()  # as an in-place edit or a swap does

    assert ids(client.get(list_url(endpoint))) == before - {gone_id}

    schedule.published.status = "archived"
    schedule.published.save()
    schedule.draft.status, schedule.draft.published_at = "published", timezone.now()
    schedule.draft.save()
    now_published = pks(schedule.draft_rows(endpoint)) | (
        {r.pk for r in schedule.next_year_block_rows} if endpoint == "block-assignment" else set()
    )
    assert ids(client.get(list_url(endpoint))) == now_published
    assert ids(api_as(coordinator).get(list_url(endpoint))) == now_published


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("version_param", [None, "draft", "id"])
def test_lists_take_a_fixed_number_of_queries(
    api_as, coordinator, schedule, endpoint, version_param, django_assert_max_num_queries
):
    version = schedule.published if version_param is None else schedule.draft
    params = {} if version_param is None else {"version": "draft" if version_param == "draft" else version.pk}
    people = [ResidentFactory(program=version.program, pgy=1) for _ in range(3)]
    client = api_as(coordinator)
    for numbers in (range(3), range(3, 21)):
        add_rows(endpoint, version, people, numbers)
        with django_assert_max_num_queries(5 if version_param == "id" else 4):  # "id" looks the version up
            rows = client.get(list_url(endpoint), params).json()["results"]
        assert len(rows) >= numbers.stop
