from django.urls import path

from projects.api import views

urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="api-project-list"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="api-project-detail"),
    path("projects/<int:pk>/columns/", views.ColumnListView.as_view(), name="api-column-list"),
    path(
        "projects/<int:pk>/columns/<int:column_pk>/",
        views.ColumnDetailView.as_view(),
        name="api-column-detail",
    ),
]
