"""`/api/v1/me/offline/`: the compact document the installed app keeps for offline use (mobile.offline).

Session-authenticated for the service worker, a personal access token (read:schedule) too. An ETag follows the
program's schedule generation, so a refresh that finds nothing changed is a 304 without a body.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from absences.api import AbsenceSerializer
from mobile.offline import OFFLINE_DAYS, offline_bundle, offline_etag
from scheduling.api_oncall import CoverSerializer, OnCallDaySerializer
from swaps.serializers import SwapLegSerializer, SwapSerializer
from tenants.api import PROGRAM_HEADER, ProgramComputedViewSet, problems
from tenants.permissions import Resource


class OfflineHalfDaySerializer(serializers.Serializer):
    """An AM or PM as My schedule prints it."""

    code = serializers.CharField(help_text='The short code, e.g. "C" or the rotation\'s abbreviation.')
    label = serializers.CharField(help_text='What it is, e.g. "Clinic" or "Vacation (leave)".')
    detail = serializers.CharField(help_text="The rotation the work belongs to; may be empty.")
    colour = serializers.CharField(help_text="The colour the schedule paints it in (#rrggbb).")


class OfflineDaySerializer(serializers.Serializer):
    """One day of the user's own schedule."""

    date = serializers.DateField(help_text="The day.")
    published = serializers.BooleanField(help_text="False when no published schedule holds the day.")
    special = serializers.CharField(allow_null=True, help_text="The holiday or special day's name, if any.")
    am = OfflineHalfDaySerializer(allow_null=True, help_text="The morning; null when nothing is scheduled.")
    pm = OfflineHalfDaySerializer(allow_null=True, help_text="The afternoon; null when nothing is scheduled.")


class OfflineCallSerializer(serializers.Serializer):
    """One of the user's calls."""

    kind = serializers.CharField(help_text="in_house, home, backup, weekend or attending.")
    label = serializers.CharField(help_text='The call in words, e.g. "In-house call".')
    start = serializers.DateTimeField(help_text="When it starts (ISO 8601, the program's zone).")
    end = serializers.DateTimeField(help_text="When it ends.")


class OfflineCoverSerializer(CoverSerializer):
    """Someone on today's on-call list, as the on-call page shows them: the on-call API's cover with its times in
    words instead of the person's id and the call's start and end."""

    person = None
    start = None
    end = None
    times = serializers.CharField(help_text='"17:00 – Tue 08:00", or "all day".')


class OfflineOnCallSerializer(OnCallDaySerializer):
    """Today's on-call list of the program (the on-call API's day, without its weekend and special day)."""

    weekend = None
    special = None
    residents = OfflineCoverSerializer(many=True, help_text="Residents' calls starting today.")
    faculty = OfflineCoverSerializer(many=True, help_text="Faculty cover.")


class OfflineAbsenceSerializer(AbsenceSerializer):
    """One of the user's absences, as the absences API reads it, without the private note."""

    person = None
    person_name = None
    days = None
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text="The kind in words.")
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="The status in words.")

    class Meta(AbsenceSerializer.Meta):
        fields = ["id", "kind", "kind_label", "start_date", "end_date", "half_day", "status", "status_label"]
        read_only_fields = fields


class OfflineSwapLegSerializer(SwapLegSerializer):
    """A shift of one of the user's swaps, as the swaps API reads it."""

    class Meta(SwapLegSerializer.Meta):
        fields = ["shift", "shift_label", "date", "session", "giver_name", "taker_name"]
        read_only_fields = fields


class OfflineSwapSerializer(SwapSerializer):
    """One of the user's swaps touching today or later, as the swaps API reads it (without the proof)."""

    requester_name = None
    proof = None
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text="The kind in words.")
    legs = OfflineSwapLegSerializer(many=True, read_only=True, help_text="The shifts handed over, in order.")

    class Meta(SwapSerializer.Meta):
        fields = ["id", "kind", "kind_label", "status", "status_label", "legs"]
        read_only_fields = fields


class OfflinePersonSerializer(serializers.Serializer):
    """The person linked to the user's login."""

    id = serializers.IntegerField(help_text="The person's id (people/).")
    name = serializers.CharField(help_text="The person's full name.")
    kind = serializers.CharField(help_text="resident, faculty or staff.")
    pgy = serializers.IntegerField(allow_null=True, help_text="A resident's PGY.")


class OfflineProgramSerializer(serializers.Serializer):
    """The program the document is of."""

    id = serializers.IntegerField(help_text="The program's id.")
    name = serializers.CharField(help_text="The program's name.")
    time_zone = serializers.CharField(help_text="The program's time zone, e.g. America/New_York.")


class OfflineBundleSerializer(serializers.Serializer):
    """The user's own next days, calls, absences and swaps, and today's on-call list."""

    format = serializers.IntegerField(help_text="The document's format version.")
    generated_at = serializers.DateTimeField(help_text="When the document was made.")
    user = serializers.IntegerField(help_text="The id of the login it belongs to.")
    program = OfflineProgramSerializer(help_text="The program.")
    today = serializers.DateField(help_text="Today in the program's time zone.")
    until = serializers.DateField(help_text=f"The last day held: today + {OFFLINE_DAYS - 1}.")
    person = OfflinePersonSerializer(allow_null=True, help_text="Null when the login is linked to no person.")
    days = OfflineDaySerializer(many=True, help_text=f"The next {OFFLINE_DAYS} days of the user's schedule.")
    calls = OfflineCallSerializer(many=True, help_text="The user's calls starting in those days.")
    on_call_today = OfflineOnCallSerializer(
        allow_null=True, help_text="Today's on-call list; null for roles that do not read the on-call page."
    )
    absences = OfflineAbsenceSerializer(many=True, help_text="The user's absences ending today or later.")
    swaps = OfflineSwapSerializer(many=True, help_text="The user's swaps with a shift today or later.")


@extend_schema_view(
    retrieve=extend_schema(
        summary="My schedule for offline use",
        description=f"The caller's own next {OFFLINE_DAYS} days (AM, PM, calls) in the published schedule, their "
        "absences and swaps, and the program's on-call list of today, in one document the installed app keeps. "
        "Answers with an ETag; `If-None-Match` with it gives 304 while nothing changed. Residents, faculty and "
        "managers (the roles that read My schedule).",
        tags=["me"],
        parameters=[PROGRAM_HEADER],
        responses={
            200: OfflineBundleSerializer,
            304: OpenApiResponse(description="Nothing changed since the ETag sent in If-None-Match."),
            **problems(401, 403),
        },
    )
)
class OfflineViewSet(ProgramComputedViewSet):
    """The caller's offline document (GET only)."""

    singleton = True  # config.api_router: one URL, no rows
    permission_resource = Resource.SCHEDULE
    serializer_class = OfflineBundleSerializer

    def retrieve(self, request: Request) -> Response:
        program = self.active_program()
        etag = offline_etag(program=program, user=request.user)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Cookie, Authorization"}
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=304, headers=headers)
        bundle = offline_bundle(program=program, user=request.user, now=timezone.now())
        return Response(OfflineBundleSerializer(bundle).data, headers=headers)


def register(router: BaseRouter) -> None:
    router.register("me/offline", OfflineViewSet, basename="me-offline")
