from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api.serializers import UserInviteSerializer, UserSerializer
from accounts.models import User
from config.api import is_schema_generation


def require_staff(request: Request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied(_("Only coordinators (staff) can manage users."))


class UserListView(generics.ListAPIView):
    """Staff: list users and invite new ones (they get a set-password email)."""

    serializer_class = UserSerializer
    filterset_fields = ["is_active", "is_staff"]

    def get_queryset(self):
        if is_schema_generation(self):
            return User.objects.none()
        require_staff(self.request)
        return User.objects.order_by("username")

    @extend_schema(request=UserInviteSerializer, responses={201: UserSerializer})
    def post(self, request: Request) -> Response:
        require_staff(request)
        data = UserInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_invite(**data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(generics.RetrieveAPIView):
    serializer_class = UserSerializer

    def get_queryset(self):
        require_staff(self.request)
        return User.objects.all()


class UserDeactivateView(generics.GenericAPIView):
    serializer_class = UserSerializer
    queryset = User.objects.all()

    @extend_schema(request=None, responses={200: UserSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Deactivate a user: their session and tokens stop working at once."""
        require_staff(request)
        user = services.user_deactivate(user=self.get_object())
        return Response(UserSerializer(user).data)
