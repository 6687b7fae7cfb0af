"""The fairness page, its CSV and PDF: the figures of a known schedule as a manager reads them; refusals."""

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tenants.models import Role
from tests.analytics.fairness_world import build
from tests.scheduling.factories import ResidentFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("analytics-fairness")
CSV = reverse("analytics-fairness-csv")
PDF = reverse("analytics-fairness-pdf")
CARRY = reverse("analytics-fairness-carry-over")


@pytest.fixture
def world(program):
    return build(program)


@pytest.fixture
def manager(client, coordinator, world):
    client.force_login(coordinator)
    return client


def test_page_shows_each_cohorts_counts_fairness_and_who_is_flagged(manager):
    page = manager.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-2027, version 1 (published)" in html
    calls = html.split('id="measure-call_nights"')[1].split("</section>")[0]
    assert "Ann Resident" in calls and '<td class="num">3</td>' in calls
    assert "fairness 0.50, poor" in calls and "above cohort" in calls
    assert "<svg" in calls and 'class="chart-line"' in calls  # the cohort mean as the reference line
    night_float = html.split('id="measure-night_float_weeks"')[1].split("</section>")[0]
    assert "Cat Resident" in night_float and "fairness 1.00, good" in night_float
    assert 'id="measure-fmit_weeks"' in html and "Fay Faculty" in html
    weekends = html.split('id="measure-weekend_duties"')[1].split("</section>")[0]
    assert "No one in Faculty has any (2 people)." in weekends  # no chart of zeros
    assert 'class="table-scroll"' in html  # tables scroll inside their wrapper on a phone
    assert "style=" not in html.split("<main")[-1]  # no inline style (CSP)


def test_home_shows_the_fairness_card(manager):
    assert f'href="{PAGE}"' in manager.get(reverse("analytics-home")).content.decode()


def test_csv_holds_the_same_counts(manager):
    response = manager.get(CSV, {"span": "year"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-fairness-year.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    ann = next(r for r in rows if r["measure"] == "Call nights" and r["person"] == "Ann Resident")
    assert (ann["cohort"], ann["value"], ann["cohort_fairness"], ann["rating"], ann["flagged"]) == (
        "PGY-1",
        "3",
        "0.5000",
        "poor",
        "yes",
    )
    fay = next(r for r in rows if r["measure"] == "FMIT weeks" and r["person"] == "Fay Faculty")
    assert (fay["value"], fay["cohort_spread"]) == ("2", "2")


def test_pdf_holds_the_pages_figures(manager):
    response = manager.get(PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Family Medicine: fairness" in text
    assert "Ann Resident" in text and "Night-float weeks" in text and "poor" in text


def test_carry_over_is_turned_on_from_the_page_and_adds_last_year(manager, world):
    assert manager.post(CARRY, {"carry_over_equity": "true"}).status_code == 302
    world.program.refresh_from_db()
    assert world.program.settings["fairness"] == {"carry_over_equity": True}
    rows = list(csv.DictReader(io.StringIO(manager.get(CSV).content.decode())))
    ben = next(r for r in rows if r["measure"] == "Call nights" and r["person"] == "Ben Resident")
    assert (ben["value"], ben["this_span"], ben["carried_over"]) == ("3", "1", "2")
    assert "Of which last year" in manager.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"span": "decade"}, "Choose span"),
        ({"version": "final"}, "Choose version"),
        ({"version": "999999"}, "Choose version"),
        ({"year": "²"}, "academic years"),
        ({"year": "999999"}, "academic years"),
    ],
)
def test_bad_choices_are_refused_with_a_message(manager, query, message):
    page = manager.get(PAGE, query)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert manager.get(CSV, query).status_code == 400
    assert message in manager.get(PDF, query).content.decode()


def test_a_bad_carry_over_value_changes_nothing(manager, world):
    response = manager.post(CARRY, {"carry_over_equity": "maybe"}, follow=True)
    assert "true or false" in response.content.decode()
    world.program.refresh_from_db()
    assert "fairness" not in (world.program.settings or {})


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_clinicians_are_refused(client, member, world, role):
    client.force_login(member(role))
    for url in (PAGE, CSV, PDF):
        assert client.get(url).status_code == 403
    assert client.post(CARRY, {"carry_over_equity": "true"}).status_code == 403


def test_a_manager_of_another_program_never_reads_or_changes_this_one(client, member, world, other_program):
    client.force_login(member(Role.ADMIN, in_program=other_program))
    html = client.get(PAGE).content.decode()
    assert "Ann Resident" not in html
    # this program's version, named by id, is not theirs to read
    assert client.get(PAGE, {"version": world.version.pk}).status_code == 400
    assert client.get(CSV, {"version": world.version.pk}).status_code == 400
    client.post(CARRY, {"carry_over_equity": "true"})
    world.program.refresh_from_db()
    assert "fairness" not in (world.program.settings or {})


def test_page_queries_do_not_grow_with_the_people(manager, program, django_assert_max_num_queries):
    manager.get(PAGE)
    for _ in range(6):
        ResidentFactory(program=program, pgy=3)
    with django_assert_max_num_queries(26):
        assert manager.get(PAGE).status_code == 200
