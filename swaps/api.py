"""The swaps API under /api/v1/swaps/: list and show, request, accept, decline, cancel, approve, reject, roll back;
the proposals for a shift, the marketplace, the chains among open postings, and the program's swap settings.

Admins and coordinators see every swap of the program and decide them; residents and faculty see the swaps they
ask for, give or take in, and the program's open postings (any other swap answers 404). Every write is one
service call (swaps.services); refusals leave as RFC 7807 problems, a broken rule named in `detail`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from scheduling.models import Person
from scheduling.program_settings import SettingsError
from swaps import matching, services
from swaps.filters import SwapFilter
from swaps.models import Swap
from swaps.program_settings import SWAP_SETTINGS_KEY, swap_settings, swap_settings_update
from swaps.selectors import open_postings, swaps_of_person, swaps_visible
from swaps.serializers import (
    ChainAskSerializer,
    ChainSerializer,
    MarketEntrySerializer,
    NoteSerializer,
    OfferSerializer,
    PersonQuerySerializer,
    ProposalQuerySerializer,
    ProposalSerializer,
    RequiredNoteSerializer,
    RollbackSerializer,
    SwapCreateSerializer,
    SwapSerializer,
    SwapSettingsSerializer,
    as_shift,
)
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer, ProgramReadOnlyViewSet, documented
from tenants.idempotency import idempotent
from tenants.models import Organization
from tenants.permissions import Action, Resource

TAG = "swaps"


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


def _schema(summary: str, description: str, request: Any, ok: Any, extra: dict[int, str], ok_code: int = 200):
    return extend_schema(
        summary=summary,
        description=description,
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        request=request,
        responses={
            ok_code: ok,
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Your role or your part in the swap does not allow this."),
            **{(code, PROBLEM_MEDIA_TYPE): _problem(text) for code, text in extra.items()},
        },
    )


def _decision(summary: str, description: str, request: Any, extra: dict[int, str] | None = None):
    return _schema(
        summary,
        description,
        request,
        SwapSerializer,
        {
            400: "Invalid input or a broken rule, named in `detail`.",
            404: "No such swap that you may see in the active program.",
            409: "The swap is no longer in a state that allows this (e.g. expired, already decided).",
            **(extra or {}),
        },
    )


SHIFT_PARAMETERS = [
    OpenApiParameter("shift", OpenApiTypes.STR, enum=["session", "call", "faculty_call", "fmit_week", "block"]),
    OpenApiParameter("date", OpenApiTypes.DATE, description="The session's date, the call's night, the week's start."),
    OpenApiParameter("session", OpenApiTypes.STR, enum=["AM", "PM"], description="For a half-day session."),
    OpenApiParameter("block", OpenApiTypes.INT, description="Block id, for a block rotation."),
]


@documented(SwapSerializer, TAG)
@extend_schema_view(
    create=_schema(
        "Request a swap",
        "A trade (two legs, one each way), a give-away (one leg to a named colleague), an open posting (one leg, "
        "no taker) or a chain. Residents and faculty give their own shifts (the first leg's giver defaults to you); "
        "block rotations are the coordinators'. With `submit` false it stays a draft. Refused with the field named: "
        "an unknown shift kind, a date no academic year holds, a shift the giver does not hold; refused with the "
        "rule named: a post-swap schedule that breaks the ACGME rules, a shift inside the lock window without a "
        "reason, a shift in the past.",
        SwapCreateSerializer,
        SwapSerializer,
        {400: "Invalid input or a broken rule, named in `errors` or `detail`.", 409: "The shift is already in a swap."},
        ok_code=201,
    ),
    accept=_decision(
        "Accept a swap (the taker) or claim an open posting",
        "The taker named on the swap accepts it; on an open posting you claim it, optionally offering a shift of "
        "yours back (`offer`), which makes it a trade. Both post-swap schedules are checked again; a swap the "
        "program does not ask approval for executes at once.",
        OfferSerializer,
    ),
    decline=_decision("Decline a swap (the taker)", "The requester is told, with your note.", NoteSerializer),
    cancel=_decision("Cancel your swap", "The requester (or a coordinator) while it is not executed.", None),
    approve=_decision(
        "Approve and execute a swap (coordinators)",
        "Re-checks every party's post-swap schedule against the ACGME and program rules, then executes it in one "
        'transaction: the moved assignments get source "swap". A failed re-check refuses with the rules named '
        "and changes nothing.",
        NoteSerializer,
    ),
    reject=_decision("Reject a swap (coordinators)", "With a note the parties read.", RequiredNoteSerializer),
    rollback=_decision(
        "Roll back an executed swap (coordinators)",
        "Within the program's rollback window, restores exactly the previous assignments; refused with the reason "
        "when the window has passed or a later change touched the same cells.",
        RollbackSerializer,
    ),
)
class SwapViewSet(ProgramReadOnlyViewSet):
    """Swaps of the program: managers see all, residents and faculty their own and the open postings."""

    queryset = Swap.objects.none()
    permission_resource = Resource.SWAP
    permission_actions = {
        "create": Action.ADD,
        # The taker (or whoever claims a posting) acts on a swap they may see; the service checks who they are.
        "accept": Action.VIEW,
        "decline": Action.VIEW,
        "cancel": Action.CHANGE,
        "approve": Action.APPROVE,
        "reject": Action.APPROVE,
        "rollback": Action.APPROVE,
        "proposals": Action.VIEW,
        "marketplace": Action.VIEW,
        "chains": Action.VIEW,  # residents and faculty see and ask for the chains they are part of
        "program_settings": Action.VIEW,  # changing them is checked by the service
    }
    serializer_class = SwapSerializer
    filterset_class = SwapFilter
    ordering_fields = ["created_at", "submitted_at", "decided_at", "expires_at"]

    def _is_manager(self) -> bool:
        return services.is_manager(self.request.user, self.active_program())

    def _me(self) -> Person | None:
        return services.person_of(self.request.user, self.active_program())

    def get_queryset(self) -> QuerySet[Swap]:
        program = self.active_program()
        swaps = swaps_visible(program=program, user=self.request.user).prefetch_related("legs__giver", "legs__taker")
        if self._is_manager():
            return swaps
        me = self._me()
        mine = swaps_of_person(program=program, person=me).values("pk") if me is not None else Swap.objects.none()
        return swaps.filter(Q(pk__in=mine) | Q(pk__in=open_postings(program=program).values("pk")))

    def _answer(self, swap: Swap, code: int = status.HTTP_200_OK) -> Response:
        swap = Swap.objects.select_related("requester").prefetch_related("legs__giver", "legs__taker").get(pk=swap.pk)
        return Response(SwapSerializer(swap, context=self.get_serializer_context()).data, status=code)

    def _form(self, serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
        form = serializer_class(data=data, context={**self.get_serializer_context(), "program": self.active_program()})
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        program = self.active_program()
        form = SwapCreateSerializer(data=request.data, context={"program": program, "person": self._me()})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        legs = [
            services.LegSpec(giver=leg["giver"], taker=leg.get("taker"), shift=as_shift(leg)) for leg in data["legs"]
        ]
        swap = services.swap_create(
            program=program,
            user=request.user,
            kind=data["kind"],
            legs=legs,
            reason=data["reason"],
            submit=data["submit"],
        )
        return self._answer(swap, status.HTTP_201_CREATED)

    @idempotent
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        offer = self._form(OfferSerializer, request.data).get("offer")
        swap = services.swap_accept(swap=self.get_object(), user=request.user, offer=offer and as_shift(offer))
        return self._answer(swap)

    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        note = self._form(NoteSerializer, request.data)["note"]
        return self._answer(services.swap_decline(swap=self.get_object(), user=request.user, note=note))

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._answer(services.swap_cancel(swap=self.get_object(), user=request.user))

    @idempotent
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        note = self._form(NoteSerializer, request.data)["note"]
        return self._answer(services.swap_approve(swap=self.get_object(), user=request.user, note=note))

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        swap = self.get_object()  # another program's swap is a 404 before its body is read
        note = self._form(RequiredNoteSerializer, request.data)["note"]
        return self._answer(services.swap_reject(swap=swap, user=request.user, note=note))

    @action(detail=True, methods=["post"])
    def rollback(self, request: Request, pk: str) -> Response:
        swap = self.get_object()
        reason = self._form(RollbackSerializer, request.data)["reason"]
        return self._answer(services.swap_rollback(swap=swap, user=request.user, reason=reason))

    def _person(self, chosen: Person | None) -> Person:
        """The person named (managers may name anyone; others only themselves), else the caller's own."""
        me = self._me()
        if chosen is not None and chosen != me and not self._is_manager():
            raise PermissionDenied("You can ask this for yourself only.")
        person = chosen or me
        if person is None:
            raise NotFound("Your account is not linked to a person of this program; name the person.")
        return person

    @extend_schema(
        summary="Propose takers for a shift",
        description="The best five colleagues who could take the shift (or trade one back) with every party's "
        "post-swap schedule still within the ACGME rules, credentials and absences, each with its score and the "
        "reasons for it. `giver` defaults to you (coordinators may name anyone).",
        tags=[TAG],
        parameters=[
            PROGRAM_HEADER,
            *SHIFT_PARAMETERS,
            OpenApiParameter("giver", OpenApiTypes.INT, description="Person id (coordinators); default: you."),
        ],
        responses={
            200: ProposalSerializer(many=True),
            (400, PROBLEM_MEDIA_TYPE): _problem("Invalid query (field named) or a shift the giver does not hold."),
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Another person's shift (residents and faculty)."),
            (404, PROBLEM_MEDIA_TYPE): _problem("Your account is not linked to a person of the program."),
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # at most five: never paged
    def proposals(self, request: Request) -> Response:
        data = self._form(ProposalQuerySerializer, request.query_params)
        giver = self._person(data.get("giver"))
        found = matching.proposals(program=self.active_program(), giver=giver, shift=as_shift(data), limit=5)
        return Response(ProposalSerializer(found, many=True).data)

    @extend_schema(
        summary="The marketplace: open postings I could take",
        description="The program's open postings (not your own), each marked compatible when taking it keeps "
        "every post-swap schedule within the rules, or with the rule that blocks you. Coordinators may look "
        "through a person's eyes with `person`.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER, OpenApiParameter("person", OpenApiTypes.INT, description="Person id (managers).")],
        responses={
            200: MarketEntrySerializer(many=True),
            (400, PROBLEM_MEDIA_TYPE): _problem("Invalid query; `errors` names the field."),
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Another person's view (residents and faculty)."),
            (404, PROBLEM_MEDIA_TYPE): _problem("Your account is not linked to a person of the program."),
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # the open postings: never paged
    def marketplace(self, request: Request) -> Response:
        chosen = self._form(PersonQuerySerializer, request.query_params).get("person")
        entries = matching.marketplace(program=self.active_program(), person=self._person(chosen))
        return Response(MarketEntrySerializer(entries, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["GET"],
        summary="Chains among open postings",
        description="Cycles of three or more of the program's open postings (A takes B's shift, B takes C's, C "
        "takes A's) in which every party stays within the rules, each with its compliance proof. Coordinators see "
        "them all; residents and faculty those they are part of.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={
            200: ChainSerializer(many=True),
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Your role in this program may not read swaps."),
        },
    )
    @extend_schema(
        methods=["POST"],
        summary="Ask for a chain as one swap",
        description="The chain found among the postings named turns into one swap of kind chain (yours first; "
        "coordinators ask for any): every taker accepts, then it executes all or nothing.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        request=ChainAskSerializer,
        responses={
            201: SwapSerializer,
            (400, PROBLEM_MEDIA_TYPE): _problem("Invalid input (field named) or a rule the chain breaks now."),
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Your role in this program may not ask for swaps."),
            (409, PROBLEM_MEDIA_TYPE): _problem("No such chain (of yours) any more: a posting was taken or ended."),
        },
    )
    @action(detail=False, methods=["get", "post"], pagination_class=None)  # the chains found: never paged
    def chains(self, request: Request) -> Response:
        program, me, manager = self.active_program(), self._me(), self._is_manager()
        found = [
            chain
            for chain in matching.chains(program=program, max_length=4)
            if manager or (me is not None and any(me in (giver, taker) for giver, taker, _ in chain.legs))
        ]
        if request.method == "GET":
            return Response(ChainSerializer(found, many=True).data)
        data = self._form(ChainAskSerializer, request.data)
        swap = matching.chain_ask(
            program=program,
            user=request.user,
            postings=[posting.pk for posting in data["postings"]],
            person=None if manager else me,
            reason=data["reason"],
        )
        return self._answer(swap, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The program's swap settings",
        description="Which kinds need a coordinator's approval, the lock window before a shift (days), the rollback "
        "window (hours) and the days an open swap waits before it expires.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={
            200: SwapSettingsSerializer,
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Your role in this program may not read them."),
        },
    )
    @extend_schema(
        methods=["PUT"],
        summary="Change the program's swap settings (coordinators)",
        description="The whole document; a setting left out takes its default. A bad value is refused with the "
        "setting named in `errors` and nothing is stored.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        request=SwapSettingsSerializer,
        responses={
            200: SwapSettingsSerializer,
            (400, PROBLEM_MEDIA_TYPE): _problem("A setting that cannot be used; `errors` names it."),
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("Only admins and coordinators change them."),
        },
    )
    @action(detail=False, methods=["get", "put"], url_path="settings", url_name="settings")
    def program_settings(self, request: Request) -> Response:
        program: Organization = self.active_program()
        if request.method == "GET":
            return Response(swap_settings(program).to_json())
        try:
            value = swap_settings_update(program=program, user=request.user, settings=request.data)
        except SettingsError as exc:
            field = (
                exc.path.removeprefix(f"{SWAP_SETTINGS_KEY}.") if exc.path != SWAP_SETTINGS_KEY else "non_field_errors"
            )
            raise serializers.ValidationError({field: [str(exc)]}) from exc
        return Response(value.to_json())


def register(router: BaseRouter) -> None:
    router.register("swaps", SwapViewSet, basename="swap")
