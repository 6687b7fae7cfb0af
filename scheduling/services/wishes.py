"""Writes of wishes with their rules: enter, change, withdraw a wish (`preference_*`), set the wish window.

Residents and faculty enter, change and withdraw their own wishes while the academic year's wish window is open;
admins and coordinators do it for anyone at any time and set the window. A week starts on the program's week
start and lies in the academic year; rotation wishes are for residents; one person holds one active wish per week
and per rotation and block, and no more of a kind than the window allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from scheduling.models import (
    ROTATION_KINDS,
    WEEK_KINDS,
    AcademicYear,
    Block,
    Person,
    Preference,
    RotationTemplate,
    WishWindow,
)
from scheduling.selectors import academic_year_current
from scheduling.wish_selectors import is_wish_manager, wish_window_refusal
from scheduling.wish_settings import WISH_SETTINGS_KEY, WishSettings, wish_settings, wish_settings_from_json
from tenants.access import ensure_allowed
from tenants.errors import ConflictError, DomainError
from tenants.models import Organization
from tenants.permissions import Action, Resource, can

KIND_LABELS = dict(Preference.Kind.choices)
KEEP: Any = object()  # preference_change: leave this field as it is


def _locked_person(program: Organization, person_id: int) -> Person:
    """The person's row, locked so two wishes of the same person are counted one after the other."""
    person = Person.objects.select_for_update().filter(pk=person_id, program=program).first()
    if person is None:
        raise DomainError("This person is not in the program.")
    return person


def _year_of(program: Organization, day: dt.date) -> AcademicYear:
    year = AcademicYear.objects.for_program(program).filter(start_date__lte=day, end_date__gte=day).first()
    if year is None:
        raise DomainError(f"{day:%-d %b %Y} is in no academic year of {program.name}.")
    return year


def _where(
    *,
    program: Organization,
    kind: str,
    week_start: dt.date | None,
    block: Block | None,
    rotation: RotationTemplate | None,
    academic_year: AcademicYear | None,
) -> AcademicYear:
    """Check the week or the rotation and block of a wish; return its academic year."""
    if kind in WEEK_KINDS:
        if week_start is None:
            raise DomainError(f"Choose the week of the {KIND_LABELS[kind].lower()}.")
        if block is not None or rotation is not None:
            raise DomainError(f"A {KIND_LABELS[kind].lower()} names a week, not a block or a rotation.")
        settings = wish_settings(program)
        if week_start.weekday() != settings.week_start:
            first = week_start - dt.timedelta(days=(week_start.weekday() - settings.week_start) % 7)
            raise DomainError(
                f"Weeks start on {settings.week_start_name}: {week_start:%-d %b %Y} is a {week_start:%A}; "
                f"the week holding it starts on {first:%-d %b %Y}."
            )
        year = _year_of(program, week_start)
        if academic_year is not None and academic_year.pk != year.pk:
            raise DomainError(f"The week of {week_start:%-d %b %Y} is in {year}, not in {academic_year}.")
        return year
    if rotation is None:
        raise DomainError(f"Choose the rotation of the {KIND_LABELS[kind].lower()}.")
    if week_start is not None:
        raise DomainError(f"A {KIND_LABELS[kind].lower()} names a rotation and a block, not a week.")
    if rotation.program_id != program.pk or not rotation.is_active:
        raise DomainError(f"{rotation.name} is not an active rotation of {program.name}.")
    if block is not None:
        if block.program_id != program.pk:
            raise DomainError("This block belongs to another program.")
        if academic_year is not None and block.academic_year_id != academic_year.pk:
            raise DomainError(f"Block {block.number} is not a block of {academic_year}.")
        return block.academic_year
    academic_year = academic_year or academic_year_current(program=program)
    if academic_year is None or academic_year.program_id != program.pk:
        raise DomainError("Choose the academic year of a wish for a rotation in any block.")
    return academic_year


def _who(*, person: Person, kind: str, rotation: RotationTemplate | None) -> None:
    if person.kind == Person.Kind.STAFF:
        raise DomainError(f"{person.full_name} is not scheduled by the engine; only residents and faculty make wishes.")
    if kind in ROTATION_KINDS and person.kind != Person.Kind.RESIDENT:
        raise DomainError("Rotation wishes are for residents; faculty block or prefer weeks off.")
    wished = kind == Preference.Kind.ROTATION_WISH and rotation is not None and person.pgy is not None
    if wished and not rotation.min_pgy <= person.pgy <= rotation.max_pgy:
        raise DomainError(
            f"{rotation.name} is for PGY-{rotation.min_pgy} to PGY-{rotation.max_pgy}; "
            f"{person.full_name} is PGY-{person.pgy}."
        )


