"""Shapes of the swaps API: a swap with its legs as read, the body of a new swap, of an offer and of a decision.

Serializers check the shape and name the field at fault (a person or block of another program, a date no
academic year of the program holds, a shift the giver does not hold); the rules of swapping are the services'.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scheduling.models import AcademicYear, Block, Person, ScheduleVersion
from swaps.models import Swap, SwapLeg
from swaps.shifts import ScheduleState, Shift, giver_holds
from tenants import serializer_fields as bounded
from tenants.errors import DomainError


@extend_schema_field(OpenApiTypes.INT)
class ProgramPersonField(serializers.PrimaryKeyRelatedField):
    """A person of the request's program (another program's answers "does not exist")."""

    def get_queryset(self):
        return Person.objects.for_program(self.context["program"])


@extend_schema_field(OpenApiTypes.INT)
class ProgramBlockField(serializers.PrimaryKeyRelatedField):
    """A block of the request's program."""

    def get_queryset(self):
        return Block.objects.for_program(self.context["program"])


class SwapLegSerializer(serializers.ModelSerializer):
    """One shift handed from its giver to its taker (no taker yet on an open posting)."""

    giver_name = serializers.CharField(source="giver.full_name", read_only=True, help_text="The giver's name.")
    taker_name = serializers.SerializerMethodField(help_text="The taker's name ('' on an open posting).")
    shift_label = serializers.CharField(
        source="get_shift_display", read_only=True, help_text="The shift kind in words."
    )

    class Meta:
        model = SwapLeg
        fields = [
            "position",
            "giver",
            "giver_name",
            "taker",
            "taker_name",
            "shift",
            "shift_label",
            "date",
            "session",
            "block",
            "accepted_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "giver": {"help_text": "Id of the person handing the shift over."},
            "taker": {"help_text": "Id of the person taking it (null on an open posting)."},
            "shift": {"help_text": "session (a half-day), call, faculty_call, fmit_week or block."},
            "block": {"help_text": "Id of the block (block rotations only)."},
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_taker_name(self, leg: SwapLeg) -> str:
        return leg.taker.full_name if leg.taker_id else ""


class SwapSerializer(serializers.ModelSerializer):
    """A swap as read: kind, status and its time stamps, the legs and the compliance proof of its execution."""

    requester_name = serializers.CharField(source="requester.full_name", read_only=True, help_text="Who asked.")
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="The status in words.")
    legs = SwapLegSerializer(many=True, read_only=True, help_text="The shifts handed over, in order.")
    proof = serializers.JSONField(
        read_only=True, help_text="The compliance check of every party's post-swap schedule: when, what, findings."
    )

    class Meta:
        model = Swap
        fields = [
            "id",
            "kind",
            "status",
            "status_label",
            "academic_year",
            "requester",
            "requester_name",
            "reason",
            "legs",
            "needs_approval",
            "expires_at",
            "created_at",
            "submitted_at",
            "accepted_at",
            "decided_at",
            "decided_by",
            "decision_note",
            "executed_at",
            "executed_by",
            "version",
            "rolled_back_at",
            "rolled_back_by",
            "rollback_reason",
            "proof",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "kind": {"help_text": "posting (open to takers), giveaway, trade or chain."},
            "status": {
                "help_text": "draft, pending, accepted, approved, executed, rolled_back, rejected, cancelled, expired."
            },
            "academic_year": {"help_text": "Id of the academic year of its shifts."},
            "requester": {"help_text": "Id of the person who asked."},
            "created_at": {"help_text": "When it was made."},
            "submitted_at": {"help_text": "When it was submitted."},
            "accepted_at": {"help_text": "When every taker had accepted."},
            "decided_at": {"help_text": "When a coordinator approved or rejected it."},
            "decided_by": {"help_text": "Id of the login that decided."},
            "decision_note": {"help_text": "The decision's note."},
            "executed_at": {"help_text": "When the schedule was changed."},
            "executed_by": {"help_text": "Id of the login that executed it."},
            "rolled_back_at": {"help_text": "When it was undone."},
            "rolled_back_by": {"help_text": "Id of the login that undid it."},
            "rollback_reason": {"help_text": "Why it was undone."},
        }


