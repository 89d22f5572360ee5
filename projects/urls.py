from django.urls import path

from projects import views

urlpatterns = [
    path("teams/<int:pk>/", views.team_detail_view, name="team_detail"),
    path("teams/<int:team_pk>/projects/new/", views.project_create_view, name="project_create"),
    path("projects/<int:pk>/settings/", views.project_settings_view, name="project_settings"),
    path("projects/<int:pk>/archive/", views.project_archive_view, name="project_archive"),
    path("projects/<int:pk>/columns/", views.column_create_view, name="column_create"),
    path(
        "projects/<int:pk>/columns/<int:column_pk>/",
        views.column_update_view,
        name="column_update",
    ),
    path(
        "projects/<int:pk>/columns/<int:column_pk>/move/",
        views.column_move_view,
        name="column_move",
    ),
    path(
        "projects/<int:pk>/columns/<int:column_pk>/delete/",
        views.column_delete_view,
        name="column_delete",
    ),
]
