"""The swap pages' forms: a shift as one form value, the request form, the take (accept) form, the decision
and rollback forms, and the program's swap settings. Forms check shape; the rules are the services'."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from django import forms
from django.urls import reverse

from scheduling.day_view import session_grid
from scheduling.fmit_config import fmit_settings
from scheduling.models import Block, BlockAssignment, CallAssignment, Person, ScheduleVersion
from scheduling.models import SessionAssignment as SessionRow
from swaps.program_settings import SWAP_KINDS
from swaps.shifts import RESIDENT_CALL_KINDS, Shift, swappable_session
from tenants.models import Organization

SESSION_DAYS = 42  # half-days are offered six weeks ahead; calls and FMIT weeks further
CALL_DAYS = 120
KIND_WORDS = {"trade": "Trade", "giveaway": "Give-away", "posting": "Open posting", "chain": "Chain"}
SHIFT_GROUPS = (
    ("session", "Half-days"),
    ("call", "Call nights"),
    ("faculty_call", "Faculty call nights"),
    ("fmit_week", "FMIT weeks"),
    ("block", "Block rotations"),
)


def shift_code(shift: Shift) -> str:
    """A shift as one form value: kind:date[:AM|PM] (block:date:<block id> for a block rotation)."""
    if shift.kind == "block":
        return f"block:{shift.date.isoformat()}:{shift.block_id}"
    return ":".join(part for part in (shift.kind, shift.date.isoformat(), shift.session) if part)


def parse_shift(code: str) -> Shift | None:
    """The shift a form value names, or None when it names none."""
    parts = (code or "").split(":")
    try:
        kind, day = parts[0], dt.date.fromisoformat(parts[1])
    except (IndexError, ValueError):
        return None
    if kind == "session" and len(parts) == 3 and parts[2] in ("AM", "PM"):
        return Shift("session", day, parts[2])
    if kind in ("call", "faculty_call", "fmit_week") and len(parts) == 2:
        return Shift(kind, day)
    if kind == "block" and len(parts) == 3 and parts[2].isdigit():
        return Shift("block", day, block_id=int(parts[2]))
    return None


def shift_from_query(params) -> str:
    """The shift code of a "Swap this" link (?shift=session&date=2026-12-10&session=AM, or ?shift=<code>)."""
    value = params.get("shift", "")
    if ":" in value:
        return value if parse_shift(value) else ""
    code = ":".join(part for part in (value, params.get("date", ""), params.get("session", "")) if part)
    if value == "block":
        code = f"block:{params.get('date', '')}:{params.get('block', '')}"
    return code if parse_shift(code) else ""


def shift_words(shift: Shift, *, blocks: dict[int, Block] | None = None) -> str:
    """A shift in words: "Thu 10 Dec 2026 AM half-day", "Call night of Fri 11 Dec 2026"."""
    day = f"{shift.date:%a %-d %b %Y}"
    if shift.kind == "session":
        return f"{day} {shift.session} half-day"
    if shift.kind == "call":
        return f"Call night of {day}"
    if shift.kind == "faculty_call":
        return f"Faculty call night of {day}"
    if shift.kind == "fmit_week":
        return f"FMIT week of {day}"
    block = (blocks or {}).get(shift.block_id or 0)
    return f"Block {block.number} rotation" if block else f"Block rotation from {day}"


@dataclasses.dataclass(frozen=True, slots=True)
class ShiftChoice:
    """One shift a person could hand over, as the form offers it."""

    code: str
    group: str
    label: str


def published_versions(program: Organization, start: dt.date, end: dt.date) -> list[ScheduleVersion]:
    """The published versions of the program's years that overlap `start`..`end`."""
    return list(
        ScheduleVersion.objects.filter(
            program=program,
            status=ScheduleVersion.Status.PUBLISHED,
            academic_year__start_date__lte=end,
            academic_year__end_date__gte=start,
        ).select_related("academic_year", "program")
    )


