"""manage.py publish_schedule: publish a draft schedule version (by number, or the year's latest draft); one
that breaks ACGME rules needs --reason."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.management.commands.generate_schedule import program_and_year
from scheduling.models import ScheduleVersion
from scheduling.services import ComplianceBreachError, schedule_version_publish
from tenants.errors import DomainError


class Command(BaseCommand):
    help = "Publish a draft schedule version of a program's year; the previously published one is archived."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        """--version is the schedule's version here, replacing Django's --version."""
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", required=True, help="The program's slug, e.g. family-medicine.")
        parser.add_argument("--year", help="The academic year's name (default: the current year).")
        parser.add_argument("--version", type=int, dest="number", help="The version number (default: latest draft).")
        parser.add_argument(
            "--reason", default="", help="Why a draft that breaks ACGME rules is published anyway (kept with it)."
        )

    def handle(
        self, *args: object, program: str, year: str | None, number: int | None, reason: str, **options: object
    ) -> None:
        program_row, academic_year = program_and_year(program, year)
        versions = ScheduleVersion.objects.filter(academic_year=academic_year)
        if number is None:
            version = versions.filter(status=ScheduleVersion.Status.DRAFT).order_by("-number").first()
            missing = f"{academic_year} has no draft version to publish."
        else:
            version = versions.filter(number=number).first()
            missing = f"{academic_year} has no version {number}."
        if version is None:
            raise CommandError(missing)
        try:
            version = schedule_version_publish(version=version, user=None, academic_year=academic_year, reason=reason)
        except ComplianceBreachError as exc:
            raise CommandError(f'{exc} Give it with --reason "...".') from exc
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Published version {version.number} of {program_row} {academic_year}."))
