"""Analytics over the API: the same fetchers and selectors as the pages."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import selectors
from analytics.api.serializers import (
    InternAnalyticsSerializer,
    PeriodQuerySerializer,
    TeamAnalyticsSerializer,
)
from analytics.permissions import get_intern_for_analytics, get_team_for_analytics

PERIOD_QUERY = [
    OpenApiParameter(
        name,
        type=OpenApiTypes.DATE,
        location=OpenApiParameter.QUERY,
        required=False,
        description=description,
    )
    for name, description in (
        ("from", "First day (YYYY-MM-DD, included); default: 27 days before `to`."),
        ("to", "Last day (YYYY-MM-DD, included); default: today."),
    )
]
ERRORS = {
    400: OpenApiResponse(description="Malformed date, `from` after `to`, or too long a period."),
    403: OpenApiResponse(description="An intern asking for their team's analytics."),
    404: OpenApiResponse(description="Not found, or not visible to you."),
}


def _period(request: Request) -> selectors.Period:
    query = PeriodQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return selectors.period(query.validated_data.get("from"), query.validated_data.get("to"))


class TeamAnalyticsView(APIView):
    @extend_schema(
        operation_id="analytics_team",
        summary="A team's analytics over a period",
        description=(
            "One row per intern (completed, points, cycle and lead time, on-time and "
            "first-pass rates, mean score, overdue, WIP, weekly throughput, at-risk flags), "
            "the projects' daily cumulative flow and burn-up, and the cycle-time "
            "distribution. For the team's mentors and staff."
        ),
        parameters=PERIOD_QUERY,
        responses={200: TeamAnalyticsSerializer, **ERRORS},
        tags=["analytics"],
    )
    def get(self, request: Request, pk: int) -> Response:
        team = get_team_for_analytics(request.user, pk)
        result = selectors.team_analytics(team, _period(request))
        return Response(TeamAnalyticsSerializer(result).data)


class InternAnalyticsView(APIView):
    @extend_schema(
        operation_id="analytics_intern",
        summary="An intern's analytics over a period",
        description=(
            "The intern's metrics over the period, their weekly trend over the whole "
            "internship and the reviews they received. For the intern, their team's "
            "mentors and staff."
        ),
        parameters=PERIOD_QUERY,
        responses={200: InternAnalyticsSerializer, **ERRORS},
        tags=["analytics"],
    )
    def get(self, request: Request, user_id: int) -> Response:
        intern = get_intern_for_analytics(request.user, user_id)
        result = selectors.intern_analytics(intern, _period(request))
        return Response(InternAnalyticsSerializer(result).data)
