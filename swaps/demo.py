"""The demo program's swaps, made through the services right after `seed_demo --schedule` publishes its year, so
that the marketplace, My swaps, the approval queue and the API have something true to show:

- two executed: a trade of two residents' continuity clinic half-days, and a resident's call night given away;
- one accepted, waiting for a coordinator's approval;
- one trade Grace Kim (the demo resident's login) asked a named colleague for, waiting for their answer;
- two open postings on the marketplace: a resident's call night and a faculty member's FMIT week (else an
  attending call night);
- one rejected by the coordinator, with the reason (Elena Petrova's, the demo faculty login, when she can).

The shifts come from the published schedule (the engine's year, never fixed dates): each candidate is planned in
memory first (`swaps.shifts`), then handed to the services, which check it in full; a refused candidate is
skipped. Swaps the coordinator arranges count as accepted by their takers (the demo's people have no logins).
Wednesdays stay out (the residents' didactics afternoon), and so do calls the night before one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator

from django.core.exceptions import PermissionDenied

from scheduling.models import Person, ScheduleVersion, SessionAssignment
from swaps import services
from swaps.models import Swap
from swaps.shifts import RESIDENT_CALL_KINDS, ScheduleState, Shift, fmit_week, giver_holds, plan_legs
from tenants.errors import DomainError
from tenants.models import Role, User

Activity = SessionAssignment.Activity
Leg = tuple[Person, Person | None, Shift]
DEMO_RESIDENT = ("Grace", "Kim")
DEMO_FACULTY = ("Elena", "Petrova")
FIRST_DAY, LAST_DAY = 4, 56  # shifts from 4 to 56 days ahead: past the lock window, inside the published year
ATTEMPTS = 30  # candidates handed to the services per swap at most (each is a full check)
CANDIDATES = 20_000  # candidates planned in memory per swap at most
WEDNESDAY = 2


class DemoSwaps:
    """Picks and makes the demo's swaps from the published state of everyone, read once; no two demo swaps share a
    person, but for the demo logins'."""

    def __init__(self, version: ScheduleVersion, coordinator: User) -> None:
        self.program = version.program
        self.coordinator = coordinator
        people = list(Person.objects.for_program(self.program).filter(is_active=True).select_related("user"))
        self.state = ScheduleState.load(version=version, people=people)
        self.residents = sorted((p for p in people if p.kind == Person.Kind.RESIDENT), key=lambda p: p.pk)
        self.faculty = sorted((p for p in people if p.kind == Person.Kind.FACULTY), key=lambda p: p.pk)
        today = self.program.today()
        self.days = [today + dt.timedelta(days=n) for n in range(FIRST_DAY, LAST_DAY + 1)]
        self.busy: set[int] = set()  # people in a demo swap already: each swap brings new faces
        self.made: list[Swap] = []

    def named(self, people: list[Person], name: tuple[str, str]) -> Person | None:
        return next((p for p in people if (p.first_name, p.last_name) == name and p.user_id), None)

    # The shifts a person could hand over.

    def clinic_half_days(self, person: Person) -> Iterator[Shift]:
        """A resident's continuity clinic half-days (the ones a resident may swap)."""
        for day in self.days:
            for session in ("AM", "PM"):
                if day.weekday() != WEDNESDAY and self.state.sessions.get((person.pk, day, session)) == (
                    Activity.CLINIC,
                    None,
                ):
                    yield Shift("session", day, session)

    def call_nights(self, person: Person, kinds: Iterable[str] = RESIDENT_CALL_KINDS) -> Iterator[Shift]:
        kinds = set(kinds)
        for call in sorted(self.state.calls.get(person.pk, ()), key=lambda c: c.start):
            night = self.state.night(call)
            if call.kind in kinds and night in self.days[:-1] and night.weekday() != WEDNESDAY - 1:
                yield Shift("call" if kinds & RESIDENT_CALL_KINDS else "faculty_call", night)

    def fmit_weeks(self, person: Person) -> Iterator[Shift]:
        for start in sorted({fmit_week(self.state, day)[0] for day in self.days}):
            if start in self.days:
                try:
                    giver_holds(self.state, giver_id=person.pk, shift=Shift("fmit_week", start))
                except DomainError:
                    continue
                yield Shift("fmit_week", start)

    # Making one swap.

    def can_plan(self, legs: list[Leg]) -> bool:
        """The legs involve nobody busy yet and can be planned (who holds what, eligibility, free half-days)."""
        if any(person.pk in self.busy for giver, taker, _ in legs for person in (giver, taker) if person):
            return False
        try:
            if legs[0][1] is None:
                giver_holds(self.state, giver_id=legs[0][0].pk, shift=legs[0][2])
            else:
                plan_legs(self.state, [(giver.pk, taker.pk, shift) for giver, taker, shift in legs if taker])
        except DomainError:
            return False
        return True

    def make(self, candidates: Iterator[list[Leg]], steps: Callable[[list[services.LegSpec]], Swap]) -> Swap | None:
        """The first candidate the services take through `steps`; None when none does."""
        tried = 0
        for legs in itertools.islice(candidates, CANDIDATES):
            if tried >= ATTEMPTS:
                break
            if not self.can_plan(legs):
                continue
            tried += 1
            try:
                swap = steps([services.LegSpec(giver=g, taker=t, shift=s) for g, t, s in legs])
            except (DomainError, PermissionDenied):
                continue
            self.busy |= {
                person.pk for giver, taker, _ in legs for person in (giver, taker) if person and not person.user_id
            }
            self.made.append(swap)
            return swap
        return None

    def create(self, legs: list[services.LegSpec], *, kind: str, reason: str, user: User | None = None) -> Swap:
        return services.swap_create(
            program=self.program, user=user or self.coordinator, kind=kind, legs=legs, reason=reason
        )

    def approve(self, swap: Swap, note: str) -> Swap:
        if swap.status == Swap.Status.ACCEPTED:  # kinds the program lets through are executed already
            swap = services.swap_approve(swap=swap, user=self.coordinator, note=note)
        return swap


