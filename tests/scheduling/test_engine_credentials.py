"""Credentials reach the engine: a rotation needing ACLS is closed to a resident whose ACLS lapses first, and a
rotation needing a credentialed supervisor sees which faculty hold an active procedure credential."""

import datetime as dt

import pytest

from credentials.models import ProcedureCredential
from scheduling.engine.facts import Facts
from scheduling.engine_io import person_key, problem_for, rotation_key
from scheduling.services import academic_year_create
from tests.credentials.factories import (
    CertificationTypeFactory,
    PersonCertificationFactory,
    ProcedureCredentialFactory,
    ProcedureFactory,
)
from tests.scheduling.factories import FacultyFactory, ResidentFactory, RotationTemplateFactory

pytestmark = pytest.mark.django_db


def test_an_acls_that_expires_in_block_two_closes_the_icu_from_block_two_on(program):
    year = academic_year_create(program=program, start_date=dt.date(2026, 7, 1), make_current=True)
    block2 = year.blocks.get(number=2)
    icu = RotationTemplateFactory(program=program, name="ICU", abbreviation="ICU", required_credentials="ACLS")
    colpo = RotationTemplateFactory(
        program=program, name="Colposcopy", abbreviation="COL", required_credentials="proc:COLPO"
    )
    acls = CertificationTypeFactory(program=program, code="ACLS")
    lasting, lapsing, never = (ResidentFactory(program=program, pgy=2) for _ in range(3))
    PersonCertificationFactory(type=acls, person=lasting, issued_on=dt.date(2026, 1, 1), expires_on=dt.date(2028, 1, 1))
    PersonCertificationFactory(
        type=acls, person=lapsing, issued_on=dt.date(2025, 1, 1), expires_on=block2.start_date + dt.timedelta(days=3)
    )
    ProcedureCredentialFactory(
        procedure=ProcedureFactory(program=program, code="COLPO"),
        person=never,
        status=ProcedureCredential.Status.SUSPENDED,
    )

    problem = problem_for(academic_year=year, blocks=range(1, 3))
    facts = Facts(problem)
    by_id = {r.id: r for r in problem.residents}
    rotation = problem.rotation(rotation_key(icu.pk))
    assert rotation.required_credentials == frozenset({"ACLS"})
    assert by_id[person_key(lapsing.pk)].credentials_until == (("ACLS", block2.start_date + dt.timedelta(days=3)),)

    assert facts.ineligibility(by_id[person_key(lasting.pk)], rotation, 1) == ""
    assert facts.ineligibility(by_id[person_key(lapsing.pk)], rotation, 0) == ""  # valid through block 1
    assert "expires before the block ends" in facts.ineligibility(by_id[person_key(lapsing.pk)], rotation, 1)
    assert "needs ACLS" in facts.ineligibility(by_id[person_key(never.pk)], rotation, 0)
    # a suspended procedure credential does not count
    colposcopy = problem.rotation(rotation_key(colpo.pk))
    assert "needs proc:COLPO" in facts.ineligibility(by_id[person_key(never.pk)], colposcopy, 0)


def test_an_active_procedure_credential_makes_a_faculty_member_a_supervisor_and_a_suspended_one_does_not(program):
    year = academic_year_create(program=program, start_date=dt.date(2026, 7, 1), make_current=True)
    colpo = RotationTemplateFactory(
        program=program,
        name="Colposcopy",
        abbreviation="COL",
        kind="procedure",
        supervisor_credentials=" proc:COLPO, ",
    )
    procedure = ProcedureFactory(program=program, code="COLPO")
    active, suspended = FacultyFactory(program=program), FacultyFactory(program=program)
    ProcedureCredentialFactory(procedure=procedure, person=active, expires_on=dt.date(2027, 6, 30))
    ProcedureCredentialFactory(procedure=procedure, person=suspended, status=ProcedureCredential.Status.SUSPENDED)
    resident = ResidentFactory(program=program, pgy=2)

    problem = problem_for(academic_year=year, blocks=range(1, 2))
    faculty = {f.id: f for f in problem.faculty}
    rotation = problem.rotation(rotation_key(colpo.pk))
    assert colpo.supervisor_credential_codes == frozenset({"proc:COLPO"})
    assert rotation.supervisor_credentials == frozenset({"proc:COLPO"})
    assert faculty[person_key(active.pk)].credentials == frozenset({"proc:COLPO"})
    assert faculty[person_key(active.pk)].credentials_until == (("proc:COLPO", dt.date(2027, 6, 30)),)
    assert "proc:COLPO" not in faculty[person_key(suspended.pk)].credentials
    facts = Facts(problem)
    first_work_day = next(i for i in facts.block_days[0] if facts.works_day(rotation, i))
    assert [problem.faculty[fi].id for fi in facts.supervisors(rotation, first_work_day)] == [person_key(active.pk)]
    assert facts.ineligibility(problem.residents[0], rotation, 0) == ""

    ProcedureCredential.objects.filter(person=active).update(status=ProcedureCredential.Status.SUSPENDED)
    problem = problem_for(academic_year=year, blocks=range(1, 2))
    rotation = problem.rotation(rotation_key(colpo.pk))
    assert problem.residents[0].id == person_key(resident.pk)
    assert "needs a supervisor holding proc:COLPO" in Facts(problem).ineligibility(problem.residents[0], rotation, 0)
