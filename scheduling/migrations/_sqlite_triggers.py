"""SQLite rebuilds a table to add most columns, and cannot put the rebuilt table in place while other
tables' triggers name it: migrations that add a column to scheduling_rotationtemplate drop those triggers
first and install them again after (PostgreSQL alters in place and keeps them; these do nothing there).
"""

from types import SimpleNamespace

from django.db import migrations

from tenants.db import EnforceSameProgram, FreezeProgram

ROTATION_TRIGGERS = (
    FreezeProgram("rotationtemplate"),
    EnforceSameProgram("blockassignment", ["version", "person", "block", "rotation"]),
    EnforceSameProgram("sessionassignment", ["version", "person", "rotation"]),
    EnforceSameProgram("rotationrequirement", ["rotation"]),
)


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    state = SimpleNamespace(apps=apps)
    for operation in ROTATION_TRIGGERS:
        operation.database_backwards("scheduling", schema_editor, state, state)  # DROP TRIGGER IF EXISTS


def _install(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    state = SimpleNamespace(apps=apps)
    for operation in ROTATION_TRIGGERS:
        operation.database_backwards("scheduling", schema_editor, state, state)
        operation.database_forwards("scheduling", schema_editor, state, state)


def drop_rotation_triggers() -> migrations.RunPython:
    return migrations.RunPython(_drop, _install, elidable=False)


def reinstall_rotation_triggers() -> migrations.RunPython:
    return migrations.RunPython(_install, _drop, elidable=False)
