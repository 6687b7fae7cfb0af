from django.db import migrations

from tenants.db import EnforceSameProgram, FreezeProgram


class Migration(migrations.Migration):
    """Database triggers: a row's related rows belong to the row's own program, and rows never change program."""

    dependencies = [("scheduling", "0002_initial")]

    operations = [
        EnforceSameProgram("block", ["academic_year"]),
        EnforceSameProgram("schedulerun", ["academic_year"]),
        EnforceSameProgram("scheduleversion", ["academic_year", "run"]),
        EnforceSameProgram("blockassignment", ["version", "person", "block", "rotation"]),
        EnforceSameProgram("sessionassignment", ["version", "person", "rotation"]),
        EnforceSameProgram("callassignment", ["version", "person"]),
        *(
            FreezeProgram(name)
            for name in ["academicyear", "block", "person", "rotationtemplate", "schedulerun", "scheduleversion"]
        ),
    ]
