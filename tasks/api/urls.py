from django.urls import path

from tasks.api import attachments, transfer, views

urlpatterns = [
    path("tasks/", views.TaskListView.as_view(), name="api-task-list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="api-task-detail"),
    path("tasks/<int:pk>/move/", views.TaskMoveView.as_view(), name="api-task-move"),
    path("tasks/<int:pk>/comments/", views.TaskCommentListView.as_view(), name="api-task-comments"),
    path("tasks/<int:pk>/review/", views.TaskReviewView.as_view(), name="api-task-review"),
    path(
        "projects/<int:pk>/export.csv",
        transfer.ProjectExportCsvView.as_view(),
        name="api-project-export-csv",
    ),
    path(
        "projects/<int:pk>/export.json",
        transfer.ProjectExportJsonView.as_view(),
        name="api-project-export-json",
    ),
    path(
        "tasks/<int:pk>/attachments/",
        attachments.TaskAttachmentListView.as_view(),
        name="api-task-attachments",
    ),
    path(
        "tasks/<int:pk>/attachments/<int:attachment_pk>/",
        attachments.TaskAttachmentDetailView.as_view(),
        name="api-task-attachment-detail",
    ),
]
