from django.urls import path

from accounts.api import views

urlpatterns = [
    path("users/", views.UserListView.as_view(), name="api-user-list"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="api-user-detail"),
    path(
        "users/<int:pk>/deactivate/", views.UserDeactivateView.as_view(), name="api-user-deactivate"
    ),
]
