from django.urls import path

from tasks.api import views

urlpatterns = [
    path("tasks/", views.TaskListView.as_view(), name="api-task-list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="api-task-detail"),
    path("tasks/<int:pk>/move/", views.TaskMoveView.as_view(), name="api-task-move"),
    path("tasks/<int:pk>/comments/", views.TaskCommentListView.as_view(), name="api-task-comments"),
    path("tasks/<int:pk>/review/", views.TaskReviewView.as_view(), name="api-task-review"),
]
