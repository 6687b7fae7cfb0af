from django.db import migrations

from tenants.db import EnforceSameProgram, FreezeProgram


class Migration(migrations.Migration):
    """Database triggers: an absence's person belongs to the absence's program, and rows never change program."""

    dependencies = [("absences", "0001_initial")]

    operations = [
        EnforceSameProgram("absence", ["person"]),
        FreezeProgram("absence"),
        FreezeProgram("absencelimit"),
    ]