def _pairs(people: list[Person]) -> Iterator[tuple[Person, Person]]:
    """Pairs of different residents of the same PGY level (any two faculty)."""
    for giver, taker in itertools.permutations(people, 2):
        if giver.kind == Person.Kind.FACULTY or giver.pgy == taker.pgy:
            yield giver, taker


def _clinic_trades(demo: DemoSwaps) -> Iterator[list[Leg]]:
    for giver, taker in _pairs(demo.residents):
        mine = list(itertools.islice(demo.clinic_half_days(giver), 6))
        theirs = list(itertools.islice(demo.clinic_half_days(taker), 6))
        for a, b in itertools.product(mine, theirs):
            if a.date != b.date:
                yield [(giver, taker, a), (taker, giver, b)]


def _clinic_giveaways(demo: DemoSwaps) -> Iterator[list[Leg]]:
    for giver, taker in _pairs(demo.residents):
        for shift in itertools.islice(demo.clinic_half_days(giver), 4):
            yield [(giver, taker, shift)]


def _call_giveaways(demo: DemoSwaps, people: list[Person], kinds: Iterable[str] = RESIDENT_CALL_KINDS):
    for giver, taker in _pairs(people):
        for shift in itertools.islice(demo.call_nights(giver, kinds), 3):
            yield [(giver, taker, shift)]


def _grace_trades(demo: DemoSwaps, grace: Person) -> Iterator[list[Leg]]:
    """Trades of one of Grace's calls or continuity half-days for a colleague's of the same kind."""
    mine = list(itertools.chain(demo.clinic_half_days(grace), demo.call_nights(grace)))
    for colleague in (p for p in demo.residents if p != grace and p.pgy == grace.pgy):
        theirs = itertools.chain(demo.clinic_half_days(colleague), demo.call_nights(colleague))
        for a, b in itertools.product(mine, list(theirs)):
            if a.kind == b.kind and a.date != b.date:
                yield [(grace, colleague, a), (colleague, grace, b)]


def _postings(people: list[Person], shifts: Callable[[Person], Iterator[Shift]]) -> Iterator[list[Leg]]:
    return ([(giver, None, shift)] for giver in people for shift in shifts(giver))


def demo_swaps_seed(version: ScheduleVersion) -> str:
    """Make the demo's swaps in the published `version` (nothing when the program has swaps already); returns a
    sentence for the seed command."""
    program = version.program
    if Swap.objects.for_program(program).exists():
        return ""
    coordinators = User.objects.filter(memberships__organization=program, memberships__role=Role.COORDINATOR)
    coordinator = coordinators.filter(email__startswith="coordinator@").first() or coordinators.order_by("pk").first()
    if coordinator is None:
        return "No demo swaps: the program has no coordinator."
    demo = DemoSwaps(version, coordinator)
    grace, elena = demo.named(demo.residents, DEMO_RESIDENT), demo.named(demo.faculty, DEMO_FACULTY)

    def executed(kind: str, reason: str, note: str) -> Callable:
        return lambda legs: demo.approve(demo.create(legs, kind=kind, reason=reason), note)

    def posting(reason: str) -> Callable:
        return lambda legs: demo.create(legs, kind="posting", reason=reason)

    def rejected(user: User | None) -> Callable:
        def steps(legs: list[services.LegSpec]) -> Swap:
            swap = demo.create(legs, kind="giveaway", reason="Speaking at grand rounds the next morning", user=user)
            return services.swap_reject(
                swap=swap, user=coordinator, note="That week is short-staffed already; please look for a trade."
            )

        return steps

    demo.make(_clinic_trades(demo), executed("trade", "Daughter's school play", "Approved."))
    demo.make(_call_giveaways(demo, demo.residents), executed("giveaway", "Sister's wedding", "Approved, thank you."))
    demo.make(
        _clinic_giveaways(demo),
        lambda legs: demo.create(legs, kind="giveaway", reason="Board review course"),
    )
    if grace is not None:
        demo.make(
            _grace_trades(demo, grace),
            lambda legs: demo.create(legs, kind="trade", reason="Moving apartments", user=grace.user),
        )
    demo.make(_postings(demo.residents, demo.call_nights), posting("Friend's wedding out of town"))
    if demo.make(_postings(demo.faculty, demo.fmit_weeks), posting("Conference travel")) is None:
        attending = ("attending",)
        demo.make(_postings(demo.faculty, lambda p: demo.call_nights(p, attending)), posting("Conference travel"))
    refused = None
    if elena is not None:  # the demo faculty login asks to give an attending call away
        nights = list(demo.call_nights(elena, ("attending",)))
        asks = ([(elena, other, night)] for night in nights for other in demo.faculty if other != elena)
        refused = demo.make(asks, rejected(elena.user))
    if refused is None:
        demo.make(_clinic_giveaways(demo), rejected(None))
    counts = {status: sum(swap.status == status for swap in demo.made) for status in Swap.Status.values}
    said = ", ".join(f"{n} {Swap.Status(status).label.lower()}" for status, n in counts.items() if n)
    return f"Demo swaps: {said or 'none could be made'}."
