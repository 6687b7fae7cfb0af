from django.db import migrations, models

import scheduling.models.people
from scheduling.migrations import _sqlite_triggers


def contact_number() -> models.CharField:
    return models.CharField(
        blank=True,
        help_text="Digits with spaces, dots, dashes or brackets, a leading + and an extension (x123) allowed.",
        max_length=32,
        validators=[scheduling.models.people.validate_contact_number],
    )


class Migration(migrations.Migration):
    """People's phone and pager numbers (SQLite rebuilds the person table: the triggers naming it, the absences
    and credentials apps' included, are dropped around the rebuild and installed again)."""

    dependencies = [
        ("scheduling", "0010_version_publish_reason"),
        ("absences", "0002_same_program_triggers"),
        ("credentials", "0002_same_program_triggers"),
    ]

    operations = [
        _sqlite_triggers.drop_person_triggers(),
        migrations.AddField(model_name="historicalperson", name="pager", field=contact_number()),
        migrations.AddField(model_name="historicalperson", name="phone", field=contact_number()),
        migrations.AddField(model_name="person", name="pager", field=contact_number()),
        migrations.AddField(model_name="person", name="phone", field=contact_number()),
        _sqlite_triggers.reinstall_person_triggers(),
    ]
