"""manage.py purge_idempotency_keys [--older-than-days N]: remove stored Idempotency-Keys past their 24 hours."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.idempotency import idempotency_keys_purge

MAX_DAYS = 3650


def _days(text: str) -> int:
    """The option's whole number of days, 1 to MAX_DAYS, else a one-line CommandError ending in exit 2."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 4) or not 1 <= int(digits) <= MAX_DAYS:
        raise CommandError(
            f"--older-than-days must be a whole number from 1 to {MAX_DAYS} (got {text[:40]!r}).", returncode=2
        )
    return int(digits)


class Command(BaseCommand):
    help = (
        f"Delete Idempotency-Keys kept past IDEMPOTENCY_KEY_HOURS ({settings.IDEMPOTENCY_KEY_HOURS} h), or with "
        "--older-than-days those made more than N days ago (the beat does the default daily)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.print_usage = lambda file=None: None  # a usage error is argparse's one "error:" line, exit 2
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        # read as text and checked in handle, so a bad value is one line and exit 2, never argparse's usage
        parser.add_argument("--older-than-days", default=None, help=f"Remove keys older than N days (1-{MAX_DAYS}).")

    def handle(self, *args: object, older_than_days: str | None, **options: object) -> None:
        days = None if older_than_days is None else _days(older_than_days)
        count = idempotency_keys_purge(older_than_days=days)
        age = f"{settings.IDEMPOTENCY_KEY_HOURS} hours" if days is None else f"{days} day{'s' if days != 1 else ''}"
        self.stdout.write(f"{count} idempotency key{'s' if count != 1 else ''} older than {age} removed.")
