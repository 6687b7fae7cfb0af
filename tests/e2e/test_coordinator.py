"""A coordinator generates the demo program's first block, watches it finish, edits a cell and publishes."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from scheduling.models import CallAssignment, ScheduleRun, ScheduleVersion
from tests.e2e.conftest import log_in

SOLVE_WAIT_MS = 240_000  # generous: the browser waits on the page, never on a fixed sleep


@pytest.mark.usefixtures("solver_worker")
def test_coordinator_generates_watches_edits_with_a_warning_and_publishes(live_server, demo, context):
    page = log_in(context.new_page(), live_server.url, "coordinator", "/schedule/generate/")

    page.get_by_label("First block").fill("1")
    page.get_by_label("Last block").fill("1")
    page.get_by_label("Time limit").fill("30")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))

    # The progress card polls until the run ends; then the draft's summary is on the page.
    expect(page.get_by_text("Draft version")).to_be_visible(timeout=SOLVE_WAIT_MS)
    expect(page.get_by_text("ACGME compliant")).to_be_visible()
    run = ScheduleRun.objects.get()
    assert run.status == ScheduleRun.Status.SUCCEEDED, run.message
    draft = ScheduleVersion.objects.get(status=ScheduleVersion.Status.DRAFT)

    # A second in-house call the night after a resident's call breaks the every-third-night rule.
    call = CallAssignment.objects.filter(version=draft).order_by("start").first()
    night = call.start.astimezone(call.start.tzinfo).date() + dt.timedelta(days=1)
    page.goto(f"{live_server.url}/versions/{draft.pk}/people/{call.person_id}/calls/{night.isoformat()}/")
    calls_before = CallAssignment.objects.filter(version=draft, person=call.person).count()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("breaks")
    assert CallAssignment.objects.filter(version=draft, person=call.person).count() == calls_before  # nothing saved
    page.get_by_label("Reason").fill("Covering for a sick colleague; chief approved.")
    page.get_by_role("button", name="Save with this reason").click()
    expect(page.get_by_role("status")).to_be_visible()
    override = CallAssignment.objects.get(
        version=draft, person=call.person, start__date__gte=night, override_reason__gt=""
    )
    assert override.acknowledged_by.email == "coordinator@demo.example.org"
    assert CallAssignment.objects.filter(version=draft, person=call.person).count() == calls_before + 1

    # Compare with the (absent) published schedule and publish, confirming; a draft the override leaves
    # breaking an ACGME rule needs a reason.
    page.goto(f"{live_server.url}/versions/{draft.pk}/compare/")
    page.on("dialog", lambda dialog: dialog.accept())
    reason = page.get_by_label("Reason for publishing it anyway")
    if reason.count():
        reason.fill("The chief approved the extra call.")
    page.get_by_role("button", name=re.compile("Publish")).click()
    page.wait_for_url(re.compile(r"/schedule/"))
    draft.refresh_from_db()
    assert draft.status == ScheduleVersion.Status.PUBLISHED
    expect(page.locator("table").first).to_be_visible()
