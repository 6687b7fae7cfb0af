"""The schedule-runs and schedule-versions API: managers start, follow, cancel and publish; others read published."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.forms import RunForm
from scheduling.models import AcademicYear, ScheduleRun, ScheduleVersion
from scheduling.services import (
    SEED_RANGE,
    TIME_LIMIT_RANGE,
    WORKERS_RANGE,
    schedule_run_execute,
    schedule_run_validate,
)
from tenants.errors import DomainError
from tenants.models import Role
from tests.scheduling.factories import (
    AcademicYearFactory,
    BlockAssignmentFactory,
    BlockFactory,
    ScheduleRunFactory,
    ScheduleVersionFactory,
)
from tests.scheduling.test_generation import tiny_program

PROBLEM = "application/problem+json"
Status = ScheduleRun.Status
RUNS = reverse("api:schedule-run-list")
VERSIONS = reverse("api:schedule-version-list")


def run_url(run_id: int, action: str = "") -> str:
    url = reverse("api:schedule-run-detail", args=[run_id])
    return f"{url}{action}/" if action else url


def version_url(version_id: int, action: str = "") -> str:
    url = reverse("api:schedule-version-detail", args=[version_id])
    return f"{url}{action}/" if action else url


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def tiny(program, coordinator):
    """A program the engine solves in seconds (see test_generation)."""
    year, _ = tiny_program(program, coordinator)
    return year


def start_body(year, **overrides) -> dict:
    return {"academic_year": year.pk, "first_block": 1, "last_block": 1, "time_limit": 20, "seed": 3, **overrides}


# Starting, following, cancelling and publishing


def test_coordinator_starts_a_run_follows_it_and_publishes_its_draft(
    api_as, coordinator, tiny, django_capture_on_commit_callbacks
):
    client = api_as(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(RUNS, start_body(tiny), format="json")

    assert response.status_code == 201, response.content
    started = response.json()
    run = ScheduleRun.objects.get()
    assert response["Location"].endswith(run_url(run.pk))
    assert len(callbacks) == 1  # the solve is queued after commit, never run inside the request
    assert started["id"] == run.pk and started["status"] == "queued"
    assert (started["academic_year"], started["first_block"], started["last_block"]) == (tiny.pk, 1, 1)
    assert started["parameters"] == {"time_limit": 20.0, "seed": 3, "workers": 2}
    assert started["created_by"] == {"id": coordinator.pk, "name": coordinator.get_full_name()}
    assert started["version"] is None and started["finished_at"] is None

    seen = []
    schedule_run_execute(run_id=run.pk, on_progress=lambda progress: seen.append(client.get(run_url(run.pk)).json()))

    assert seen and all(row["status"] == "running" and row["started_at"] for row in seen)
    assert all(row["solutions_found"] >= 1 and row["objective"] is not None for row in seen)
    done = client.get(run_url(run.pk)).json()
    assert done["status"] == "succeeded", done["message"]
    assert done["solutions_found"] >= 1 and done["gap"] >= 0 and done["elapsed_seconds"] > 0
    assert done["best_bound"] is not None and done["finished_at"]
    assert done["statistics"]["acgme"]["compliant"] is True
    draft = ScheduleVersion.objects.get(run=run)
    assert done["version"] == draft.pk

    shown = client.get(version_url(draft.pk)).json()
    assert (shown["status"], shown["run"], shown["number"]) == ("draft", run.pk, 1)
    assert shown["block_assignments_count"] == 6 and shown["call_assignments_count"] == 28
    assert shown["session_assignments_count"] == 8 * 28 * 2

    published = client.post(version_url(draft.pk, "publish"))

    assert published.status_code == 200, published.content
    body = published.json()
    assert body["status"] == "published" and body["published_at"]
    assert body["published_by"] == {"id": coordinator.pk, "name": coordinator.get_full_name()}
    assert body["block_assignments_count"] == 6
    draft.refresh_from_db()
    assert draft.status == "published"


def test_second_run_of_a_year_is_a_conflict(api_as, coordinator, tiny):
    client = api_as(coordinator)
    first = client.post(RUNS, start_body(tiny), format="json").json()

    body = assert_problem(client.post(RUNS, start_body(tiny, first_block=2, last_block=2), format="json"), 409)

    assert body["code"] == "conflict"
    assert f"already has a schedule run in progress (Run #{first['id']} (Queued)" in body["detail"]
    assert ScheduleRun.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_block": 5, "last_block": 2}, "last_block", "The last block (2) comes before the first block (5)."),
        ({"last_block": 99}, "last_block", "Block 99 does not exist: 2026-2027 has blocks 1-13."),
        ({"first_block": 0}, "first_block", "Block 0 does not exist: 2026-2027 has blocks 1-13."),
        ({"time_limit": 0}, "time_limit", "Ensure this value is greater than or equal to 1."),
        ({"time_limit": 7200}, "time_limit", "Ensure this value is less than or equal to 3600."),
        ({"seed": -1}, "seed", "Ensure this value is greater than or equal to 0."),
        ({"academic_year": None}, "academic_year", "This field may not be null."),
        ({"academic_year": "x"}, "academic_year", "Incorrect type. Expected pk value, received str."),
    ],
)
def test_bad_start_input_names_the_field(api_as, coordinator, tiny, overrides, field, message):
    body = assert_problem(api_as(coordinator).post(RUNS, start_body(tiny, **overrides), format="json"), 400)

    assert body["errors"] == {field: [message]}
    assert not ScheduleRun.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seed", 1e20),
        ("seed", 10**20),
        ("seed", 2**40),
        ("seed", 2**31),
        ("seed", -1),
        ("seed", True),
        ("workers", 0),
        ("workers", 1000),
        ("workers", 2**70),
        ("time_limit", 0),
        ("time_limit", 1e9),
        ("first_block", 10**20),
        ("last_block", -(10**20)),
    ],
)
def test_start_input_out_of_bounds_is_a_400_naming_the_field_and_stores_nothing(
    api_as, coordinator, tiny, field, value
):
    body = assert_problem(api_as(coordinator).post(RUNS, start_body(tiny, **{field: value}), format="json"), 400)

    assert list(body["errors"]) == [field]
    assert not ScheduleRun.objects.exists()


def test_start_accepts_the_largest_seed_the_engine_takes_and_a_worker_count(api_as, coordinator, tiny):
    response = api_as(coordinator).post(RUNS, start_body(tiny, seed=SEED_RANGE[1], workers=4), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["parameters"] == {"time_limit": 20.0, "seed": 2**31 - 1, "workers": 4}


def test_schema_documents_the_start_bounds(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["ScheduleRunStart"]["properties"]
    assert (fields["seed"]["minimum"], fields["seed"]["maximum"]) == SEED_RANGE
    assert (fields["workers"]["minimum"], fields["workers"]["maximum"]) == WORKERS_RANGE
    assert (fields["time_limit"]["minimum"], fields["time_limit"]["maximum"]) == TIME_LIMIT_RANGE


@pytest.mark.parametrize(("field", "value"), [("seed", 2**40), ("seed", -1), ("workers", 0), ("workers", 1000)])
def test_the_service_and_the_page_form_hold_the_same_bounds(coordinator, tiny, field, value):
    options = {"academic_year": tiny, "first_block": 1, "last_block": 1, "time_limit": 20, "seed": 3, field: value}
    with pytest.raises(DomainError, match=field.replace("_", " ")):
        schedule_run_validate(user=coordinator, **options)
    if field == "seed":
        data = {**options, "academic_year": tiny.pk}
        form = RunForm(data, years=AcademicYear.objects.filter(pk=tiny.pk))
        assert not form.is_valid() and list(form.errors) == ["seed"]


def test_start_without_a_year_or_with_a_year_without_blocks_is_refused(api_as, coordinator, program):
    client = api_as(coordinator)
    assert assert_problem(client.post(RUNS, {}, format="json"), 400)["errors"] == {
        "academic_year": ["This field is required."]
    }
    empty = AcademicYearFactory(program=program, name="2030-2031")

    body = assert_problem(client.post(RUNS, {"academic_year": empty.pk}, format="json"), 400)

    assert body["errors"] == {"academic_year": ["2030-2031 has no blocks to schedule."]}


def test_start_defaults_to_the_whole_year(api_as, coordinator, tiny):
    response = api_as(coordinator).post(RUNS, {"academic_year": tiny.pk}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["first_block"], body["last_block"]) == (1, 13)
    assert body["parameters"] == {"time_limit": 60.0, "seed": 0, "workers": 2}


def test_start_with_data_the_engine_cannot_use_is_a_readable_400(api_as, coordinator, program):
    year = AcademicYearFactory(program=program)
    BlockFactory(academic_year=year, number=1)

    body = assert_problem(api_as(coordinator).post(RUNS, {"academic_year": year.pk}, format="json"), 400)

    assert body["code"] == "domain_error" and "errors" not in body
    assert body["detail"].startswith("Family Medicine cannot be scheduled as set up")
    assert not ScheduleRun.objects.exists()


def test_cancel_a_queued_run_then_cancel_again_is_a_conflict(api_as, coordinator, tiny):
    client = api_as(coordinator)
    run_id = client.post(RUNS, start_body(tiny), format="json").json()["id"]

    response = client.post(run_url(run_id, "cancel"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["cancel_requested"], body["message"]) == (
        "cancelled",
        True,
        "Cancelled before it started.",
    )
    again = assert_problem(client.post(run_url(run_id, "cancel")), 409)
    assert again["detail"] == f"Run #{run_id} (Cancelled) has already finished (cancelled); there is nothing to cancel."


def test_cancel_of_a_running_run_asks_it_to_stop(api_as, program_admin, tiny):
    run = ScheduleRunFactory(academic_year=tiny, status=Status.RUNNING, started_at=timezone.now())

    body = api_as(program_admin).post(run_url(run.pk, "cancel")).json()

    assert (body["status"], body["cancel_requested"]) == ("running", True)  # the solver stops at its next poll


def test_publishing_archives_the_previous_version_and_refuses_a_non_draft(api_as, coordinator, program):
    year = AcademicYearFactory(program=program)
    old = ScheduleVersionFactory(academic_year=year, number=1, status="published", published_at=timezone.now())
    draft = ScheduleVersionFactory(academic_year=year, number=2)
    client = api_as(coordinator)

    assert client.post(version_url(draft.pk, "publish")).json()["status"] == "published"

    old.refresh_from_db()
    assert old.status == "archived"
    body = assert_problem(client.post(version_url(old.pk, "publish")), 409)
    assert body["detail"] == f"{old} is archived; only a draft can be published."


# Who may do what


@pytest.fixture
def versions(program):
    """An archived, a published and a draft version of one year."""
    year = AcademicYearFactory(program=program)
    now = timezone.now()
    return {
        "archived": ScheduleVersionFactory(academic_year=year, number=1, status="archived", published_at=now),
        "published": ScheduleVersionFactory(academic_year=year, number=2, status="published", published_at=now),
        "draft": ScheduleVersionFactory(academic_year=year, number=3),
    }


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_non_managers_cannot_read_start_or_cancel_runs(api_as, member, tiny, role):
    run = ScheduleRunFactory(academic_year=tiny)
    client = api_as(member(role))

    for response in (
        client.get(RUNS),
        client.get(run_url(run.pk)),
        client.post(RUNS, start_body(tiny), format="json"),
        client.post(run_url(run.pk, "cancel")),
    ):
        body = assert_problem(response, 403)
        assert body["detail"] == "Your role in this program does not allow this."
    run.refresh_from_db()
    assert (run.status, run.cancel_requested, ScheduleRun.objects.count()) == (Status.QUEUED, False, 1)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_clinicians_see_only_the_published_version_and_cannot_publish(api_as, member, versions, role):
    client = api_as(member(role))

    assert ids(client.get(VERSIONS)) == [versions["published"].pk]
    assert ids(client.get(VERSIONS, {"status": "draft"})) == []
    assert client.get(version_url(versions["published"].pk)).status_code == 200
    for hidden in ("draft", "archived"):
        assert_problem(client.get(version_url(versions[hidden].pk)), 404)
    assert_problem(client.post(version_url(versions["draft"].pk, "publish")), 403)
    versions["draft"].refresh_from_db()
    assert versions["draft"].status == "draft"


def test_version_names_its_publisher_without_their_email(api_as, resident_user, coordinator, versions):
    published = versions["published"]
    published.published_by = coordinator
    published.save()

    body = api_as(resident_user).get(version_url(published.pk)).json()

    assert body["published_by"] == {"id": coordinator.pk, "name": coordinator.get_full_name()}
    assert coordinator.email not in str(body)


def test_clinic_staff_cannot_read_versions(api_as, member, versions):
    assert_problem(api_as(member(Role.RN)).get(VERSIONS), 403)


def test_managers_see_every_version_newest_first(api_as, coordinator, versions):
    expected = [versions[name].pk for name in ("draft", "published", "archived")]
    assert ids(api_as(coordinator).get(VERSIONS)) == expected


def test_another_programs_coordinator_sees_nothing_and_changes_nothing(api_as, member, other_program, tiny, versions):
    run = ScheduleRunFactory(academic_year=tiny)
    stranger = api_as(member(Role.COORDINATOR, in_program=other_program), in_program=other_program)

    assert ids(stranger.get(RUNS)) == [] and ids(stranger.get(VERSIONS)) == []
    assert_problem(stranger.get(run_url(run.pk)), 404)
    assert_problem(stranger.get(version_url(versions["published"].pk)), 404)
    assert_problem(stranger.post(run_url(run.pk, "cancel")), 404)
    assert_problem(stranger.post(version_url(versions["draft"].pk, "publish")), 404)
    body = assert_problem(stranger.post(RUNS, start_body(tiny), format="json"), 400)
    assert list(body["errors"]) == ["academic_year"]
    run.refresh_from_db()
    versions["draft"].refresh_from_db()
    assert (run.cancel_requested, versions["draft"].status, ScheduleRun.objects.count()) == (False, "draft", 1)


def test_naming_another_program_in_the_header_is_refused(api_as, coordinator, other_program, tiny):
    client = api_as(coordinator, in_program=other_program)
    body = assert_problem(client.post(RUNS, start_body(tiny), format="json"), 403)
    assert "X-Organization-ID" in body["detail"]


# Filters and query counts


def test_runs_and_versions_filter_by_year_and_status(api_as, coordinator, program):
    year, other_year = AcademicYearFactory(program=program), AcademicYearFactory(program=program)
    done = ScheduleRunFactory(academic_year=year, status=Status.SUCCEEDED)
    queued = ScheduleRunFactory(academic_year=other_year)
    draft = ScheduleVersionFactory(academic_year=year, number=1)
    live = ScheduleVersionFactory(academic_year=other_year, number=1, status="published", published_at=timezone.now())
    client = api_as(coordinator)

    assert ids(client.get(RUNS, {"academic_year": year.pk})) == [done.pk]
    assert ids(client.get(RUNS, {"status": "queued"})) == [queued.pk]
    assert ids(client.get(VERSIONS, {"academic_year": other_year.pk})) == [live.pk]
    assert ids(client.get(VERSIONS, {"status": "draft"})) == [draft.pk]
    body = assert_problem(client.get(RUNS, {"status": "sleeping"}), 400)
    assert list(body["errors"]) == ["status"]


def test_runs_list_takes_a_fixed_number_of_queries(api_as, coordinator, program, django_assert_max_num_queries):
    client = api_as(coordinator)
    for count in (3, 30):
        while ScheduleRun.objects.count() < count:
            ScheduleRunFactory(academic_year=AcademicYearFactory(program=program), created_by=coordinator)
        with django_assert_max_num_queries(4):
            assert len(ids(client.get(RUNS))) == count


def test_versions_list_takes_a_fixed_number_of_queries(api_as, coordinator, program, django_assert_max_num_queries):
    client = api_as(coordinator)
    for count in (3, 30):
        while ScheduleVersion.objects.count() < count:
            version = ScheduleVersionFactory(
                academic_year=AcademicYearFactory(program=program), status="published", published_at=timezone.now()
            )
            version.published_by = coordinator
            version.save()
            BlockAssignmentFactory(block=BlockFactory(academic_year=version.academic_year), version=version)
        with django_assert_max_num_queries(4):
            rows = client.get(VERSIONS).json()["results"]
        assert len(rows) == count and {row["block_assignments_count"] for row in rows} == {1}


def test_run_payload_is_json_safe_when_unfinished(api_as, coordinator, tiny):
    run = ScheduleRunFactory(
        academic_year=tiny,
        status=Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(seconds=5),
        solutions_found=2,
        objective=12.5,
        best_bound=10.0,
        gap=0.2,
        elapsed_seconds=5.0,
    )
    body = api_as(coordinator).get(run_url(run.pk)).json()
    assert {key: body[key] for key in ("solutions_found", "objective", "best_bound", "gap", "elapsed_seconds")} == {
        "solutions_found": 2,
        "objective": 12.5,
        "best_bound": 10.0,
        "gap": 0.2,
        "elapsed_seconds": 5.0,
    }
    assert body["version"] is None and body["created_by"] is None and body["statistics"] == {}
