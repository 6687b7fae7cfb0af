"""Swap pages: the marketplace (open postings I could take, each compatible or with the rule that blocks me),
my swaps, the request form with live proposals (htmx), a swap's page (legs, timeline, who acts next, the
compliance proof) and the coordinators' approval queue with the program's swap settings.

Residents and faculty see their own swaps and the open postings; coordinators and admins see and decide every
swap of the program; clinic staff are refused (403) and another program's swap is not found (404). The rules are
the services' (swaps.services): a refusal shows as a message with their words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from scheduling.models import Person
from scheduling.selectors import person_list
from swaps import matching, selectors, services
from swaps.forms import (
    KIND_WORDS,
    NoteForm,
    RollbackForm,
    SwapRequestForm,
    SwapSettingsForm,
    TakeForm,
    parse_shift,
    shift_code,
    shift_from_query,
    shift_words,
    upcoming_shifts,
)
from swaps.models import Swap, SwapLeg
from swaps.program_settings import swap_settings, swap_settings_update
from swaps.shifts import Shift
from tenants.access import require
from tenants.errors import DomainError
from tenants.permissions import Action, Resource, can

swaps_page = require(Action.VIEW, Resource.SWAP, denied="Your role in this program has no swaps.")
queue_page = require(Action.APPROVE, Resource.SWAP, denied="Only coordinators and admins approve swaps.")
REFUSALS = (DomainError, PermissionDenied)
MY_SWAPS_LIMIT = 100
RECENT_DAYS = 7


def _person(request: HttpRequest) -> Person | None:
    """The person linked to the user's login in the active program."""
    return person_list(program=request.program, active=None).filter(user=request.user).first()


def _manager(request: HttpRequest) -> bool:
    return can(request.user, Action.APPROVE, Resource.SWAP, request.program)


def _with_legs(swaps: QuerySet[Swap]) -> QuerySet[Swap]:
    legs = SwapLeg.objects.select_related("giver", "taker", "block").order_by("position")
    return swaps.select_related("requester", "decided_by").prefetch_related(Prefetch("legs", queryset=legs))


def _visible(request: HttpRequest, person: Person | None) -> QuerySet[Swap]:
    """The swaps the user may open: all of the program's for managers; one's own (asked, given, taken) and the
    open postings for residents and faculty."""
    swaps = Swap.objects.filter(program=request.program)
    if _manager(request):
        return swaps
    if person is None:
        return swaps.filter(kind=Swap.Kind.POSTING, status=Swap.Status.PENDING)
    mine = Q(requester=person) | Q(legs__giver=person) | Q(legs__taker=person)
    return swaps.filter(mine | Q(kind=Swap.Kind.POSTING, status=Swap.Status.PENDING)).distinct()


def _swap(request: HttpRequest, pk: int) -> Swap:
    """A swap the user may see in the active program (404 otherwise)."""
    return get_object_or_404(_with_legs(_visible(request, _person(request))), pk=pk)


# --- Reading a swap ---


def leg_shift(leg: SwapLeg) -> Shift:
    return Shift(leg.shift, leg.date, leg.session, leg.block_id)


def leg_words(leg: SwapLeg) -> str:
    """A leg in words: "Grace Kim gives Ann Lee the Thu 10 Dec 2026 AM half-day"."""
    blocks = {leg.block_id: leg.block} if leg.block_id else None
    what = shift_words(leg_shift(leg), blocks=blocks)
    taker = leg.taker.full_name if leg.taker_id else "whoever takes it"
    if leg.shift == SwapLeg.Shift.BLOCK and leg.block_id:
        return f"{leg.giver.full_name} and {taker} exchange their block {leg.block.number} rotations"
    return f"{leg.giver.full_name} gives {taker}: {what}"


@dataclass
class SwapView:
    """A swap as the pages show it: its legs in words, who acts next and what the user may do now."""

    swap: Swap
    legs: list[str]
    next_step: str
    role: str = ""  # "asked" (mine), "asked of me", "" (someone else's)
    actions: set[str] = field(default_factory=set)
    rollback_until: dt.datetime | None = None
    proof: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return KIND_WORDS.get(self.swap.kind, self.swap.kind)


def _rollback_until(swap: Swap, hours: int) -> dt.datetime | None:
    if swap.status != Swap.Status.EXECUTED or swap.executed_at is None:
        return None
    until = swap.executed_at + dt.timedelta(hours=hours)
    return until if until > timezone.now() else None


