from __future__ import annotations

from drf_spectacular.utils import extend_schema
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


class UserListView(generics.ListAPIView):
    """Staff: list users and invite new ones (they get a set-password email)."""

    serializer_class = UserSerializer
    permission_classes = STAFF_ONLY
    filterset_fields = ["is_active", "is_staff"]

    def get_queryset(self):
        if is_schema_generation(self):
            return User.objects.none()
        return User.objects.order_by("username")

    @extend_schema(request=UserInviteSerializer, responses={201: UserSerializer})
    def post(self, request: Request) -> Response:
        data = UserInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_invite(**data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(generics.RetrieveAPIView):
    serializer_class = UserSerializer
    permission_classes = STAFF_ONLY
    queryset = User.objects.all()


class UserDeactivateView(generics.GenericAPIView):
    serializer_class = UserSerializer
    permission_classes = STAFF_ONLY
    queryset = User.objects.all()

    @extend_schema(request=None, responses={200: UserSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Deactivate a user: their session and tokens stop working at once."""
        user = services.user_deactivate(user=self.get_object())
        return Response(UserSerializer(user).data)
