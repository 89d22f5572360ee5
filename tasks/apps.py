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