def swap_view(swap: Swap, *, person: Person | None, manager: bool, rollback_hours: int) -> SwapView:
    """Who must act next on the swap and the actions open to this user (the services decide in the end)."""
    legs = list(swap.legs.all())
    status, me = swap.status, person.pk if person else None
    waiting = [leg for leg in legs if leg.taker_id and leg.accepted_at is None]
    if status == Swap.Status.DRAFT:
        next_step = f"{swap.requester.full_name} submits it."
    elif status == Swap.Status.PENDING and any(leg.taker_id is None for leg in legs):
        next_step = "Anyone who can take it, from the marketplace."
    elif status == Swap.Status.PENDING:
        names = ", ".join(sorted({leg.taker.full_name for leg in waiting})) or "The takers"
        next_step = f"{names} accept{'s' if len(waiting) == 1 else ''} or decline{'s' if len(waiting) == 1 else ''}."
    elif status == Swap.Status.ACCEPTED and swap.needs_approval:
        next_step = "A coordinator approves or rejects it."
    elif status in (Swap.Status.ACCEPTED, Swap.Status.APPROVED):
        next_step = "It executes."
    else:
        next_step = "Nobody: it is done."
    view = SwapView(swap, [leg_words(leg) for leg in legs], next_step, proof=proof_view(swap.proof))
    if me is not None and swap.requester_id == me:
        view.role = "asked"
    elif me is not None and any(leg.taker_id == me or leg.giver_id == me for leg in legs):
        view.role = "asked of me"
    if status == Swap.Status.PENDING:
        if any(leg.taker_id == me for leg in waiting):
            view.actions |= {"accept", "decline"}
        elif swap.kind == Swap.Kind.POSTING and me is not None and all(leg.giver_id != me for leg in legs):
            view.actions.add("take")
    if swap.is_open and status != Swap.Status.APPROVED and (swap.requester_id == me or manager):
        view.actions.add("cancel")
    if manager and status == Swap.Status.ACCEPTED and swap.needs_approval:
        view.actions |= {"approve", "reject"}
    view.rollback_until = _rollback_until(swap, rollback_hours)
    if view.rollback_until is not None and manager:
        view.actions.add("rollback")
    return view


def _views(swaps, request: HttpRequest, person: Person | None) -> list[SwapView]:
    manager, hours = _manager(request), swap_settings(request.program).rollback_hours
    return [swap_view(s, person=person, manager=manager, rollback_hours=hours) for s in swaps]


def _timeline(swap: Swap) -> list[dict[str, Any]]:
    """The swap's status changes, oldest first, with who made them (from its history)."""
    rows, last = [], None
    for record in swap.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.status == last:
            continue
        last = record.status
        who = record.history_user.get_full_name() or record.history_user.email if record.history_user else ""
        rows.append({"status": Swap.Status(record.status).label, "when": record.history_date, "who": who})
    return rows


CHECK_WORDS = {
    "acgme": "the ACGME rules (80 hours, days off, shift lengths) over the whole year",
    "supervision": "the supervision of every half-day it touches",
    "call_spacing": "the spacing of in-house calls",
    "faculty_call_spacing": "the spacing of faculty calls",
}


