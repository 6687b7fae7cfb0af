"""manage.py demo_totp <email>: the current authenticator-app code of a demo admin or coordinator (never in
production), so that a demo manager signs in without setting up an app."""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.demo import DEMO_EMAIL_DOMAIN


class Command(BaseCommand):
    help = "Print the current sign-in code (TOTP) of a demo user enrolled by seed_demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help=f"A demo login, such as coordinator@{DEMO_EMAIL_DOMAIN}.")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: object, email: str, force: bool, **options: object) -> None:
        if not (settings.DEBUG or settings.TESTING or force):
            raise CommandError("demo_totp prints a second factor, so it only runs with DJANGO_DEBUG=1 (or --force).")
        email = email.strip().lower()
        if not email.endswith(f"@{DEMO_EMAIL_DOMAIN}"):
            raise CommandError(f"Only demo logins (@{DEMO_EMAIL_DOMAIN}) have a published code.")
        authenticator = Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(f"{email} has no authenticator app: run seed_demo, or sign in as them to enrol.")
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter)))
