"""Static stability (resilience tier 3): fallback schedules for named failure scenarios, and the load-shedding order.

A fallback is a schedule run (scheduling.services.schedule_run_start with a RunScenario): a minimal-change re-solve
of the published schedule for the scenario's blocks with its people absent, in the background on the solver queue.
Its draft is checked by the ACGME checker over the whole year like every draft and is published through the
versions pages. When the scenario cannot cover every service, the run sheds services in the program's order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from analytics.models_fallbacks import Fallback, LoadSheddingStep
from scheduling.engine.duties import AcgmeLimits
from scheduling.models import (
    AcademicYear,
    Block,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.program_settings import scheduling_settings
from scheduling.services import RunScenario, schedule_run_start
from tenants.errors import DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can

FALLBACK_TIME_LIMIT = 60.0  # seconds per attempt (each shed service is one more attempt)
MAX_LOST = 20
CLINIC_NAME = "Continuity clinic"
CLINIC_KEY = "clinic"  # the continuity clinic in forms and the API; a rotation is its id


def _check_change(user, program: Organization, what: str) -> None:
    if not can(user, Action.CHANGE, Resource.ANALYTICS, program):
        raise PermissionDenied(f"Only the admins and coordinators of {program} can {what}.")


# ---------------------------------------------------------------------------------------------
# Load-shedding order


@dataclasses.dataclass(frozen=True, slots=True)
class Service:
    """A service a fallback may cut: a rotation (`rotation_id`) or the continuity clinic (None)."""

    rotation_id: int | None
    name: str

    @property
    def key(self) -> str:
        return CLINIC_KEY if self.rotation_id is None else str(self.rotation_id)


def load_shedding_services(*, program: Organization) -> list[Service]:
    """Every service the program could cut: its active rotations by name, then the continuity clinic."""
    rotations = RotationTemplate.objects.for_program(program).filter(is_active=True).order_by("name", "pk")
    return [Service(r.pk, r.name) for r in rotations] + [Service(None, CLINIC_NAME)]


def load_shedding_order(*, program: Organization) -> list[Service]:
    """The program's load-shedding order, the service cut first first."""
    steps = LoadSheddingStep.objects.for_program(program).select_related("rotation").order_by("position")
    return [Service(step.rotation_id, step.service_name) for step in steps]


def service_key_parse(key: object) -> int | None:
    """A service key ("clinic" or a rotation id) as the order stores it; DomainError for anything else."""
    text = str(key).strip()
    if text == CLINIC_KEY:
        return None
    if text.isascii() and text.isdigit() and 0 < len(text) <= 18:
        return int(text)
    raise DomainError(f"{text[:40]!r} is not a service: give a rotation id or {CLINIC_KEY!r}.")


@transaction.atomic
def load_shedding_order_set(*, program: Organization, user, services: list[int | None]) -> list[Service]:
    """Replace the program's load-shedding order with `services` (rotation ids, None for the continuity clinic),
    first cut first. Managers only; a service named twice or a rotation not active in the program is refused
    and the order is left as it was."""
    _check_change(user, program, "change the load-shedding order")
    if len(services) != len(set(services)):
        raise DomainError("Each service appears once in the load-shedding order.")
    wanted = {pk for pk in services if pk is not None}
    active = RotationTemplate.objects.for_program(program).filter(pk__in=wanted, is_active=True)
    if unknown := wanted - set(active.values_list("pk", flat=True)):
        raise DomainError(f"{program} has no active rotation with id {min(unknown)}; the order was not changed.")
    LoadSheddingStep.objects.for_program(program).delete()
    LoadSheddingStep.objects.bulk_create(
        LoadSheddingStep(program=program, position=position, rotation_id=pk)
        for position, pk in enumerate(services, start=1)
    )
    return load_shedding_order(program=program)


def load_shedding_order_move(*, program: Organization, user, key: str, move: str) -> list[Service]:
    """One step of the order's page: "up"/"down" swaps the service with its neighbour, "add" puts it last,
    "remove" takes it out. A service not in the order (or already there, for add) is refused."""
    current = [service.rotation_id for service in load_shedding_order(program=program)]
    service = service_key_parse(key)
    if move == "add":
        if service in current:
            raise DomainError("That service is already in the load-shedding order.")
        return load_shedding_order_set(program=program, user=user, services=[*current, service])
    if service not in current:
        raise DomainError("That service is not in the load-shedding order.")
    at = current.index(service)
    if move == "remove":
        current.pop(at)
    elif move in ("up", "down"):
        other = at - 1 if move == "up" else at + 1
        if 0 <= other < len(current):
            current[at], current[other] = current[other], current[at]
    else:
        raise DomainError(f"Unknown move {move[:20]!r}: use up, down, add or remove.")
    return load_shedding_order_set(program=program, user=user, services=current)


# ---------------------------------------------------------------------------------------------
# Fallbacks