def proof_view(proof: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored proof (swaps.checks.SwapCheck.to_json) as the pages show it: when, rules, parties, findings."""
    if not proof:
        return None
    try:
        checked = dt.datetime.fromisoformat(proof["checked_at"]) if proof.get("checked_at") else None
    except (TypeError, ValueError):
        checked = None
    return {
        "ok": bool(proof.get("ok")),
        "checked_at": checked,
        "version": proof.get("version"),
        "rules": [CHECK_WORDS.get(name, name) for name in proof.get("checks", [])],
        "people": [p.get("name", "") if isinstance(p, dict) else str(p) for p in proof.get("people", [])],
        "findings": [
            {
                "person": f.get("person_name", ""),
                "title": f.get("title", ""),
                "message": f.get("message", ""),
                "violation": f.get("severity") == "violation",
            }
            for f in proof.get("findings", [])
            if isinstance(f, dict)
        ],
    }


def _back(request: HttpRequest, swap: Swap) -> HttpResponse:
    """Back to the page the action came from (a local path), else to the swap's page."""
    return redirect(_next_path(request) or reverse("swap-detail", args=[swap.pk]))


def _next_path(request: HttpRequest) -> str:
    """The local page an action came from ("" when none or not local)."""
    target = request.POST.get("next", "")
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/") else ""


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render with times shown in the program's time zone (the server's is UTC)."""
    with timezone.override(request.program.zone):
        return render(request, template, context, status=status)


def _refused(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc) or "This is not allowed.")


# --- Pages ---


@swaps_page
def marketplace_page(request: HttpRequest) -> HttpResponse:
    """The open postings I could take, each compatible or with the rule that blocks me, and chains for me."""
    person = _person(request)
    entries, chains, shifts = [], [], []
    if person is not None:
        entries = _market_rows(matching.marketplace(program=request.program, person=person))
        shifts = upcoming_shifts(program=request.program, person=person)
        chains = [_chain_row(c) for c in matching.chains(program=request.program) if _chain_has(c, person)]
    postings = (
        []
        if person is not None
        else list(_with_legs(selectors.open_postings(program=request.program)).order_by("expires_at"))
    )
    context = {
        "person": person,
        "entries": entries,
        "postings": [leg_words(leg) for swap in postings for leg in swap.legs.all()],
        "chains": chains,
        "take_form": TakeForm(shifts=shifts),
        "manager": _manager(request),
    }
    return _render(request, "swaps/marketplace.html", context)


def _market_rows(entries: list[matching.MarketEntry]) -> list[dict[str, Any]]:
    """Each posting with what it offers in words and, when I cannot take it, the rule and reason in one line."""
    legs = SwapLeg.objects.select_related("giver", "block").order_by("position")
    prefetch_related_objects([e.swap for e in entries], Prefetch("legs", queryset=legs))
    rows = []
    for entry in entries:
        offers = [f"{leg.giver.full_name} offers the {shift_words(leg_shift(leg))}" for leg in entry.swap.legs.all()]
        why = [part for part in (entry.blocking_rule, getattr(entry, "reason", "")) if part]
        blocking = ": ".join(dict.fromkeys(why))
        rows.append({"swap": entry.swap, "compatible": entry.compatible, "offers": offers, "blocking": blocking})
    return rows


def _chain_has(chain: matching.Chain, person: Person) -> bool:
    """Whether a chain the matcher found involves the person (as giver or taker of one of its legs)."""
    return any(person.pk in (giver.pk, taker.pk) for giver, taker, _shift in chain.legs)


def _chain_key(chain: matching.Chain) -> str:
    """The chain's postings as a form value ("12,15,18"): a chain is found again by them."""
    return ",".join(str(posting.pk) for posting in sorted(chain.postings, key=lambda p: p.pk))


def _chain_row(chain: matching.Chain) -> dict[str, Any]:
    words = [f"{giver.full_name} gives {taker.full_name} the {shift_words(s)}" for giver, taker, s in chain.legs]
    return {"key": _chain_key(chain), "legs": words}


@swaps_page
@require_POST
def chain_ask(request: HttpRequest) -> HttpResponse:
    """Ask for a chain the matcher found among open postings, as one swap (my leg first; coordinators any)."""
    postings = [int(part) for part in request.POST.get("postings", "").split(",") if part.isascii() and part.isdigit()]
    person = None if _manager(request) else _person(request)
    try:
        swap = matching.chain_ask(
            program=request.program, user=request.user, postings=[p for p in postings if p], person=person
        )
    except REFUSALS as exc:
        _refused(request, exc)
        return redirect(_next_path(request) or "swaps-marketplace")
    messages.success(request, f"The chain is asked as swap #{swap.pk}: every taker accepts, then it executes.")
    return redirect("swap-detail", pk=swap.pk)


@swaps_page
def my_swaps(request: HttpRequest) -> HttpResponse:
    """What I asked and what I was asked, newest first, with their status and the actions open to me."""
    person = _person(request)
    swaps = []
    if person is not None:
        found = selectors.swaps_of_person(program=request.program, person=person).order_by("-created_at")
        swaps = list(_with_legs(found)[:MY_SWAPS_LIMIT])
    views = _views(swaps, request, person)
    context = {
        "person": person,
        "asked": [v for v in views if v.role == "asked"],
        "asked_of_me": [v for v in views if v.role != "asked"],
        "manager": _manager(request),
    }
    return _render(request, "swaps/my_swaps.html", context)


