"""A version's life cycle besides publishing: discard a draft, restore an archived version as a new draft, and
undo the last cell edit exactly (the rotation, its half-days and its calls), each recorded in the history."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from notifications.models import Notification
from scheduling.models import BlockAssignment, CallAssignment, ScheduleVersion, SessionAssignment
from scheduling.services import (
    block_assignment_change,
    call_assignment_change,
    schedule_version_discard,
    schedule_version_last_edit,
    schedule_version_publish,
    schedule_version_restore,
    schedule_version_undo,
    session_assignment_change,
)
from tenants.errors import ConflictError, DomainError
from tenants.models import Role
from tests.scheduling.factories import ScheduleVersionFactory
from tests.scheduling.manager_pages import JULY_1, small_schedule

pytestmark = pytest.mark.django_db

Status = ScheduleVersion.Status
MODELS = (BlockAssignment, SessionAssignment, CallAssignment)


def snapshot(version):
    """Every assignment row of the version with its values, to compare exactly."""
    rows = set()
    for model in MODELS:
        fields = [f.attname for f in model._meta.concrete_fields]
        rows |= {(model.__name__, *values) for values in model.objects.filter(version=version).values_list(*fields)}
    return rows


@pytest.fixture
def setup(program, coordinator):
    return small_schedule(program, coordinator)


def to_nights(setup, user, reason="Covering nights"):
    """The cell edit most tests undo: Rita's block 1 from clinic to night float (its half-days and calls too)."""
    block_assignment_change(
        version=setup.version, person=setup.resident, block=setup.block, rotation=setup.nights, user=user, reason=reason
    )


def statuses(year):
    return dict(ScheduleVersion.objects.filter(academic_year=year).values_list("number", "status"))


def archived_and_published(setup, coordinator):
    """Version 1 (Rita on clinic, calls every fourth night) archived by publishing an empty version 2."""
    schedule_version_publish(version=setup.version, user=coordinator)
    newer = ScheduleVersionFactory(academic_year=setup.year, number=2)
    schedule_version_publish(version=newer, user=coordinator)
    setup.version.refresh_from_db()
    return newer


# Discard


def test_discard_deletes_a_draft_and_its_assignments_and_records_each_deletion(setup, coordinator):
    rows = {model: model.objects.filter(version=setup.version).count() for model in MODELS}

    deleted = schedule_version_discard(version=setup.version, user=coordinator)

    assert deleted == sum(rows.values()) > 0
    assert not ScheduleVersion.objects.filter(pk=setup.version.pk).exists()
    for model, count in rows.items():
        assert not model.objects.filter(version_id=setup.version.pk).exists()
        gone = model.history.filter(version_id=setup.version.pk, history_type="-")
        assert gone.count() == count
        assert set(gone.values_list("history_change_reason", "history_user")) == {
            ("Discarded draft version 1", coordinator.pk)
        }
    entry = ScheduleVersion.history.filter(id=setup.version.pk).first()
    assert (entry.history_type, entry.history_change_reason, entry.history_user) == (
        "-",
        "Discarded draft version 1",
        coordinator,
    )


def test_discard_refuses_the_published_and_an_archived_version(setup, coordinator):
    published = archived_and_published(setup, coordinator)
    published_rows = snapshot(published)
    archived_rows = snapshot(setup.version)

    with pytest.raises(ConflictError, match="is the published schedule of 2026-2027; only a draft can be discarded"):
        schedule_version_discard(version=published, user=coordinator)
    with pytest.raises(ConflictError, match="is archived: it is the record of a schedule that was published"):
        schedule_version_discard(version=setup.version, user=coordinator)

    assert statuses(setup.year) == {1: Status.ARCHIVED, 2: Status.PUBLISHED}
    assert (snapshot(published), snapshot(setup.version)) == (published_rows, archived_rows)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.RN])
def test_discard_is_refused_to_everyone_but_managers(setup, member, role):
    with pytest.raises(PermissionDenied, match="Only the admins and coordinators"):
        schedule_version_discard(version=setup.version, user=member(role))

    assert ScheduleVersion.objects.filter(pk=setup.version.pk).exists()


