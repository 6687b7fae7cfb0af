from django.db import migrations, models

from scheduling.migrations import _sqlite_triggers


def reason() -> models.TextField:
    return models.TextField(
        blank=True, help_text="Why it was published although it breaks ACGME rules (empty when it was compliant)."
    )


class Migration(migrations.Migration):
    """The reason a draft that breaks ACGME rules was published anyway (SQLite rebuilds the version table)."""

    dependencies = [
        ("scheduling", "0009_feed_token_history"),
    ]

    operations = [
        _sqlite_triggers.drop_version_triggers(),
        migrations.AddField(model_name="historicalscheduleversion", name="publish_reason", field=reason()),
        migrations.AddField(model_name="scheduleversion", name="publish_reason", field=reason()),
        _sqlite_triggers.reinstall_version_triggers(),
    ]