def upcoming_shifts(
    *, program: Organization, person: Person, today: dt.date | None = None, blocks: bool = False
) -> list[ShiftChoice]:
    """The person's upcoming shifts in the published schedule that a swap can move: duty half-days (six
    weeks), call nights, faculty call nights and FMIT weeks (four months), by kind then date; with `blocks`
    (coordinators), the block rotations of the year's blocks still to start."""
    today = today or program.today()
    first, last = today + dt.timedelta(days=1), today + dt.timedelta(days=CALL_DAYS)
    found: dict[str, list[ShiftChoice]] = {kind: [] for kind, _label in SHIFT_GROUPS}
    for version in published_versions(program, first, last):
        year = version.academic_year
        week_start = fmit_settings(year).week_start_day
        start, end = max(first, year.start_date), min(last, year.end_date)
        if start > end:
            continue
        grid = session_grid(version=version, start=start, end=end, person_ids=[person.pk])
        fmit_weeks: set[dt.date] = set()
        last_session = today + dt.timedelta(days=SESSION_DAYS)
        for (_person, day, session), half in sorted(grid.halves.items(), key=lambda item: item[0][1:]):
            if half.activity == SessionRow.Activity.FMIT:
                fmit_weeks.add(day - dt.timedelta(days=(day.weekday() - week_start) % 7))
            elif day <= last_session and swappable_session(
                person.kind, half.activity, half.rotation and half.rotation.pk
            ):
                where = f" · {half.rotation.name}" if half.rotation is not None else ""
                shift = Shift("session", day, session)
                found["session"].append(
                    ShiftChoice(shift_code(shift), "session", f"{day:%a %-d %b} {session}: {half.label}{where}")
                )
        for call in grid.calls:
            night = call.start.astimezone(program.zone).date()
            if call.person_id != person.pk or night < first:
                continue
            kind = "faculty_call" if call.kind == CallAssignment.Kind.ATTENDING else "call"
            if kind == "call" and call.kind not in RESIDENT_CALL_KINDS:
                continue
            label = f"{night:%a %-d %b}: {call.get_kind_display()} call"
            found[kind].append(ShiftChoice(shift_code(Shift(kind, night)), kind, label))
        for monday in sorted(w for w in fmit_weeks if w >= first):
            label = f"Week of {monday:%a %-d %b}"
            found["fmit_week"].append(ShiftChoice(shift_code(Shift("fmit_week", monday)), "fmit_week", label))
    if blocks:
        found["block"] = _upcoming_blocks(program, person, today)
    return [choice for kind, _label in SHIFT_GROUPS for choice in found[kind]]


def _upcoming_blocks(program: Organization, person: Person, today: dt.date) -> list[ShiftChoice]:
    """The person's block rotations in the published schedule of the blocks that have not started."""
    rows = (
        BlockAssignment.objects.filter(
            program=program,
            person=person,
            version__status=ScheduleVersion.Status.PUBLISHED,
            block__start_date__gt=today,
        )
        .select_related("block", "rotation")
        .order_by("block__start_date", "half")
    )
    choices: dict[int, ShiftChoice] = {}
    for row in rows:
        block = row.block
        if block.pk not in choices:
            label = f"Block {block.number} ({block.start_date:%-d %b} – {block.end_date:%-d %b}): {row.rotation.name}"
            code = shift_code(Shift("block", block.start_date, block_id=block.pk))
            choices[block.pk] = ShiftChoice(code, "block", label)
    return list(choices.values())


def grouped_choices(choices: Iterable[ShiftChoice], *, blank: str = "Choose a shift") -> list:
    """Form choices with one group per kind of shift (an HTML optgroup each)."""
    by_group: dict[str, list[tuple[str, str]]] = {}
    for choice in choices:
        by_group.setdefault(choice.group, []).append((choice.code, choice.label))
    groups = [(label, by_group[kind]) for kind, label in SHIFT_GROUPS if kind in by_group]
    return [("", blank), *groups]


