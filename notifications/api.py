"""The user's own notifications, notification preferences and push devices, under /api/v1/.

Every request acts in one program (X-Organization-ID or the session) and sees only the
requesting user's items there: another user's notification is answered 404, like a missing one.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from notifications import selectors, services, services_push
from notifications.events import Channel, Event
from notifications.models import Notification, PushSubscription
from tenants import filters
from tenants.api import PROBLEM_MEDIA_TYPE, PROGRAM_HEADER, ProblemSerializer
from tenants.api_permissions import NO_PROGRAM, token_refusal
from tenants.middleware import program_for
from tenants.models import Organization

PROBLEMS = {
    400: "Invalid input; `errors` names the fields.",
    401: "Not authenticated: send a session cookie or an `Authorization: Token <key>` header.",
    403: "No program you belong to was named.",
    404: "No such notification among yours in the active program.",
    "404-device": "No such device among yours.",
}


def problems(*codes: int | str) -> dict:
    return {
        (int(str(code)[:3]), PROBLEM_MEDIA_TYPE): OpenApiResponse(ProblemSerializer, description=PROBLEMS[code])
        for code in codes
    }


class ProgramMemberPermission(BasePermission):
    """Any role will do: a user's inbox is their own, in a program they belong to."""

    message = NO_PROGRAM

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        refusal = token_refusal(request, view)
        if refusal:
            self.message = refusal
            return False
        return program_for(request) is not None


def _program(request: Request) -> Organization:
    program = program_for(request)
    if program is None:  # ProgramMemberPermission refuses such requests before this
        raise exceptions.PermissionDenied(NO_PROGRAM)
    return program


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(method="filter_unread", help_text="true: unread items only; false: read ones.")
    event = filters.ChoiceFilter(choices=Event.choices)

    class Meta:
        model = Notification
        fields = ["unread", "event"]

    def filter_unread(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(read_at__isnull=value)


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.BooleanField(source="is_unread", read_only=True, help_text="Not read yet.")

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "link", "unread", "read_at", "created_at"]
        read_only_fields = fields
        extra_kwargs = {
            "event": {"help_text": "What happened, e.g. absence_decided or schedule_published."},
            "title": {"help_text": "One line saying what happened."},
            "body": {"help_text": "The details, in plain text."},
            "read_at": {"help_text": "When it was read (null while unread)."},
            "created_at": {"help_text": "When it was sent."},
        }


TAG = ["notifications"]


@extend_schema_view(
    list=extend_schema(
        summary="List my notifications in the program, unread first",
        tags=TAG,
        parameters=[PROGRAM_HEADER],
        responses={200: NotificationSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Show one of my notifications",
        tags=TAG,
        parameters=[PROGRAM_HEADER],
        responses={200: NotificationSerializer, **problems(401, 403, 404)},
    ),
    read=extend_schema(
        summary="Mark one of my notifications read",
        tags=TAG,
        parameters=[PROGRAM_HEADER],
        request=None,
        responses={200: NotificationSerializer, **problems(401, 403, 404)},
    ),
    read_all=extend_schema(
        summary="Mark all my notifications in the program read",
        tags=TAG,
        parameters=[PROGRAM_HEADER],
        request=None,
        responses={
            200: inline_serializer(
                "NotificationsMarkedRead",
                {"marked_read": serializers.IntegerField(help_text="How many were unread and are now read.")},
            ),
            **problems(401, 403),
        },
    ),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The requesting user's inbox in the active program; filter with `unread` and `event`."""

    queryset = Notification.objects.none()  # the model, for the router and the schema; rows come from get_queryset
    permission_classes = [ProgramMemberPermission]
    token_scope = "notifications"
    serializer_class = NotificationSerializer
    filter_backends = [filters.FilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notification_list(user=self.request.user, program=_program(self.request))

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        changed = services.notifications_mark_all_read(user=request.user, program=_program(request))
        return Response({"marked_read": changed})


class PreferencesSerializer(serializers.Serializer):
    channels = serializers.DictField(
        child=serializers.ChoiceField(choices=Channel.choices),
        help_text="Event -> channel. Events left out keep their channel; every event is returned.",
    )
    push = serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        help_text="Event -> whether it is also pushed to my devices. Events left out keep theirs; every event is "
        "returned.",
    )
    digest_hour = serializers.IntegerField(min_value=0, max_value=23, help_text="Hour of the daily digest (0-23).")
    quiet_start = serializers.IntegerField(min_value=0, max_value=23, allow_null=True, help_text="Quiet hours start.")
    quiet_end = serializers.IntegerField(min_value=0, max_value=23, allow_null=True, help_text="Quiet hours end.")
    time_zone = serializers.CharField(read_only=True, help_text="The program's time zone, in which hours are read.")

    def validate_channels(self, value: dict) -> dict:
        unknown = sorted(set(value) - set(Event.values))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown events: {', '.join(unknown)}. Known: {', '.join(Event.values)}."
            )
        return value

    def validate_push(self, value: dict) -> dict:
        return self.validate_channels(value)

    def validate(self, attrs: dict) -> dict:
        if "quiet_start" in attrs or "quiet_end" in attrs:
            start, end = attrs.get("quiet_start"), attrs.get("quiet_end")
            if (start is None) != (end is None):
                raise serializers.ValidationError({"quiet_end": "Give both quiet_start and quiet_end, or neither."})
        return attrs


def _preferences(user, program: Organization) -> dict:
    delivery = selectors.delivery_settings_for(user)
    return {
        "channels": selectors.channels_for(user),
        "push": selectors.push_for(user),
        "digest_hour": delivery.digest_hour,
        "quiet_start": delivery.quiet_start,
        "quiet_end": delivery.quiet_end,
        "time_zone": program.time_zone,
    }


class NotificationPreferencesViewSet(viewsets.GenericViewSet):
    """The requesting user's channel per event, digest hour and quiet hours, at /notification-preferences/me/."""

    permission_classes = [ProgramMemberPermission]
    token_scope = "notifications"
    serializer_class = PreferencesSerializer

    @extend_schema(
        methods=["GET"],
        summary="Show my notification preferences",
        tags=TAG,
        parameters=[PROGRAM_HEADER],
        responses={200: PreferencesSerializer, **problems(401, 403)},
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        summary="Change my notification preferences",
        tags=TAG,
        parameters=[PROGRAM_HEADER],
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, **problems(400, 401, 403)},
    )
    @action(detail=False, methods=["get", "put", "patch"], url_path="me")
    def me(self, request: Request) -> Response:
        program = _program(request)
        current = _preferences(request.user, program)
        if request.method == "GET":
            return Response(current)
        serializer = self.get_serializer(data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        merged = {**current, **serializer.validated_data}
        services.preferences_update(
            user=request.user,
            channels=serializer.validated_data.get("channels", {}),
            push=serializer.validated_data.get("push", {}),
            digest_hour=merged["digest_hour"],
            quiet_start=merged["quiet_start"],
            quiet_end=merged["quiet_end"],
        )
        return Response(_preferences(request.user, program))


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200, help_text="The device's P-256 public key, base64url.")
    auth = serializers.CharField(max_length=50, help_text="The device's 16-byte auth secret, base64url.")


