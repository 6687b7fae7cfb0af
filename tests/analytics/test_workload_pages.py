"""The workload page, its CSV tables and its PDF: managers of the program only, bad parameters refused."""

import csv
import io
import re
import zlib

import pytest
from django.urls import reverse

from analytics.views.workload import BAD_PERSON, BAD_VERSION, BAD_YEAR
from scheduling.models import ScheduleVersion
from tenants.audit_models import AuditAction, AuditEvent
from tenants.models import Role
from tests.analytics.workload_data import known_year
from tests.scheduling.factories import ScheduleVersionFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("analytics-workload")


@pytest.fixture
def setup(program):
    return known_year(program)


@pytest.fixture
def manager(client, coordinator):
    client.force_login(coordinator)
    return client


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_page_shows_the_person_closest_to_the_line_with_the_80_hour_chart(manager, setup):
    response = manager.get(PAGE)

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["person"].person.id == setup.rita.pk  # the highest 4-week average comes first
    assert "Hours per week of Rita Resident against the 80-hour line" in body
    assert 'class="chart-line"' in body and "88.0" in body
    assert "1 resident over 80 h" in body
    assert "Tuesday" in body and "75%" in body  # Rita's continuity
    assert "Continuous duty" in body  # block 1's finding
    assert 'class="table-scroll' in body  # tables scroll inside their wrapper on a phone


def test_one_persons_weeks_by_id_and_faculty_with_their_note(manager, setup):
    response = manager.get(PAGE, {"person": setup.fay.pk})

    body = response.content.decode()
    assert response.context["person"].person.id == setup.fay.pk
    assert "Hours per week of Fay Faculty<" in body  # no 80-hour line for faculty
    assert "attending (overnight) calls" in body


def test_the_analytics_home_has_a_workload_card(manager, setup):
    assert f'href="{PAGE}"' in manager.get(reverse("analytics-home")).content.decode()


def test_a_draft_is_shown_by_name_or_by_id(manager, setup, program):
    draft = ScheduleVersionFactory(academic_year=setup.year, program=program, number=2)

    by_name = manager.get(PAGE, {"version": "draft"})
    by_id = manager.get(PAGE, {"version": str(setup.version.pk)})

    assert by_name.context["report"].version_id == draft.pk and by_name.context["report"].compliant
    assert by_id.context["report"].version_id == setup.version.pk and not by_id.context["report"].compliant


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"version": "latest"}, 400, BAD_VERSION),
        ({"year": "٣"}, 400, BAD_YEAR),
        ({"year": "99999999"}, 400, BAD_YEAR),
        ({"person": "²"}, 400, BAD_PERSON),
        ({"person": "99999999"}, 404, BAD_PERSON),
        ({"version": "99999999"}, 404, "no schedule version with that id"),
    ],
)
def test_bad_parameters_are_refused_with_a_message(manager, setup, params, status, message):
    response = manager.get(PAGE, params)

    assert response.status_code == status
    assert message in response.content.decode()


def test_no_published_schedule_is_explained(manager, program):
    known = known_year(program)
    ScheduleVersion.objects.filter(pk=known.version.pk).update(status=ScheduleVersion.Status.DRAFT, published_at=None)

    response = manager.get(PAGE)

    assert response.status_code == 200 and "has no published schedule" in response.content.decode()


def test_each_table_downloads_as_csv(manager, setup):
    people = _csv(manager.get(reverse("analytics-workload-csv-people")))
    hours = _csv(manager.get(reverse("analytics-workload-csv-hours"), {"person": setup.rita.pk}))
    continuity = _csv(manager.get(reverse("analytics-workload-csv-continuity")))
    blocks = manager.get(reverse("analytics-workload-csv-blocks"))

    rita = next(row for row in people if row[0] == "Rita Resident")
    assert rita[1:5] == ["PGY-2", "88.0", rita[3], "1"] and rita[-1] == "over"
    assert {row[0] for row in hours[1:]} == {"Rita Resident"} and hours[2][2:5] == ["2026-07-06", "88.0", "yes"]
    assert ["Rita Resident", "PGY-2", "4", "Tuesday", "3", "0.75"] in continuity
    assert blocks["Content-Type"].startswith("text/csv") and _csv(blocks)[1][0] == "1"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).count() == 4


def test_the_pdf_report_is_a_pdf(manager, setup):
    response = manager.get(reverse("analytics-workload-pdf"), {"person": setup.rita.pk})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "workload-report.pdf" in response["Content-Disposition"]
    drawn = b"".join(zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", response.content, re.S))
    assert b"0.705882 0.137255 0.094118 rg" in drawn  # Rita's 88-hour week is drawn red, as on the page


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_clinicians_and_staff_are_refused(client, member, setup, role):
    client.force_login(member(role))

    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("analytics-workload-csv-people")).status_code == 403
    assert client.get(reverse("analytics-workload-pdf")).status_code == 403


def test_a_manager_of_another_program_cannot_read_this_programs_workload(client, member, other_program, setup):
    client.force_login(member(Role.ADMIN, in_program=other_program))

    page = client.get(PAGE, {"version": str(setup.version.pk)})
    person = client.get(PAGE, {"person": setup.rita.pk})
    export = client.get(reverse("analytics-workload-csv-people"), {"version": str(setup.version.pk)})

    assert page.status_code == 404 and export.status_code == 404
    assert "Rita" not in person.content.decode() and "Rita" not in page.content.decode()


def test_the_page_takes_a_bounded_number_of_queries(manager, setup, django_assert_max_num_queries):
    manager.get(PAGE)  # the report is built and cached

    with django_assert_max_num_queries(12):
        assert manager.get(PAGE).status_code == 200
