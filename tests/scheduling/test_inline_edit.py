"""Editing a cell in place (htmx): the grid, month and week views link their cells to the edit forms; "Check"
lists the rules a change would break and saves nothing; a save answers with the cell as it is now and its
undo; bad input is a 400 message in the fragment, never a server error."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from notifications.models import Notification
from scheduling.models import BlockAssignment, CallAssignment, ScheduleVersion, SessionAssignment
from scheduling.views.reading import SLOT, url_filler
from tenants.models import Role
from tests.scheduling.factories import FacultyFactory, RotationTemplateFactory
from tests.scheduling.manager_pages import JULY_1, small_schedule

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SATURDAY = dt.date(2026, 8, 15)  # block 2: nothing scheduled around it


@pytest.fixture
def setup(program, coordinator):
    return small_schedule(program, coordinator)


@pytest.fixture
def manager(client, coordinator):
    client.force_login(coordinator)
    return client


def session_url(s, day, session="AM", person=None):
    return reverse("edit-session", args=[s.version.pk, (person or s.resident).pk, day.isoformat(), session])


def call_url(s, day):
    return reverse("edit-call", args=[s.version.pk, s.resident.pk, day.isoformat()])


def block_url(s, person=None):
    return reverse("edit-block", args=[s.version.pk, (person or s.resident).pk, s.block.pk])


def rows(version) -> set[tuple]:
    """Every assignment row of the version, with all its fields."""
    found: set[tuple] = set()
    for model in (BlockAssignment, SessionAssignment, CallAssignment):
        fields = [f.attname for f in model._meta.concrete_fields]
        found |= {(model.__name__, *v) for v in model.objects.filter(version=version).values_list(*fields)}
    return found


def history_count() -> int:
    return sum(model.history.count() for model in (BlockAssignment, SessionAssignment, CallAssignment))


def week(client, s, monday=dt.date(2026, 7, 6), **query):
    return client.get(reverse("schedule-week"), {"start": monday.isoformat(), "version": s.version.pk, **query})


# --- Where the edits are offered ---


def test_week_view_links_every_half_day_and_resident_call_to_its_inline_form(manager, setup):
    body = week(manager, setup).content.decode()

    assert 'id="cell-editor"' in body and "js/cell_edit.js" in body
    assert f'href="{session_url(setup, dt.date(2026, 7, 6))}"' in body  # a clinic half-day
    assert f'href="{session_url(setup, dt.date(2026, 7, 11), "PM")}"' in body  # nothing scheduled: add something
    assert f'class="call cell-link" href="{call_url(setup, dt.date(2026, 7, 9))}"' in body  # calls every 4th night
    assert 'hx-trigger="schedule-changed from:body"' in body  # the table redraws after an edit


def test_block_grid_links_resident_blocks_and_not_faculty_ones(manager, setup, program):
    faculty = FacultyFactory(program=program)

    body = manager.get(reverse("schedule-grid"), {"version": setup.version.pk}).content.decode()

    assert f'href="{block_url(setup)}"' in body and 'id="cell-editor"' in body
    assert block_url(setup, person=faculty) not in body


def test_residents_see_no_edit_links_and_cannot_edit(client, program, coordinator, member):
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED)
    client.force_login(member(Role.RESIDENT))

    pages = [week(client, setup).content.decode(), client.get(reverse("schedule-grid")).content.decode()]

    for body in pages:
        assert "cell-link" not in body and "cell-editor" not in body and "/versions/" not in body
    before = rows(setup.version)
    for url in (session_url(setup, SATURDAY), call_url(setup, JULY_1), block_url(setup)):
        assert client.get(url, headers=HTMX).status_code == 403
        assert client.post(url, {"activity": "off", "action": "remove", "check": "1"}, headers=HTMX).status_code == 403
    assert rows(setup.version) == before


def test_archived_version_offers_no_edits(manager, program, coordinator):
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED)
    ScheduleVersion.objects.filter(pk=setup.version.pk).update(status=ScheduleVersion.Status.ARCHIVED)

    body = week(manager, setup).content.decode()
    refused = manager.get(session_url(setup, SATURDAY), headers=HTMX)

    assert "cell-link" not in body and "cell-editor" not in body
    assert refused.status_code == 409 and "archived" in refused.content.decode()


def test_url_filler_makes_the_urls_reverse_makes():
    fill = url_filler("edit-session", 12, SLOT, SLOT, SLOT)

    assert fill(345, "2026-07-06", "PM") == reverse("edit-session", args=[12, 345, "2026-07-06", "PM"])


# --- The form in place: check, save, undo ---


def test_htmx_form_has_a_check_step_and_says_what_the_cell_holds(manager, setup):
    response = manager.get(session_url(setup, dt.date(2026, 7, 6)), headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'name="check"' in body and ">Save<" in body and "Now: <strong" in body and "Clinic" in body
    assert call_url(setup, dt.date(2026, 7, 6)) in body  # the night's call is a click away


def test_check_lists_the_rules_a_change_would_break_and_saves_nothing(manager, setup):
    before, history = rows(setup.version), history_count()
    night = JULY_1 + dt.timedelta(days=1)  # the night after a call

    response = manager.post(call_url(setup, night), {"action": "add", "post_call": "on", "check": "1"}, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert "Continuous duty over 24+4 h (ACGME 6.22)" in body
    assert "In-house call nights too close together (program rule)" in body
    assert 'name="reason"' in body and "required" in body  # asked for before saving
    assert rows(setup.version) == before and history_count() == history
    assert not Notification.objects.exists()


def test_check_of_a_harmless_change_says_so_and_saves_nothing(manager, setup):
    before = rows(setup.version)

    response = manager.post(session_url(setup, SATURDAY), {"activity": "conference", "check": "1"}, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "No ACGME or program rule is broken" in body and 'name="reason"' not in body
    assert rows(setup.version) == before


def test_save_of_a_breaking_change_needs_a_reason_then_answers_with_the_new_call(manager, setup, coordinator):
    night = JULY_1 + dt.timedelta(days=1)
    url = call_url(setup, night)
    before = rows(setup.version)

    refused = manager.post(url, {"action": "add", "post_call": "on"}, headers=HTMX)

    assert refused.status_code == 200 and "A reason is required" in refused.content.decode()
    assert rows(setup.version) == before

    saved = manager.post(url, {"action": "add", "post_call": "on", "reason": "Sick colleague"}, headers=HTMX)

    body = saved.content.decode()
    assert saved.status_code == 200 and saved["HX-Trigger"] == "schedule-changed"
    # read again after saving, not "no call": a 24-h call (post-call that day, no work before it)
    assert 'Now: <strong class="edit-now">In-house call 07:00 – Fri 08:00</strong>' in body
    assert "Undo this change" in body and f'hx-post="{url}"' in body
    call = CallAssignment.objects.get(version=setup.version, person=setup.resident, start__date=night)
    assert (call.override_reason, call.acknowledged_by) == ("Sick colleague", coordinator)


def test_save_without_a_broken_rule_needs_no_reason_and_undo_restores_the_cell(manager, setup):
    url = session_url(setup, SATURDAY)
    before = rows(setup.version)

    saved = manager.post(url, {"activity": "conference"}, headers=HTMX)

    assert saved.status_code == 200 and saved["HX-Trigger"] == "schedule-changed"
    assert 'Now: <strong class="edit-now">Conference' in saved.content.decode()
    assert rows(setup.version) != before

    undone = manager.post(url, {"undo": "1"}, headers=HTMX)

    body = undone.content.decode()
    assert undone.status_code == 200 and undone["HX-Trigger"] == "schedule-changed"
    assert "Undone: Rita Resident" in body and 'Now: <strong class="edit-now">nothing</strong>' in body
    assert "Last change undone" in body
    assert rows(setup.version) == before


def test_undo_without_javascript_goes_back_to_the_edit_page(manager, setup):
    url = session_url(setup, SATURDAY)
    manager.post(url, {"activity": "conference"})

    response = manager.post(url, {"undo": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == url
    assert "Undone: Rita Resident" in response.content.decode()


def test_a_second_undo_is_refused_in_the_fragment(manager, setup):
    url = session_url(setup, SATURDAY)
    manager.post(url, {"activity": "conference"}, headers=HTMX)
    manager.post(url, {"undo": "1"}, headers=HTMX)

    again = manager.post(url, {"undo": "1"}, headers=HTMX)

    assert again.status_code == 409 and "already undone" in again.content.decode()


def test_block_edit_in_place_shows_the_new_rotation(manager, setup, program):
    elective = RotationTemplateFactory(program=program, name="Elective", abbreviation="EL")

    checked = manager.post(block_url(setup), {"rotation": elective.pk, "check": "1"}, headers=HTMX)
    saved = manager.post(block_url(setup), {"rotation": elective.pk}, headers=HTMX)

    assert "No ACGME or program rule is broken" in checked.content.decode()
    assert saved.status_code == 200 and 'Now: <strong class="edit-now">Elective</strong>' in saved.content.decode()


# --- Refusals ---


def test_another_programs_version_or_person_is_not_found(client, setup, member, other_program):
    client.force_login(member(Role.COORDINATOR, in_program=other_program))

    response = client.get(session_url(setup, SATURDAY), headers=HTMX)
    posted = client.post(call_url(setup, JULY_1), {"action": "remove"}, headers=HTMX)

    assert (response.status_code, posted.status_code) == (404, 404)
    assert "no such schedule version" in response.content.decode() and "<html" not in response.content.decode()
    assert CallAssignment.objects.filter(version=setup.version).count() == 7


@pytest.mark.parametrize(
    ("where", "data", "message"),
    [
        ("session", {"activity": "surfing"}, "Select a valid choice"),
        ("session", {"activity": "surfing", "check": "1"}, "Select a valid choice"),
        ("block", {"rotation": "abc"}, "Select a valid choice"),
        ("block", {"rotation": "99999999999999999999"}, "Select a valid choice"),
        ("call", {"action": "move", "to_date": "garbage"}, "Enter a valid date"),
        ("call", {"action": "move", "to_date": "2031-01-01", "check": "1"}, "is outside 2026-2027"),
        ("call", {"action": "explode"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_400_message_in_the_fragment(manager, setup, where, data, message):
    url = {"session": session_url(setup, SATURDAY), "block": block_url(setup), "call": call_url(setup, JULY_1)}[where]
    before = rows(setup.version)

    response = manager.post(url, data, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 400 and 'id="edit-cell"' in body and "<html" not in body
    assert message in body
    assert rows(setup.version) == before


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("sessions/2031-01-05/AM/", 400, "is outside 2026-2027"),
        ("sessions/2026-02-30/AM/", 400, "is not a date"),
        ("sessions/2026-07-06/XX/", 400, "The session is AM or PM"),
        ("calls/yesterday/", 400, "is not a date"),
        ("blocks/99999999999999999999/", 404, "no such block"),
    ],
)
def test_bad_cell_addresses_are_refused_in_the_fragment(manager, setup, path, status, message):
    url = f"/versions/{setup.version.pk}/people/{setup.resident.pk}/{path}"

    response = manager.get(url, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == status and message in body
    assert 'id="edit-cell"' in body and "<html" not in body


@pytest.mark.parametrize("ids", [(10**19, 1), (1, 10**19), (10**30, 10**30)])
def test_garbage_ids_are_not_found_never_an_error(manager, setup, ids):
    version, person = ids

    response = manager.get(f"/versions/{version}/people/{person}/sessions/2026-07-06/AM/", headers=HTMX)

    assert response.status_code == 404 and "no such" in response.content.decode()


def test_block_and_call_edits_of_a_faculty_member_are_refused(manager, setup, program):
    faculty = FacultyFactory(program=program)
    block = reverse("edit-block", args=[setup.version.pk, faculty.pk, setup.block.pk])
    call = reverse("edit-call", args=[setup.version.pk, faculty.pk, JULY_1.isoformat()])

    for url in (block, call):
        response = manager.get(url, headers=HTMX)
        assert response.status_code == 400 and "are for residents" in response.content.decode()


def test_a_faculty_half_day_is_edited_in_place(manager, setup, program):
    faculty = FacultyFactory(program=program)

    saved = manager.post(session_url(setup, SATURDAY, person=faculty), {"activity": "supervising"}, headers=HTMX)

    assert saved.status_code == 200 and re.search(r'edit-now">Supervising', saved.content.decode())