def test_coordinator_of_another_program_cannot_discard(setup, member, other_program):
    with pytest.raises(PermissionDenied):
        schedule_version_discard(version=setup.version, user=member(Role.COORDINATOR, in_program=other_program))

    assert ScheduleVersion.objects.filter(pk=setup.version.pk).exists()


# Restore


def test_restore_copies_an_archived_version_into_the_next_draft(setup, coordinator):
    archived_and_published(setup, coordinator)
    assert setup.version.status == Status.ARCHIVED

    draft = schedule_version_restore(version=setup.version, user=coordinator)

    assert (draft.number, draft.status, draft.note) == (3, Status.DRAFT, "Restored from version 1")
    strip = {"id", "version_id"}

    def values(version):
        return {
            model: sorted(
                tuple(v for k, v in row.items() if k not in strip)
                for row in model.objects.filter(version=version).values()
            )
            for model in MODELS
        }

    assert values(draft) == values(setup.version)
    assert SessionAssignment.objects.filter(version=draft).count() > 0
    history = SessionAssignment.history.filter(version_id=draft.pk)
    assert set(history.values_list("history_type", "history_change_reason", "history_user")) == {
        ("+", "Restored from version 1", coordinator.pk)
    }
    assert ScheduleVersion.objects.get(pk=setup.version.pk).status == Status.ARCHIVED  # the original stays


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PUBLISHED])
def test_restore_refuses_a_draft_or_the_published_version(program, coordinator, status):
    s = small_schedule(program, coordinator, status=status)

    with pytest.raises(ConflictError, match="only an archived version can be restored"):
        schedule_version_restore(version=s.version, user=coordinator)

    assert ScheduleVersion.objects.filter(academic_year=s.year).count() == 1


def test_restore_is_refused_to_residents(setup, coordinator, member):
    archived_and_published(setup, coordinator)

    with pytest.raises(PermissionDenied):
        schedule_version_restore(version=setup.version, user=member(Role.RESIDENT))

    assert ScheduleVersion.objects.filter(academic_year=setup.year).count() == 2


# Undo


def test_undo_puts_back_a_block_edit_exactly_with_its_half_days_and_calls(setup, coordinator):
    before = snapshot(setup.version)

    to_nights(setup, coordinator)
    assert snapshot(setup.version) != before

    undone = schedule_version_undo(version=setup.version, user=coordinator)

    assert undone == "Rita Resident, Block 1: Clinic → Night float"
    assert snapshot(setup.version) == before
    row = BlockAssignment.objects.get(version=setup.version, person=setup.resident)
    assert row.history.first().history_change_reason == f"Undo: Cell edit: {undone}"
    assert row.history.first().history_user == coordinator
    last = schedule_version_last_edit(version=setup.version)
    assert (last.undone, last.summary, last.user) == (True, undone, coordinator)


def test_undo_of_a_call_move_puts_the_call_and_the_post_call_half_days_back(setup, coordinator):
    before = snapshot(setup.version)

    call_assignment_change(
        version=setup.version,
        person=setup.resident,
        date=JULY_1 + dt.timedelta(days=4),
        to_date=JULY_1 + dt.timedelta(days=6),
        action="move",
        user=coordinator,
        reason="Swapped nights",
    )
    schedule_version_undo(version=setup.version, user=coordinator)

    assert snapshot(setup.version) == before


def test_undo_of_a_half_day_removes_a_row_the_edit_created(setup, coordinator):
    block_2 = JULY_1 + dt.timedelta(days=30)  # Rita has nothing scheduled in block 2
    before = snapshot(setup.version)
    assert not SessionAssignment.objects.filter(version=setup.version, date=block_2).exists()

    session_assignment_change(
        version=setup.version,
        person=setup.resident,
        date=block_2,
        session="AM",
        activity="conference",  # not clinic: alone there, without faculty, she would be unsupervised
        user=coordinator,
    )
    assert SessionAssignment.objects.filter(version=setup.version, date=block_2).exists()
    schedule_version_undo(version=setup.version, user=coordinator)

    assert snapshot(setup.version) == before