def _colleagues(request: HttpRequest, person: Person) -> QuerySet[Person]:
    return (
        person_list(program=request.program)
        .filter(kind=person.kind)
        .exclude(pk=person.pk)
        .order_by("pgy", "last_name", "first_name")
    )


@swaps_page
def swap_new(request: HttpRequest) -> HttpResponse:
    """Ask for a swap of one of my upcoming shifts: give it, trade it, or post it; proposals show as I choose.
    Coordinators and admins ask on behalf of anyone (?giver=<person>), block rotations included."""
    manager = _manager(request)
    people = list(person_list(program=request.program).exclude(kind="staff").order_by("last_name", "first_name"))
    person = _giver(request, people) if manager else _person(request)
    if person is None and not manager:
        messages.error(request, "Your login is not linked to a person of this program; ask a coordinator.")
        return redirect("swaps-mine")
    settings = swap_settings(request.program)
    shifts = upcoming_shifts(program=request.program, person=person, blocks=manager) if person is not None else []
    initial = {"shift": shift_from_query(request.GET), "giver": person.pk if person is not None else None}
    if request.method == "GET" and initial["shift"] and initial["shift"] not in {c.code for c in shifts}:
        # A "Trade this" link of My schedule naming a past shift, someone else's, or one a swap cannot move.
        wanted = shift_words(parse_shift(initial["shift"]))
        messages.error(request, f"{wanted} is not one of the upcoming shifts a swap can move; choose another.")
        initial["shift"] = ""
    if request.GET.get("kind") in ("giveaway", "trade", "posting"):
        initial["kind"] = request.GET["kind"]
    form = SwapRequestForm(
        request.POST or None,
        shifts=shifts,
        colleagues=_colleagues(request, person) if person is not None else Person.objects.none(),
        lock_days=settings.lock_days,
        initial=initial,
    )
    if request.method == "POST" and person is not None and form.is_valid():
        data = form.cleaned_data
        legs = [services.LegSpec(giver=person, taker=data.get("taker"), shift=data["shift"])]
        back = form.return_shift()
        if back is not None:
            legs.append(services.LegSpec(giver=data["taker"], taker=person, shift=back))
        if data["kind"] == "posting":
            legs = [services.LegSpec(giver=person, taker=None, shift=data["shift"])]
        try:
            swap = services.swap_create(
                program=request.program, user=request.user, kind=data["kind"], legs=legs, reason=data["reason"]
            )
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        else:
            mine = person.user_id == request.user.pk
            messages.success(request, f"{'Your' if mine else 'The'} swap is asked: {leg_words(swap.legs.first())}.")
            return redirect("swap-detail", pk=swap.pk)
    chosen = parse_shift(form["shift"].value() or "")
    context = {
        "form": form,
        "person": person,
        "manager": manager,
        "people": people if manager else [],
        "settings": settings,
        "has_shifts": bool(shifts),
        **(_proposal_context(request, person, chosen, settings.lock_days) if person is not None else {}),
    }
    return _render(request, "swaps/swap_new.html", context)


GIVE_AWAY_KINDS = ("session", "call", "faculty_call", "fmit_week")


@swaps_page
def swap_give_away(request: HttpRequest) -> HttpResponse:
    """A quick action of My schedule (?shift=<code>): confirm, and one's own shift is posted to the marketplace
    for whoever can take it, nothing wanted back. A past shift, one not mine, or one already offered is refused
    before the button shows; the service decides in the end."""
    person = _person(request)
    code = shift_from_query(request.POST if request.method == "POST" else request.GET)
    shift = parse_shift(code)
    settings = swap_settings(request.program)
    context: dict[str, Any] = {"person": person, "code": code, "shift": shift, "settings": settings, "problem": ""}
    context["problem"] = _give_away_problem(request, person, shift)
    if shift is not None:
        context["words"] = shift_words(shift)
        context["locked"] = (shift.date - request.program.today()).days < settings.lock_days
    if request.method == "POST" and not context["problem"]:
        reason = request.POST.get("reason", "")[:2000]
        try:
            swap = services.swap_give_away(
                program=request.program, user=request.user, person=person, shift=shift, reason=reason
            )
        except REFUSALS as exc:
            context["error"], context["reason"] = str(exc), reason
        else:
            messages.success(request, f"Your shift is on the marketplace: {leg_words(swap.legs.first())}.")
            return redirect("swap-detail", pk=swap.pk)
    status = 409 if request.method == "POST" else 200  # a POST that got here was refused
    return _render(request, "swaps/give_away.html", context, status=status)