def _published(academic_year: AcademicYear) -> ScheduleVersion:
    version = ScheduleVersion.objects.filter(
        academic_year=academic_year, status=ScheduleVersion.Status.PUBLISHED
    ).first()
    if version is None:
        raise DomainError(f"{academic_year} has no published schedule: a fallback re-solves the published one.")
    return version


def _window(academic_year: AcademicYear, first_block: int, last_block: int) -> tuple[Block, Block]:
    blocks = {b.number: b for b in Block.objects.filter(academic_year=academic_year)}
    if not blocks:
        raise DomainError(f"{academic_year} has no blocks.")
    low, high = min(blocks), max(blocks)
    for number in (first_block, last_block):
        if number not in blocks:
            raise DomainError(f"Block {number} does not exist: {academic_year} has blocks {low}-{high}.")
    if first_block > last_block:
        raise DomainError(f"Blocks {first_block}-{last_block}: the first block comes after the last.")
    return blocks[first_block], blocks[last_block]


def solve_blocks(academic_year: AcademicYear, first: Block, last: Block) -> range:
    """The blocks a fallback re-solves: the scenario's and those sharing an ACGME window with them, as an absence
    repair does (the lost people's leave moves the work of every window holding one of its days onto the others,
    and only a re-solve of those days can keep the averages)."""
    limits = AcgmeLimits(**scheduling_settings(academic_year.program).acgme)
    reach = dt.timedelta(days=int(limits.window_days) - 1)
    numbers = Block.objects.filter(
        academic_year=academic_year, start_date__lte=last.end_date + reach, end_date__gte=first.start_date - reach
    ).values_list("number", flat=True)
    return range(min(numbers), max(numbers) + 1)


def _lost_people(program: Organization, person_ids: list[int]) -> list[Person]:
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        raise DomainError("Choose at least one person the scenario loses.")
    if len(ids) > MAX_LOST:
        raise DomainError(f"A scenario loses at most {MAX_LOST} people.")
    found = Person.objects.for_program(program).filter(pk__in=ids, is_active=True).in_bulk()
    if missing := [pk for pk in ids if pk not in found]:
        raise DomainError(
            f"No active person of {program} has id {missing[0]}: a scenario loses people of this program only."
        )
    scheduled = (Person.Kind.RESIDENT, Person.Kind.FACULTY)
    if others := [found[pk] for pk in ids if found[pk].kind not in scheduled]:
        raise DomainError(f"{others[0].full_name} is not scheduled by the engine (residents and faculty only).")
    return [found[pk] for pk in ids]


def fallback_create(
    *,
    academic_year: AcademicYear,
    lost_person_ids: list[int],
    first_block: int,
    last_block: int,
    name: str,
    user,
    picked: str = "",
    time_limit: float = FALLBACK_TIME_LIMIT,
    seed: int = 0,
    workers: int = 2,
    work_limit: float | None = None,
) -> Fallback:
    """Name a scenario (these people lost for these blocks) and start its fallback: a minimal-change re-solve of the
    published schedule for those blocks (and those sharing an ACGME window with them) with the people absent,
    shedding services in the program's order while coverage is short, queued after commit. Managers only; an empty
    or unknown scenario is refused and nothing is written."""
    program = academic_year.program
    _check_change(user, program, "make fallback schedules")
    name = (name or "").strip()
    if not name:
        raise DomainError("Name the scenario, e.g. 'Lose 2 PGY-2s for block 6'.")
    if len(name) > Fallback._meta.get_field("name").max_length:
        raise DomainError("Keep the scenario's name within 120 characters.")
    first, last = _window(academic_year, first_block, last_block)
    people = _lost_people(program, lost_person_ids)
    _published(academic_year)
    order = [service.rotation_id for service in load_shedding_order(program=program)]
    scenario = RunScenario(
        label=name,
        lost=tuple(p.pk for p in people),
        start=first.start_date,
        end=last.end_date,
        shed_order=tuple(order),
    )
    solved = solve_blocks(academic_year, first, last)
    with transaction.atomic():
        run = schedule_run_start(
            academic_year=academic_year,
            user=user,
            first_block=solved.start,
            last_block=solved.stop - 1,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            work_limit=work_limit,
            scenario=scenario,
        )
        fallback = Fallback.objects.create(
            program=program,
            name=name,
            academic_year=academic_year,
            first_block=first_block,
            last_block=last_block,
            picked=picked[:200],
            run=run,
            created_by=user,
        )
        fallback.lost.set(people)
    return fallback


