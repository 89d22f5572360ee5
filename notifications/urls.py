from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.notifications_view, name="notifications"),
    path("notifications/bell/", views.bell_view, name="notifications_bell"),
    path("notifications/read-all/", views.read_all_view, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.read_view, name="notification_read"),
    path("notifications/<int:pk>/open/", views.open_view, name="notification_open"),
    path(
        "settings/notifications/",
        views.notification_settings_view,
        name="notification_settings",
    ),
    path("tasks/<int:pk>/watch/", views.task_watch_view, name="task_watch"),
    path("tasks/<int:pk>/mentions/", views.task_mentions_view, name="task_mentions"),
]
