"""The FMIT configuration per academic year: the data migration moves each program's FMIT settings into a row per
year (and back), new years copy the latest rules, the API and services change them, and the engine reads them."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from scheduling.engine_io import problem_for
from scheduling.fmit_config import FmitSettings, fmit_settings
from scheduling.models import FmitYearConfig
from scheduling.services import academic_year_create, fmit_year_config_update
from tenants.errors import DomainError
from tenants.models import Organization, Role
from tests.scheduling.factories import AcademicYearFactory, RotationTemplateFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("scheduling.migrations.0017_fmit_year_config")
URL = "/api/v1/fmit-configs/"
OLD = {
    "requirements": {"clinic_capacity": 5, "fmit_min_attendings": 2, "fmit_max_attendings": 3},
    "rules": {"max_consecutive_calls": 2, "fmit_max_consecutive_weeks": 2, "fmit_min_gap_weeks": 4,
              "fmit_recovery_day": False},
    "fmit_week_start": 0,
}  # fmt: skip


def test_the_data_migration_moves_each_programs_fmit_settings_into_every_year(program, other_program):
    first = AcademicYearFactory(program=program, name="2025-2026")
    second = AcademicYearFactory(program=program, name="2026-2027")
    theirs = AcademicYearFactory(program=other_program, name="2026-2027")
    Organization.objects.filter(pk=program.pk).update(settings={"scheduling": OLD, "wishes": {"week_start": 2}})

    MIGRATION.fmit_from_settings(apps, None)

    for year in (first, second):
        assert fmit_settings(year) == FmitSettings(
            week_start_day=0,
            min_attendings=2,
            max_attendings=3,
            max_consecutive_weeks=2,
            min_gap_weeks=4,
            recovery_day=False,
            imbalance_tolerance_weeks=1,
        )
    assert fmit_settings(theirs) == FmitSettings()  # their program had no FMIT settings: the defaults
    program.refresh_from_db()
    assert program.settings == {
        "scheduling": {"requirements": {"clinic_capacity": 5}, "rules": {"max_consecutive_calls": 2}},
        "wishes": {"week_start": 2},
    }

    MIGRATION.fmit_to_settings(apps, None)  # backwards: the latest year's rules return to the document
    program.refresh_from_db()
    assert program.settings["scheduling"]["fmit_week_start"] == 0
    assert program.settings["scheduling"]["rules"]["fmit_min_gap_weeks"] == 4
    assert program.settings["scheduling"]["requirements"]["fmit_max_attendings"] == 3


def test_a_new_year_copies_the_latest_years_rules(program, coordinator):
    first = academic_year_create(program=program, start_date=dt.date(2026, 7, 1), fmit={"min_gap_weeks": 5})
    fmit_year_config_update(academic_year=first, user=coordinator, values={"week_start_day": 0})
    second = academic_year_create(program=program, start_date=dt.date(2027, 7, 1))
    assert (fmit_settings(second).week_start_day, fmit_settings(second).min_gap_weeks) == (0, 5)


def test_the_engine_reads_the_years_rules(program, coordinator):
    year = academic_year_create(program=program, start_date=dt.date(2026, 7, 1))
    RotationTemplateFactory(program=program)
    fmit_year_config_update(
        academic_year=year,
        user=coordinator,
        values={"week_start_day": 1, "min_attendings": 0, "max_attendings": 1, "recovery_day": False},
    )
    problem = problem_for(academic_year=year, blocks=range(1, 2))
    assert problem.calendar.fmit_week_start == 1
    assert (problem.requirements.fmit_min_attendings, problem.requirements.fmit_max_attendings) == (0, 1)
    assert problem.rules.fmit_recovery_day is False


def test_bad_values_and_other_roles_are_refused_and_nothing_is_stored(program, coordinator, member):
    year = academic_year_create(program=program, start_date=dt.date(2026, 7, 1))
    with pytest.raises(DomainError, match="cannot be below the least"):
        fmit_year_config_update(academic_year=year, user=coordinator, values={"min_attendings": 3})
    with pytest.raises(DomainError, match="unknown FMIT setting"):
        fmit_year_config_update(academic_year=year, user=coordinator, values={"colour": 1})
    with pytest.raises(PermissionDenied):
        fmit_year_config_update(academic_year=year, user=member(Role.RESIDENT), values={"min_attendings": 0})
    assert fmit_settings(year) == FmitSettings()


def test_api_reads_and_changes_a_years_rules(api_as, coordinator, program):
    year = academic_year_create(program=program, start_date=dt.date(2026, 7, 1))
    row = FmitYearConfig.objects.get(academic_year=year)
    client = api_as(coordinator)
    listed = client.get(URL).json()
    assert [item["academic_year"] for item in listed["results"]] == [year.pk]
    response = client.patch(f"{URL}{row.pk}/", {"max_consecutive_weeks": 2}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["max_consecutive_weeks"] == 2 and fmit_settings(year).max_consecutive_weeks == 2
    bad = client.patch(f"{URL}{row.pk}/", {"min_attendings": 5}, format="json")
    assert bad.status_code == 400
    assert fmit_settings(year).min_attendings == 1


def test_api_refuses_clinicians_writes_and_other_programs(api_as, member, program, other_program):
    year = academic_year_create(program=program, start_date=dt.date(2026, 7, 1))
    row = FmitYearConfig.objects.get(academic_year=year)
    resident = api_as(member(Role.RESIDENT))
    assert resident.get(f"{URL}{row.pk}/").status_code == 200  # the schedule's readers read its rules
    assert resident.patch(f"{URL}{row.pk}/", {"min_gap_weeks": 0}, format="json").status_code == 403
    theirs = api_as(member(Role.COORDINATOR, in_program=other_program), other_program)
    assert theirs.get(f"{URL}{row.pk}/").status_code == 404
    assert theirs.patch(f"{URL}{row.pk}/", {"min_gap_weeks": 0}, format="json").status_code == 404
    assert fmit_settings(year).min_gap_weeks == 2
