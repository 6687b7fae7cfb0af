"""Every change to people, rotations and assignments is kept in the audit history (simple_history).

The admin for scheduling models is not registered yet, so the user is attached the way the
HistoryRequestMiddleware would for a request: through `instance._history_user`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models

from scheduling.models import (
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
)
from tests.scheduling.factories import (
    BlockAssignmentFactory,
    BlockFactory,
    CallAssignmentFactory,
    ResidentFactory,
    RotationTemplateFactory,
    ScheduleVersionFactory,
    SessionAssignmentFactory,
)
from tests.tenants.factories import UserFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Tracked:
    """How to make one audited row and which field to change on it."""

    model: type[models.Model]
    make: Callable[[ScheduleVersion], models.Model]
    field: str
    new_value: Callable[[ScheduleVersion], Any]


def _block_assignment(version: ScheduleVersion) -> BlockAssignment:
    block = BlockFactory(academic_year=version.academic_year, number=1)
    return BlockAssignmentFactory(version=version, block=block, program=version.program)


TRACKED = {
    "person": Tracked(
        Person,
        lambda version: ResidentFactory(program=version.program, last_name="Lee", pgy=1),
        "last_name",
        lambda version: "Nguyen",
    ),
    "rotation_template": Tracked(
        RotationTemplate,
        lambda version: RotationTemplateFactory(program=version.program, max_residents=None),
        "max_residents",
        lambda version: 3,
    ),
    "block_assignment": Tracked(
        BlockAssignment,
        _block_assignment,
        "rotation_id",
        lambda version: RotationTemplateFactory(program=version.program).pk,
    ),
    "session_assignment": Tracked(
        SessionAssignment,
        lambda version: SessionAssignmentFactory(version=version, activity=SessionAssignment.Activity.CLINIC),
        "activity",
        lambda version: SessionAssignment.Activity.CONFERENCE,
    ),
    "call_assignment": Tracked(
        CallAssignment,
        lambda version: CallAssignmentFactory(version=version),
        "end",
        lambda version: dt.datetime(2026, 7, 7, 13, 0, tzinfo=dt.UTC),
    ),
}


@pytest.fixture
def version(program) -> ScheduleVersion:
    return ScheduleVersionFactory(program=program, academic_year__program=program, number=1)


@pytest.fixture(params=list(TRACKED), ids=list(TRACKED))
def tracked(request) -> Tracked:
    return TRACKED[request.param]


def test_create_change_and_delete_are_recorded_in_history(tracked, version):
    instance = tracked.make(version)
    pk, old_value, new_value = instance.pk, getattr(instance, tracked.field), tracked.new_value(version)

    setattr(instance, tracked.field, new_value)
    instance.save()
    instance.delete()

    created, changed, deleted = tracked.model.history.filter(id=pk).order_by("history_id")
    assert [created.history_type, changed.history_type, deleted.history_type] == ["+", "~", "-"]
    assert getattr(created, tracked.field) == old_value
    assert getattr(changed, tracked.field) == new_value
    assert getattr(deleted, tracked.field) == new_value


def test_change_record_names_the_changed_field_with_old_and_new_value(tracked, version):
    instance = tracked.make(version)
    old_value, new_value = getattr(instance, tracked.field), tracked.new_value(version)

    setattr(instance, tracked.field, new_value)
    instance.save()

    changed, created = instance.history.order_by("-history_id")
    delta = changed.diff_against(created)
    field_name = tracked.model._meta.get_field(tracked.field).name
    assert [(change.field, change.old, change.new) for change in delta.changes] == [(field_name, old_value, new_value)]


def test_history_records_the_user_who_changed_and_deleted_the_row(tracked, version):
    editor = UserFactory()
    instance = tracked.make(version)
    pk = instance.pk

    instance._history_user = editor
    setattr(instance, tracked.field, tracked.new_value(version))
    instance.save()
    instance.delete()

    records = tracked.model.history.filter(id=pk).order_by("history_id")
    # Created outside any request and without _history_user: no user to record.
    assert [(record.history_type, record.history_user) for record in records] == [
        ("+", None),
        ("~", editor),
        ("-", editor),
    ]
