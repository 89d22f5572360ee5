from django.urls import path

from tasks import transfer_views, trello_views, views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("projects/<int:pk>/board/", views.board_view, name="board"),
    path(
        "teams/<int:team_pk>/import/trello/",
        trello_views.trello_upload_view,
        name="trello_upload",
    ),
    path(
        "teams/<int:team_pk>/import/trello/preview/",
        trello_views.trello_preview_view,
        name="trello_preview",
    ),
    path(
        "teams/<int:team_pk>/import/trello/jobs/<str:job>/",
        trello_views.trello_progress_view,
        name="trello_progress",
    ),
    path(
        "projects/<int:pk>/board/columns/<int:column_pk>/more/",
        views.column_more_view,
        name="board_column_more",
    ),
    path("projects/<int:pk>/board/changes/", views.board_changes_view, name="board_changes"),
    path("projects/<int:pk>/tasks/new/", views.task_quick_add_view, name="task_quick_add"),
    path(
        "projects/<int:pk>/tasks/import/",
        transfer_views.task_csv_import_view,
        name="task_csv_import",
    ),
    path(
        "projects/<int:pk>/tasks/import/preview/",
        transfer_views.task_csv_import_preview_view,
        name="task_csv_import_preview",
    ),
    path(
        "projects/<int:pk>/tasks.csv",
        transfer_views.project_tasks_csv_view,
        name="project_tasks_csv",
    ),
    path(
        "projects/<int:pk>/export.json",
        transfer_views.project_export_json_view,
        name="project_export_json",
    ),
    path("tasks/", views.task_list_view, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail_view, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit_view, name="task_edit"),
    path("tasks/<int:pk>/edit/<slug:field>/", views.task_edit_field_view, name="task_edit_field"),
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
    path("tasks/<int:pk>/attachments/", views.attachment_upload_view, name="attachment_upload"),
    path(
        "tasks/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download_view,
        name="attachment_download",
    ),
    path(
        "tasks/<int:pk>/attachments/<int:attachment_pk>/thumbnail/",
        views.attachment_thumbnail_view,
        name="attachment_thumbnail",
    ),
    path(
        "tasks/<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_delete_view,
        name="attachment_delete",
    ),
]
