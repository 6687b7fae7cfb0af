"""Publishing a schedule: a draft becomes the published version, the previous one is archived and stays readable."""

from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from scheduling.models import BlockAssignment, ScheduleVersion
from scheduling.services import academic_year_create, schedule_version_publish
from tenants.errors import ConflictError, DomainError
from tenants.models import Role
from tests.scheduling.factories import (
    BlockAssignmentFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
)

pytestmark = pytest.mark.django_db

Status = ScheduleVersion.Status


@pytest.fixture
def year(program):
    import datetime as dt

    return academic_year_create(program=program, start_date=dt.date(2026, 7, 1), make_current=True)


def version(year, number: int, status: str = Status.DRAFT, *, rows: int = 0) -> ScheduleVersion:
    published_at = None if status == Status.DRAFT else timezone.now()
    row = ScheduleVersionFactory(academic_year=year, number=number, status=status, published_at=published_at)
    block = year.blocks.get(number=1)
    rotation = RotationTemplateFactory(program=year.program)
    for _ in range(rows):
        BlockAssignmentFactory(
            version=row, block=block, rotation=rotation, person=ResidentFactory(program=year.program)
        )
    return row


def test_publish_makes_the_draft_published_and_archives_the_previous_version(year, coordinator):
    old = version(year, 1, Status.PUBLISHED, rows=2)
    draft = version(year, 2, rows=3)

    published = schedule_version_publish(version=draft, user=coordinator)

    old.refresh_from_db()
    assert (published.status, published.published_by, published.number) == (Status.PUBLISHED, coordinator, 2)
    assert published.published_at is not None
    assert old.status == Status.ARCHIVED
    assert BlockAssignment.objects.filter(version=old).count() == 2  # the previous schedule stays readable
    assert list(old.history.values_list("status", flat=True)[:2]) == [Status.ARCHIVED, Status.PUBLISHED]
    assert ScheduleVersion.objects.filter(academic_year=year, status=Status.PUBLISHED).get() == published


def test_publish_of_the_first_version_archives_nothing(year, program_admin):
    draft = version(year, 1)

    schedule_version_publish(version=draft, user=program_admin)

    assert list(ScheduleVersion.objects.values_list("number", "status")) == [(1, Status.PUBLISHED)]


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
def test_publish_refuses_a_version_that_is_not_a_draft(year, coordinator, status):
    row = version(year, 1, status)

    with pytest.raises(ConflictError, match=rf"is {status}; only a draft can be published"):
        schedule_version_publish(version=row, user=coordinator)

    row.refresh_from_db()
    assert row.status == status


def test_publish_refuses_a_draft_of_another_year(year, program, coordinator):
    import datetime as dt

    next_year = academic_year_create(program=program, start_date=dt.date(2027, 7, 1))
    draft = version(next_year, 1)

    with pytest.raises(DomainError, match="Version 1 belongs to 2027-2028, not to 2026-2027"):
        schedule_version_publish(version=draft, user=coordinator, academic_year=year)

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACULTY, Role.MSA])
def test_publish_is_refused_to_residents_faculty_and_staff(year, member, role):
    old = version(year, 1, Status.PUBLISHED)
    draft = version(year, 2)

    with pytest.raises(PermissionDenied, match="Only the admins and coordinators"):
        schedule_version_publish(version=draft, user=member(role))

    assert list(ScheduleVersion.objects.order_by("number").values_list("status", flat=True)) == [
        Status.PUBLISHED,
        Status.DRAFT,
    ]
    assert old.status == Status.PUBLISHED


def test_coordinator_of_another_program_cannot_publish(year, member, other_program):
    draft = version(year, 1)

    with pytest.raises(PermissionDenied):
        schedule_version_publish(version=draft, user=member(Role.COORDINATOR, in_program=other_program))

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# Admin action


def test_admin_publish_action_publishes_a_draft(client, coordinator, year):
    old = version(year, 1, Status.PUBLISHED)
    draft = version(year, 2)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:scheduling_scheduleversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    old.refresh_from_db()
    assert (draft.status, draft.published_by, old.status) == (Status.PUBLISHED, coordinator, Status.ARCHIVED)


def test_admin_publish_action_reports_a_refused_version(client, coordinator, year):
    published = version(year, 1, Status.PUBLISHED)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:scheduling_scheduleversion_changelist"),
        {"action": "publish", "_selected_action": [published.pk]},
    )

    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("only a draft can be published" in message for message in messages)
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED


# Command


def publish(*args: str) -> str:
    out = StringIO()
    call_command("publish_schedule", *args, stdout=out)
    return out.getvalue()


def test_publish_schedule_command_publishes_the_latest_draft_by_default(program, year):
    version(year, 1, Status.PUBLISHED)
    version(year, 2)
    version(year, 3)

    out = publish("--program", program.slug)

    assert "Published version 3 of Family Medicine 2026-2027." in out
    assert dict(ScheduleVersion.objects.values_list("number", "status")) == {
        1: Status.ARCHIVED,
        2: Status.DRAFT,
        3: Status.PUBLISHED,
    }


def test_publish_schedule_command_publishes_the_version_asked_for(program, year):
    version(year, 1)
    version(year, 2)

    publish("--program", program.slug, "--year", "2026-2027", "--version", "1")

    assert ScheduleVersion.objects.get(status=Status.PUBLISHED).number == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--program", "nope"], r"No program with the slug 'nope'\. Programs: fm"),
        (["--program", "fm", "--year", "1999"], r"has no academic year '1999'\. Years: 2026-2027"),
        (["--program", "fm", "--version", "9"], r"2026-2027 has no version 9\."),
        (["--program", "fm", "--version", "1"], r"is published; only a draft can be published"),
    ],
)
def test_publish_schedule_command_refuses_bad_arguments(program, year, args, message):
    version(year, 1, Status.PUBLISHED)

    with pytest.raises(CommandError, match=message):
        publish(*args)


def test_publish_schedule_command_without_a_draft_says_so(program, year):
    with pytest.raises(CommandError, match="2026-2027 has no draft version to publish"):
        publish("--program", program.slug)
