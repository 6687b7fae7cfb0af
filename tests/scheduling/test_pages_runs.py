"""Generate, follow, cancel, compare and publish: the manager's run pages."""

import pytest
from django.urls import reverse

from scheduling.models import BlockAssignment, ScheduleRun, ScheduleVersion
from scheduling.services import schedule_run_execute, schedule_run_start
from tenants.models import Role
from tests.scheduling.factories import BlockAssignmentFactory, ScheduleRunFactory, ScheduleVersionFactory
from tests.scheduling.manager_pages import small_schedule
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

Status = ScheduleRun.Status


@pytest.fixture
def tiny(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    return year


@pytest.fixture
def manager(client, coordinator):
    client.force_login(coordinator)
    return client


def generate(client, year, **fields):
    data = {"academic_year": year.pk, "first_block": 1, "last_block": 1, "time_limit": 20, "seed": "", **fields}
    return client.post(reverse("run-new"), data)


def test_generate_form_offers_the_current_year(manager, tiny):
    response = manager.get(reverse("run-new"))

    body = response.content.decode()
    assert response.status_code == 200
    assert tiny.name in body and 'name="time_limit"' in body and 'name="seed"' in body


def test_generate_starts_a_run_and_opens_its_page(manager, tiny, coordinator):
    response = generate(manager, tiny, seed="7")

    run = ScheduleRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("run-detail", args=[run.pk])
    assert (run.status, run.first_block, run.last_block, run.created_by) == (Status.QUEUED, 1, 1, coordinator)
    assert run.parameters == {"time_limit": 20, "seed": 7, "workers": 2}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_block": 5, "last_block": 2}, "The last block cannot come before the first block."),
        ({"last_block": 20}, "Block 20 does not exist: 2026-2027 has blocks 1-13."),
        ({"time_limit": 0}, "Ensure this value is greater than or equal to 1."),
        ({"time_limit": 99999}, "Ensure this value is less than or equal to 3600."),
    ],
)
def test_generate_refuses_bad_input_next_to_the_form(manager, tiny, fields, message):
    response = generate(manager, tiny, **fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ScheduleRun.objects.exists()


def test_generate_refuses_a_second_concurrent_run(manager, tiny):
    ScheduleRunFactory(academic_year=tiny, status=Status.RUNNING, parameters={"time_limit": 600})

    response = generate(manager, tiny)

    assert response.status_code == 200
    assert "already has a schedule run in progress" in response.content.decode()
    assert ScheduleRun.objects.count() == 1


def test_progress_partial_polls_while_running(manager, tiny):
    run = ScheduleRunFactory(
        academic_year=tiny,
        status=Status.RUNNING,
        parameters={"time_limit": 60},
        solutions_found=3,
        objective=120.0,
        best_bound=100.0,
        gap=0.1667,
        elapsed_seconds=15,
    )

    response = manager.get(reverse("run-progress", args=[run.pk]), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'hx-trigger="every 1s"' in body and '<progress id="run-elapsed" max="100" value="25"' in body
    assert "16.7%" in body and ">3<" in body and "120.0" in body
    assert "HX-Refresh" not in response


def test_progress_partial_stops_polling_when_the_run_has_finished(manager, tiny):
    run = ScheduleRunFactory(academic_year=tiny, status=Status.SUCCEEDED)

    response = manager.get(reverse("run-progress", args=[run.pk]), headers={"HX-Request": "true"})

    assert "hx-trigger" not in response.content.decode()
    assert response["HX-Refresh"] == "true"


def test_cancel_stops_a_queued_run(manager, tiny):
    run = ScheduleRunFactory(academic_year=tiny, status=Status.QUEUED)

    response = manager.post(reverse("run-cancel", args=[run.pk]), {"confirmed": "yes"})

    run.refresh_from_db()
    assert response.status_code == 302
    assert (run.status, run.cancel_requested) == (Status.CANCELLED, True)
    again = manager.post(reverse("run-cancel", args=[run.pk]), {"confirmed": "yes"}, follow=True)
    assert "has already finished" in again.content.decode()


def test_finished_run_shows_its_summary_and_links_to_compare(manager, tiny, coordinator):
    run = schedule_run_start(academic_year=tiny, user=coordinator, first_block=1, last_block=1, time_limit=20)
    schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()

    response = manager.get(reverse("run-detail", args=[run.pk]))

    body = response.content.decode()
    version_id = run.statistics["version_id"]
    assert "ACGME compliant" in body and "6 residents checked" in body
    assert "Fairness" in body and "Call nights" in body and "Soft costs" in body and "Coverage shortfall" in body
    assert "<td>Call nights</td><td>PGY-2</td>" in body  # the cohort as residents say it, not "Pgy-2"
    assert reverse("version-compare", args=[version_id]) in body
    assert "hx-trigger" not in body


def test_infeasible_run_shows_the_engines_explanation(manager, tiny):
    run = ScheduleRunFactory(
        academic_year=tiny,
        status=Status.INFEASIBLE,
        message="Block 4: inpatient needs 6 residents; 5 are eligible and available",
        statistics={"conflicts": [{"requirement": "staffing", "message": "Wards needs 6 residents in block 4"}]},
    )

    body = manager.get(reverse("run-detail", args=[run.pk])).content.decode()

    assert "No schedule meets every requirement" in body
    assert "5 are eligible and available" in body and "Wards needs 6 residents in block 4" in body


@pytest.fixture
def published_and_draft(program, coordinator):
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED)
    draft = ScheduleVersionFactory(academic_year=setup.year, program=program, number=2)
    BlockAssignmentFactory(version=draft, person=setup.resident, block=setup.block, rotation=setup.nights)
    return setup, draft


def test_compare_lists_changed_cells(manager, published_and_draft):
    setup, draft = published_and_draft

    response = manager.get(reverse("version-compare", args=[draft.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    changes = response.context["changes"]
    assert changes.block_count == 1
    person, block, old, new = changes.blocks[0]
    assert (person, block.number, old, new) == (setup.resident, 1, setup.clinic, setup.nights)
    assert changes.session_count == 56 and changes.call_count == 7  # the draft has no half-days or calls
    assert "Rita Resident" in body and "Clinic" in body and "Night float" in body
    assert "Publish version 2" in body


def test_compare_caps_long_lists(manager, published_and_draft, monkeypatch):
    from scheduling import selectors

    monkeypatch.setattr(selectors, "COMPARE_LIST_CAP", 10)
    _, draft = published_and_draft

    response = manager.get(reverse("version-compare", args=[draft.pk]))

    assert len(response.context["changes"].sessions) == 10
    assert "The first 10 of 56 are listed." in response.content.decode()


def test_publish_archives_the_previous_version_and_shows_the_grid(manager, published_and_draft):
    setup, draft = published_and_draft

    response = manager.post(reverse("version-publish", args=[draft.pk]), {"confirmed": "yes"})

    assert response.status_code == 302 and response.url.startswith(reverse("schedule-grid"))
    setup.version.refresh_from_db()
    draft.refresh_from_db()
    assert (setup.version.status, draft.status) == ("archived", "published")
    again = manager.post(reverse("version-publish", args=[draft.pk]), {"confirmed": "yes"}, follow=True)
    assert "only a draft can be published" in again.content.decode()


def test_resident_is_forbidden_on_every_run_page(client, member, published_and_draft):
    setup, draft = published_and_draft
    run = ScheduleRunFactory(academic_year=setup.year, status=Status.RUNNING)
    client.force_login(member(Role.RESIDENT))

    for url in (
        reverse("run-new"),
        reverse("run-detail", args=[run.pk]),
        reverse("run-progress", args=[run.pk]),
        reverse("version-compare", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 403
    for url in (reverse("run-cancel", args=[run.pk]), reverse("version-publish", args=[draft.pk])):
        assert client.post(url, {"confirmed": "yes"}).status_code == 403
    run.refresh_from_db()
    draft.refresh_from_db()
    assert (run.cancel_requested, draft.status) == (False, "draft")


def test_another_programs_runs_and_versions_are_not_found(client, member, other_program, published_and_draft):
    setup, draft = published_and_draft
    run = ScheduleRunFactory(academic_year=setup.year, status=Status.RUNNING)
    client.force_login(member(Role.COORDINATOR, in_program=other_program))

    assert client.get(reverse("run-detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("run-progress", args=[run.pk])).status_code == 404
    assert client.get(reverse("version-compare", args=[draft.pk])).status_code == 404
    assert client.post(reverse("run-cancel", args=[run.pk]), {"confirmed": "yes"}).status_code == 404
    assert client.post(reverse("version-publish", args=[draft.pk]), {"confirmed": "yes"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft" and BlockAssignment.objects.filter(version=draft).count() == 1
