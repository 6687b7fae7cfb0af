"""SQLite rebuilds a table to add most columns, and cannot put the rebuilt table in place while other
tables' triggers name it: migrations that add a column to scheduling_rotationtemplate,
scheduling_scheduleversion or scheduling_person drop the triggers on and naming that table first and install
them again after (PostgreSQL alters in place and keeps them; these do nothing there). The person's triggers
include the absences and credentials apps' own, and the feed tokens' (scheduling's until 0016, then the feeds app's):
a migration using them depends on those apps' trigger migrations.
"""

from types import SimpleNamespace

from django.db import migrations

from tenants.db import EnforceSameProgram, FreezeProgram

ROTATION_TRIGGERS = (
    FreezeProgram("rotationtemplate"),
    EnforceSameProgram("blockassignment", ["version", "person", "block", "rotation"]),
    EnforceSameProgram("sessionassignment", ["version", "person", "rotation"]),
    EnforceSameProgram("rotationrequirement", ["rotation"]),
    EnforceSameProgram("preference", ["person", "academic_year", "block", "rotation"]),
)
PERSON_TRIGGERS = (
    FreezeProgram("person"),
    EnforceSameProgram("blockassignment", ["version", "person", "block", "rotation"]),
    EnforceSameProgram("sessionassignment", ["version", "person", "rotation"]),
    EnforceSameProgram("callassignment", ["version", "person"]),
    EnforceSameProgram("feedtoken", ["person"]),
    EnforceSameProgram("preference", ["person", "academic_year", "block", "rotation"]),
    ("absences", EnforceSameProgram("absence", ["person"])),
    ("credentials", EnforceSameProgram("personcertification", ["person", "type"])),
    ("credentials", EnforceSameProgram("procedurecredential", ["person", "procedure"])),
    # The feed tokens' table (still scheduling_feedtoken) under its model's new app (integrations.feeds, 0016).
    ("feeds", EnforceSameProgram("feedtoken", ["person"])),
)
VERSION_TRIGGERS = (
    FreezeProgram("scheduleversion"),
    EnforceSameProgram("scheduleversion", ["academic_year", "run"]),
    EnforceSameProgram("blockassignment", ["version", "person", "block", "rotation"]),
    EnforceSameProgram("sessionassignment", ["version", "person", "rotation"]),
    EnforceSameProgram("callassignment", ["version", "person"]),
)


def _labelled(triggers, apps):
    """(app label, operation) pairs: a bare operation is scheduling's own. A trigger of a table that an earlier
    migration does not know yet (one created later, such as the wishes') is left out."""
    pairs = [item if isinstance(item, tuple) else ("scheduling", item) for item in triggers]
    known = []
    for app_label, operation in pairs:
        try:
            apps.get_model(app_label, operation.model_name)
        except LookupError:
            continue
        known.append((app_label, operation))
    return known


def _dropper(triggers):
    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        state = SimpleNamespace(apps=apps)
        for app_label, operation in _labelled(triggers, apps):
            operation.database_backwards(app_label, schema_editor, state, state)  # DROP TRIGGER IF EXISTS

    return drop


def _installer(triggers):
    def install(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        state = SimpleNamespace(apps=apps)
        for app_label, operation in _labelled(triggers, apps):
            operation.database_backwards(app_label, schema_editor, state, state)
            operation.database_forwards(app_label, schema_editor, state, state)

    return install


def drop_rotation_triggers() -> migrations.RunPython:
    return migrations.RunPython(_dropper(ROTATION_TRIGGERS), _installer(ROTATION_TRIGGERS), elidable=False)


def reinstall_rotation_triggers() -> migrations.RunPython:
    return migrations.RunPython(_installer(ROTATION_TRIGGERS), _dropper(ROTATION_TRIGGERS), elidable=False)


def drop_version_triggers() -> migrations.RunPython:
    return migrations.RunPython(_dropper(VERSION_TRIGGERS), _installer(VERSION_TRIGGERS), elidable=False)


def reinstall_version_triggers() -> migrations.RunPython:
    return migrations.RunPython(_installer(VERSION_TRIGGERS), _dropper(VERSION_TRIGGERS), elidable=False)


def drop_person_triggers() -> migrations.RunPython:
    return migrations.RunPython(_dropper(PERSON_TRIGGERS), _installer(PERSON_TRIGGERS), elidable=False)


def reinstall_person_triggers() -> migrations.RunPython:
    return migrations.RunPython(_installer(PERSON_TRIGGERS), _dropper(PERSON_TRIGGERS), elidable=False)
