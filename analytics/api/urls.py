from django.urls import path

from analytics.api import views

urlpatterns = [
    path(
        "analytics/teams/<int:pk>/",
        views.TeamAnalyticsView.as_view(),
        name="api-analytics-team",
    ),
    path(
        "analytics/interns/<int:user_id>/",
        views.InternAnalyticsView.as_view(),
        name="api-analytics-intern",
    ),
]
