"""manage.py generate_schedule: the demo program gets a schedule in the foreground; bad arguments are refused."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scheduling.models import BlockAssignment, RotationRequirement, RotationTemplate, ScheduleRun, ScheduleVersion
from tenants.models import Organization
from tests.scheduling.test_generation import tiny_program

pytestmark = pytest.mark.django_db

PROGRESS_LINE = re.compile(r"^\s+\d+\.\d s  solutions \d+\s+objective\s+\S+  bound\s+\S+  gap\s+\S+$", re.M)


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_schedule", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo() -> Organization:
    call_command("seed_demo", stdout=StringIO())
    return Organization.objects.get(slug="family-medicine")


def test_generate_schedule_solves_two_demo_blocks_printing_progress_and_a_summary(demo):
    # a work limit, not the clock, ends the search: the same schedule however loaded the machine
    args = ("--blocks", "1-2", "--time-limit", "600", "--workers", "1", "--work-limit", "1")
    out = generate("--program", "family-medicine", *args)

    assert re.search(
        r"^Run #\d+: Family Medicine \d{4}-\d{4}, blocks 1-2, time limit 600 s, seed 0, 1 workers, work limit 1$",
        out,
        re.M,
    )
    assert PROGRESS_LINE.search(out), out
    assert re.search(r"^Status: succeeded \(engine: (optimal|feasible)\) in \d+\.\d s$", out, re.M), out
    assert re.search(r"^Solutions \d+, objective \d+, best bound -?\d+, gap ", out, re.M)
    assert "Soft costs: coverage_shortfall 0, call_fairness" in out
    assert "ACGME check: compliant (0 violations" in out
    run = ScheduleRun.objects.get()
    version = ScheduleVersion.objects.get(run=run)
    assert f"Draft version {version.number} (id {version.pk}) written." in out
    assert (run.status, run.created_by, version.status) == ("succeeded", None, "draft")
    assert BlockAssignment.objects.filter(version=version).count() == 24 * 2


def test_generate_schedule_with_publish_publishes_the_draft(program, coordinator):
    tiny_program(program, coordinator)

    out = generate("--program", program.slug, "--blocks", "1", "--time-limit", "20", "--publish")

    assert "Published version 1 of 2026-2027." in out
    assert ScheduleVersion.objects.get().status == "published"


def test_generate_schedule_exits_with_the_explanation_when_infeasible(program, coordinator):
    _, wards = tiny_program(program, coordinator)
    clinic = RotationTemplate.objects.get(program=program, abbreviation="C")
    RotationRequirement.objects.create(program=program, pgy=1, rotation=wards, min_blocks=13)
    RotationRequirement.objects.create(program=program, pgy=1, rotation=clinic, min_blocks=13)
    out = StringIO()

    with pytest.raises(CommandError, match=r"^Infeasible: No schedule meets every hard rule"):
        call_command("generate_schedule", "--program", program.slug, "--blocks", "1", "--time-limit", "20", stdout=out)

    assert "Status: infeasible" in out.getvalue()
    assert "conflict:" in out.getvalue()
    assert ScheduleRun.objects.get().status == "infeasible"
    assert not ScheduleVersion.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--program", "nope"], r"No program with the slug 'nope'\. Programs: fm"),
        (["--program", "fm", "--year", "2001"], r"has no academic year '2001'\. Years: 2026-2027"),
        (["--program", "fm", "--blocks", "5-2"], r"^Blocks 5-2: the first block comes after the last\.$"),
        (["--program", "fm", "--blocks", "1-99"], r"^Block 99 does not exist: 2026-2027 has blocks 1-13\.$"),
        (["--program", "fm", "--blocks", "first"], r"--blocks takes a block number or a range such as 1-4"),
        (["--program", "fm", "--time-limit", "0"], r"time limit must be from 1 to 3600 seconds"),
        (["--program", "fm", "--workers", "0"], r"number of solver workers must be from 1 to 32"),
    ],
)
def test_generate_schedule_refuses_bad_arguments_clearly(program, coordinator, args, message):
    tiny_program(program, coordinator)

    with pytest.raises(CommandError, match=message):
        generate(*args)

    assert not ScheduleRun.objects.exists()


def test_generate_schedule_refuses_while_another_run_of_the_year_is_active(program, coordinator):
    year, _ = tiny_program(program, coordinator)
    ScheduleRun.objects.create(program=program, academic_year=year, status="running", parameters={"time_limit": 60})

    with pytest.raises(CommandError, match="already has a schedule run in progress"):
        generate("--program", program.slug)
