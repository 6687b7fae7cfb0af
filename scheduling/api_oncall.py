"""Who is on call and today's roster under /api/v1/, for every role that reads the pages (clinic staff included).

`on-call/` is the on-call page (scheduling.views.on_call): each day's cover from `date_from` to `date_to` (at most
31 days), read by `on_call_days`; `today/` is the Today page: who is where in the AM and the PM of one day and
who covers its night and what leave leaves short, read by `session_grid`, `reading.roster`, `day_cover` and
`day_shortfalls` in the day's published schedule.
Contact numbers are there as on the pages (the members' own phone and pager). Dates keep to tenants.params'
window; a bad one is a 400 naming it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from scheduling.absence_impact import DayShortfall, day_shortfalls
from scheduling.day_view import session_grid
from scheduling.models import Person
from scheduling.on_call import Cover, OnCallDay, day_cover, on_call_days
from scheduling.selectors import academic_year_on, schedule_version_pick
from scheduling.views.reading import RosterGroup, roster
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProgramComputedViewSet, problem_response
from tenants.permissions import Resource
from tenants.serializer_fields import DateField

MAX_DAYS = 31
TAG = "on call"


class OnCallQuerySerializer(serializers.Serializer):
    """The days asked for: `date_from` (the program's today by default) to `date_to` (`date_from` by default)."""

    date_from = DateField(required=False, help_text="First day (YYYY-MM-DD); the program's today by default.")
    date_to = DateField(required=False, help_text=f"Last day, at most {MAX_DAYS - 1} days after date_from.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("date_from") or self.context["program"].today()
        end = attrs.get("date_to") or start
        if end < start:
            raise serializers.ValidationError({"date_to": ["must not be before date_from."]})
        if (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError({"date_to": [f"at most {MAX_DAYS} days from date_from."]})
        return {"date_from": start, "date_to": end}


class TodayQuerySerializer(serializers.Serializer):
    """The day asked for."""

    date = DateField(required=False, help_text="The day (YYYY-MM-DD); the program's today by default.")


class CoverSerializer(serializers.Serializer):
    """Someone covering a day or night: a call with its start and end, or the day's FMIT attending."""

    person = serializers.IntegerField(help_text="The person's id (people/).")
    name = serializers.CharField(help_text="The person's full name.")
    pgy = serializers.IntegerField(allow_null=True, help_text="A resident's PGY; null for faculty.")
    duty = serializers.CharField(help_text='What they cover, e.g. "In-house call" or the FMIT attending.')
    start = serializers.DateTimeField(allow_null=True, help_text="When the call starts (ISO 8601); null: all day.")
    end = serializers.DateTimeField(allow_null=True, help_text="When the call ends (ISO 8601); null: all day.")
    phone = serializers.CharField(help_text="The person's phone number, as on the on-call page.")
    pager = serializers.CharField(help_text="The person's pager number, as on the on-call page.")


class OnCallDaySerializer(serializers.Serializer):
    """A day's cover: residents' calls, then faculty cover (their calls and the FMIT attending)."""

    date = serializers.DateField(help_text="The day.")
    published = serializers.BooleanField(
        help_text="False when no published schedule holds the day: nothing is known, which is not nobody."
    )
    weekend = serializers.BooleanField(help_text="Saturday or Sunday.")
    special = serializers.CharField(allow_null=True, help_text="The holiday or special day's name, if any.")
    residents = CoverSerializer(many=True, help_text="Residents' calls starting that day.")
    faculty = CoverSerializer(many=True, help_text="Faculty calls starting that day, then the FMIT attending.")


class RosterEntrySerializer(serializers.Serializer):
    """One person in a group of the roster."""

    person = serializers.IntegerField(help_text="The person's id (people/).")
    name = serializers.CharField(help_text="The person's full name.")
    detail = serializers.CharField(help_text="The rotation's name, or what keeps them away; may be empty.")


class RosterGroupSerializer(serializers.Serializer):
    """Who does one kind of thing in a session; the group of those off or on leave comes last."""

    label = serializers.CharField(help_text='What they do, e.g. "Clinic", or "Off / Leave".')
    away = serializers.BooleanField(help_text="True for those off or on leave.")
    people = RosterEntrySerializer(many=True, help_text="The people, with detail.")


class ShortfallSerializer(serializers.Serializer):
    """A rotation with fewer residents at work than its minimum because some of its residents are on leave."""

    rotation = serializers.IntegerField(help_text="The rotation's id (rotations/).")
    rotation_name = serializers.CharField(help_text="The rotation's name.")
    present = serializers.IntegerField(help_text="Its residents at work that day.")
    minimum = serializers.IntegerField(help_text="The residents it needs.")
    away = RosterEntrySerializer(many=True, help_text="Its residents on leave, with the kind of leave.")


class TodaySerializer(serializers.Serializer):
    """One day of the published schedule, as the Today page shows it."""

    date = serializers.DateField(help_text="The day.")
    is_today = serializers.BooleanField(help_text="The day is today in the program's time zone.")
    academic_year = serializers.IntegerField(allow_null=True, help_text="The academic year holding it, if any.")
    version = serializers.IntegerField(
        allow_null=True, help_text="The published schedule version read; null when none holds the day."
    )
    am = RosterGroupSerializer(many=True, help_text="Who is where in the morning.")
    pm = RosterGroupSerializer(many=True, help_text="Who is where in the afternoon.")
    cover = OnCallDaySerializer(allow_null=True, help_text="Who covers the day and its night; null when unpublished.")
    shortfalls = ShortfallSerializer(many=True, help_text="What leave leaves short that day, as the page warns.")


def cover_json(cover: Cover) -> dict[str, Any]:
    person = cover.person
    return {
        "person": person.pk,
        "name": person.full_name,
        "pgy": person.pgy,
        "duty": cover.duty,
        "start": cover.start,
        "end": cover.end,
        "phone": person.phone,
        "pager": person.pager,
    }


def day_json(day: OnCallDay) -> dict[str, Any]:
    special = day.special
    return {
        "date": day.day,
        "published": day.published,
        "weekend": day.weekend,
        "special": (special.name or special.get_day_type_display()) if special is not None else None,
        "residents": [cover_json(cover) for cover in day.residents],
        "faculty": [cover_json(cover) for cover in day.faculty],
    }


def entries_json(entries: list[tuple[Person, str]]) -> list[dict[str, Any]]:
    return [{"person": person.pk, "name": person.full_name, "detail": detail} for person, detail in entries]


def group_json(group: RosterGroup) -> dict[str, Any]:
    return {"label": group.label, "away": group.css == "away", "people": entries_json(group.entries)}


def shortfall_json(gap: DayShortfall) -> dict[str, Any]:
    return {
        "rotation": gap.rotation.pk,
        "rotation_name": gap.rotation.name,
        "present": gap.present,
        "minimum": gap.minimum,
        "away": entries_json(gap.away),
    }


PROBLEMS = {
    (400, PROBLEM_MEDIA_TYPE): problem_response("A date that cannot be read or a span too long; `errors` names it."),
    (401, PROBLEM_MEDIA_TYPE): problem_response("Not authenticated."),
    (403, PROBLEM_MEDIA_TYPE): problem_response("No program you belong to was named."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Who is on call, day by day",
        description=f"Each day's cover from `date_from` to `date_to` (at most {MAX_DAYS} days; not paged), from "
        "the published schedule as the on-call page reads it. Every role of the program.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER, OnCallQuerySerializer],
        responses={200: OnCallDaySerializer(many=True), **PROBLEMS},
    )
)
class OnCallViewSet(ProgramComputedViewSet):
    """The on-call list of a day or a span of days."""

    permission_resource = Resource.CALL_LIST
    serializer_class = OnCallDaySerializer

    def list(self, request: Request) -> Response:
        span = self.query(OnCallQuerySerializer)
        days = on_call_days(program=self.active_program(), start=span["date_from"], end=span["date_to"])
        return Response(OnCallDaySerializer([day_json(day) for day in days], many=True).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Today's roster",
        description="Who is where in the AM and the PM of a day (today by default) and who covers its night, in "
        "the published schedule, as the Today page shows it; a person on approved leave is listed as away. "
        "Every role of the program.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER, TodayQuerySerializer],
        responses={200: TodaySerializer, **PROBLEMS},
    )
)
class TodayViewSet(ProgramComputedViewSet):
    """One day's roster (GET only)."""

    singleton = True  # config.api_router: one URL, no rows
    permission_resource = Resource.ROSTER
    serializer_class = TodaySerializer

    def retrieve(self, request: Request) -> Response:
        program = self.active_program()
        day = self.query(TodayQuerySerializer).get("date") or program.today()
        year = academic_year_on(program=program, day=day)
        version = schedule_version_pick(academic_year=year) if year is not None else None
        answer: dict[str, Any] = {
            "date": day,
            "is_today": day == program.today(),
            "academic_year": year.pk if year is not None else None,
            "version": version.pk if version is not None else None,
            "am": [],
            "pm": [],
            "cover": None,
            "shortfalls": [],
        }
        if version is not None:
            version.program = program  # the same row; spares the selectors a query
            grid = session_grid(version=version, start=day, end=day)
            answer["am"] = [group_json(group) for group in roster(grid, day, "AM")]
            answer["pm"] = [group_json(group) for group in roster(grid, day, "PM")]
            answer["cover"] = day_json(day_cover(grid, day, program.zone))
            answer["shortfalls"] = [shortfall_json(gap) for gap in day_shortfalls(version=version, day=day, grid=grid)]
        return Response(TodaySerializer(answer).data)


def register(router: BaseRouter) -> None:
    router.register("on-call", OnCallViewSet, basename="on-call")
    router.register("today", TodayViewSet, basename="today")
