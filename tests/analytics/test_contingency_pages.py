"""The contingency pages: managers start an analysis and read its findings; the list and progress refresh with htmx;
residents are refused; another program's manager sees none of it; the resilience panel shows the latest summary."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from analytics.contingency import contingency_run_in_process
from analytics.models import ContingencyAnalysis
from analytics.views.contingency import panel_context
from tenants.models import Role
from tests.analytics.test_contingency import start, with_sole_provider
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

PAGE = reverse("contingency-list")


def test_a_coordinator_starts_an_analysis_from_the_page(client, coordinator, program):
    year, _ = tiny_program(program, coordinator)
    client.force_login(coordinator)
    assert "Start an analysis" in client.get(PAGE).content.decode()

    response = client.post(PAGE, {"academic_year": year.pk, "first_block": 1, "last_block": 1, "depth": 2})

    analysis = ContingencyAnalysis.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("contingency-detail", args=[analysis.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Scenarios decided: 0 of 8" in page and 'hx-trigger="every 2s"' in page
    rows = client.get(PAGE).content.decode()
    assert f"#{analysis.pk}" in rows and "N-2" in rows and 'hx-get="' + reverse("contingency-list-rows") in rows


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_block": 3, "last_block": 2}, "The last block cannot come before the first block."),
        ({"depth": 3}, "Select a valid choice."),
        ({"last_block": 14}, "Block 14 does not exist"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_starts_nothing(client, coordinator, program, fields, message):
    year, _ = tiny_program(program, coordinator)
    client.force_login(coordinator)

    response = client.post(PAGE, {"academic_year": year.pk, "first_block": 1, "last_block": 1, "depth": 1, **fields})

    assert response.status_code == 400 and message in response.content.decode()
    assert not ContingencyAnalysis.objects.exists()


def test_the_detail_names_the_sole_provider_and_the_panel_sums_it_up(client, coordinator, program):
    year, provider = with_sole_provider(program, coordinator)
    analysis = start(year, coordinator)
    contingency_run_in_process(analysis.pk)
    client.force_login(coordinator)

    page = client.get(reverse("contingency-detail", args=[analysis.pk])).content.decode()

    assert "People the program cannot lose (1 of 8)" in page
    assert provider.full_name in page and "Colposcopy needs 1 residents; 0 are eligible and available" in page
    assert "hx-trigger" not in page  # finished: nothing polls
    request = RequestFactory().get("/")
    request.program, request.user = program, coordinator
    context = panel_context(request)
    assert context["contingency"]["analysis"].pk == analysis.pk
    assert [item["name"] for item in context["contingency"]["critical"]] == [provider.full_name]
    panel = render_to_string("analytics/_contingency_panel.html", context)
    assert "1 of 8" in panel and provider.full_name in panel


def test_the_panel_says_when_no_analysis_has_finished(program, coordinator):
    request = RequestFactory().get("/")
    request.program, request.user = program, coordinator

    context = panel_context(request)

    assert context == {"contingency": None}
    assert "No contingency analysis has finished yet." in render_to_string("analytics/_contingency_panel.html", context)


def test_progress_partial_reloads_the_page_once_finished(client, coordinator, program):
    year, _ = tiny_program(program, coordinator)
    analysis = start(year, coordinator)
    client.force_login(coordinator)
    url = reverse("contingency-progress", args=[analysis.pk])

    running = client.get(url, HTTP_HX_REQUEST="true")
    client.post(reverse("contingency-cancel", args=[analysis.pk]))
    done = client.get(url, HTTP_HX_REQUEST="true")

    assert "HX-Refresh" not in running and "Cancel analysis" in running.content.decode()
    assert done["HX-Refresh"] == "true" and "Cancelled before it began." in done.content.decode()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_clinicians_are_refused(client, coordinator, program, member, role):
    year, _ = tiny_program(program, coordinator)
    analysis = start(year, coordinator)
    client.force_login(member(role))

    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("contingency-detail", args=[analysis.pk])).status_code == 403
    assert client.post(PAGE, {"academic_year": year.pk, "first_block": 1, "last_block": 1}).status_code == 403
    assert client.post(reverse("contingency-cancel", args=[analysis.pk])).status_code == 403
    analysis.refresh_from_db()
    assert analysis.status == "queued" and ContingencyAnalysis.objects.count() == 1


def test_a_manager_of_another_program_sees_and_changes_nothing_here(
    client, coordinator, program, member, other_program
):
    year, _ = tiny_program(program, coordinator)
    analysis = start(year, coordinator)
    client.force_login(member(Role.COORDINATOR, in_program=other_program))

    assert f"#{analysis.pk}" not in client.get(PAGE).content.decode()
    assert client.get(reverse("contingency-detail", args=[analysis.pk])).status_code == 404
    assert client.get(reverse("contingency-progress", args=[analysis.pk])).status_code == 404
    assert client.post(reverse("contingency-cancel", args=[analysis.pk])).status_code == 404
    refused = client.post(PAGE, {"academic_year": year.pk, "first_block": 1, "last_block": 1, "depth": 1})
    assert refused.status_code == 400
    analysis.refresh_from_db()
    assert analysis.status == "queued" and ContingencyAnalysis.objects.count() == 1
