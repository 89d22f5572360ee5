from django.urls import path

from integrations import views

urlpatterns = [
    path("projects/<int:pk>/webhooks/", views.webhook_list_view, name="webhook_list"),
    path(
        "projects/<int:pk>/webhooks/<int:webhook_pk>/",
        views.webhook_detail_view,
        name="webhook_detail",
    ),
    path(
        "projects/<int:pk>/webhooks/<int:webhook_pk>/delete/",
        views.webhook_delete_view,
        name="webhook_delete",
    ),
    path(
        "projects/<int:pk>/webhooks/<int:webhook_pk>/test/",
        views.webhook_test_view,
        name="webhook_test",
    ),
]
