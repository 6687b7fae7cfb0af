"""In the browser: a draft that breaks ACGME rules publishes only with a reason, which the compare page then
shows; discarding a draft asks first; a cell edit is undone from its page, exactly."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from scheduling.compliance import version_report
from scheduling.models import BlockAssignment, CallAssignment, Person, ScheduleVersion, SessionAssignment
from scheduling.selectors import academic_year_current
from scheduling.services import call_assignment_change
from tenants.models import Organization, User
from tests.e2e.conftest import log_in

REASON = "Two residents out sick; the program director approved the double call."
Status = ScheduleVersion.Status


@pytest.fixture
def breaking_draft(demo) -> tuple[ScheduleVersion, Person]:
    """A draft of the demo year in which a resident takes in-house call two nights in a row (made by cell edits
    with a reason, as a coordinator would), so it breaks the continuous-duty rule."""
    program = Organization.objects.get(slug="family-medicine")
    year = academic_year_current(program=program)
    coordinator = User.objects.get(email="coordinator@demo.example.org")
    draft = ScheduleVersion.objects.create(program=program, academic_year=year, number=1)
    resident = Person.objects.filter(program=program, kind=Person.Kind.RESIDENT, is_active=True).order_by("pk")[0]
    for offset in (7, 8):
        call_assignment_change(
            version=draft,
            person=resident,
            date=year.start_date + dt.timedelta(days=offset),
            action="add",
            user=coordinator,
            reason="Short-staffed week",
        )
    assert not version_report(version=draft).compliant
    return draft, resident


def accept_dialogs(page: Page) -> list[str]:
    """Accept every confirm() dialog, keeping its question."""
    asked: list[str] = []

    def accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def test_a_breaking_draft_publishes_only_with_a_reason_shown_on_the_compare_page(live_server, breaking_draft, context):
    draft, resident = breaking_draft
    page = log_in(context.new_page(), live_server.url, "coordinator", "/versions/")
    asked = accept_dialogs(page)

    page.get_by_role("link", name="Compare and publish").click()
    page.wait_for_url(re.compile(rf"/versions/{draft.pk}/compare/$"))
    expect(page.get_by_role("alert")).to_contain_text("breaks ACGME rules")
    expect(page.get_by_role("alert")).to_contain_text(resident.full_name)

    # Without a reason the browser will not send the form, and the draft stays a draft.
    page.get_by_role("button", name="Publish version 1").click()
    reason = page.get_by_label("Reason for publishing it anyway")
    assert reason.evaluate("field => field.validity.valueMissing")
    assert asked == []
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    reason.fill(REASON)
    page.get_by_role("button", name="Publish version 1").click()
    page.wait_for_url(re.compile(r"/schedule/"))
    assert asked and asked[0].startswith("Publish version 1 of") and "breaks ACGME rules" in asked[0]
    draft.refresh_from_db()
    assert (draft.status, draft.publish_reason) == (Status.PUBLISHED, REASON)

    page.goto(f"{live_server.url}/versions/{draft.pk}/compare/")
    expect(page.get_by_text(f"Reason: {REASON}")).to_be_visible()
    page.goto(f"{live_server.url}/compliance/?version={draft.pk}")
    expect(page.get_by_text(f"Reason: {REASON}")).to_be_visible()


def test_discarding_a_draft_asks_first(live_server, breaking_draft, context):
    draft, _ = breaking_draft
    page = log_in(context.new_page(), live_server.url, "coordinator", "/versions/")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Discard version 1").click()
    expect(page.get_by_role("button", name="Discard version 1")).to_be_visible()
    assert ScheduleVersion.objects.filter(pk=draft.pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard version 1").click()
    expect(page.get_by_text("Draft version 1 of")).to_be_visible()
    assert not ScheduleVersion.objects.filter(pk=draft.pk).exists()


def rows(version: ScheduleVersion) -> set[tuple]:
    found: set[tuple] = set()
    for model in (BlockAssignment, SessionAssignment, CallAssignment):
        fields = [f.attname for f in model._meta.concrete_fields]
        found |= {(model.__name__, *values) for values in model.objects.filter(version=version).values_list(*fields)}
    return found


def test_a_cell_edit_is_undone_from_its_page(live_server, breaking_draft, context):
    draft, resident = breaking_draft
    day = draft.academic_year.start_date + dt.timedelta(days=14)
    before = rows(draft)
    path = f"/versions/{draft.pk}/people/{resident.pk}/sessions/{day.isoformat()}/AM/"
    page = log_in(context.new_page(), live_server.url, "coordinator", path)

    # Didactics breaks no rule (a resident alone in clinic would now be an unsupervised session needing a reason).
    page.get_by_label("Activity").select_option("conference")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_be_visible()
    assert rows(draft) != before

    page.get_by_role("button", name="Undo this change").click()
    page.wait_for_url(f"{live_server.url}{path}")
    expect(page.get_by_text(f"Undone: {resident.full_name}")).to_be_visible()
    expect(page.get_by_text("Last change undone")).to_be_visible()
    assert rows(draft) == before