class ShiftSerializer(serializers.Serializer):
    """A shift: its kind, its date (the session's date, the call's night, the FMIT week's first day, the block's
    first day), AM or PM for a half-day session, the block for a block rotation."""

    shift = serializers.ChoiceField(
        choices=SwapLeg.Shift.choices, help_text="session (a half-day), call, faculty_call, fmit_week or block."
    )
    date = bounded.DateField(help_text="The session's date, the call's night, the FMIT week's or block's first day.")
    session = serializers.ChoiceField(
        choices=["AM", "PM"], required=False, allow_blank=True, default="", help_text="AM or PM (half-day only)."
    )
    block = ProgramBlockField(required=False, allow_null=True, help_text="Id of the block (block rotations only).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind, session, block = attrs["shift"], attrs.get("session", ""), attrs.get("block")
        if kind == "session" and not session:
            raise serializers.ValidationError({"session": ["A half-day session needs AM or PM."]})
        if kind != "session" and session:
            raise serializers.ValidationError({"session": ["Only a half-day session has AM or PM."]})
        if kind == "block" and block is None:
            raise serializers.ValidationError({"block": ["A block rotation needs its block."]})
        if kind != "block" and block is not None:
            raise serializers.ValidationError({"block": ["Only a block rotation names a block."]})
        if block is not None and block.start_date != attrs["date"]:
            attrs["date"] = block.start_date  # a block rotation is named by its block; its date follows
        return attrs


def as_shift(data: dict[str, Any]) -> Shift:
    """The swaps.shifts.Shift of validated ShiftSerializer data."""
    block = data.get("block")
    return Shift(kind=data["shift"], date=data["date"], session=data.get("session", ""), block_id=block and block.pk)


class LegInputSerializer(ShiftSerializer):
    """A leg of a new swap: who gives (default: you, on the first leg) which shift to whom (none: anyone, on an
    open posting)."""

    giver = ProgramPersonField(required=False, help_text="A person of the program; default: you.")
    taker = ProgramPersonField(required=False, allow_null=True, help_text="None on an open posting.")


def _published_version(program, day) -> tuple[AcademicYear | None, ScheduleVersion | None]:
    year = AcademicYear.objects.for_program(program).filter(start_date__lte=day, end_date__gte=day).first()
    if year is None:
        return None, None
    published = ScheduleVersion.objects.filter(academic_year=year, status=ScheduleVersion.Status.PUBLISHED)
    return year, published.order_by("-number").first()


def by_leg(errors: list[dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """Errors of the legs keyed by their index, as DRF reports a list's items ({"0": {"date": [...]}})."""
    return {str(number): error for number, error in enumerate(errors) if error}


class SwapCreateSerializer(serializers.Serializer):
    """A new swap: its kind, its legs, a reason (needed inside the program's lock window) and whether to submit
    it at once (else it stays a draft)."""

    kind = serializers.ChoiceField(choices=Swap.Kind.choices, help_text="posting, giveaway or trade.")
    legs = LegInputSerializer(many=True, allow_empty=False, help_text="The shifts handed over.")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Why (needed inside the lock window)."
    )
    submit = serializers.BooleanField(
        required=False, default=True, help_text="Submit at once (false keeps it a draft)."
    )

    def validate_legs(self, legs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        me = self.context.get("person")
        if legs and "giver" not in legs[0]:
            if me is None:
                raise serializers.ValidationError(
                    {"0": {"giver": ["Your account is not linked to a person of this program; name the giver."]}}
                )
            legs[0]["giver"] = me
        missing = [{"giver": ["Name the giver of this leg."]} if "giver" not in leg else {} for leg in legs]
        if any(missing):
            raise serializers.ValidationError(by_leg(missing))
        errors: list[dict[str, list[str]]] = [{} for _ in legs]
        years = {}
        for number, leg in enumerate(legs):
            year, version = _published_version(self.context["program"], leg["date"])
            if year is None:
                errors[number]["date"] = [f"No academic year of this program holds {leg['date']:%d %b %Y}."]
            elif version is None:
                errors[number]["date"] = [f"The schedule of {year} is not published; nothing in it can be swapped."]
            else:
                years[number] = version
        if not any(errors) and len({v.pk for v in years.values()}) > 1:
            errors[-1]["date"] = ["All shifts of a swap must be in the same academic year."]
        if any(errors):
            raise serializers.ValidationError(by_leg(errors))
        version = years[0]
        state = ScheduleState.load(version=version, people={leg["giver"] for leg in legs})
        for number, leg in enumerate(legs):
            if leg.get("taker") is not None and leg["taker"] == leg["giver"]:
                errors[number]["taker"] = ["A person cannot hand a shift to themselves."]
                continue
            try:
                giver_holds(state, giver_id=leg["giver"].pk, shift=as_shift(leg))
            except DomainError as exc:
                errors[number]["block" if leg["shift"] == "block" else "date"] = [str(exc)]
        if any(errors):
            raise serializers.ValidationError(by_leg(errors))
        return legs

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind, legs = attrs["kind"], attrs["legs"]
        open_legs = [number for number, leg in enumerate(legs) if leg.get("taker") is None]
        if kind == "posting" and (len(legs) != 1 or open_legs != [0]):
            raise serializers.ValidationError({"legs": ["An open posting has one leg and no taker."]})
        if kind != "posting" and open_legs:
            errors: list[dict[str, list[str]]] = [{} for _ in legs]
            for number in open_legs:
                errors[number]["taker"] = ["Name the taker (only an open posting has none)."]
            raise serializers.ValidationError({"legs": by_leg(errors)})
        if kind == "giveaway" and len(legs) != 1:
            raise serializers.ValidationError({"legs": ["A give-away has one leg."]})
        if kind == "trade" and len(legs) != 2:
            raise serializers.ValidationError({"legs": ["A trade has two legs, one each way."]})
        return attrs


class OfferSerializer(serializers.Serializer):
    """Accepting: on an open posting you may offer one of your shifts back, which makes it a trade."""

    offer = ShiftSerializer(required=False, allow_null=True, help_text="A shift of yours offered in return.")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="A note the parties read."
    )


class RequiredNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="Why; the parties read it.")


class RollbackSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the executed swap is undone; the parties read it.")


class ProposalQuerySerializer(ShiftSerializer):
    """The query of proposals: the shift to hand over and its giver (default: you)."""

    giver = ProgramPersonField(required=False, help_text="A person of the program; default: you.")


def shift_json(shift: Shift | None) -> dict[str, Any] | None:
    """A swaps.shifts.Shift in the API's words (the fields of ShiftSerializer)."""
    if shift is None:
        return None
    return {"shift": shift.kind, "date": shift.date, "session": shift.session, "block": shift.block_id}


class ShiftOutSerializer(serializers.Serializer):
    shift = serializers.ChoiceField(
        choices=SwapLeg.Shift.choices, help_text="session, call, faculty_call, fmit_week or block."
    )
    date = serializers.DateField(help_text="The shift's date (see the request's shift).")
    session = serializers.CharField(help_text="AM or PM for a half-day, else blank.")
    block = serializers.IntegerField(allow_null=True, help_text="Id of the block for a block rotation.")


class ProposalSerializer(serializers.Serializer):
    """A colleague who could take the shift (a give-away) or trade one back, with every party's post-swap schedule
    verified compliant; the score and the sentences that explain it."""

    taker = serializers.IntegerField(source="taker.pk", help_text="Id of the proposed taker.")
    taker_name = serializers.CharField(source="taker.full_name", help_text="The proposed taker's name.")
    kind = serializers.CharField(help_text='"giveaway", or "trade" when the taker hands a shift back.')
    label = serializers.CharField(help_text="What is handed over, in words.")
    return_shift = serializers.SerializerMethodField(help_text="The shift the taker gives back on a trade.")
    score = serializers.FloatField(help_text="How good a match it is (higher is better).")
    components = serializers.DictField(child=serializers.FloatField(), help_text="The score's parts (docs/swaps.md).")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it scores so, in words.")

    @extend_schema_field(ShiftOutSerializer(allow_null=True))
    def get_return_shift(self, proposal: Any) -> dict[str, Any] | None:
        return shift_json(proposal.return_shift)


class MarketEntrySerializer(serializers.Serializer):
    """An open posting, marked compatible for you or with the rule that blocks you."""

    swap = SwapSerializer(help_text="The open posting.")
    label = serializers.CharField(help_text="What the posting hands over, in words.")
    compatible = serializers.BooleanField(help_text="Whether you may take it without breaking a rule.")
    blocking_rule = serializers.CharField(help_text="The rule that blocks you ('' when compatible).")
    reason = serializers.CharField(help_text="How it blocks you, for whom ('' when compatible).")


class ChainLegSerializer(serializers.Serializer):
    """A leg of a chain: (giver, taker, shift)."""

    giver = serializers.IntegerField(help_text="Id of the giver.")
    giver_name = serializers.CharField(help_text="The giver's name.")
    taker = serializers.IntegerField(help_text="Id of the taker.")
    taker_name = serializers.CharField(help_text="The taker's name.")
    shift = ShiftOutSerializer(help_text="The shift handed over.")

    def to_representation(self, leg: tuple) -> dict[str, Any]:
        giver, taker, shift = leg
        return {
            "giver": giver.pk,
            "giver_name": giver.full_name,
            "taker": taker.pk,
            "taker_name": taker.full_name,
            "shift": shift_json(shift),
        }


class ChainSerializer(serializers.Serializer):
    """A cycle among open postings (each posting's shift goes to the giver of the next), verified for every party."""

    postings = serializers.SerializerMethodField(help_text="The ids of the postings it joins.")
    legs = ChainLegSerializer(many=True, help_text="Who gives what to whom.")
    labels = serializers.ListField(child=serializers.CharField(), help_text="Each leg in words.")
    proof = serializers.SerializerMethodField(help_text="The compliance check of every party.")

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_postings(self, chain: Any) -> list[int]:
        return [posting.pk for posting in chain.postings]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_proof(self, chain: Any) -> dict[str, Any]:
        return chain.check.to_json()


@extend_schema_field(OpenApiTypes.INT)
class ProgramPostingField(serializers.PrimaryKeyRelatedField):
    """An open posting of the request's program."""

    def get_queryset(self):
        return Swap.objects.for_program(self.context["program"]).filter(
            kind=Swap.Kind.POSTING, status=Swap.Status.PENDING
        )


class ChainAskSerializer(serializers.Serializer):
    """The postings of a chain the matcher found (GET chains), and why it is asked for."""

    postings = ProgramPostingField(many=True, allow_empty=False, help_text="Ids of the chain's open postings.")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Why the chain is asked for."
    )


class SwapSettingsSerializer(serializers.Serializer):
    """How the program runs its swaps (documentation; swaps.program_settings validates)."""

    approval = serializers.ListField(
        child=serializers.ChoiceField(choices=Swap.Kind.choices), help_text="The kinds a coordinator approves."
    )
    lock_days = serializers.IntegerField(help_text="Days before a shift in which a swap needs a reason (0-60).")
    rollback_hours = serializers.IntegerField(help_text="Hours an executed swap can be undone (0-720).")
    expiry_days = serializers.IntegerField(help_text="Days an open swap waits before it expires (1-365).")


class PersonQuerySerializer(serializers.Serializer):
    person = ProgramPersonField(required=False)