class PushSubscriptionSerializer(serializers.ModelSerializer):
    """A device, as the browser's PushSubscription.toJSON() gives it: endpoint and keys (and a label)."""

    keys = PushKeysSerializer(write_only=True, help_text="The keys from PushSubscription.toJSON().")

    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "keys", "device", "created_at", "last_success_at"]
        read_only_fields = ["id", "created_at", "last_success_at"]
        extra_kwargs = {
            "endpoint": {
                "validators": [],  # the same endpoint again updates its row (services_push)
                "help_text": "The push service's URL for the device (https, a browser's push service).",
            },
            "device": {"required": False, "help_text": "A label; by default made from the User-Agent."},
            "created_at": {"help_text": "When the device subscribed."},
            "last_success_at": {"help_text": "When a push last reached it (null: never yet)."},
        }


PUSH_TAG = ["push devices"]


@extend_schema_view(
    list=extend_schema(
        summary="List my devices that receive push",
        tags=PUSH_TAG,
        parameters=[PROGRAM_HEADER],
        responses={200: PushSubscriptionSerializer(many=True), **problems(401, 403)},
    ),
    retrieve=extend_schema(
        summary="Show one of my push devices",
        tags=PUSH_TAG,
        parameters=[PROGRAM_HEADER],
        responses={200: PushSubscriptionSerializer, **problems(401, 403, "404-device")},
    ),
    create=extend_schema(
        summary="Subscribe a device to push (the same endpoint again updates it)",
        tags=PUSH_TAG,
        parameters=[PROGRAM_HEADER],
        responses={201: PushSubscriptionSerializer, **problems(400, 401, 403)},
    ),
    destroy=extend_schema(
        summary="Remove one of my push devices",
        tags=PUSH_TAG,
        parameters=[PROGRAM_HEADER],
        responses={204: None, **problems(401, 403, "404-device")},
    ),
)
class PushSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The requesting user's own push devices (personal, in every program): another user's is answered 404."""

    queryset = PushSubscription.objects.none()  # the model, for the router and the schema; rows from get_queryset
    permission_classes = [ProgramMemberPermission]
    token_scope = "notifications"
    serializer_class = PushSubscriptionSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[PushSubscription]:
        if getattr(self, "swagger_fake_view", False):
            return PushSubscription.objects.none()
        return selectors.push_subscription_list(user=self.request.user)

    def perform_create(self, serializer: PushSubscriptionSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services_push.push_subscription_save(
            user=self.request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=self.request.headers.get("User-Agent", ""),
            device=data.get("device", ""),
        )

    def perform_destroy(self, instance: PushSubscription) -> None:
        services_push.push_subscription_delete(user=self.request.user, subscription=instance)


def register(router: BaseRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
    router.register("push-subscriptions", PushSubscriptionViewSet, basename="push-subscription")
    router.register("notification-preferences", NotificationPreferencesViewSet, basename="notification-preferences")