def _clash_check(wish: Preference) -> None:
    """One active wish per person and week, and per person, rotation and block."""
    others = Preference.objects.active().filter(person_id=wish.person_id).exclude(pk=wish.pk)
    if wish.kind in WEEK_KINDS:
        clash = others.filter(week_start=wish.week_start).first()
    else:
        clash = others.filter(rotation_id=wish.rotation_id, block_id=wish.block_id).first()
    if clash is not None:
        raise ConflictError(
            f"{wish.person.full_name} already has a wish for the {clash.what} ({clash.get_kind_display().lower()}); "
            "change or withdraw that one."
        )


def _limit_check(wish: Preference, window: WishWindow | None) -> None:
    """No more active wishes of a kind per person and year than the window allows."""
    limit = window.limit(wish.kind) if window is not None else None
    if limit is None:
        return
    held = (
        Preference.objects.active()
        .filter(person_id=wish.person_id, academic_year_id=wish.academic_year_id, kind=wish.kind)
        .exclude(pk=wish.pk)
        .count()
    )
    if held + 1 > limit:
        label = KIND_LABELS[wish.kind].lower()
        raise DomainError(
            f"{wish.person.full_name} already has {held} of the {limit} {label} wishes allowed for "
            f"{wish.academic_year}; withdraw one first."
        )


def _window_check(*, user, program: Organization, year: AcademicYear, verb: str) -> None:
    """Outside the year's wish window only managers add, change or withdraw wishes."""
    if is_wish_manager(user, program):
        return
    refusal = wish_window_refusal(program=program, academic_year=year, verb=verb)
    if refusal:
        raise DomainError(refusal, code="wish_window_closed")


def _checked(*, wish: Preference, user, program: Organization, verb: str) -> Preference:
    """The common checks of a new or changed wish; the wish gets its academic year."""
    if wish.kind not in KIND_LABELS:
        raise DomainError(f"“{wish.kind}” is not a kind of wish (blocked_week, preferred_week, ...).")
    if wish.priority not in Preference.Priority.values:
        raise DomainError(f"The priority is high, medium or low (got “{wish.priority}”).")
    _who(person=wish.person, kind=wish.kind, rotation=wish.rotation)
    wish.academic_year = _where(
        program=program,
        kind=wish.kind,
        week_start=wish.week_start,
        block=wish.block,
        rotation=wish.rotation,
        academic_year=wish.academic_year if wish.academic_year_id else None,
    )
    _window_check(user=user, program=program, year=wish.academic_year, verb=verb)
    _clash_check(wish)
    window = WishWindow.objects.filter(academic_year=wish.academic_year).first()
    _limit_check(wish, window)
    return wish


@transaction.atomic
def preference_create(
    *,
    user,
    program: Organization,
    person: Person,
    kind: str,
    priority: str = Preference.Priority.MEDIUM,
    week_start: dt.date | None = None,
    block: Block | None = None,
    rotation: RotationTemplate | None = None,
    academic_year: AcademicYear | None = None,
    reason: str = "",
) -> Preference:
    """Enter a wish: residents and faculty for themselves while the window is open, managers for anyone.

    Refuses another person's wish, a closed window, a week off the program's week start or outside a year, a
    second wish for the same week or rotation and block, and wishes beyond the window's limit for the kind.
    """
    if not can(user, Action.ADD, Resource.PREFERENCE, program):
        raise PermissionDenied("Your role in this program cannot enter wishes.")
    person = _locked_person(program, person.pk)
    if not is_wish_manager(user, program) and person.user_id != user.pk:
        raise PermissionDenied("You can enter wishes for yourself only; a coordinator can enter one for others.")
    wish = Preference(
        program=program,
        person=person,
        kind=kind,
        priority=priority,
        week_start=week_start,
        block=block,
        rotation=rotation,
        academic_year=academic_year,
        reason=reason.strip(),
        created_by=user,
    )
    _checked(wish=wish, user=user, program=program, verb="add")
    wish._change_reason = "Wish entered"
    wish.save()
    return wish


def _locked(wish: Preference) -> Preference:
    return (
        Preference.objects.select_for_update(of=("self",))
        .select_related("person", "program", "academic_year", "block", "rotation")
        .get(pk=wish.pk)
    )


def _owner_check(*, wish: Preference, user, verb: str) -> None:
    if not can(user, Action.CHANGE, wish, wish.program):
        raise PermissionDenied(f"You can {verb} only your own wishes; a coordinator can {verb} others'.")


