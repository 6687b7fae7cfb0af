"""Editing a cell: rules are checked before saving; breaking one needs a reason, saved as an override."""

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import BlockAssignment, CallAssignment, ScheduleVersion, SessionAssignment
from scheduling.services import RuleBreachError, call_assignment_change
from tenants.errors import ConflictError
from tenants.models import Role
from tests.scheduling.factories import ResidentFactory
from tests.scheduling.manager_pages import JULY_1, small_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(program, coordinator):
    return small_schedule(program, coordinator)


def block_url(s, person=None, block=None, version=None):
    return reverse("edit-block", args=[(version or s.version).pk, (person or s.resident).pk, (block or s.block).pk])


def call_url(s, day):
    return reverse("edit-call", args=[s.version.pk, s.resident.pk, day.isoformat()])


def session_url(s, day, session="AM"):
    return reverse("edit-session", args=[s.version.pk, s.resident.pk, day.isoformat(), session])


def calls_of(s):
    return CallAssignment.objects.filter(version=s.version, person=s.resident)


def test_five_calls_in_six_nights_is_refused_without_a_reason(setup, coordinator):
    # calls stand on 1 and 5 July; adding 2, 3 and 4 July makes five calls in five nights
    for day in (2, 3):
        call_assignment_change(
            version=setup.version,
            person=setup.resident,
            date=dt.date(2026, 7, day),
            action="add",
            user=coordinator,
            reason="Cover",
        )
    before = calls_of(setup).count()

    with pytest.raises(RuleBreachError) as refused:
        call_assignment_change(
            version=setup.version, person=setup.resident, date=dt.date(2026, 7, 4), action="add", user=coordinator
        )

    rules = {finding.rule for finding in refused.value.findings}
    assert "call_spacing" in rules and rules & {"continuous_duty", "rest_after_24h"}
    assert calls_of(setup).count() == before


def test_call_page_lists_the_broken_rules_and_saves_only_with_a_reason(client, setup, coordinator):
    client.force_login(coordinator)
    night = JULY_1 + dt.timedelta(days=1)  # the night after a call

    refused = client.post(call_url(setup, night), {"action": "add", "post_call": "on", "reason": ""})

    body = refused.content.decode()
    assert refused.status_code == 200
    assert "In-house call nights too close together (program rule)" in body
    assert "Continuous duty over 24+4 h (ACGME 6.22)" in body  # the rule in words, with its clause
    assert "call_spacing" not in body and "continuous_duty" not in body
    assert "A reason is required" in body
    assert not calls_of(setup).filter(start__date=night).exists()

    saved = client.post(call_url(setup, night), {"action": "add", "post_call": "on", "reason": "Sick colleague"})

    assert saved.status_code == 302
    call = calls_of(setup).get(source="manual", override_reason="Sick colleague")
    assert call.acknowledged_by == coordinator
    history = call.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        coordinator,
        "Sick colleague",
    )


def test_block_edit_past_80_hours_is_refused_then_saved_with_a_reason(client, setup, coordinator):
    client.force_login(coordinator)
    url = block_url(setup)

    refused = client.post(url, {"rotation": setup.nights.pk})

    assert refused.status_code == 200
    assert "Duty hours over the weekly limit, averaged over 4 weeks (ACGME 6.20)" in refused.content.decode()
    assert BlockAssignment.objects.get(version=setup.version, person=setup.resident).rotation == setup.clinic

    saved = client.post(url, {"rotation": setup.nights.pk, "reason": "Covering nights for a colleague"})

    assert saved.status_code == 302
    row = BlockAssignment.objects.get(version=setup.version, person=setup.resident)
    assert (row.rotation, row.source, row.acknowledged_by) == (setup.nights, "manual", coordinator)
    assert row.override_reason == "Covering nights for a colleague"
    assert row.history.latest().history_change_reason == "Covering nights for a colleague"
    nights = SessionAssignment.objects.filter(version=setup.version, person=setup.resident, activity="night_float")
    assert nights.count() > 40  # the block's half-days were re-derived for the night rotation