def test_a_long_reason_stays_whole_on_the_row_and_is_shortened_in_the_history(setup, coordinator):
    reason = "Covering nights for a colleague on leave; agreed with the program director. " * 3  # 237 characters

    to_nights(setup, coordinator, reason=reason)  # PostgreSQL refused a history reason over 100 characters
    schedule_version_undo(version=setup.version, user=coordinator)

    entries = BlockAssignment.history.filter(version_id=setup.version.pk, person_id=setup.resident.pk)
    edit, undo = entries.order_by("history_id")[1:3]
    assert edit.override_reason == reason.strip()
    assert edit.history_change_reason == reason.strip()[:100]
    assert undo.history_change_reason.startswith("Undo: Cell edit: Rita Resident, Block 1")


def test_undo_is_one_level_and_refuses_a_second_undo(setup, coordinator):
    to_nights(setup, coordinator)
    schedule_version_undo(version=setup.version, user=coordinator)
    after_undo = snapshot(setup.version)

    with pytest.raises(ConflictError, match="already undone; only the last change can be undone"):
        schedule_version_undo(version=setup.version, user=coordinator)

    assert snapshot(setup.version) == after_undo


def test_undo_without_any_cell_edit_says_so(program, coordinator):
    version = ScheduleVersionFactory(academic_year=small_schedule(program, coordinator).year, number=2)

    with pytest.raises(DomainError, match="Version 2 has no cell edit to undo"):
        schedule_version_undo(version=version, user=coordinator)


def test_undo_refuses_an_archived_version(setup, coordinator):
    archived_and_published(setup, coordinator)

    with pytest.raises(ConflictError, match="is archived"):
        schedule_version_undo(version=setup.version, user=coordinator)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_undo_is_refused_to_residents_and_faculty(setup, member, role):
    before = snapshot(setup.version)

    with pytest.raises(PermissionDenied):
        schedule_version_undo(version=setup.version, user=member(role))

    assert snapshot(setup.version) == before


def test_undo_of_a_published_edit_tells_the_resident(program, coordinator, member):
    user = member(Role.RESIDENT)
    s = small_schedule(program, coordinator, user=user, status=Status.PUBLISHED)
    session_assignment_change(
        version=s.version, person=s.resident, date=JULY_1, session="PM", activity="off", user=coordinator, reason="Ill"
    )

    edited = Notification.objects.filter(recipient=user).latest("pk")

    schedule_version_undo(version=s.version, user=coordinator)

    undone = Notification.objects.filter(recipient=user).latest("pk")
    assert undone.pk != edited.pk and undone.event == "assignment_changed"
    assert "A change was undone" in undone.title and "Wed 01 Jul 2026 PM: Clinic → Off" in undone.body


# Pages and API


def test_version_list_offers_each_versions_actions(client, setup, coordinator):
    archived_and_published(setup, coordinator)
    draft = ScheduleVersionFactory(academic_year=setup.year, number=3)
    client.force_login(coordinator)

    body = client.get(reverse("version-list")).content.decode()

    assert reverse("version-discard", args=[draft.pk]) in body
    assert reverse("version-restore", args=[setup.version.pk]) in body
    assert 'data-confirm="Discard draft version 3' in body
    published = ScheduleVersion.objects.get(academic_year=setup.year, status=Status.PUBLISHED)
    assert reverse("version-discard", args=[setup.version.pk]) not in body
    assert reverse("version-discard", args=[published.pk]) not in body
    assert reverse("version-restore", args=[published.pk]) not in body


def test_discard_page_confirms_then_discards(client, setup, coordinator):
    client.force_login(coordinator)
    url = reverse("version-discard", args=[setup.version.pk])

    asked = client.post(url)

    assert asked.status_code == 200 and "Discard draft version 1?" in asked.content.decode()
    assert ScheduleVersion.objects.filter(pk=setup.version.pk).exists()

    done = client.post(url, {"confirmed": "yes"})

    assert done.status_code == 302 and done.url == f"{reverse('version-list')}?year={setup.year.pk}"
    assert not ScheduleVersion.objects.filter(pk=setup.version.pk).exists()


