"""In the browser: the coordinator changes a resident's half-day in place on the week view, sees the check
before saving, sees the new value in the table, undoes it and sees the old value back (issue 11, points 6
and 10)."""

import datetime as dt

from playwright.sync_api import expect

from notifications.models import Notification
from scheduling.models import ScheduleVersion, SessionAssignment
from tests.e2e.conftest import log_in
from tests.e2e.test_publish_gate import rows

Activity = SessionAssignment.Activity


def a_weekday_of_work(version: ScheduleVersion) -> SessionAssignment:
    """A resident's AM of ward or clinic work on a Tuesday to Thursday of the second week of the year."""
    start = version.academic_year.start_date + dt.timedelta(days=7)
    days = [start + dt.timedelta(days=i) for i in range(7)]
    return (
        SessionAssignment.objects.filter(
            version=version,
            person__kind="resident",
            session="AM",
            date__in=[d for d in days if d.weekday() in (1, 2, 3)],
            activity__in=(Activity.INPATIENT, Activity.CLINIC, Activity.ELECTIVE, Activity.PROCEDURE),
        )
        .select_related("person")
        .order_by("date", "person__last_name")
        .first()
    )


def test_an_inline_half_day_edit_is_checked_saved_in_place_and_undone(live_server, published, context):
    row = a_weekday_of_work(published)
    assert row is not None, "the demo's block 1 gives residents weekday work"
    monday = row.date - dt.timedelta(days=row.date.weekday())
    before, notices = rows(published), Notification.objects.count()
    page = log_in(context.new_page(), live_server.url, "coordinator", f"/schedule/week/?start={monday.isoformat()}")

    cell = page.locator(f'a.cell-link[href="/versions/{published.pk}/people/{row.person_id}/sessions/{row.date}/AM/"]')
    old_code = cell.inner_text().strip()
    assert old_code and old_code != "CONF"
    cell.click()

    # The form opens in place (the page stays the week view) and says what the half-day holds now.
    editor = page.locator("#cell-editor")
    expect(editor.get_by_role("heading")).to_contain_text(row.person.full_name)
    expect(editor).to_contain_text("Now:")
    assert page.url.endswith(f"/schedule/week/?start={monday.isoformat()}")

    # Check first: the rules the change would break (none here), and nothing saved.
    editor.get_by_label("Activity").select_option(Activity.CONFERENCE)
    editor.get_by_role("button", name="Check").click()
    expect(editor.get_by_role("status")).to_contain_text("No ACGME or program rule is broken")
    assert rows(published) == before and Notification.objects.count() == notices

    # Save: the editor reads the half-day again and the week's table shows the new code in place.
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".edit-now")).to_contain_text("Conference / didactics")  # and the rotation, if kept
    expect(cell).to_have_text("CONF")
    saved = SessionAssignment.objects.get(version=published, person=row.person, date=row.date, session="AM")
    assert (saved.activity, saved.source) == (Activity.CONFERENCE, "manual")

    # Undo that edit: the old value is back in the table and in the rows, exactly.
    editor.get_by_role("button", name="Undo this change").click()
    expect(editor).to_contain_text(f"Undone: {row.person.full_name}")
    expect(cell).to_have_text(old_code)
    assert rows(published) == before
    assert page.url.endswith(f"/schedule/week/?start={monday.isoformat()}")

    # Closing the editor leaves the week view as it is.
    editor.get_by_role("button", name="Close the editor").click()
    expect(editor).to_be_empty()
