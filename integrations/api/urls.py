from django.urls import path

from integrations.api import views

urlpatterns = [
    path(
        "projects/<int:project_id>/webhooks/",
        views.WebhookListView.as_view(),
        name="api-webhook-list",
    ),
    path(
        "projects/<int:project_id>/webhooks/<int:pk>/",
        views.WebhookDetailView.as_view(),
        name="api-webhook-detail",
    ),
    path(
        "projects/<int:project_id>/webhooks/<int:pk>/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="api-webhook-deliveries",
    ),
]
