"""Pages say things in words, not in the program's keys: roles, ACGME rules, soft costs, activities."""

import pytest
from django.urls import reverse

from tenants.models import Role

pytestmark = pytest.mark.django_db


def test_home_names_a_staff_role_in_words(client, member):
    client.force_login(member(Role.CLINICAL_STAFF))

    body = client.get(reverse("home")).content.decode()

    assert "your role: Clinical staff" in body
    assert "Clinical_staff" not in body