def _give_away_problem(request: HttpRequest, person: Person | None, shift: Shift | None) -> str:
    """Why the shift cannot be given away from My schedule ("" when it can, as far as the page can tell)."""
    if person is None:
        return "Your login is not linked to a person of this program; ask a coordinator."
    if shift is None or shift.kind not in GIVE_AWAY_KINDS:
        return "Choose a half-day, call night or FMIT week of yours from My schedule."
    if shift.date <= request.program.today():
        return f"{shift_words(shift)} has already started or passed; only shifts ahead can be given away."
    offered = services.open_swap_of_shift(program=request.program, person=person, shift=shift)
    if offered is not None:
        return f"This shift is already offered: swap #{offered.pk} is {offered.get_status_display().lower()}."
    if shift_code(shift) not in {choice.code for choice in upcoming_shifts(program=request.program, person=person)}:
        return f"{shift_words(shift)} is not one of your upcoming shifts that a swap can move."
    return ""


def _giver(request: HttpRequest, people: list[Person]) -> Person | None:
    """The person a coordinator asks a swap for (?giver= or the form's giver), else their own person."""
    chosen = request.POST.get("giver") or request.GET.get("giver") or ""
    found = next((p for p in people if str(p.pk) == chosen), None)
    return found or _person(request)


def _proposal_context(request: HttpRequest, person: Person, shift: Shift | None, lock_days: int) -> dict[str, Any]:
    """The top proposals for handing `shift` over, with their reasons, and whether the lock window applies."""
    if shift is None:
        return {"proposals": None, "shift": None}
    try:
        found = matching.proposals(program=request.program, giver=person, shift=shift, limit=5)
        error = ""
    except REFUSALS as exc:
        found, error = [], str(exc)
    rows = [
        {
            "proposal": p,
            "return_code": shift_code(p.return_shift) if getattr(p, "return_shift", None) else "",
            "return_words": shift_words(p.return_shift) if getattr(p, "return_shift", None) else "",
        }
        for p in found
    ]
    locked = (shift.date - request.program.today()).days < lock_days
    return {
        "proposals": rows,
        "proposal_error": error,
        "shift": shift,
        "shift_words": shift_words(shift),
        "locked": locked,
        "lock_days": lock_days,
    }


@swaps_page
def swap_proposals(request: HttpRequest) -> HttpResponse:
    """htmx: the top 5 proposals for the shift chosen on the request form."""
    person = _person(request)
    if _manager(request):
        person = _giver(request, list(person_list(program=request.program).exclude(kind="staff")))
    shift = parse_shift(request.GET.get("shift", ""))
    context = {"proposals": None, "shift": None}
    if person is not None:
        context = _proposal_context(request, person, shift, swap_settings(request.program).lock_days)
    return _render(request, "swaps/_proposals.html", context)


@swaps_page
def swap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One swap: its legs in words, the status timeline, who must act next, the compliance proof and actions."""
    swap = _swap(request, pk)
    person = _person(request)
    view = _views([swap], request, person)[0]
    context = {
        "view": view,
        "swap": swap,
        "timeline": _timeline(swap),
        "proof": view.proof,
        "take_form": TakeForm(shifts=upcoming_shifts(program=request.program, person=person))
        if "take" in view.actions and person is not None
        else None,
        "note_form": NoteForm(),
        "rollback_form": RollbackForm(),
        "manager": _manager(request),
    }
    return _render(request, "swaps/swap_detail.html", context)


@queue_page
def swap_proof(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the swap's compliance check run again now against the published schedule."""
    swap = _swap(request, pk)
    try:
        proof, error = proof_view(services.swap_recheck(swap=swap).to_json()), ""
    except REFUSALS as exc:
        proof, error = None, str(exc)
    return _render(request, "swaps/_proof.html", {"proof": proof, "error": error, "now": True})


