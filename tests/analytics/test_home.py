"""The analytics overview: the program's managers open it from the menu; clinicians and strangers are refused."""

import pytest
from django.urls import reverse

from tenants.models import Role

pytestmark = pytest.mark.django_db

PAGE = reverse("analytics-home")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_managers_open_analytics_from_the_menu(client, member, role):
    client.force_login(member(role))
    home = client.get(reverse("home"))
    assert f'href="{PAGE}"' in home.content.decode()
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Analytics" in page.content.decode()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.CLINICAL_STAFF])
def test_clinicians_and_staff_have_no_analytics(client, member, role):
    client.force_login(member(role))
    assert f'href="{PAGE}"' not in client.get(reverse("home")).content.decode()
    assert client.get(PAGE).status_code == 403


def test_a_manager_of_another_program_is_refused(client, member, other_program):
    client.force_login(member(Role.ADMIN, in_program=other_program))
    # Their active program is their own: the page shows theirs, never this program's name.
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Family Medicine" not in page.content.decode()
