"""The calendar-feed tokens move here from scheduling, on the same tables (`scheduling_feedtoken` and its history):
Django's state only (scheduling/migrations/0016 drops them from scheduling's), no row is touched. Their content
types are relabelled in place, so the permissions, guardian's object permissions (each owner's rights on their
feed), admin log entries and history that point at them follow with no copy.
"""

import django.db.models.deletion
import integrations.feeds.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MOVED = ("feedtoken", "historicalfeedtoken")


def _relabel(source: str, target: str):
    def relabel(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in MOVED:
            if ContentType.objects.filter(app_label=source, model=model).exists():
                ContentType.objects.filter(app_label=target, model=model).delete()  # an empty one made meanwhile
                ContentType.objects.filter(app_label=source, model=model).update(app_label=target)
        ContentType.objects.clear_cache()

    return relabel


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('scheduling', '0015_session_assignment_list_order'),
        # The one-off grant of owners' rights reads the model under its old label: it runs first.
        ('swaps', '0003_owner_object_permissions'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('tenants', '0004_access_tokens_idempotency'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalFeedToken',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('regenerated_at', models.DateTimeField(blank=True, null=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, help_text="Who made the current address (set again by a reset). The program's feed, and the feed of a person without a login, stop when this user is no longer one of the program's managers.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='scheduling.person')),
                        ('program', models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'kind': 'program'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tenants.organization')),
                    ],
                    options={
                        'verbose_name': 'historical feed token',
                        'verbose_name_plural': 'historical feed tokens',
                        'db_table': 'scheduling_historicalfeedtoken',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='FeedToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(default=integrations.feeds.models.new_feed_token, editable=False, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('regenerated_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, help_text="Who made the current address (set again by a reset). The program's feed, and the feed of a person without a login, stop when this user is no longer one of the program's managers.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='scheduling.person')),
                        ('program', models.ForeignKey(limit_choices_to={'kind': 'program'}, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenants.organization')),
                    ],
                    options={
                        'db_table': 'scheduling_feedtoken',
                        'ordering': ['program', 'person'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('person__isnull', False)), fields=('program', 'person'), name='feedtoken_one_per_person', violation_error_message='This person already has a calendar feed.'), models.UniqueConstraint(condition=models.Q(('person__isnull', True)), fields=('program',), name='feedtoken_one_per_program', violation_error_message='This program already has a calendar feed.')],
                    },
                ),
            ],
        ),
        migrations.RunPython(_relabel("scheduling", "feeds"), _relabel("feeds", "scheduling")),
    ]
