from django.urls import path

from tasks import views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("projects/<int:pk>/board/", views.board_view, name="board"),
    path(
        "projects/<int:pk>/board/columns/<int:column_pk>/more/",
        views.column_more_view,
        name="board_column_more",
    ),
    path("projects/<int:pk>/board/changes/", views.board_changes_view, name="board_changes"),
    path("projects/<int:pk>/tasks/new/", views.task_quick_add_view, name="task_quick_add"),
    path("tasks/", views.task_list_view, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail_view, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit_view, name="task_edit"),
    path("tasks/<int:pk>/move/", views.task_move_view, name="task_move"),
    path("tasks/<int:pk>/archive/", views.task_archive_view, name="task_archive"),
    path("tasks/<int:pk>/comments/", views.comment_create_view, name="comment_create"),
    path("tasks/<int:pk>/labels/", views.label_create_view, name="label_create"),
    path("tasks/<int:pk>/review/", views.review_submit_view, name="review_submit"),
    path("tasks/<int:pk>/checklist/", views.checklist_add_view, name="checklist_add"),
    path(
        "tasks/<int:pk>/checklist/<int:item_pk>/toggle/",
        views.checklist_toggle_view,
        name="checklist_toggle",
    ),
    path(
        "tasks/<int:pk>/checklist/<int:item_pk>/move/",
        views.checklist_move_view,
        name="checklist_move",
    ),
    path(
        "tasks/<int:pk>/checklist/<int:item_pk>/delete/",
        views.checklist_delete_view,
        name="checklist_delete",
    ),
]
