"""The resilience forecast reads each day's FMIT rules from its own academic year: a window across 1 July needs
one attending a day in June (2026-2027's rule) and two from 1 July (2027-2028's), on the API and the page."""

import datetime as dt

import pytest
from django.urls import reverse

from analytics.utilisation import FMIT_SERVICE, service_days
from scheduling.services import academic_year_create
from tests.scheduling.factories import FacultyFactory

pytestmark = pytest.mark.django_db

ACROSS = {"start": "2027-06-28", "days": "6"}  # 28, 29, 30 June, then 1, 2, 3 July


@pytest.fixture
def two_years(program):
    """2026-2027 asks for one FMIT attending a week, 2027-2028 for two; three faculty with FMIT targets."""
    academic_year_create(program=program, start_date=dt.date(2026, 7, 1), fmit={"min_attendings": 1})
    academic_year_create(program=program, start_date=dt.date(2027, 7, 1), fmit={"min_attendings": 2})
    return [FacultyFactory(program=program, last_name=f"Attending{i}", fmit_target_weeks=6) for i in range(3)]


def test_each_day_reads_its_own_years_fmit_rules(api_as, coordinator, two_years):
    body = api_as(coordinator).get("/api/v1/analytics/forecast/", ACROSS).json()
    (fmit,) = [service for service in body["services"] if service["key"] == FMIT_SERVICE]
    days = {day["date"]: (day["required"], day["level"]) for day in fmit["days"]}
    # three faculty available, safe capacity 2.4: 1 / 2.4 = 42% GREEN; 2 / 2.4 = 83% ORANGE
    assert days == {
        "2027-06-28": (1, "GREEN"),
        "2027-06-29": (1, "GREEN"),
        "2027-06-30": (1, "GREEN"),
        "2027-07-01": (2, "ORANGE"),
        "2027-07-02": (2, "ORANGE"),
        "2027-07-03": (2, "ORANGE"),
    }
    assert fmit["required_per_day"] == 2  # the most any day of the window needs
    # the window read from 1 July alone is the new year's rules only
    july = api_as(coordinator).get("/api/v1/analytics/forecast/", {"start": "2027-07-01", "days": "3"}).json()
    assert [day["required"] for service in july["services"] for day in service["days"]] == [2, 2, 2]


def test_the_page_shows_the_need_changing_with_the_year(client, coordinator, two_years):
    client.force_login(coordinator)
    html = client.get(reverse("analytics-resilience"), ACROSS).content.decode()
    row = html.split('<th scope="row">FMIT attending</th>')[1].split("</tr>")[0]
    assert "<td>1–2</td>" in row  # needs a day: one in June, two from July
    assert "ORANGE" in row and "3 of 6" in row  # the three July days are strained


def test_a_year_asking_for_no_fmit_attending_has_no_fmit_service_on_its_days(program, coordinator, two_years):
    from scheduling.models import AcademicYear
    from scheduling.services import fmit_year_config_update

    later = AcademicYear.objects.get(program=program, start_date=dt.date(2027, 7, 1))
    fmit_year_config_update(academic_year=later, user=coordinator, values={"min_attendings": 0})
    figures = service_days(program=program, start=dt.date(2027, 6, 29), end=dt.date(2027, 7, 2))
    assert [(row.date.day, row.required) for row in figures.for_service(FMIT_SERVICE)] == [(29, 1), (30, 1)]
