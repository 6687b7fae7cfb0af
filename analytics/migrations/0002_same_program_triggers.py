from django.db import migrations

from tenants.db import EnforceSameProgram, FreezeProgram


class Migration(migrations.Migration):
    """Database triggers: an analysis's year and version belong to its program, and it never changes program."""

    dependencies = [("analytics", "0001_initial")]

    operations = [
        EnforceSameProgram("contingencyanalysis", ["academic_year", "version"]),
        FreezeProgram("contingencyanalysis"),
    ]
