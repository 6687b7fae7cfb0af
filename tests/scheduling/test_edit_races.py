"""Racing edits of one version, on two real PostgreSQL connections: the outcome is the sequential one.

Each race starts both edits at the same instant (a barrier) and is repeated, since an unlocked check-then-write
loses only some of the time. SQLite serialises writers itself and has no row locks, so these run on PostgreSQL.
"""

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.urls import reverse

from scheduling.announcements import announce_change
from scheduling.models import (
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.services import (
    RuleBreachError,
    academic_year_create,
    block_assignment_change,
    call_assignment_change,
    session_assignment_change,
)
from tenants.errors import ConflictError
from tests.scheduling.factories import ResidentFactory, RotationTemplateFactory, ScheduleVersionFactory
from tests.scheduling.manager_pages import small_schedule

# Only the races need PostgreSQL; the tests after them run on any database.
postgres_race = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Races need row locks and concurrent connections: run with DATABASE_URL set to PostgreSQL.",
)

ROUNDS = 8
JULY_1 = dt.date(2026, 7, 1)  # a Wednesday; block 1 runs to 28 July


def race(*edits: Callable[[], Any]) -> list[Any]:
    """Run the edits on their own connections, released together; each one's result or the exception it raised."""
    barrier = threading.Barrier(len(edits))
    results: list[Any] = [None] * len(edits)

    def run(index: int, edit: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()  # connect before the barrier, so both start their edit together
            barrier.wait(timeout=30)
            results[index] = edit()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each edit raised
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, edit)) for index, edit in enumerate(edits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an edit hung (a lock never released?)"
    return results


@pytest.fixture
def year(program):
    return academic_year_create(program=program, start_date=JULY_1, make_current=True)


@pytest.fixture
def version(program, year):
    return ScheduleVersionFactory(
        academic_year=year,
        program=program,
        number=1,
        status=ScheduleVersion.Status.PUBLISHED,
        published_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def clinic(program):
    return RotationTemplateFactory(
        program=program, name="Clinic", abbreviation="CL", kind=RotationTemplate.Kind.OUTPATIENT_CLINIC
    )


@pytest.fixture
def resident(program, version, year, clinic, coordinator) -> Person:
    """A PGY-2 on clinic (Monday to Friday) in block 1 of the published version, with no calls."""
    person = ResidentFactory(program=program, pgy=2)
    block_assignment_change(
        version=version, person=person, block=year.blocks.get(number=1), rotation=clinic, user=coordinator
    )
    return person


@pytest.mark.django_db(transaction=True)
@postgres_race
def test_racing_calls_on_consecutive_nights_save_one_and_refuse_the_other(version, resident, coordinator):
    first, second = dt.date(2026, 7, 10), dt.date(2026, 7, 11)  # Friday and Saturday: no work the day after
    calls = CallAssignment.objects.filter(version=version, person=resident)

    def add(day: dt.date) -> Callable[[], CallAssignment | None]:
        return lambda: call_assignment_change(
            version=version, person=resident, date=day, action="add", post_call=False, user=coordinator
        )

    for day in (first, second):  # each night alone breaks no rule
        add(day)()
        calls.delete()

    for round_ in range(ROUNDS):
        results = race(add(first), add(second))

        saved = [result for result in results if isinstance(result, CallAssignment)]
        refused = [result for result in results if isinstance(result, RuleBreachError)]
        assert (len(saved), len(refused)) == (1, 1), f"round {round_}: {results!r}"
        assert "call_spacing" in {finding.rule for finding in refused[0].findings}
        assert list(calls) == saved
        calls.delete()


@pytest.mark.django_db(transaction=True)
@postgres_race
def test_racing_block_changes_leave_the_block_and_its_half_days_on_one_rotation(program, coordinator, monkeypatch):
    setup = small_schedule(program, coordinator, status=ScheduleVersion.Status.PUBLISHED)
    version, resident, block = setup.version, setup.resident, setup.block
    half_days = SessionAssignment.objects.filter(
        version=version, person=resident, date__range=(block.start_date, block.end_date)
    )

    def announce_slowly(*, old: str, new: str, **kwargs: Any) -> None:
        # The edit that moves the half-days holds its rows a moment before committing, so the other edit
        # (which keeps the rotation and so rewrites only the block row) reliably commits last when unlocked.
        if old != new:
            time.sleep(0.5)
        announce_change(old=old, new=new, **kwargs)

    monkeypatch.setattr("scheduling.services.edits.announce_change", announce_slowly)

    def change(rotation: RotationTemplate) -> Callable[[], BlockAssignment]:
        return lambda: block_assignment_change(
            version=version, person=resident, block=block, rotation=rotation, user=coordinator, reason="Cover"
        )

    # each round starts from the last round's rotation: one edit moves the half-days, the other keeps them
    for round_ in range(ROUNDS):
        results = race(change(setup.nights), change(setup.clinic))

        assert all(isinstance(result, BlockAssignment) for result in results), f"round {round_}: {results!r}"
        row = BlockAssignment.objects.get(version=version, person=resident, block=block)
        assert row.history.latest().rotation_id == row.rotation_id  # the last writer's rotation
        rotations = set(half_days.exclude(rotation=None).values_list("rotation_id", flat=True))
        assert rotations == {row.rotation_id}, f"round {round_}: block on {row.rotation}, half-days on {rotations}"


@pytest.mark.django_db(transaction=True)
@postgres_race
@pytest.mark.parametrize("cell", ["block", "session"])
def test_racing_first_writes_of_a_cell_never_fail_with_an_integrity_error(
    cell, program, version, year, clinic, coordinator
):
    block = year.blocks.get(number=1)

    for round_ in range(ROUNDS):
        person = ResidentFactory(program=program, pgy=2)  # a resident with no row yet in the cell
        if cell == "block":

            def edit(person: Person = person) -> BlockAssignment:
                return block_assignment_change(
                    version=version, person=person, block=block, rotation=clinic, user=coordinator
                )

            rows = BlockAssignment.objects.filter(version=version, person=person, block=block)
        else:

            def edit(person: Person = person) -> SessionAssignment:
                return session_assignment_change(
                    version=version, person=person, date=JULY_1, session="AM", activity="off", user=coordinator
                )

            rows = SessionAssignment.objects.filter(version=version, person=person, date=JULY_1, session="AM")

        results = race(edit, edit)

        failures = [result for result in results if isinstance(result, Exception)]
        assert all(isinstance(failure, ConflictError) for failure in failures), f"round {round_}: {results!r}"
        assert len(failures) < 2, f"round {round_}: both refused"
        assert rows.count() == 1


@pytest.mark.django_db
def test_a_version_archived_while_waiting_for_the_lock_is_refused(version, resident, coordinator):
    stale = ScheduleVersion.objects.get(pk=version.pk)  # read before the version was archived
    ScheduleVersion.objects.filter(pk=version.pk).update(status=ScheduleVersion.Status.ARCHIVED)

    with pytest.raises(ConflictError, match="archived"):
        call_assignment_change(
            version=stale, person=resident, date=dt.date(2026, 7, 10), action="add", user=coordinator
        )

    assert not CallAssignment.objects.filter(version=version).exists()


@pytest.mark.django_db
def test_a_duplicate_row_is_a_conflict_message_on_the_page_not_a_500(
    client, monkeypatch, version, resident, coordinator
):
    def duplicate(*args, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "callassignment_one_call_per_start"')

    monkeypatch.setattr(CallAssignment, "save", duplicate)  # as if another writer got there first
    client.force_login(coordinator)
    url = reverse("edit-call", args=[version.pk, resident.pk, "2026-07-10"])

    response = client.post(url, {"action": "add", "post_call": "on", "reason": ""})

    assert response.status_code == 409  # a conflict, told on the page
    assert "Someone else changed this cell at the same moment" in response.content.decode()
    assert not CallAssignment.objects.filter(version=version).exists()
