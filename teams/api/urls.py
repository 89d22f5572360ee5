from django.urls import path

from teams.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("cohorts/", views.CohortListView.as_view(), name="api-cohort-list"),
    path("cohorts/<int:pk>/", views.CohortDetailView.as_view(), name="api-cohort-detail"),
    path("teams/", views.TeamListView.as_view(), name="api-team-list"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="api-team-detail"),
    path(
        "teams/<int:team_pk>/members/", views.TeamMemberListView.as_view(), name="api-team-members"
    ),
    path(
        "teams/<int:team_pk>/members/<int:pk>/",
        views.TeamMemberDetailView.as_view(),
        name="api-team-member-detail",
    ),
]
