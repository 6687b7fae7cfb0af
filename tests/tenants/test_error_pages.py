"""Refusals and missing pages are answered in the site layout, saying why, on a phone too."""

import pytest
from django.urls import reverse

from tenants.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.CLINICAL_STAFF, Role.RN, Role.LPN, Role.MSA])
def test_staff_refused_a_page_see_why_in_the_site_layout(client, member, program, role):
    client.force_login(member(role))

    response = client.get(reverse("compliance"))

    html = response.content.decode()
    assert response.status_code == 403
    assert '<meta name="viewport"' in html and 'class="topbar"' in html
    assert "does not allow this page" in html
    assert f"{Role(role).label} in Family Medicine" in html
    assert reverse("home") in html


def test_missing_page_is_a_styled_404_with_a_way_home(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/people/999999/")

    html = response.content.decode()
    assert response.status_code == 404
    assert 'class="topbar"' in html and "Nothing here" in html


def test_api_refusals_stay_problem_json(api_as, member):
    response = api_as(member(Role.RN)).get("/api/v1/schedule-runs/")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
