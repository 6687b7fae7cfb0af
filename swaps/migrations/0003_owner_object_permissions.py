"""Owners' guardian object permissions (view/change/delete) on the rows that already exist: each person's
absences, wishes and calendar feed, the swaps they asked for, and each user's personal API tokens (see
tenants.ownership)."""

from django.db import migrations

OWNED = [  # app label, model, the lookup of the owning login
    ("absences", "absence", "person__user"),
    ("scheduling", "preference", "person__user"),
    ("scheduling", "feedtoken", "person__user"),
    ("swaps", "swap", "requester__user"),
    ("tenants", "personalaccesstoken", "user"),
]
ACTIONS = ("view", "change", "delete")


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    for app_label, model_name, owner in OWNED:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # moved since (the feed tokens live in integrations.feeds, feeds/0001 relabels them)
            continue
        rows = list(model.objects.filter(**{f"{owner}__isnull": False}).values_list("pk", f"{owner}_id"))
        if not rows:
            continue
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
        for action in ACTIONS:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model_name}",
                defaults={"name": f"Can {action} {model._meta.verbose_name}"},
            )
            UserObjectPermission.objects.bulk_create(
                [
                    UserObjectPermission(
                        permission=permission, content_type=content_type, object_pk=str(pk), user_id=user_id
                    )
                    for pk, user_id in rows
                ],
                ignore_conflicts=True,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("swaps", "0002_same_program_triggers"),
        ("absences", "0002_same_program_triggers"),
        ("scheduling", "0014_assignment_swap_id"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenants", "0004_access_tokens_idempotency"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
