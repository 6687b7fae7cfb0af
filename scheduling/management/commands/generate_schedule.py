"""manage.py generate_schedule: solve a program's schedule in the foreground, printing progress and a summary."""

import re

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.engine.solution import Progress
from scheduling.models import AcademicYear, ScheduleRun, ScheduleVersion
from scheduling.services import (
    ComplianceBreachError,
    schedule_run_execute,
    schedule_run_start,
    schedule_version_publish,
)
from tenants.errors import DomainError
from tenants.models import Organization

BLOCKS = re.compile(r"^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})\s*)?$")


def program_and_year(slug: str, year_name: str | None) -> tuple[Organization, AcademicYear]:
    """The program by slug and its year by name (default: the current year, else the latest), or a CommandError."""
    program = Organization.objects.filter(slug=slug, kind=Organization.Kind.PROGRAM).first()
    if program is None:
        known = ", ".join(Organization.objects.filter(kind=Organization.Kind.PROGRAM).values_list("slug", flat=True))
        raise CommandError(f"No program with the slug {slug!r}. Programs: {known or 'none'}.")
    years = AcademicYear.objects.for_program(program)
    year = years.filter(name=year_name).first() if year_name else years.order_by("-is_current", "-start_date").first()
    if year is None:
        names = ", ".join(years.values_list("name", flat=True))
        wanted = f"academic year {year_name!r}" if year_name else "academic year"
        raise CommandError(f"{program} has no {wanted}. Years: {names or 'none'}.")
    return program, year


def block_range(text: str | None) -> tuple[int, int | None]:
    """ "3" or "1-4" as (first, last); None means all blocks (last None = the year's last block)."""
    if text is None:
        return 1, None
    match = BLOCKS.match(text)
    if match is None:
        raise CommandError(f"--blocks takes a block number or a range such as 1-4 (got {text!r}).")
    first = int(match[1])
    return first, int(match[2]) if match[2] else first


def _number(value: float | None, pattern: str = "{:.0f}") -> str:
    return "-" if value is None else pattern.format(value)


def _percent(gap: float | None) -> str:
    """A gap as a percentage; an early bound far below the objective makes it huge, shown as >999%."""
    if gap is None:
        return "-"
    return ">999%" if gap > 9.99 else f"{gap * 100:.1f}%"


class Command(BaseCommand):
    help = (
        "Generate the schedule of a program's academic year in the foreground (same path as a queued run): "
        "prints progress and a summary, leaves a draft version; exits non-zero when infeasible or failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", required=True, help="The program's slug, e.g. family-medicine.")
        parser.add_argument("--year", help="The academic year's name (default: the current year).")
        parser.add_argument("--blocks", help="A block or a range such as 1-4 (default: the whole year).")
        parser.add_argument("--time-limit", type=float, default=60.0, help="Seconds (default 60).")
        parser.add_argument("--seed", type=int, default=0, help="Random seed of the solver (default 0).")
        parser.add_argument("--workers", type=int, default=2, help="Solver threads (default 2).")
        parser.add_argument(
            "--work-limit",
            type=float,
            help="Stop after this much solver work (CP-SAT deterministic time) instead of on the clock: with "
            "--workers 1, the same data and seed always give the same schedule; the time limit stays a safety net.",
        )
        parser.add_argument("--publish", action="store_true", help="Publish the draft when the run succeeds.")

    def handle(self, *args: object, **options) -> None:
        program, year = program_and_year(options["program"], options["year"])
        first, last = block_range(options["blocks"])
        try:
            run = schedule_run_start(
                academic_year=year,
                user=None,
                first_block=first,
                last_block=last,
                time_limit=options["time_limit"],
                seed=options["seed"],
                workers=options["workers"],
                work_limit=options["work_limit"],
                queue=False,
            )
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Run #{run.pk}: {program} {year}, blocks {run.first_block}-{run.last_block}, "
            f"time limit {options['time_limit']:g} s, seed {options['seed']}, {options['workers']} workers"
            + ("" if options["work_limit"] is None else f", work limit {options['work_limit']:g}")
        )
        run = schedule_run_execute(run_id=run.pk, on_progress=self._progress)
        self._summary(run)
        if run.status in (ScheduleRun.Status.INFEASIBLE, ScheduleRun.Status.FAILED):
            raise CommandError(f"{run.get_status_display()}: {run.message}")
        version_id = (run.statistics or {}).get("version_id")
        if options["publish"] and run.status == ScheduleRun.Status.SUCCEEDED and version_id:
            try:
                version = schedule_version_publish(version=ScheduleVersion.objects.get(pk=version_id), user=None)
            except ComplianceBreachError as exc:
                raise CommandError(f"{exc} Draft kept: publish it with publish_schedule --reason.") from exc
            self.stdout.write(self.style.SUCCESS(f"Published version {version.number} of {year}."))

    def _progress(self, progress: Progress) -> None:
        self.stdout.write(
            f"{progress.elapsed_seconds:7.1f} s  solutions {progress.solutions:<4} "
            f"objective {_number(progress.objective):>10}  bound {_number(progress.best_bound):>10}  "
            f"gap {_percent(progress.gap):>7}"
        )

    def _summary(self, run: ScheduleRun) -> None:
        stats = run.statistics or {}
        style = self.style.SUCCESS if run.status == ScheduleRun.Status.SUCCEEDED else self.style.WARNING
        engine_status = f" (engine: {stats['status']})" if stats.get("status") else ""
        self.stdout.write(style(f"Status: {run.status}{engine_status} in {run.elapsed_seconds:.1f} s"))
        if run.message:
            self.stdout.write(f"Message: {run.message}")
        self.stdout.write(
            f"Solutions {run.solutions_found}, objective {_number(run.objective)}, "
            f"best bound {_number(run.best_bound)}, gap {_percent(run.gap)}"
        )
        costs = stats.get("soft_costs") or {}
        if costs:
            self.stdout.write("Soft costs: " + ", ".join(f"{name} {_number(cost)}" for name, cost in costs.items()))
        for conflict in stats.get("conflicts") or []:
            self.stdout.write(f"  conflict: {conflict.get('message')}")
        acgme = stats.get("acgme")
        if acgme:
            verdict = "compliant" if acgme["compliant"] else "NOT compliant"
            self.stdout.write(
                f"ACGME check: {verdict} ({acgme['violations']} violations, {acgme['warnings']} warnings, "
                f"{acgme['people_checked']} residents checked)"
            )
            for violation in acgme.get("first_violations") or []:
                self.stdout.write(f"  {violation['rule']} {violation['person']} from {violation['start']}")
        elif stats.get("version_id"):
            self.stdout.write("ACGME check: not run (the engine derived no duties)")
        if stats.get("version_id"):
            self.stdout.write(f"Draft version {stats['version_number']} (id {stats['version_id']}) written.")
