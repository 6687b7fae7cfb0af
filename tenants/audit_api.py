"""`GET /api/v1/audit-events/`: the audit log for the program's admins and superusers, read-only, with the page's
filters (tenants.audit_filters). There is no write of any kind: POST, PUT, PATCH and DELETE answer 405."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.routers import BaseRouter

from tenants.api import PROGRAM_HEADER, problems
from tenants.audit_filters import AuditEventFilter
from tenants.audit_models import AuditEvent
from tenants.audit_selectors import audit_events_visible
from tenants.filters import FilterBackend
from tenants.middleware import program_for
from tenants.permissions import Resource


class AuditEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "actor_email",
            "program",
            "action",
            "action_label",
            "target_type",
            "target_id",
            "target_repr",
            "before",
            "after",
            "ip_address",
            "user_agent",
            "request_id",
            "path",
            "detail",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List the program's audit events",
        description="Newest first. The program's admins see its events and their members' sign-ins; superusers "
        "also every event that belongs to no program. Events cannot be changed or deleted.",
        tags=["audit events"],
        parameters=[PROGRAM_HEADER],
        responses={200: AuditEventSerializer(many=True), **problems(400, 401, 403)},
    )
)
class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditEventSerializer
    permission_resource = Resource.AUDIT
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = AuditEventFilter
    ordering_fields = ["occurred_at", "action", "actor_email"]

    def get_queryset(self):
        program = program_for(self.request) if self.request.user.is_authenticated else None
        if program is None:  # ProgramRolePermission refuses such requests; the schema generator has none
            return AuditEvent.objects.none()
        return audit_events_visible(user=self.request.user, program=program)


def register(router: BaseRouter) -> None:
    router.register("audit-events", AuditEventViewSet, basename="audit-event")