def test_block_edit_refuses_an_ineligible_pgy_and_a_full_rotation(setup, coordinator):
    from scheduling.services import block_assignment_change

    setup.clinic.min_pgy, setup.clinic.max_residents = 3, 0
    setup.clinic.save()
    other = ResidentFactory(program=setup.version.program, pgy=2)

    with pytest.raises(RuleBreachError) as refused:
        block_assignment_change(
            version=setup.version, person=other, block=setup.block, rotation=setup.clinic, user=coordinator
        )

    assert {f.rule for f in refused.value.findings} >= {"pgy_eligibility", "rotation_max_residents"}
    assert not BlockAssignment.objects.filter(person=other).exists()


def test_session_edit_that_breaks_no_rule_saves_without_a_reason(client, setup, coordinator):
    client.force_login(coordinator)
    saturday = dt.date(2026, 8, 15)  # block 2: nothing scheduled around it

    response = client.post(session_url(setup, saturday), {"activity": "conference"})

    assert response.status_code == 302
    row = SessionAssignment.objects.get(version=setup.version, person=setup.resident, date=saturday, session="AM")
    assert (row.activity, row.source, row.override_reason, row.acknowledged_by) == ("conference", "manual", "", None)


def test_htmx_gets_the_form_partial_and_a_browser_the_full_page(client, setup, coordinator):
    client.force_login(coordinator)
    url = session_url(setup, dt.date(2026, 7, 6))

    partial = client.get(url, headers={"HX-Request": "true"})
    page = client.get(url)

    assert partial.status_code == page.status_code == 200
    assert "<html" not in partial.content.decode() and 'id="edit-cell"' in partial.content.decode()
    assert "<html" in page.content.decode() and 'name="activity"' in page.content.decode()
    assert "Clinic" in page.content.decode()  # the current value


def test_htmx_save_returns_the_partial_and_a_change_event(client, setup, coordinator):
    client.force_login(coordinator)

    response = client.post(
        session_url(setup, dt.date(2026, 8, 15)), {"activity": "conference"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200 and response["HX-Trigger"] == "schedule-changed"
    assert "Conference" in response.content.decode()


def test_published_version_can_be_edited_and_archived_cannot(program, coordinator):
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED)
    call_assignment_change(version=setup.version, person=setup.resident, date=JULY_1, action="remove", user=coordinator)
    assert not calls_of(setup).filter(start__date=JULY_1).exists()

    setup.version.status = ScheduleVersion.Status.ARCHIVED
    setup.version.save()
    with pytest.raises(ConflictError, match="archived"):
        call_assignment_change(
            version=setup.version, person=setup.resident, date=JULY_1, action="add", user=coordinator
        )


def test_moving_a_call_needs_a_free_target_night(client, setup, coordinator):
    client.force_login(coordinator)

    missing = client.post(call_url(setup, JULY_1), {"action": "move"})
    taken = client.post(call_url(setup, JULY_1), {"action": "move", "to_date": "2026-07-05"})
    moved = client.post(
        call_url(setup, JULY_1), {"action": "move", "to_date": "2026-07-03", "post_call": "on", "reason": "Swap"}
    )

    assert "Give the night the call moves to" in missing.content.decode()
    assert "already has an in-house call" in taken.content.decode()
    assert moved.status_code == 302
    nights = {c.start.date() for c in calls_of(setup)}
    assert dt.date(2026, 7, 3) in nights and JULY_1 not in nights


def test_malformed_cell_addresses_are_refused_with_a_message(client, setup, coordinator):
    client.force_login(coordinator)

    session = client.get(session_url(setup, JULY_1, session="XX"))
    day = client.get(reverse("edit-call", args=[setup.version.pk, setup.resident.pk, "2026-13-01"]))

    assert (session.status_code, day.status_code) == (400, 400)
    assert "The session is AM or PM" in session.content.decode()
    assert "is not a date" in day.content.decode() and "<html" in day.content.decode()


def test_resident_is_forbidden_on_every_edit_page(client, setup, member):
    client.force_login(member(Role.RESIDENT))

    for url in (block_url(setup), session_url(setup, JULY_1), call_url(setup, JULY_1)):
        assert client.get(url).status_code == 403
        assert client.post(url, {"activity": "off", "action": "remove"}).status_code == 403
    assert calls_of(setup).count() == 7


def test_another_programs_version_or_person_is_not_found(client, setup, member, other_program):
    stranger = member(Role.COORDINATOR, in_program=other_program)
    client.force_login(stranger)

    assert client.get(session_url(setup, JULY_1)).status_code == 404
    assert client.post(call_url(setup, JULY_1), {"action": "remove"}).status_code == 404
    assert calls_of(setup).count() == 7
