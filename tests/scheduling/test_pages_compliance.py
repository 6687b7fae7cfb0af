"""The compliance page: violations by rule and person linking to their week, and hours per week."""

import pytest
from django.urls import reverse

from scheduling.models import ScheduleVersion
from scheduling.services import block_assignment_change
from tenants.models import Role
from tests.scheduling.factories import ResidentFactory, ScheduleVersionFactory
from tests.scheduling.manager_pages import small_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def over_hours(program, coordinator):
    """A published schedule whose resident works nights every night of block 1 (84 h a week) and keeps the calls."""
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED)
    block_assignment_change(
        version=setup.version,
        person=setup.resident,
        block=setup.block,
        rotation=setup.nights,
        user=coordinator,
        reason="Test",
    )
    return setup


@pytest.fixture
def manager(client, coordinator):
    client.force_login(coordinator)
    return client


def test_violations_are_grouped_by_rule_and_link_to_the_week(manager, over_hours):
    response = manager.get(reverse("compliance"))

    body = response.content.decode()
    assert response.status_code == 200
    groups = {g.rule: g for g in response.context["groups"]}
    assert "weekly_hours" in groups and groups["weekly_hours"].clause == "6.20"
    person, violation = groups["weekly_hours"].items[0]
    assert person == over_hours.resident and violation.value > 80
    week = f"{reverse('schedule-week')}?start={violation.start:%Y-%m-%d}&amp;person={person.pk}"
    assert week in body
    assert "violation" in body and "Rita Resident" in body


def test_hours_table_highlights_weeks_over_80(manager, over_hours):
    response = manager.get(reverse("compliance"))

    (row,) = response.context["hours_rows"]
    assert row.person == over_hours.resident
    assert any(over and hours > 84 for _, hours, over in row.weeks)  # nights every night, and calls kept
    assert row.worst_average_over and row.worst_average > 80
    assert 'class="num over"' in response.content.decode()
    assert len(row.weeks) == len(response.context["weeks"]) == 53


def test_compliant_version_says_so(manager, program, coordinator):
    small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED)

    response = manager.get(reverse("compliance"))

    assert response.context["report"].compliant
    assert "Compliant" in response.content.decode()


def test_version_can_be_chosen_as_draft_or_by_id(manager, over_hours, program):
    draft = ScheduleVersionFactory(academic_year=over_hours.year, program=program, number=2)

    by_draft = manager.get(reverse("compliance"), {"version": "draft"})
    by_id = manager.get(reverse("compliance"), {"version": str(over_hours.version.pk)})

    assert by_draft.context["version"] == draft and by_draft.context["report"].compliant
    assert by_id.context["version"] == over_hours.version and not by_id.context["report"].compliant
    assert manager.get(reverse("compliance"), {"version": "nonsense"}).status_code == 404


def test_no_published_version_is_explained(manager, program, coordinator):
    small_schedule(program, coordinator)  # a draft only

    response = manager.get(reverse("compliance"))

    assert response.status_code == 200 and "has no published schedule" in response.content.decode()


def test_compliance_page_takes_a_bounded_number_of_queries(manager, over_hours, program, django_assert_max_num_queries):
    ResidentFactory.create_batch(20, program=program)
    with django_assert_max_num_queries(26):  # + the header's count of swaps waiting for approval
        assert manager.get(reverse("compliance")).status_code == 200


def test_resident_is_forbidden(client, member, over_hours):
    client.force_login(member(Role.RESIDENT))

    assert client.get(reverse("compliance")).status_code == 403


def test_another_programs_version_is_not_found(client, member, other_program, over_hours):
    client.force_login(member(Role.COORDINATOR, in_program=other_program))

    response = client.get(reverse("compliance"), {"version": str(over_hours.version.pk)})

    assert response.status_code == 404
