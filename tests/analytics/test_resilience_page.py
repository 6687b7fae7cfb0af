"""The resilience page: the level in words, per-service tables and charts, redundancy, CSV and PDF; managers only,
this program only, bad parameters refused."""

import datetime as dt

import pytest
from django.urls import reverse

from absences.models import Absence
from tenants.audit_models import AuditAction, AuditEvent
from tenants.models import Role
from tests.analytics.utilisation_data import MONDAY, Ward

pytestmark = pytest.mark.django_db

PAGE = reverse("analytics-resilience")
CSV = reverse("analytics-resilience-csv")
PDF = reverse("analytics-resilience-pdf")
WINDOW = f"?start={MONDAY.isoformat()}&days=14"


@pytest.fixture
def ward(program):
    ward = Ward(program, residents=10, need=6)
    ward.staff(MONDAY, 14, count=6)
    return ward


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_managers_see_the_forecast_per_service_and_the_redundancy_table(client, member, ward, role):
    ward.away(ward.people[0], MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=1))
    ward.away(ward.people[1], MONDAY + dt.timedelta(days=2), status=Absence.Status.REQUESTED)
    client.force_login(member(role))
    page = client.get(PAGE + WINDOW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Inpatient ward (WARD)" in html
    assert "<svg" in html and "Highest utilisation of any service, per day" in html
    assert "83%" in html  # Tuesday: 6 needed of 9 available x 0.8
    assert "N+2" in html and "9 for 6" in html  # Tuesday's redundancy: 9 available for 6 places
    assert 'id="contingency-title"' not in html and 'id="fallbacks-title"' not in html  # no panel data yet
    assert f"{CSV}?start=2026-08-03&amp;days=14" in html


def test_the_current_level_is_named_in_words_not_only_colour(client, coordinator, program):
    Ward(program, residents=10, need=6)
    client.force_login(coordinator)
    html = client.get(PAGE).content.decode()
    assert "Level " in html
    assert any(f"Level {name}" in html for name in ("GREEN", "YELLOW", "ORANGE", "RED", "BLACK"))
    assert any(words in html for words in ("Normal:", "Watch:", "Strained:", "Critical:", "Emergency:"))


def test_a_75_percent_schedule_with_full_coverage_reads_yellow_on_the_page(client, coordinator, ward, program):
    from analytics.utilisation import Level, program_level

    report = program_level(program=program, day=MONDAY)
    assert report.level is Level.YELLOW
    client.force_login(coordinator)
    html = client.get(PAGE + WINDOW).content.decode()
    assert "Inpatient ward (WARD)" in html and "75%" in html and "100%" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=2026-13-40", "start date must be written YYYY-MM-DD"),
        ("?start=９９９９-01-01", "start date must be written YYYY-MM-DD"),
        ("?days=0", "whole number from 1 to 180"),
        ("?days=181", "whole number from 1 to 180"),
        ("?days=ten", "whole number from 1 to 180"),
    ],
)
def test_bad_parameters_are_refused_with_a_message(client, coordinator, query, message):
    client.force_login(coordinator)
    page = client.get(PAGE + query)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert client.get(CSV + query).status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).exists()  # nothing was exported


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_residents_and_clinicians_are_refused(client, member, ward, role):
    client.force_login(member(role))
    for url in (PAGE, CSV, PDF):
        assert client.get(url + WINDOW).status_code == 403


def test_a_manager_of_another_program_never_sees_this_programs_services(client, member, ward, other_program):
    client.force_login(member(Role.ADMIN, in_program=other_program))
    page = client.get(PAGE + WINDOW)
    assert page.status_code == 200
    assert "Inpatient ward" not in page.content.decode()
    assert "Inpatient ward" not in client.get(CSV + WINDOW).content.decode()


def test_the_csv_has_one_row_per_service_and_day(client, coordinator, ward):
    ward.away(ward.people[9], MONDAY)  # not on the ward: the six places stay covered
    client.force_login(coordinator)
    response = client.get(CSV + WINDOW)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("date,service,kind,required,eligible,available,safe_capacity,utilisation_pct,level")
    assert len(lines) == 1 + 10  # ten weekdays of the ward in 14 days
    monday = lines[1].split(",")
    assert monday[:9] == ["2026-08-03", "Inpatient ward (WARD)", "rotation", "6", "10", "9", "7.2", "83.3", "ORANGE"]
    assert monday[-4:] == ["6", "100.0", "GREEN", "N+2"]


def test_the_pdf_is_a_pdf_with_the_level(client, coordinator, ward):
    client.force_login(coordinator)
    response = client.get(PDF + WINDOW)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_analytics_overview_shows_a_resilience_card(client, coordinator):
    client.force_login(coordinator)
    assert f'href="{PAGE}"' in client.get(reverse("analytics-home")).content.decode()


def test_a_phone_page_has_no_fixed_width_wider_than_the_screen(client, coordinator, ward):
    client.force_login(coordinator)
    html = client.get(PAGE + WINDOW).content.decode()
    # Tables sit in horizontal scrollers; charts scale to the width (viewBox, width 100%).
    assert html.count("<table") == html.count('class="table-scroll"')
    assert 'width="100%"' in html
    assert ' style="' not in html