@transaction.atomic
def preference_change(
    *,
    preference: Preference,
    user,
    priority: str | None = None,
    week_start: dt.date | None = None,
    block: Block | None = KEEP,
    rotation: RotationTemplate | None = None,
    reason: str | None = None,
) -> Preference:
    """Change an active wish's week (week kinds) or rotation and block (rotation kinds), priority or reason,
    under the rules of a new one (`block` left out keeps it, None means any block). Its kind stays: withdraw it
    and enter another to change that."""
    wish = _locked(preference)
    _owner_check(wish=wish, user=user, verb="change")
    _locked_person(wish.program, wish.person_id)
    if wish.status != Preference.Status.ACTIVE:
        raise ConflictError("This wish is withdrawn; enter a new one instead.")
    if wish.kind in WEEK_KINDS:
        wish.week_start = week_start or wish.week_start
    else:
        wish.rotation = rotation or wish.rotation
        if block is not KEEP:
            wish.block = block  # None: any block
    wish.priority = priority or wish.priority
    if reason is not None:
        wish.reason = reason.strip()
    year = wish.academic_year
    _window_check(user=user, program=wish.program, year=year, verb="change")
    wish.academic_year_id = None
    _checked(wish=wish, user=user, program=wish.program, verb="change")
    wish._change_reason = "Wish changed"
    wish.save()
    return wish


@transaction.atomic
def preference_withdraw(*, preference: Preference, user) -> Preference:
    """Withdraw an active wish: its person while the window is open, managers at any time. The row and its
    history stay; the engine no longer reads it."""
    wish = _locked(preference)
    _owner_check(wish=wish, user=user, verb="withdraw")
    if wish.status != Preference.Status.ACTIVE:
        raise ConflictError("This wish is already withdrawn.")
    _window_check(user=user, program=wish.program, year=wish.academic_year, verb="withdraw")
    wish.status = Preference.Status.WITHDRAWN
    wish._change_reason = "Wish withdrawn"
    wish.save(update_fields=["status", "updated_at"])
    return wish


@transaction.atomic
def wish_window_set(
    *,
    user,
    academic_year: AcademicYear,
    opens_on: dt.date,
    closes_on: dt.date,
    blocked_week_limit: int | None = None,
    preferred_week_limit: int | None = None,
    rotation_wish_limit: int | None = None,
    rotation_avoid_limit: int | None = None,
) -> WishWindow:
    """Open (or move) an academic year's wish window and set the per-kind limits (None: no limit); managers."""
    program = academic_year.program
    if not can(user, Action.CHANGE, Resource.SCHEDULE, program):
        raise PermissionDenied("Only the program's admins and coordinators set the wish window.")
    if closes_on < opens_on:
        raise DomainError(f"The wish window closes ({closes_on:%-d %b %Y}) before it opens ({opens_on:%-d %b %Y}).")
    limits = {
        "blocked_week_limit": blocked_week_limit,
        "preferred_week_limit": preferred_week_limit,
        "rotation_wish_limit": rotation_wish_limit,
        "rotation_avoid_limit": rotation_avoid_limit,
    }
    for name, value in limits.items():
        if value is not None and not 0 <= value <= 53:
            raise DomainError(f"A limit is a number of wishes from 0 to 53 ({name.replace('_', ' ')}: {value}).")
    window = WishWindow.objects.select_for_update().filter(academic_year=academic_year).first()
    window = window or WishWindow(program=program, academic_year=academic_year)
    window.opens_on, window.closes_on = opens_on, closes_on
    for name, value in limits.items():
        setattr(window, name, value)
    window._change_reason = f"Wish window set by {user}" if user is not None else "Wish window set"
    window.save()
    return window


@transaction.atomic
def wish_settings_update(*, program: Organization, user, settings: dict) -> WishSettings:
    """Validate and store how the program weighs wishes (Organization.settings["wishes"]): admins and
    coordinators; a SettingsError names the setting at fault and nothing is stored."""
    ensure_allowed(user, Action.CHANGE, Resource.SCHEDULE, program, "change how wishes are weighed")
    value = wish_settings_from_json(settings)
    locked = Organization.objects.select_for_update().get(pk=program.pk)
    stored = {"weights": {"high": value.high, "medium": value.medium, "low": value.low}, "week_start": value.week_start}
    locked.settings = {**(locked.settings or {}), WISH_SETTINGS_KEY: stored}
    locked.save(update_fields=["settings"])
    program.settings = locked.settings
    return value
