from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from tasks.querysets import register_sqlite_functions

        # Search folds case with a function SQLite lacks (see tasks.querysets).
        connection_created.connect(register_sqlite_functions, dispatch_uid="tasks_sqlite_lower")

        from config import navigation

        # Lower apps' pages (header, project settings, team page) link here
        # without naming tasks' URLs (see config.navigation).
        navigation.register("main", "dashboard", label=_("Dashboard"), url_name="dashboard")
        navigation.register("main", "task_list", label=_("Tasks"), url_name="task_list", order=110)
        navigation.register("project", "board", label=_("Open the board"), url_name="board")
        navigation.register(
            "team", "trello_import", label=_("Import from Trello"), url_name="trello_upload"
        )
        navigation.register(
            "project",
            "task_csv_import",
            label=_("Import tasks from CSV"),
            url_name="task_csv_import",
            order=300,
        )
        navigation.register(
            "project",
            "export_json",
            label=_("Export the project (JSON)"),
            url_name="project_export_json",
            order=310,
        )
