"""Editing the schedule through the API goes through the pages' cell-edit services: the same rule checks, the
reason kept on the rows and in their history, the change visible on the schedule pages and undoable."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import BlockAssignment, CallAssignment, ScheduleVersion, SessionAssignment
from tenants.models import Role
from tests.scheduling.manager_pages import JULY_1, small_schedule
from tests.scheduling.test_api import assert_problem

BLOCKS = reverse("api:block-assignment-list")
SESSIONS = reverse("api:session-assignment-list")
CALLS = reverse("api:call-assignment-list")


@pytest.fixture
def setup(program, coordinator):
    return small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED)


def block_edit(s, **more) -> dict:
    return {"version": s.version.pk, "person": s.resident.pk, "block": s.block.pk, "rotation": s.nights.pk, **more}


def test_block_edit_breaking_a_rule_needs_a_reason_then_shows_on_the_grid_and_in_the_history(
    api_as, client, coordinator, setup
):
    api = api_as(coordinator)
    refused = assert_problem(api.post(BLOCKS, block_edit(setup), format="json"), 400)
    assert refused["code"] == "rule_breach"
    assert "weekly_hours" in {finding["rule"] for finding in refused["findings"]}
    assert BlockAssignment.objects.get(version=setup.version, person=setup.resident).rotation == setup.clinic

    response = api.post(BLOCKS, block_edit(setup, reason="Covering nights for a colleague"), format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["rotation_abbreviation"], response.json()["source"]) == ("NF", "manual")
    row = BlockAssignment.objects.get(version=setup.version, person=setup.resident)
    assert (row.rotation, row.acknowledged_by, row.override_reason) == (
        setup.nights,
        coordinator,
        "Covering nights for a colleague",
    )
    entry = row.history.latest()
    assert (entry.history_user, entry.history_change_reason) == (coordinator, "Covering nights for a colleague")
    client.force_login(coordinator)
    grid = client.get(reverse("schedule-grid")).content.decode()
    assert 'title="Night float, 1 Jul' in grid and 'title="Clinic, 1 Jul' not in grid


def test_half_day_edit_is_saved_as_a_manual_row_and_undone_like_a_page_edit(api_as, coordinator, setup):
    api = api_as(coordinator)
    day = JULY_1 + dt.timedelta(days=5)  # a Monday of the clinic block
    before = SessionAssignment.objects.get(version=setup.version, person=setup.resident, date=day, session="AM")
    body = {"version": setup.version.pk, "person": setup.resident.pk, "date": day, "session": "AM", "activity": "off"}

    response = api.post(SESSIONS, body, format="json")

    assert response.status_code == 200, response.content
    row = SessionAssignment.objects.get(version=setup.version, person=setup.resident, date=day, session="AM")
    assert (response.json()["id"], row.activity, row.source) == (row.pk, "off", "manual")
    assert row.history.latest().history_user == coordinator

    undone = api.post(reverse("api:schedule-version-undo", args=[setup.version.pk]))

    assert undone.status_code == 200, undone.content
    assert undone.json()["version"]["id"] == setup.version.pk
    restored = SessionAssignment.objects.get(version=setup.version, person=setup.resident, date=day, session="AM")
    assert (restored.activity, restored.source) == (before.activity, before.source)
    assert_problem(api.post(reverse("api:schedule-version-undo", args=[setup.version.pk])), 409)  # one level


def test_calls_are_added_moved_and_removed(api_as, coordinator, setup):
    api = api_as(coordinator)
    calls = CallAssignment.objects.filter(version=setup.version, person=setup.resident)
    first = {"version": setup.version.pk, "person": setup.resident.pk, "date": JULY_1.isoformat()}
    night = (JULY_1 + dt.timedelta(days=2)).isoformat()
    count = calls.count()

    moved = api.post(CALLS, {**first, "action": "move", "to_date": night, "reason": "Swap agreed"}, format="json")

    assert moved.status_code == 200, moved.content
    assert moved.json()["start"].startswith(night)
    assert calls.count() == count and not calls.filter(start__date=JULY_1).exists()
    removed = api.post(CALLS, {**first, "date": night, "action": "remove"}, format="json")
    assert removed.status_code == 204, removed.content
    assert calls.count() == count - 1


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_only_managers_edit_the_schedule(api_as, member, setup, role):
    api = api_as(member(role))
    day = (JULY_1 + dt.timedelta(days=5)).isoformat()
    edits = [
        (BLOCKS, block_edit(setup, reason="x")),
        (SESSIONS, {"version": setup.version.pk, "person": setup.resident.pk, "date": day, "session": "AM"}),
        (CALLS, {"version": setup.version.pk, "person": setup.resident.pk, "date": day, "action": "add"}),
        (reverse("api:schedule-version-undo", args=[setup.version.pk]), {}),
    ]
    history = sum(model.history.count() for model in (BlockAssignment, SessionAssignment, CallAssignment))
    for url, body in edits:
        assert_problem(api.post(url, body, format="json"), 403)
    assert sum(model.history.count() for model in (BlockAssignment, SessionAssignment, CallAssignment)) == history


def test_bad_edits_are_problems_naming_the_field(api_as, coordinator, setup):
    api = api_as(coordinator)
    history = SessionAssignment.history.count()
    who = {"version": setup.version.pk, "person": setup.resident.pk}
    bad_activity = {**who, "date": "2026-07-06", "session": "AM", "activity": "golf"}
    assert "activity" in assert_problem(api.post(SESSIONS, bad_activity, format="json"), 400)["errors"]
    bad_move = {**who, "date": "2026-07-01", "action": "move"}
    assert "to_date" in assert_problem(api.post(CALLS, bad_move, format="json"), 400)["errors"]
    bad_date = {**who, "date": "2026-13-40", "session": "PM", "activity": "off"}
    assert "date" in assert_problem(api.post(SESSIONS, bad_date, format="json"), 400)["errors"]
    huge = {**who, "version": 10**22, "date": "9999-01-01", "session": "PM", "activity": "off"}
    assert {"version", "date"} <= set(assert_problem(api.post(SESSIONS, huge, format="json"), 400)["errors"])
    outside = {**who, "date": "2031-01-05", "session": "PM", "activity": "off"}
    assert "outside" in assert_problem(api.post(SESSIONS, outside, format="json"), 400)["detail"]
    assert SessionAssignment.history.count() == history


def test_an_archived_version_is_not_edited(api_as, coordinator, setup):
    ScheduleVersion.objects.filter(pk=setup.version.pk).update(status=ScheduleVersion.Status.ARCHIVED)
    assert_problem(api_as(coordinator).post(BLOCKS, block_edit(setup, reason="x"), format="json"), 409)


def test_another_program_cannot_edit_or_undo_this_programs_schedule(api_as, member, other_program, setup):
    outsider = api_as(member(Role.COORDINATOR, in_program=other_program), in_program=other_program)
    body = assert_problem(outsider.post(BLOCKS, block_edit(setup, reason="x"), format="json"), 400)
    assert {"version", "person", "block", "rotation"} <= set(body["errors"])
    assert_problem(outsider.post(reverse("api:schedule-version-undo", args=[setup.version.pk])), 404)
    assert BlockAssignment.objects.get(version=setup.version, person=setup.resident).rotation == setup.clinic
