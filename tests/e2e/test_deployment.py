"""A mid-year deployment, from request to a published repaired schedule, in the browser."""

import re

import pytest
from playwright.sync_api import expect

from absences.models import Absence
from scheduling.models import Block, CallAssignment, Person, ScheduleVersion, SessionAssignment
from tests.e2e.conftest import log_in

SOLVE_WAIT_MS = 240_000
FREE = ("leave", "off")


@pytest.mark.usefixtures("solver_worker")
def test_coordinator_takes_a_deployment_to_a_published_repaired_schedule(live_server, published, context):
    resident = Person.objects.get(program=published.program, user__email="resident@demo.example.org")
    block2 = Block.objects.get(academic_year=published.academic_year, number=2)
    page = log_in(context.new_page(), live_server.url, "coordinator", "/absences/new/")

    page.get_by_label("Person").select_option(str(resident.pk))
    expect(page.get_by_label("Orders reference")).to_be_hidden()  # military fields only for military kinds
    page.get_by_label("Kind").select_option("deployment")
    page.get_by_label("Start date").fill(block2.start_date.isoformat())
    page.get_by_label("End date").fill(block2.end_date.isoformat())
    page.get_by_label("Orders reference").fill("ORD-2026-0815")
    page.get_by_role("button", name="Send the request").click()
    absence = Absence.objects.get(person=resident)
    page.wait_for_url(re.compile(rf"/absences/{absence.pk}/$"))

    page.get_by_role("link", name=re.compile("See the conflicts")).click()
    expect(page.get_by_role("button", name="Approve and repair the schedule")).to_be_visible()
    page.get_by_role("button", name="Approve and repair the schedule").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    expect(page.get_by_text("Draft version")).to_be_visible(timeout=SOLVE_WAIT_MS)
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED

    page.goto(f"{live_server.url}/absences/{absence.pk}/impact/")
    page.get_by_role("button", name="Review and publish the repaired draft").click()
    page.wait_for_url(re.compile(r"/versions/\d+/compare/$"))
    page.on("dialog", lambda dialog: dialog.accept())  # publishing asks for confirmation
    page.get_by_role("button", name=re.compile("Publish version")).click()
    page.wait_for_url(re.compile(r"/schedule/"))

    live = ScheduleVersion.objects.get(academic_year=published.academic_year, status=ScheduleVersion.Status.PUBLISHED)
    assert live.pk != published.pk
    away = (block2.start_date, block2.end_date)
    duty = SessionAssignment.objects.filter(version=live, person=resident, date__range=away).exclude(activity__in=FREE)
    assert not duty.exists()
    assert not CallAssignment.objects.filter(version=live, person=resident, start__date__range=away).exists()
    # the rest of the year is the published schedule as it was
    block1 = Block.objects.get(academic_year=published.academic_year, number=1)
    before = set(
        SessionAssignment.objects.filter(
            version=published, date__range=(block1.start_date, block1.end_date)
        ).values_list("person", "date", "session", "activity")
    )
    after = set(
        SessionAssignment.objects.filter(version=live, date__range=(block1.start_date, block1.end_date)).values_list(
            "person", "date", "session", "activity"
        )
    )
    assert before == after
