"""Who has which role in the program, under /api/v1/members/: read by its admins and coordinators, managed by
its admins only, through the membership services the admin site uses (`membership_*`: one role per person and
program, the program's last admin keeps their role, every change in the history and the audit log).
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from tenants import services
from tenants.api import ProgramReadOnlyViewSet, documented, write_schema
from tenants.filters import FilterSet
from tenants.models import Membership, Role, User
from tenants.permissions import Resource

ROLE_HELP = "The role in this program: " + ", ".join(Role.values) + "."


class MemberSerializer(serializers.ModelSerializer):
    """A member of the program: their login (id, email, name) and role."""

    user = serializers.IntegerField(source="user_id", read_only=True, help_text="Id of the member's login.")
    email = serializers.EmailField(source="user.email", read_only=True, help_text="The login's email address.")
    name = serializers.CharField(source="user.get_full_name", read_only=True, help_text="The login's full name.")

    class Meta:
        model = Membership
        fields = ["id", "user", "email", "name", "role", "created_at"]
        read_only_fields = fields
        extra_kwargs = {
            "role": {"help_text": ROLE_HELP},
            "created_at": {"help_text": "When the role was given."},
        }


class MemberCreateSerializer(serializers.Serializer):
    """A role for someone who already has an account (accounts are opened by the platform's administrators)."""

    email = serializers.EmailField(help_text="Email address of an active account.")
    role = serializers.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)

    def validate_email(self, value: str) -> User:
        member = User.objects.filter(email__iexact=value.strip(), is_active=True).first()
        if member is None:
            raise serializers.ValidationError("No active account has this email address; it needs an account first.")
        return member


class MemberChangeSerializer(serializers.Serializer):
    """A new role for a member."""

    role = serializers.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)


class MemberFilter(FilterSet):
    class Meta:
        model = Membership
        fields = ["role"]


ADMINS_ONLY = "Only the program's admins manage its members (coordinators read them)."
NOT_FOUND = {404: "No such membership in the active program."}


@documented(MemberSerializer, "members")
@extend_schema_view(
    create=write_schema(
        summary="Give someone a role in the program",
        description=f"One role per person and program. {ADMINS_ONLY}",
        tag="members",
        request=MemberCreateSerializer,
        ok={201: MemberSerializer},
        problems={403: ADMINS_ONLY, 409: "The person already has a role in this program: change that one."},
        examples=[
            OpenApiExample(
                "A new coordinator", value={"email": "pat@example.org", "role": "coordinator"}, request_only=True
            )
        ],
    ),
    partial_update=write_schema(
        summary="Change a member's role",
        description=f"The program's last admin keeps the admin role until another admin exists. {ADMINS_ONLY}",
        tag="members",
        request=MemberChangeSerializer,
        ok={200: MemberSerializer},
        problems={403: ADMINS_ONLY, **NOT_FOUND, 409: "The member is the program's only admin."},
        examples=[OpenApiExample("Make admin", value={"role": "admin"}, request_only=True)],
    ),
    destroy=write_schema(
        summary="Remove a member's role",
        description=f"Their calendar feeds of the program stop with it; the last admin stays. {ADMINS_ONLY}",
        tag="members",
        request=None,
        ok={204: None},
        problems={403: ADMINS_ONLY, **NOT_FOUND, 409: "The member is the program's only admin."},
    ),
)
class MemberViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ProgramReadOnlyViewSet):
    """The program's members and their roles (not the institution's, which the platform's superusers manage)."""

    queryset = Membership.objects.none()
    permission_resource = Resource.MEMBERSHIP
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["user__email", "role", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.filter(organization=self.active_program()).select_related("user")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return {"create": MemberCreateSerializer, "partial_update": MemberChangeSerializer}.get(
            self.action, MemberSerializer
        )

    def _answer(self, membership: Membership, code: int = status.HTTP_200_OK) -> Response:
        headers = {"Location": self.reverse_action("detail", args=[membership.pk])} if code == 201 else {}
        body = MemberSerializer(self.get_queryset().get(pk=membership.pk)).data
        return Response(body, status=code, headers=headers)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        membership = services.membership_create(
            user=request.user,
            organization=self.active_program(),
            member=form.validated_data["email"],
            role=form.validated_data["role"],
        )
        return self._answer(membership, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            services.membership_change(user=request.user, membership=membership, role=form.validated_data["role"])
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.membership_delete(user=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: BaseRouter) -> None:
    router.register("members", MemberViewSet, basename="member")
