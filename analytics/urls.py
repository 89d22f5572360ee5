from django.urls import path

from analytics import views

urlpatterns = [
    path("analytics/teams/<int:pk>/", views.team_view, name="analytics_team"),
    path("analytics/teams/<int:pk>/export.csv", views.team_csv_view, name="analytics_team_csv"),
    path(
        "analytics/teams/<int:pk>/refresh/", views.team_refresh_view, name="analytics_team_refresh"
    ),
    path("analytics/interns/<int:pk>/", views.intern_view, name="analytics_intern"),
]
