"""Selectors read only the program they are given."""

from scheduling import selectors
from tests.scheduling.factories import AcademicYearFactory, BlockFactory, ResidentFactory, RotationTemplateFactory


def test_selectors_never_return_another_programs_rows(program, other_program):
    for owner in (program, other_program):
        year = AcademicYearFactory(program=owner)
        BlockFactory(academic_year=year, number=1)
        ResidentFactory(program=owner)
        RotationTemplateFactory(program=owner)

    reads = [
        selectors.person_list(program=program, active=None),
        selectors.rotation_list(program=program),
        selectors.academic_year_list(program=program),
        selectors.block_list(program=program),
    ]

    for rows in reads:
        assert rows.count() == 1
        assert {row.program_id for row in rows} == {program.pk}


def test_program_overview_counts_only_the_program(program, other_program):
    ResidentFactory.create_batch(2, program=program)
    ResidentFactory.create_batch(4, program=other_program)
    counts = dict(selectors.program_overview(program=program)["counts"])
    assert counts["Residents"] == 2
