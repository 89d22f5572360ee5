from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api.permissions import StaffOnly
from accounts.api.serializers import UserInviteSerializer, UserSerializer
from accounts.models import User
from config.api import is_schema_generation

# Every endpoint here is staff-only, decided by the permission classes before
# the body is read: a non-staff client gets 403 whatever it sends.
STAFF_ONLY = [IsAuthenticated, StaffOnly]
TAGS = ["users"]


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary=gettext_lazy("List users"),
        description=gettext_lazy("Staff only: every account by username, paginated."),
    ),
)
class UserListView(generics.ListAPIView):
    """Staff: list users and invite new ones (they get a set-password email)."""

    serializer_class = UserSerializer
    permission_classes = STAFF_ONLY
    filterset_fields = ["is_active", "is_staff"]

    def get_queryset(self):
        if is_schema_generation(self):
            return User.objects.none()
        return User.objects.order_by("username")

    @extend_schema(
        tags=TAGS,
        summary=gettext_lazy("Invite a user"),
        description=gettext_lazy(
            "Staff only: creates the account and emails a link to choose a password."
        ),
        request=UserInviteSerializer,
        responses={201: UserSerializer},
    )
    def post(self, request: Request) -> Response:
        data = UserInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_invite(**data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary=gettext_lazy("Read a user"),
        description=gettext_lazy("Staff only: one account."),
    ),
)
class UserDetailView(generics.RetrieveAPIView):
    serializer_class = UserSerializer
    permission_classes = STAFF_ONLY
    queryset = User.objects.all()


class UserDeactivateView(generics.GenericAPIView):
    serializer_class = UserSerializer
    permission_classes = STAFF_ONLY
    queryset = User.objects.all()

    @extend_schema(
        operation_id="users_deactivate",
        tags=TAGS,
        summary=gettext_lazy("Deactivate a user"),
        description=gettext_lazy(
            "Staff only: the account can no longer sign in, and its sessions and API "
            "tokens stop working at once. Its history stays."
        ),
        request=None,
        responses={200: UserSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = services.user_deactivate(user=self.get_object())
        return Response(UserSerializer(user).data)