@queue_page
def approval_queue(request: HttpRequest) -> HttpResponse:
    """Accepted swaps waiting for approval (the proof of each re-run on the page), the recently executed ones
    that can still be rolled back, and the program's swap settings."""
    settings = swap_settings(request.program)
    program_swaps = _with_legs(Swap.objects.filter(program=request.program))
    waiting = _with_legs(selectors.approval_queue(program=request.program))
    since = timezone.now() - dt.timedelta(hours=max(settings.rollback_hours, RECENT_DAYS * 24))
    executed = program_swaps.filter(status=Swap.Status.EXECUTED, executed_at__gte=since).order_by("-executed_at")
    context = {
        "chains": [_chain_row(chain) for chain in matching.chains(program=request.program)],
        "waiting": _views(waiting, request, None),
        "executed": _views(executed, request, None),
        "settings": settings,
        "approval_words": ", ".join(KIND_WORDS[kind].lower() for kind in settings.approval),
        "recent_hours": max(settings.rollback_hours, RECENT_DAYS * 24),
        "settings_form": SwapSettingsForm(initial=settings.to_json()),
        "note_form": NoteForm(),
        "rollback_form": RollbackForm(),
    }
    return _render(request, "swaps/queue.html", context)


@queue_page
def settings_edit(request: HttpRequest) -> HttpResponse:
    """Save the program's swap settings; errors show by field and nothing is stored."""
    form = SwapSettingsForm(request.POST or None, initial=swap_settings(request.program).to_json())
    if request.method == "POST" and form.is_valid():
        try:
            swap_settings_update(program=request.program, user=request.user, settings=form.cleaned_data)
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The swap settings are saved.")
            return redirect("swaps-queue")
    return _render(request, "swaps/settings_form.html", {"settings_form": form}, 400 if form.errors else 200)


# --- Actions (POST) ---


def _act(request: HttpRequest, swap: Swap, action: Callable[[], Swap], done: str) -> HttpResponse:
    """Run a service on the swap; its refusal, or `done` (formatted with the swap it returns), as a message."""
    try:
        result = action()
    except REFUSALS as exc:
        _refused(request, exc)
    else:
        messages.success(request, done.format(swap=result, status=result.get_status_display().lower()))
    return _back(request, swap)


def _note(request: HttpRequest) -> str:
    form = NoteForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@swaps_page
@require_POST
def swap_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a swap asked of me, or take an open posting (optionally offering one of my shifts back)."""
    swap = _swap(request, pk)
    person = _person(request)
    shifts = upcoming_shifts(program=request.program, person=person) if person is not None else []
    form = TakeForm(request.POST, shifts=shifts)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(request, swap)
    offer = form.cleaned_data.get("offer")
    return _act(
        request,
        swap,
        partial(services.swap_accept, swap=swap, user=request.user, offer=offer),
        "You accepted swap #{swap.pk}: it is now {status}.",
    )


@swaps_page
@require_POST
def swap_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """Say no to a swap asked of me (with an optional note for the requester)."""
    swap, note = _swap(request, pk), _note(request)
    return _act(
        request,
        swap,
        partial(services.swap_decline, swap=swap, user=request.user, note=note),
        "You declined swap #{swap.pk}.",
    )


@swaps_page
@require_POST
def swap_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a swap I asked for (coordinators: any open swap)."""
    swap = _swap(request, pk)
    return _act(
        request, swap, partial(services.swap_cancel, swap=swap, user=request.user), "Swap #{swap.pk} is cancelled."
    )


@queue_page
@require_POST
def swap_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (and so execute) an accepted swap; a failed re-check refuses with the rules named."""
    swap, note = _swap(request, pk), _note(request)
    return _act(
        request,
        swap,
        partial(services.swap_approve, swap=swap, user=request.user, note=note),
        "Swap #{swap.pk} is approved and {status}.",
    )


@queue_page
@require_POST
def swap_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Refuse an open swap with a note the parties read."""
    swap, note = _swap(request, pk), _note(request)
    return _act(
        request,
        swap,
        partial(services.swap_reject, swap=swap, user=request.user, note=note),
        "Swap #{swap.pk} is rejected.",
    )


@queue_page
@require_POST
def swap_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo an executed swap within the rollback window (a reason is needed)."""
    swap = _swap(request, pk)
    form = RollbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the swap is undone.")
        return _back(request, swap)
    reason = form.cleaned_data["reason"]
    return _act(
        request,
        swap,
        partial(services.swap_rollback, swap=swap, user=request.user, reason=reason),
        "Swap #{swap.pk} is rolled back: the previous assignments are restored.",
    )
