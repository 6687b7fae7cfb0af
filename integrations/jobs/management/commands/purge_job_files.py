"""manage.py purge_job_files [--dry-run]: remove background job files kept longer than JOB_FILE_DAYS."""

from django.core.management.base import BaseCommand

from integrations.jobs.services import job_files_purge


class Command(BaseCommand):
    help = "Remove the files of background jobs finished more than JOB_FILE_DAYS days ago (the beat does it daily)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the files that would go; remove none.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        count = job_files_purge(dry_run=dry_run)
        verb = "would be removed" if dry_run else "removed"
        self.stdout.write(f"{count} job file{'s' if count != 1 else ''} {verb}.")