def test_discard_page_refuses_the_published_version_with_a_message(client, program, coordinator):
    s = small_schedule(program, coordinator, status=Status.PUBLISHED)
    client.force_login(coordinator)

    response = client.post(reverse("version-discard", args=[s.version.pk]), {"confirmed": "yes"})

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "only a draft can be discarded" in message
    assert ScheduleVersion.objects.get(pk=s.version.pk).status == Status.PUBLISHED


def test_restore_page_opens_the_new_draft(client, setup, coordinator):
    archived_and_published(setup, coordinator)
    client.force_login(coordinator)

    response = client.post(reverse("version-restore", args=[setup.version.pk]))

    draft = ScheduleVersion.objects.get(academic_year=setup.year, number=3)
    assert response.url == reverse("version-compare", args=[draft.pk])


def test_edit_page_undoes_the_last_change_and_comes_back(client, setup, coordinator):
    client.force_login(coordinator)
    edit = reverse("edit-block", args=[setup.version.pk, setup.resident.pk, setup.block.pk])
    before = snapshot(setup.version)
    client.post(edit, {"rotation": setup.nights.pk, "reason": "Covering nights"})

    page = client.get(edit).content.decode()
    assert "Rita Resident, Block 1: Clinic → Night float" in page and "Undo this change" in page

    response = client.post(reverse("version-undo", args=[setup.version.pk]), {"next": edit})

    assert response.url == edit
    assert snapshot(setup.version) == before
    assert "Last change undone" in client.get(edit).content.decode()


def test_undo_ignores_a_next_address_on_another_site(client, setup, coordinator):
    client.force_login(coordinator)
    to_nights(setup, coordinator)

    response = client.post(reverse("version-undo", args=[setup.version.pk]), {"next": "https://evil.example/"})

    assert response.url == reverse("version-compare", args=[setup.version.pk])


def test_version_pages_are_forbidden_to_residents_and_hidden_from_other_programs(
    client, setup, coordinator, member, other_program
):
    urls = [
        reverse("version-discard", args=[setup.version.pk]),
        reverse("version-restore", args=[setup.version.pk]),
        reverse("version-undo", args=[setup.version.pk]),
    ]
    client.force_login(member(Role.RESIDENT))
    assert client.get(reverse("version-list")).status_code == 403
    assert all(client.post(url, {"confirmed": "yes"}).status_code == 403 for url in urls)

    client.force_login(member(Role.COORDINATOR, in_program=other_program))
    assert all(client.post(url, {"confirmed": "yes"}).status_code == 404 for url in urls)
    assert ScheduleVersion.objects.filter(pk=setup.version.pk).exists()


def test_api_discards_a_draft_and_refuses_a_published_version(api_as, program, coordinator):
    s = small_schedule(program, coordinator)
    published = ScheduleVersionFactory(
        academic_year=s.year, number=2, status=Status.PUBLISHED, published_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    api = api_as(coordinator)

    refused = api.post(reverse("api:schedule-version-discard", args=[published.pk]))
    done = api.post(reverse("api:schedule-version-discard", args=[s.version.pk]))

    assert refused.status_code == 409 and "only a draft can be discarded" in refused.json()["detail"]
    assert done.status_code == 204
    assert list(ScheduleVersion.objects.values_list("number", flat=True)) == [2]


def test_api_restores_an_archived_version(api_as, setup, coordinator):
    archived_and_published(setup, coordinator)

    response = api_as(coordinator).post(reverse("api:schedule-version-restore", args=[setup.version.pk]))

    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["status"], body["note"]) == (3, "draft", "Restored from version 1")
    assert response["Location"].endswith(reverse("api:schedule-version-detail", args=[body["id"]]))


def test_api_version_actions_are_refused_to_residents_and_other_programs(
    api_as, setup, coordinator, resident_user, member, other_program
):
    outsider = api_as(member(Role.COORDINATOR, in_program=other_program), in_program=other_program)
    for name in ("discard", "restore"):
        url = reverse(f"api:schedule-version-{name}", args=[setup.version.pk])
        assert api_as(resident_user).post(url).status_code == 403
        assert outsider.post(url).status_code == 404
    assert ScheduleVersion.objects.get(pk=setup.version.pk).status == Status.DRAFT
