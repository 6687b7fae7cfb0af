"""The calendar-feed tokens moved to integrations.feeds (integrations/feeds/migrations/0001): they leave
scheduling's state only; their tables keep their names and rows, and the same-program trigger on them stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0015_session_assignment_list_order"),
        ("feeds", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalFeedToken"),
                migrations.DeleteModel(name="FeedToken"),
            ],
        ),
    ]
