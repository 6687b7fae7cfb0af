"""Owners' guardian object permissions (view/change/delete) on the rows that already exist: each person's
absences, wishes and calendar feed, and the swaps they asked for (see tenants.ownership)."""

from django.db import migrations

OWNED = [  # app label, model, the field naming the owning person
    ("absences", "absence", "person"),
    ("scheduling", "preference", "person"),
    ("scheduling", "feedtoken", "person"),
    ("swaps", "swap", "requester"),
]
ACTIONS = ("view", "change", "delete")


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    for app_label, model_name, person_field in OWNED:
        model = apps.get_model(app_label, model_name)
        rows = list(
            model.objects.filter(**{f"{person_field}__user__isnull": False}).values_list(
                "pk", f"{person_field}__user_id"
            )
        )
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
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
