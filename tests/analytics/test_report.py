"""The combined analytics report (/analytics/report.pdf): fairness, workload and resilience of the program's published
year in one PDF, linked from the analytics home; managers only, and only their own program's figures."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from analytics.report import report_context, report_html
from tenants.models import Role
from tests.analytics.utilisation_data import MONDAY, Ward

pytestmark = pytest.mark.django_db

URL = reverse("analytics-report-pdf")


@pytest.fixture
def ward(program):
    """Ten PGY-1 residents, six of them on the ward 10 h a day Monday to Friday for four weeks: 50 h a week."""
    ward = Ward(program, residents=10, need=6)
    ward.staff(MONDAY, 28, count=6)
    return ward


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_report_pdf_holds_the_programs_fairness_workload_and_resilience(client, coordinator, ward):
    client.force_login(coordinator)

    response = client.get(URL, {"year": ward.year.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('-2026-2027-analytics-report.pdf"')
    body = response.content
    assert body.startswith(b"%PDF")
    text = _text(body)
    assert "Family Medicine: fairness, workload and resilience" in text
    assert "2026-2027, version" in text
    for heading in ("Fairness", "Workload", "Resilience", "Contingency (N-1 / N-2)"):
        assert heading in text
    assert "Call nights" in text and "PGY-1" in text  # the fairness table per cohort and measure
    assert "Res00" in text and "50.0" in text  # a resident's highest week on the ward
    assert "Level " in text and "Peak utilisation" in text


def test_the_report_says_what_it_cannot_show_without_a_published_schedule(program, ward):
    ward.version.delete()

    context = report_context(program=program, year=ward.year, day=MONDAY)
    html = report_html(context)

    assert "No schedule is published for this academic year, so there is no fairness to read." in html
    assert "No schedule is published for this academic year, so there are no hours to read." in html
    assert "Peak utilisation per day" in html  # resilience reads the demand and the people, published or not


def test_the_report_leaves_out_an_analysis_that_has_not_run(program, ward):
    html = report_html(report_context(program=program, year=ward.year, day=MONDAY))

    contingency = html.split("Contingency (N-1 / N-2)")[1]
    assert "No contingency analysis has finished" in contingency or "not available in this installation" in contingency


def test_the_analytics_home_links_the_report(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("analytics-home")).content.decode()
    assert "Download the report (PDF)" in page
    assert f'href="{URL}"' in page


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY])
def test_clinicians_cannot_download_the_report(client, member, role, ward):
    client.force_login(member(role))
    assert client.get(URL, {"year": ward.year.pk}).status_code == 403


def test_a_manager_of_another_program_gets_only_their_own(client, member, other_program, ward):
    client.force_login(member(Role.ADMIN, in_program=other_program))

    response = client.get(URL, {"year": ward.year.pk})  # this program's year id: not theirs, ignored

    assert response.status_code == 200
    text = _text(response.content)
    assert "Family Medicine" not in text and "Res00" not in text
    assert "2026-2027" not in text
