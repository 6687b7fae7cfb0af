from django.db import migrations

from tenants.db import EnforceSameProgram, FreezeProgram


class Migration(migrations.Migration):
    """Database triggers: a credential's person, type and procedure belong to its own program, and rows never
    change program.

    On SQLite these triggers name scheduling_person: a later scheduling migration that rebuilds that table must
    drop and reinstall them around the rebuild, as scheduling's 0005 does for its own triggers.
    """

    dependencies = [("credentials", "0001_initial")]

    operations = [
        EnforceSameProgram("personcertification", ["person", "type"]),
        EnforceSameProgram("procedurecredential", ["person", "procedure"]),
        *(FreezeProgram(name) for name in ["certificationtype", "personcertification", "procedure", "procedurecredential"]),
    ]
