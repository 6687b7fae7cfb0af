"""The API of calendar-feed links: list the feeds you may subscribe to, and reset a feed's secret address.

Mounted as /api/v1/feed-tokens/. Anyone who may read the program's schedule lists their own person's feed
(and managers the program's feed); the owner resets their own feed, managers any feed. A reset makes the
old address answer 404 at once and is recorded in the feed's history with who made it.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from integrations.feeds.tokens import feed_link, feed_links_for_user, feed_token_reset
from scheduling.models import Person
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer
from tenants.api_permissions import NO_PROGRAM
from tenants.middleware import program_for
from tenants.permissions import Action, Resource

TAG = "calendar feeds"


class FeedLinkSerializer(serializers.Serializer):
    """A calendar feed you may subscribe to: its https and webcal addresses."""

    kind = serializers.ChoiceField(choices=["person", "program"], help_text="A person's feed or the program's.")
    person = serializers.IntegerField(allow_null=True, help_text="The person's id; null for the program's feed.")
    person_name = serializers.CharField(allow_blank=True, help_text="The person's name; blank for the program's feed.")
    feed_url = serializers.URLField(help_text="The secret ICS address; anyone holding it can read the feed.")
    webcal_url = serializers.CharField(help_text="The same address for calendar apps (webcal://).")
    regenerated_at = serializers.DateTimeField(allow_null=True, help_text="When the address was last reset.")


class FeedResetSerializer(serializers.Serializer):
    """Which feed to reset: `{"person": <id>}` or `{"program": true}`."""

    person = serializers.IntegerField(required=False, min_value=1, help_text="Id of the person whose feed to reset.")
    program = serializers.BooleanField(
        required=False, default=False, help_text="Reset the program's feed instead (managers only)."
    )

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("person")) == bool(attrs.get("program")):
            raise serializers.ValidationError('Name one feed: {"person": <id>} or {"program": true}.')
        return attrs


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


def _as_row(link: dict) -> dict:
    person = link["person"]
    return {
        "kind": "person" if person is not None else "program",
        "person": person.pk if person is not None else None,
        "person_name": person.full_name if person is not None else "",
        "feed_url": link["feed_url"],
        "webcal_url": link["webcal_url"],
        "regenerated_at": link["regenerated_at"],
    }


class FeedTokenViewSet(viewsets.ViewSet):
    """Your calendar-feed addresses in the active program, and resetting one."""

    permission_resource = Resource.SCHEDULE
    permission_actions = {"list": Action.VIEW, "reset": Action.VIEW}  # the service checks who may reset what

    def _program(self):
        program = program_for(self.request)
        if program is None:
            raise exceptions.PermissionDenied(NO_PROGRAM)
        return program

    @extend_schema(
        summary="List your calendar feeds",
        description="Your own person's feed, and for admins and coordinators the program's feed (all calls, "
        "holidays and closures). Each address is made on first use.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        responses={
            200: FeedLinkSerializer(many=True),
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("No program you belong to was named, or your role may not read it."),
        },
    )
    def list(self, request: Request) -> Response:
        links = feed_links_for_user(user=request.user, program=self._program(), request=request._request)
        return Response(FeedLinkSerializer([_as_row(link) for link in links], many=True).data)

    @extend_schema(
        summary="Reset a calendar feed's address",
        description="Makes a new secret address; the old one answers 404 at once. You may reset your own "
        "person's feed; admins and coordinators may reset anyone's and the program's.",
        tags=[TAG],
        parameters=[PROGRAM_HEADER],
        request=FeedResetSerializer,
        responses={
            200: FeedLinkSerializer,
            (400, PROBLEM_MEDIA_TYPE): _problem("Invalid input; `errors` names the fields."),
            (401, PROBLEM_MEDIA_TYPE): _problem("Not authenticated."),
            (403, PROBLEM_MEDIA_TYPE): _problem("You may not reset this feed."),
            (404, PROBLEM_MEDIA_TYPE): _problem("No such person in the active program."),
        },
    )
    @action(detail=False, methods=["post"])
    def reset(self, request: Request) -> Response:
        program = self._program()
        form = FeedResetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = None
        if form.validated_data.get("person"):
            person = Person.objects.for_program(program).filter(pk=form.validated_data["person"]).first()
            if person is None:
                raise exceptions.NotFound("No such person in the active program.")
        token = feed_token_reset(user=request.user, program=program, person=person)
        link = feed_link(token, can_reset=True, request=request._request)
        return Response(FeedLinkSerializer(_as_row(link)).data)


def register(router: BaseRouter) -> None:
    router.register("feed-tokens", FeedTokenViewSet, basename="feed-token")
