"""manage.py seed_demo: a demo institution with two programs and one login per role (never in production)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.demo import DEMO_PASSWORD, demo_seed
from tenants.errors import DomainError


class Command(BaseCommand):
    help = "Create (or complete) the demo programs, people, rotations, current year and demo logins. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=DEMO_PASSWORD, help=f"Password of new demo users ({DEMO_PASSWORD}).")
        parser.add_argument(
            "--reset-passwords", action="store_true", help="Also set the password of demo users that already exist."
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (demo passwords are public).")

    def handle(self, *args: object, password: str, reset_passwords: bool, force: bool, **options: object) -> None:
        if not (settings.DEBUG or settings.TESTING or force):
            raise CommandError(
                "seed_demo creates users with a published password, so it only runs with DJANGO_DEBUG=1. "
                "Pass --force if you really want demo logins on this server."
            )
        try:
            result = demo_seed(password=password, reset_passwords=reset_passwords)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        width = max(len(login.email) for login in result.logins) + 2
        self.stdout.write(f"{'EMAIL':<{width}}{'ROLE':<16}PROGRAM")
        for login in result.logins:
            self.stdout.write(f"{login.email:<{width}}{login.role:<16}{login.program}")
        self.stdout.write(f"Password: {result.password}")
        if result.passwords_kept:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.passwords_kept} demo users already existed and kept their password "
                    "(--reset-passwords sets it to the one above)."
                )
            )
        counts = ", ".join(f"{count} {name}" for name, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {counts}."))