def fallback_pick(
    *, academic_year: AcademicYear, pgy: int, count: int, first_block: int, last_block: int
) -> list[Person]:
    """The `count` most critical active residents of the PGY cohort for those blocks: those carrying the most
    required coverage in the published schedule there (call nights, and half-days on rotations with a minimum
    staffing), ties by id. Refused when the cohort has fewer people."""
    program = academic_year.program
    first, last = _window(academic_year, first_block, last_block)
    cohort = list(
        Person.objects.for_program(program).filter(kind=Person.Kind.RESIDENT, pgy=pgy, is_active=True).order_by("pk")
    )
    if count < 1:
        raise DomainError("Lose at least one person.")
    if len(cohort) < count:
        raise DomainError(f"{program} has {len(cohort)} active PGY-{pgy} resident(s); the scenario loses {count}.")
    published = _published(academic_year)
    ids = [p.pk for p in cohort]
    window = (first.start_date, last.end_date)
    load: Counter[int] = Counter(
        SessionAssignment.objects.filter(
            version=published, person_id__in=ids, date__range=window, rotation__min_residents__gt=0
        ).values_list("person_id", flat=True)
    )
    calls = CallAssignment.objects.filter(version=published, person_id__in=ids, start__date__range=window)
    load.update(pk for pk in calls.values_list("person_id", flat=True) for _ in range(2))  # a call night: 2 half-days
    cohort.sort(key=lambda p: (-load[p.pk], p.pk))
    return cohort[:count]


def fallback_create_for_cohort(
    *,
    academic_year: AcademicYear,
    pgy: int,
    count: int,
    first_block: int,
    last_block: int,
    name: str,
    user,
    **options: Any,
) -> Fallback:
    """`fallback_create` for the `count` most critical PGY-`pgy` residents of those blocks (`fallback_pick`)."""
    _check_change(user, academic_year.program, "make fallback schedules")
    people = fallback_pick(
        academic_year=academic_year, pgy=pgy, count=count, first_block=first_block, last_block=last_block
    )
    return fallback_create(
        academic_year=academic_year,
        lost_person_ids=[p.pk for p in people],
        first_block=first_block,
        last_block=last_block,
        name=name,
        user=user,
        picked=f"the {count} most critical PGY-{pgy} resident{'s' if count != 1 else ''}",
        **options,
    )


# ---------------------------------------------------------------------------------------------
# Reading


@dataclasses.dataclass(frozen=True, slots=True)
class FallbackRow:
    """A fallback as the pages and the API show it: the run's state, what it shed and left short, its draft."""

    fallback: Fallback
    status: str
    status_label: str
    message: str
    shed: tuple[str, ...]
    uncovered: tuple[str, ...]
    version: ScheduleVersion | None
    compliant: bool | None
    violations: int | None

    @property
    def ready(self) -> bool:
        return self.version is not None and self.version.status == ScheduleVersion.Status.DRAFT


def fallbacks_for(*, program: Organization) -> QuerySet[Fallback]:
    """The program's fallbacks, newest first, with their run, year and lost people fetched."""
    return (
        Fallback.objects.for_program(program)
        .select_related("run", "academic_year", "created_by")
        .prefetch_related("lost")
    )


def fallback_rows(*, program: Organization, fallbacks: list[Fallback] | None = None) -> list[FallbackRow]:
    """Each fallback with its state read from its run (three queries whatever their number)."""
    items = list(fallbacks_for(program=program)) if fallbacks is None else fallbacks
    stats = [(f.run.statistics or {}) if f.run_id else {} for f in items]
    version_ids = {s.get("version_id") for s in stats} - {None}
    versions = ScheduleVersion.objects.for_program(program).in_bulk(version_ids)
    rotation_ids = {pk for s in stats for pk in (s.get("scenario") or {}).get("shed", []) if pk is not None}
    names = dict(RotationTemplate.objects.for_program(program).filter(pk__in=rotation_ids).values_list("pk", "name"))
    rows = []
    for fallback, stat in zip(items, stats, strict=True):
        run = fallback.run
        scenario = stat.get("scenario") or {}
        acgme = stat.get("acgme") or {}
        rows.append(
            FallbackRow(
                fallback=fallback,
                status=run.status if run else "failed",
                status_label=run.get_status_display() if run else "Run deleted",
                message=run.message if run else "",
                shed=tuple(
                    CLINIC_NAME if pk is None else names.get(pk, f"rotation #{pk}") for pk in scenario.get("shed", [])
                ),
                uncovered=tuple(scenario.get("uncovered", [])),
                version=versions.get(stat.get("version_id")),
                compliant=acgme.get("compliant"),
                violations=acgme.get("violations"),
            )
        )
    return rows


def fallback_summary(*, program: Organization) -> dict[str, Any]:
    """What the resilience page shows of the fallbacks: counts by state and the latest few."""
    rows = fallback_rows(program=program, fallbacks=list(fallbacks_for(program=program)[:5]))
    counts = Counter(Fallback.objects.for_program(program).values_list("run__status", flat=True))
    active = counts[ScheduleRun.Status.QUEUED] + counts[ScheduleRun.Status.RUNNING]
    return {
        "total": sum(counts.values()),
        "active": active,
        "ready": counts[ScheduleRun.Status.SUCCEEDED],
        "latest": rows,
    }
