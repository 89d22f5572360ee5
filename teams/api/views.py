"""Cohorts, teams and members over the API: everyone reads what they may see,
staff (an HR system's token) create and change them."""

from __future__ import annotations

from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import StaffChanges, StaffCreates
from config.api import is_schema_generation
from teams import selectors, services
from teams.api.serializers import (
    CohortSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    MeSerializer,
    TeamSerializer,
    TeamUpdateSerializer,
)
from teams.models import Membership, Team
from teams.permissions import get_team_for_user


def _save_unique(serializer, **extra):
    try:
        return serializer.save(**extra)
    except IntegrityError as error:  # a unique name taken between validation and insert
        raise ValidationError({"name": [_("This name is already taken.")]}) from error


def _doc(summary, description, **kwargs):
    return extend_schema(summary=summary, description=description, **kwargs)


@extend_schema_view(
    get=_doc(
        gettext_lazy("Who am I"),
        gettext_lazy(
            "The signed-in user (or the token's owner) with their active team memberships "
            "and roles."
        ),
        operation_id="me",
        tags=["me"],
    )
)
class MeView(generics.GenericAPIView):
    """The signed-in user (or the token's owner) with their active teams and roles.

    Lives with teams rather than accounts because it reports memberships, and
    accounts knows nothing of teams.
    """

    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        request.user.active_memberships = list(selectors.active_memberships_of(request.user))
        return Response(MeSerializer(request.user).data)


# Writes are refused by the permission classes, which DRF runs before any
# serializer sees the body (list views) or right after the scope lookup
# (detail views): a non-staff client gets 403 whatever it sends, never a 400
# that would tell it which cohort ids or team names exist.


@extend_schema_view(
    get=_doc(
        gettext_lazy("List cohorts"),
        gettext_lazy("Cohorts you belong to through a team (staff: all), paginated."),
    ),
    post=_doc(gettext_lazy("Create a cohort"), gettext_lazy("Staff only; names are unique.")),
)
class CohortListView(generics.ListCreateAPIView):
    serializer_class = CohortSerializer
    permission_classes = [IsAuthenticated, StaffCreates]

    def get_queryset(self):
        return selectors.cohorts_for_user(self.request.user)

    def perform_create(self, serializer) -> None:
        _save_unique(serializer)


@extend_schema_view(
    get=_doc(gettext_lazy("Read a cohort"), gettext_lazy("One cohort you can see.")),
    patch=_doc(
        gettext_lazy("Change a cohort"),
        gettext_lazy("Staff only; send only the fields that change."),
    ),
)
class CohortDetailView(generics.RetrieveUpdateAPIView):
    serializer_class = CohortSerializer
    permission_classes = [IsAuthenticated, StaffChanges]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.cohorts_for_user(self.request.user)

    def perform_update(self, serializer) -> None:
        _save_unique(serializer)


@extend_schema_view(
    get=_doc(
        gettext_lazy("List teams"),
        gettext_lazy("Teams you belong to (staff: all), paginated; filter by `cohort`."),
    ),
    post=_doc(
        gettext_lazy("Create a team"),
        gettext_lazy("Staff only: a team in a cohort; names are unique in the cohort."),
    ),
)
class TeamListView(generics.ListCreateAPIView):
    serializer_class = TeamSerializer
    permission_classes = [IsAuthenticated, StaffCreates]
    filterset_fields = ["cohort"]

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user).order_by("cohort_id", "name")

    def perform_create(self, serializer) -> None:
        _save_unique(serializer)


@extend_schema_view(
    get=_doc(gettext_lazy("Read a team"), gettext_lazy("One team you can see.")),
    patch=_doc(
        gettext_lazy("Change a team"),
        gettext_lazy("Staff only: its name and description; a team stays in its cohort."),
    ),
)
class TeamDetailView(generics.RetrieveUpdateAPIView):
    permission_classes = [IsAuthenticated, StaffChanges]
    http_method_names = ["get", "patch", "head", "options"]

    def get_serializer_class(self):
        return TeamUpdateSerializer if self.request.method == "PATCH" else TeamSerializer

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user)

    def perform_update(self, serializer) -> None:
        _save_unique(serializer)


@extend_schema_view(
    get=_doc(
        gettext_lazy("List a team's members"),
        gettext_lazy("Active and past members of a team you can see, paginated."),
    ),
)
class TeamMemberListView(generics.ListAPIView):
    """Members of a team (active and past); staff add members with POST."""

    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated, StaffChanges]  # checked on the team, once fetched

    def get_queryset(self):
        if is_schema_generation(self):
            return Membership.objects.none()
        return selectors.team_memberships(
            get_team_for_user(self.request.user, self.kwargs["team_pk"])
        )

    @extend_schema(
        summary=gettext_lazy("Add a member"),
        description=gettext_lazy(
            "Staff only: a user joins the team as intern or mentor (today unless "
            "`joined_on` says otherwise)."
        ),
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer},
    )
    def post(self, request: Request, team_pk: int) -> Response:
        team = get_team_for_user(request.user, team_pk)
        self.check_object_permissions(request, team)
        data = MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_add(team=team, **data.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class TeamMemberDetailView(generics.GenericAPIView):
    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated, StaffChanges]

    def get_object(self) -> Membership:
        team = get_team_for_user(self.request.user, self.kwargs["team_pk"])
        membership = selectors.team_memberships(team).filter(pk=self.kwargs["pk"]).first()
        if membership is None:
            raise Http404
        self.check_object_permissions(self.request, membership)
        return membership

    @extend_schema(
        summary=gettext_lazy("Read a membership"),
        description=gettext_lazy("One member of a team you can see."),
    )
    def get(self, request: Request, team_pk: int, pk: int) -> Response:
        return Response(MembershipSerializer(self.get_object()).data)

    @extend_schema(
        summary=gettext_lazy("Change a membership"),
        description=gettext_lazy("Staff only: the member's role or the day they left."),
        request=MembershipUpdateSerializer,
        responses={200: MembershipSerializer},
    )
    def patch(self, request: Request, team_pk: int, pk: int) -> Response:
        membership = self.get_object()
        data = MembershipUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_update(membership=membership, **data.validated_data)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        summary=gettext_lazy("Remove a member"),
        description=gettext_lazy(
            "Staff only: the membership ends today (its history stays) and the user's "
            "access to the team ends at once."
        ),
        responses={200: MembershipSerializer},
    )
    def delete(self, request: Request, team_pk: int, pk: int) -> Response:
        membership = self.get_object()
        membership = services.membership_end(membership=membership)
        return Response(MembershipSerializer(membership).data)
