"""Personal settings pages, under /settings/."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("tokens/", views.api_tokens_view, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