class ShiftField(forms.ChoiceField):
    """A shift chosen from the person's own; cleaned to a `Shift`."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        shift = parse_shift(value)
        if shift is None:
            raise forms.ValidationError("Choose one of the shifts listed.")
        return shift


class SwapRequestForm(forms.Form):
    """A new swap: the shift, how (give, trade, post), the colleague and, for a trade, their shift in return."""

    KINDS = (
        ("giveaway", "Give it to someone (nothing back)"),
        ("trade", "Trade with someone (I take one of theirs)"),
        ("posting", "Post it to the marketplace (whoever can take it)"),
    )

    giver = forms.IntegerField(required=False, widget=forms.HiddenInput)
    shift = ShiftField(label="Your shift")
    kind = forms.ChoiceField(label="How", choices=KINDS, widget=forms.RadioSelect, initial="giveaway")
    taker = forms.ModelChoiceField(
        label="Colleague", queryset=Person.objects.none(), required=False, empty_label="Choose a colleague"
    )
    return_date = forms.DateField(
        label="Their shift in return: date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    return_session = forms.ChoiceField(
        label="Their half-day", required=False, choices=(("", "—"), ("AM", "AM"), ("PM", "PM"))
    )
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, shifts: list[ShiftChoice], colleagues, lock_days: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = grouped_choices(shifts, blank="Choose one of your shifts")
        self.fields["shift"].widget.attrs.update(
            {
                "hx-get": reverse("swap-proposals"),
                "hx-trigger": "change",
                "hx-target": "#proposals",
                "hx-include": "closest form",
            }
        )
        self.fields["taker"].queryset = colleagues
        self.fields["taker"].label_from_instance = lambda p: f"{p.full_name} (PGY-{p.pgy})" if p.pgy else p.full_name
        days = f"{lock_days} day{'s' if lock_days != 1 else ''}"
        self.fields["reason"].help_text = f"Required for a shift within {days} (the program's lock window)."

    def clean(self):
        data = super().clean()
        kind, shift = data.get("kind"), data.get("shift")
        if shift is not None and shift.kind == "block":  # two residents exchange their rotations of the block
            kind = data["kind"] = "trade"
            if not data.get("taker"):
                self.add_error("taker", "Choose the resident who exchanges rotations for this block.")
            return data
        if kind in ("giveaway", "trade") and not data.get("taker"):
            self.add_error("taker", "Choose the colleague, or post the shift to the marketplace.")
        if kind == "trade" and shift is not None:
            if not data.get("return_date"):
                self.add_error("return_date", "A trade needs the date of their shift you take in return.")
            elif shift.kind == "session" and not data.get("return_session"):
                self.add_error("return_session", "Choose AM or PM for their half-day.")
        return data

    def return_shift(self) -> Shift | None:
        """Their shift in return on a trade (the same kind as mine)."""
        data = self.cleaned_data
        shift = data.get("shift")
        if data.get("kind") != "trade" or shift is None or not data.get("return_date"):
            return None
        session = data.get("return_session", "") if shift.kind == "session" else ""
        return Shift(shift.kind, data["return_date"], session)


class TakeForm(forms.Form):
    """Taking an open posting: optionally one of my shifts back, which makes it a trade."""

    offer = ShiftField(label="Offer one of your shifts back (optional)", required=False)

    def __init__(self, *args, shifts: list[ShiftChoice], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = grouped_choices(shifts, blank="Nothing back")


class NoteForm(forms.Form):
    """A decline, approval or rejection with a note (a rejection needs one)."""

    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RollbackForm(forms.Form):
    """Undoing an executed swap needs a reason."""

    reason = forms.CharField(label="Why undo it", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SwapSettingsForm(forms.Form):
    """The program's swap settings: the kinds a coordinator approves, the lock, rollback and expiry windows."""

    approval = forms.MultipleChoiceField(
        label="Kinds a coordinator approves",
        choices=[(kind, KIND_WORDS[kind]) for kind in SWAP_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The other kinds execute as soon as every taker accepted.",
    )
    lock_days = forms.IntegerField(
        label="Lock window (days)",
        min_value=0,
        max_value=60,
        help_text="A swap this close to its shift needs a reason.",
    )
    rollback_hours = forms.IntegerField(
        label="Rollback window (hours)",
        min_value=0,
        max_value=720,
        help_text="How long an executed swap can be undone.",
    )
    expiry_days = forms.IntegerField(
        label="Expiry (days)", min_value=1, max_value=365, help_text="An open swap expires after this many days."
    )
