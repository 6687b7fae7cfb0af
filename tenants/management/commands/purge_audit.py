"""manage.py purge_audit [--days 730] [--dry-run]: remove audit events past the retention period (two years)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.audit import RETENTION_DAYS, audit_purge
from tenants.errors import DomainError


class Command(BaseCommand):
    help = "Delete audit events older than --days (default two years); --dry-run only counts them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=RETENTION_DAYS, help=f"Keep this many days ({RETENTION_DAYS}).")
        parser.add_argument("--dry-run", action="store_true", help="Count the events that would go; delete nothing.")

    def handle(self, *args: object, days: int, dry_run: bool, **options: object) -> None:
        try:
            count = audit_purge(days=days, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {count} audit events older than {days} days."))
