"""Sign-in now needs a verified email address (ACCOUNT_EMAIL_VERIFICATION = "mandatory"): the addresses of users
who existed before are taken as verified (their admins entered them and they have been signing in with them);
addresses added from now on are verified by a link."""

from django.db import migrations


def existing_emails_verified(apps, schema_editor):
    User = apps.get_model("tenants", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=user_id, email=email, verified=True, primary=True)
            for user_id, email in User.objects.exclude(pk__in=known).values_list("pk", "email")
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_auditevent"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(existing_emails_verified, migrations.RunPython.noop)]
